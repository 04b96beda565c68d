#!/usr/bin/env bash
# Prints JVM options from jvm.options as one line, for: java $(native-config/jvm-options.sh) -jar ...
# By default only the [required] section; --all adds [recommended], --optional adds [optional].
set -euo pipefail

usage()
{
    cat <<'EOF'
Usage: native-config/jvm-options.sh [--all] [--optional]
Prints the [required] options of native-config/jvm.options on one line.
  --all       also print the [recommended] options
  --optional  also print the [optional] options (read their comments first)
  --help      print this help
EOF
}

sections=" required "
for arg in "$@"
do
    case "$arg" in
        --all) sections+="recommended " ;;
        --optional) sections+="optional " ;;
        --help|-h) usage; exit 0 ;;
        *) echo "jvm-options.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
    esac
done

options_file="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/jvm.options"
current=""
options=()
while IFS= read -r line || [[ -n "$line" ]]
do
    if [[ "$line" =~ ^#[[:space:]]*\[([a-z]+)\][[:space:]]*$ ]]
    then
        current="${BASH_REMATCH[1]}"
        continue
    fi
    # Drop comments (whole-line or trailing) and surrounding blanks.
    line="${line%%#*}"
    line="${line#"${line%%[![:space:]]*}"}"
    line="${line%"${line##*[![:space:]]}"}"
    if [[ -n "$line" && -n "$current" && "$sections" == *" $current "* ]]
    then
        options+=("$line")
    fi
done < "$options_file"

echo "${options[*]}"
