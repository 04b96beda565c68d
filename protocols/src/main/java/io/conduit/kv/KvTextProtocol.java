package io.conduit.kv;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The {@code conduit kv} line protocol (issue 5): one command per stdin line, one answer line per command.
 *
 * <pre>
 * put KEY VALUE            → ok
 * get KEY                  → value VALUE | missing
 * cas KEY EXPECTED NEW     → ok | fail
 * delete KEY               → ok
 * lease NAME HOLDER TTL_MS → ok TOKEN | held HOLDER
 * any command              → timeout (outcome unknown) | error TEXT (certainly not applied)
 * </pre>
 *
 * Tokens are separated by ASCII whitespace; leading and trailing whitespace is ignored. Commands are lower case, as
 * the contract spells them. A bad line gets one {@code error ...} line naming the expected form, never an
 * exception. Text travels as UTF-8.
 */
public final class KvTextProtocol
{
    public static final String TIMEOUT_LINE = "timeout";
    public static final String USAGE =
        "usage: put KEY VALUE | get KEY | cas KEY EXPECTED NEW | delete KEY | lease NAME HOLDER TTL_MS";

    private static final Pattern WHITESPACE = Pattern.compile("[ \\t\\n\\x0B\\f\\r]+");
    private static final int MAX_ECHO_LENGTH = 40;

    /**
     * A parsed line: exactly one of an operation to send, or the error line to print instead.
     *
     * @param operation the operation, or null when the line was bad.
     * @param errorLine the complete line to print ({@code error ...}), or null when the line was good.
     */
    public record Parsed(KvOperation operation, String errorLine)
    {
        public boolean isError()
        {
            return errorLine != null;
        }

        static Parsed ok(final KvOperation operation)
        {
            return new Parsed(operation, null);
        }

        static Parsed error(final String text)
        {
            return new Parsed(null, KvTextProtocol.errorLine(text));
        }
    }

    private final KvConfig config;

    public KvTextProtocol(final KvConfig config)
    {
        this.config = config;
    }

    /** Parses one stdin line (without its line terminator). */
    public Parsed parse(final String line)
    {
        final String trimmed = WHITESPACE.matcher(line).replaceAll(" ").trim();
        if (trimmed.isEmpty())
        {
            return Parsed.error(USAGE);
        }
        final String[] words = trimmed.split(" ");
        switch (words[0])
        {
            case "put":
                return words.length != 3 ? Parsed.error("usage: put KEY VALUE") :
                    checked(KvOperation.put(words[1], words[2]));
            case "get":
                return words.length != 2 ? Parsed.error("usage: get KEY") : checked(KvOperation.get(words[1]));
            case "cas":
                return words.length != 4 ? Parsed.error("usage: cas KEY EXPECTED NEW") :
                    checked(KvOperation.cas(words[1], words[2], words[3]));
            case "delete":
                return words.length != 2 ? Parsed.error("usage: delete KEY") : checked(KvOperation.delete(words[1]));
            case "lease":
                return parseLease(words);
            default:
                return Parsed.error("unknown command '" + echo(words[0]) + "'; " + USAGE);
        }
    }

    private Parsed parseLease(final String[] words)
    {
        final String usage = "usage: lease NAME HOLDER TTL_MS (TTL_MS a whole number from 1 to " +
            config.maxTtlMs() + ")";
        if (words.length != 4 || !words[3].matches("[0-9]{1,18}"))
        {
            return Parsed.error(usage);
        }
        final long ttlMs = Long.parseLong(words[3]);
        if (ttlMs < 1 || ttlMs > config.maxTtlMs())
        {
            return Parsed.error(usage);
        }
        return checked(KvOperation.lease(words[1], words[2], ttlMs));
    }

    /** Applies the limits and token rules the decoder will, so a bad field is reported by name before sending. */
    private Parsed checked(final KvOperation operation)
    {
        final String keyName = operation.op() == KvOp.LEASE ? "NAME" : "KEY";
        final String valueName = operation.op() == KvOp.CAS ? "NEW" : "VALUE";
        String problem = fieldProblem(keyName, operation.key(), config.maxKeyLength());
        problem = problem != null ? problem : fieldProblem(valueName, operation.value(), config.maxValueLength());
        problem = problem != null ? problem : fieldProblem("EXPECTED", operation.expected(), config.maxValueLength());
        problem = problem != null ? problem : fieldProblem("HOLDER", operation.holder(), config.maxHolderLength());
        return problem == null ? Parsed.ok(operation) : Parsed.error(problem);
    }

    private static String fieldProblem(final String name, final byte[] bytes, final int maxLength)
    {
        if (bytes.length > maxLength)
        {
            return name + " is " + bytes.length + " bytes, longer than the limit of " + maxLength;
        }
        return KvTokens.isToken(bytes) ? null : name + " contains a control character";
    }

    /**
     * The contract's output line for a final response. OK prints {@code ok TOKEN} when it carries a fencing token
     * (lease grants; tokens are log indexes, never 0) and {@code ok} otherwise.
     *
     * @throws IllegalArgumentException for NOT_LEADER and RETRY, which a client retries instead of printing (and
     *                                  prints {@link #TIMEOUT_LINE} when its deadline passes).
     */
    public static String format(final KvResponseFlyweight response)
    {
        final KvStatus status = response.status();
        if (status == null || !status.isFinal())
        {
            throw new IllegalArgumentException("not a final status, retry or print timeout: " + status);
        }
        switch (status)
        {
            case OK: return response.token() != 0 ? "ok " + response.token() : "ok";
            case VALUE: return "value " + response.payloadString();
            case MISSING: return "missing";
            case FAIL: return "fail";
            case HELD: return "held " + response.payloadString();
            default: return "error " + response.payloadString();
        }
    }

    /** {@code error TEXT} with TEXT made safe for one line (see {@link KvResponseFlyweight#encodeError}). */
    public static String errorLine(final String text)
    {
        return "error " + new String(KvResponseFlyweight.errorText(text), StandardCharsets.US_ASCII);
    }

    private static String echo(final String word)
    {
        return word.length() <= MAX_ECHO_LENGTH ? word : word.substring(0, MAX_ECHO_LENGTH) + "...";
    }
}
