package io.conduit.transport.codec;

/**
 * Why the decoder refused a datagram. Codes are dense from 0 so a counter array can be indexed by them;
 * {@link #NONE} means the datagram is well formed.
 */
public enum RejectReason
{
    NONE,
    /** Shorter than the fixed header. */
    TRUNCATED,
    BAD_MAGIC,
    BAD_VERSION,
    BAD_TYPE,
    /** A flag bit this version does not define. */
    BAD_FLAGS,
    /** Authenticated links are not enabled on this endpoint. */
    AUTH_UNSUPPORTED,
    /** More than four SACK blocks, or SACK blocks on a type that must not carry them. */
    BAD_SACK_COUNT,
    /** A SACK block that is empty or larger than any window. */
    BAD_SACK_BLOCK,
    /** The datagram's length differs from what its header says it contains. */
    LENGTH_MISMATCH,
    BAD_CHECKSUM,
    /** Payload on a type that carries none, or DATA without payload. */
    BAD_PAYLOAD,
    /**
     * Message length or fragment offset inconsistent with the payload, a span (FLAG_SPAN) whose parts do not fit or
     * that is not plain DATA, or a continuation that claims to be a batch or a span.
     */
    BAD_FRAGMENT,
    /** A cookie where none may be, or none where one must be. */
    BAD_COOKIE_PLACEMENT,
    /** A PROBE or probe acknowledgement with no probe id, a PROBE with a fragment offset, or PROBE_ACK off an ACK. */
    BAD_PROBE,
    /** FLAG_BATCH on a type other than DATA, or batch frames that do not tile the payload or match their count. */
    BAD_BATCH;

    private static final RejectReason[] VALUES = values();

    public static final int COUNT = VALUES.length;

    public static RejectReason of(final int code)
    {
        return VALUES[code];
    }

    public int code()
    {
        return ordinal();
    }
}
