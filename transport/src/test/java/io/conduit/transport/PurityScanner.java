package io.conduit.transport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds, in Java source text, uses of what a pure state machine must not touch: sockets, channels, files, threads
 * and executors, the wall clock, and unseeded randomness. Comments and string, char and text-block literals are
 * blanked before matching, so mentioning {@code System.nanoTime} in a comment is fine.
 * <p>
 * It reads source rather than bytecode so that a violation is reported as {@code file:line} and so that imports
 * are seen even when the imported class is never called. Reused by other modules through the transport test-jar:
 * <pre>{@code
 * new PurityScanner(Set.of()).scanPackages(Paths.get("src/main/java"), List.of("io.conduit.raft"))
 * }</pre>
 */
public final class PurityScanner
{
    /**
     * One forbidden construct: a name for the report and a regular expression matched against blanked source.
     *
     * @param name    what the construct is, e.g. "clock: System.nanoTime".
     * @param pattern matched anywhere in the blanked source, across line breaks.
     */
    public record Rule(String name, Pattern pattern)
    {
    }

    /**
     * One use of a forbidden construct.
     *
     * @param file       the file as given to the scanner, e.g. "src/main/java/io/conduit/transport/codec/X.java".
     * @param lineNumber 1-based line where the match starts.
     * @param ruleName   the {@link Rule#name()} that matched.
     * @param lineText   that source line, trimmed.
     */
    public record Violation(String file, int lineNumber, String ruleName, String lineText)
    {
        @Override
        public String toString()
        {
            return file + ":" + lineNumber + ": " + ruleName + ": " + lineText;
        }
    }

    /**
     * Everything a pure package may not use. Imports are caught by their package name; java.lang classes, which
     * need no import, are caught by their simple name.
     */
    public static final List<Rule> DEFAULT_RULES = List.of(
        rule("sockets: java.net", "\\bjava\\.net\\b"),
        rule("channels: java.nio.channels", "\\bjava\\.nio\\.channels\\b"),
        rule("files: java.io file classes", "\\bjava\\.io\\.(?:File\\w*|RandomAccessFile)\\b"),
        rule("files: java.nio.file", "\\bjava\\.nio\\.file\\b"),
        rule("files: new File", "\\bnew\\s+(?:File|FileInputStream|FileOutputStream|FileReader|FileWriter|" +
            "RandomAccessFile)\\s*\\("),
        rule("threads: Thread", "\\bThread\\b"),
        // TimeUnit is a pure unit converter, used for readable durations in configs; the rest of the package is threads.
        rule("threads: java.util.concurrent", "\\bjava\\.util\\.concurrent\\b(?!\\.TimeUnit\\b)"),
        rule("threads: executors", "\\b(?:ExecutorService|Executors)\\b"),
        rule("clock: System.nanoTime", "\\bSystem\\s*\\.\\s*nanoTime\\b"),
        rule("clock: System.currentTimeMillis", "\\bSystem\\s*\\.\\s*currentTimeMillis\\b"),
        rule("clock: java.time now()", "\\b(?:Instant|LocalDateTime|LocalDate|LocalTime|OffsetDateTime|" +
            "ZonedDateTime)\\s*\\.\\s*now\\b"),
        rule("clock: Clock.system*", "\\bClock\\s*\\.\\s*system\\w*"),
        rule("randomness: Math.random", "\\b(?:Strict)?Math\\s*\\.\\s*random\\b"),
        rule("randomness: unseeded new Random()", "\\bnew\\s+(?:java\\.util\\.)?(?:Random|SplittableRandom)" +
            "\\s*\\(\\s*\\)"),
        rule("randomness: ThreadLocalRandom", "\\bThreadLocalRandom\\b"),
        rule("randomness: SecureRandom", "\\bSecureRandom\\b"));

    private final List<Rule> rules;
    private final Set<String> exemptClassNames;

    /**
     * A scanner with {@link #DEFAULT_RULES}.
     *
     * @param exemptClassNames fully qualified names of top-level classes whose files are skipped entirely.
     */
    public PurityScanner(final Set<String> exemptClassNames)
    {
        this(DEFAULT_RULES, exemptClassNames);
    }

    /**
     * @param rules            what to look for.
     * @param exemptClassNames fully qualified names of top-level classes whose files are skipped entirely.
     */
    public PurityScanner(final List<Rule> rules, final Set<String> exemptClassNames)
    {
        this.rules = List.copyOf(rules);
        this.exemptClassNames = Set.copyOf(exemptClassNames);
    }

    /**
     * @param name  what the construct is, for the report.
     * @param regex a {@link Pattern} matched against blanked source.
     * @return the rule.
     */
    public static Rule rule(final String name, final String regex)
    {
        return new Rule(name, Pattern.compile(regex));
    }

