package io.conduit.chain;

/**
 * Negative results of {@link ChainMessageCodec#validate}: garbage from the network is reported with one of these,
 * never thrown, so a corrupt or hostile datagram cannot take a member down.
 */
public final class ChainCodecError
{
    /** Fewer bytes than the fixed header, or than the type's fixed part. */
    public static final int TOO_SHORT = -1;
    /** A version this code does not understand. */
    public static final int BAD_VERSION = -2;
    /** An unknown message type byte. */
    public static final int BAD_TYPE = -3;
    /** Reserved bytes that are not zero (kept zero so a later version can use them). */
    public static final int NONZERO_RESERVED = -4;
    /** A number out of range: epoch below 1, a negative sequence, committed above last, a term above the epoch. */
    public static final int BAD_NUMBER = -5;
    /** A negative length, fields running past the end, or bytes left over after the last field. */
    public static final int BAD_LENGTH = -6;
    /** A FORWARD whose sequence numbers are not consecutive. */
    public static final int NOT_CONSECUTIVE = -7;
    /** A FORWARD with no updates or more than {@link ChainMessageCodec#MAX_UPDATES_PER_MESSAGE}. */
    public static final int BAD_COUNT = -8;

    private ChainCodecError()
    {
    }

    /** A short name for an error code, for counters and logs. */
    public static String describe(final int error)
    {
        switch (error)
        {
            case TOO_SHORT: return "too short";
            case BAD_VERSION: return "bad version";
            case BAD_TYPE: return "bad type";
            case NONZERO_RESERVED: return "nonzero reserved";
            case BAD_NUMBER: return "bad number";
            case BAD_LENGTH: return "bad length";
            case NOT_CONSECUTIVE: return "sequence numbers not consecutive";
            case BAD_COUNT: return "bad update count";
            default: return "unknown error " + error;
        }
    }
}
