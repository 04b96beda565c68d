package io.conduit.kv;

/**
 * Negative results of the validating decoders ({@link KvRequestFlyweight#validate}, {@link KvResponseFlyweight},
 * {@link KvCommandFlyweight}, {@link KvStateMachine#restoreSnapshot}). Decoders return one of these instead of
 * throwing, so garbage from the network or a disk never reaches the user as a stack trace.
 */
public final class KvCodecError
{
    /** Fewer bytes than the fixed header. */
    public static final int TOO_SHORT = -1;
    /** A version this code does not understand. */
    public static final int BAD_VERSION = -2;
    /** An unknown operation byte. */
    public static final int BAD_OP = -3;
    /** An unknown consistency byte. */
    public static final int BAD_CONSISTENCY = -4;
    /** An unknown status byte. */
    public static final int BAD_STATUS = -5;
    /** A reserved byte that is not zero (kept zero so a later version can use it). */
    public static final int NONZERO_RESERVED = -6;
    /** A negative length, fields running past the end, or bytes left over after the last field. */
    public static final int BAD_LENGTH = -7;
    /** A field longer than the configured limit. */
    public static final int TOO_LONG = -8;
    /** A field the operation or status needs is empty. */
    public static final int MISSING_FIELD = -9;
    /** A field the operation or status does not carry is present. */
    public static final int UNEXPECTED_FIELD = -10;
    /** A key, value or holder byte that is whitespace or a control character, or unprintable error text. */
    public static final int BAD_TOKEN = -11;
    /** A number out of range: client id 0, sequence below 1, a negative index, a ttl outside (0, maxTtlMs]. */
    public static final int BAD_NUMBER = -12;
    /** A snapshot that does not start with the snapshot magic. */
    public static final int BAD_MAGIC = -13;
    /** Snapshot records out of order or duplicated (snapshots are canonical: sorted, unique). */
    public static final int UNSORTED = -14;
    /** A snapshot older than what the state machine has already applied. */
    public static final int SNAPSHOT_BEHIND = -15;

    private KvCodecError()
    {
    }

    /** A short description for a one-line error message. */
    public static String describe(final int code)
    {
        switch (code)
        {
            case TOO_SHORT: return "too short";
            case BAD_VERSION: return "unknown version";
            case BAD_OP: return "unknown operation";
            case BAD_CONSISTENCY: return "unknown consistency";
            case BAD_STATUS: return "unknown status";
            case NONZERO_RESERVED: return "reserved bytes not zero";
            case BAD_LENGTH: return "bad length";
            case TOO_LONG: return "field too long";
            case MISSING_FIELD: return "missing field";
            case UNEXPECTED_FIELD: return "unexpected field";
            case BAD_TOKEN: return "whitespace or control character in a token";
            case BAD_NUMBER: return "number out of range";
            case BAD_MAGIC: return "not a key-value snapshot";
            case UNSORTED: return "snapshot records out of order";
            case SNAPSHOT_BEHIND: return "snapshot older than the applied index";
            default: return code >= 0 ? "ok" : "unknown error " + code;
        }
    }
}