    /**
     * Scans every {@code .java} file of the given packages and their subpackages under a source root. A package
     * with no directory has nothing to check and adds no violation.
     *
     * @param sourceRoot   e.g. {@code Paths.get("src/main/java")}, relative to the module directory.
     * @param packageNames e.g. {@code io.conduit.transport.codec}.
     * @return the violations, ordered by file then line.
     * @throws IOException if a file cannot be read.
     */
    public List<Violation> scanPackages(final Path sourceRoot, final Collection<String> packageNames)
        throws IOException
    {
        final TreeSet<Path> files = new TreeSet<>();
        for (final String packageName : packageNames)
        {
            final Path packageDir = sourceRoot.resolve(packageName.replace('.', '/'));
            if (!Files.isDirectory(packageDir))
            {
                continue;
            }
            try (Stream<Path> walk = Files.walk(packageDir))
            {
                walk.filter((path) -> Files.isRegularFile(path) && path.toString().endsWith(".java"))
                    .forEach(files::add);
            }
        }

        final List<Violation> violations = new ArrayList<>();
        for (final Path file : files)
        {
            if (!exemptClassNames.contains(className(sourceRoot, file)))
            {
                violations.addAll(scanSource(file.toString(), Files.readString(file)));
            }
        }
        return violations;
    }

    /**
     * Scans one source text.
     *
     * @param fileName used in the violations only.
     * @param source   Java source.
     * @return the violations, ordered by line, then by rule order.
     */
    public List<Violation> scanSource(final String fileName, final String source)
    {
        final String blanked = blankCommentsAndLiterals(source);
        final String[] lines = source.split("\n", -1);
        final List<Violation> violations = new ArrayList<>();
        for (final Rule rule : rules)
        {
            final Matcher matcher = rule.pattern().matcher(blanked);
            while (matcher.find())
            {
                final int lineNumber = lineNumberAt(blanked, matcher.start());
                violations.add(new Violation(fileName, lineNumber, rule.name(), lines[lineNumber - 1].trim()));
            }
        }
        violations.sort(Comparator.comparingInt(Violation::lineNumber));
        return violations;
    }

    /**
     * @param violations what a scan found.
     * @return a message listing each violation as {@code file:line: rule: code}, for an assertion failure.
     */
    public static String report(final List<Violation> violations)
    {
        final StringBuilder message = new StringBuilder()
            .append(violations.size())
            .append(" purity violation(s); pure code takes time as a long nowNs argument and randomness from a")
            .append(" seeded source (docs/testing.md):");
        for (final Violation violation : violations)
        {
            message.append("\n  ").append(violation);
        }
        return message.toString();
    }

    /**
     * Replaces every character of comments and of string, char and text-block literals with a space, keeping line
     * breaks, so that offsets and line numbers still match the original source.
     *
     * @param source Java source.
     * @return the source with only code left visible, same length.
     */
    public static String blankCommentsAndLiterals(final String source)
    {
        final char[] out = source.toCharArray();
        final int length = out.length;
        int i = 0;
        while (i < length)
        {
            final char c = out[i];
            final char next = i + 1 < length ? out[i + 1] : '\0';
            if (c == '/' && next == '/')
            {
                final int end = indexOfOrEnd(source, "\n", i);
                blank(out, i, end);
                i = end;
            }
            else if (c == '/' && next == '*')
            {
                final int close = source.indexOf("*/", i + 2);
                final int end = close < 0 ? length : close + 2;
                blank(out, i, end);
                i = end;
            }
            else if (source.startsWith("\"\"\"", i))
            {
                final int end = endOfQuoted(source, i + 3, "\"\"\"", false);
                blank(out, i, end);
                i = end;
            }
            else if (c == '"' || c == '\'')
            {
                final int end = endOfQuoted(source, i + 1, String.valueOf(c), true);
                blank(out, i, end);
                i = end;
            }
            else
            {
                i++;
            }
        }
        return new String(out);
    }

    private static int endOfQuoted(
        final String source, final int from, final String delimiter, final boolean singleLine)
    {
        int i = from;
        while (i < source.length())
        {
            final char c = source.charAt(i);
            if (c == '\\')
            {
                i += 2;
            }
            else if (source.startsWith(delimiter, i))
            {
                return i + delimiter.length();
            }
            else if (singleLine && c == '\n')
            {
                // An unterminated literal does not compile; stop at the line end so later lines are still checked.
                return i;
            }
            else
            {
                i++;
            }
        }
        return source.length();
    }

    private static int indexOfOrEnd(final String source, final String target, final int from)
    {
        final int index = source.indexOf(target, from);
        return index < 0 ? source.length() : index;
    }

    private static void blank(final char[] out, final int from, final int to)
    {
        for (int i = from; i < Math.min(to, out.length); i++)
        {
            if (out[i] != '\n' && out[i] != '\r')
            {
                out[i] = ' ';
            }
        }
    }

    private static int lineNumberAt(final String text, final int offset)
    {
        int lineNumber = 1;
        for (int i = 0; i < offset; i++)
        {
            if (text.charAt(i) == '\n')
            {
                lineNumber++;
            }
        }
        return lineNumber;
    }

    private static String className(final Path sourceRoot, final Path file)
    {
        final String relative = sourceRoot.relativize(file).toString();
        final String separator = file.getFileSystem().getSeparator();
        return relative.substring(0, relative.length() - ".java".length()).replace(separator, ".");
    }
}
