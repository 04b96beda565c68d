package io.conduit.raft.codec;

/**
 * Negative results of {@link RaftMessageCodec}. The decoder returns one of these instead of throwing, so a damaged
 * or hostile datagram is counted and dropped by the node's loop rather than surfacing as an exception.
 */
public final class RaftCodecError
{
    /** Fewer bytes than the fixed header. */
    public static final int TOO_SHORT = -1;
    /** A version this code does not understand. */
    public static final int BAD_VERSION = -2;
    /** An unknown message type byte (or, when encoding, a type this version cannot put on the wire). */
    public static final int BAD_TYPE = -3;
    /** A flag bit this version does not define. */
    public static final int BAD_FLAGS = -4;
    /** The reserved byte is not zero (kept zero so a later version can use it). */
    public static final int NONZERO_RESERVED = -5;
    /**
     * A sender or recipient id that is not positive, a message addressed to its own sender, or a member id in a
     * snapshot's configuration that is not positive.
     */
    public static final int BAD_MEMBER = -6;
    /** A negative term, index, commit, reject hint, entry count, snapshot offset, size, member count or length. */
    public static final int BAD_NUMBER = -7;
    /** More entries than the codec's limit. */
    public static final int TOO_MANY_ENTRIES = -8;
    /** Entries on a message type that carries none (refused by the encoder too). */
    public static final int UNEXPECTED_ENTRIES = -9;
    /** An entry header or payload runs past the end of the message. */
    public static final int ENTRY_TRUNCATED = -10;
    /** An entry payload longer than the codec's limit. */
    public static final int ENTRY_TOO_LONG = -11;
    /**
     * An entry whose index does not follow its predecessor's (the first follows the message's {@code index}), whose
     * term is not positive, decreases along the batch, is below the message's {@code logTerm} or above its
     * {@code term}: a log never looks like that (Raft §5.3 log matching, terms never decrease along a log).
     */
    public static final int BAD_ENTRY = -12;
    /** Bytes left over after the last entry or after the body. */
    public static final int TRAILING_BYTES = -13;
    /** Encoding only: the destination buffer has too little room from the offset; nothing was written. */
    public static final int DOES_NOT_FIT = -14;
    /** A snapshot's configuration names more voters and learners than {@link RaftMessageCodec#MAX_SNAPSHOT_MEMBERS}. */
    public static final int TOO_MANY_MEMBERS = -15;
    /** A snapshot chunk longer than the codec's limit. */
    public static final int CHUNK_TOO_LONG = -16;
    /**
     * An INSTALL_SNAPSHOT no leader sends: snapshot index or term not positive, snapshot term above the message's
     * term, no voters, or a chunk reaching past the snapshot's announced size.
     */
    public static final int BAD_SNAPSHOT = -17;
    /** The fixed part of a snapshot body, or its members or data, runs past the end of the message. */
    public static final int BODY_TRUNCATED = -18;

    private RaftCodecError()
    {
    }

    /** A short description for a log line or a counter label. */
    public static String describe(final int code)
    {
        switch (code)
        {
            case TOO_SHORT: return "too short";
            case BAD_VERSION: return "unknown version";
            case BAD_TYPE: return "unknown message type";
            case BAD_FLAGS: return "unknown flag bits";
            case NONZERO_RESERVED: return "reserved byte not zero";
            case BAD_MEMBER: return "bad member id";
            case BAD_NUMBER: return "number out of range";
            case TOO_MANY_ENTRIES: return "too many entries";
            case UNEXPECTED_ENTRIES: return "entries on a message type without entries";
            case ENTRY_TRUNCATED: return "entry runs past the end";
            case ENTRY_TOO_LONG: return "entry payload too long";
            case BAD_ENTRY: return "entry index or term inconsistent";
            case TRAILING_BYTES: return "bytes after the last entry";
            case DOES_NOT_FIT: return "does not fit the buffer";
            case TOO_MANY_MEMBERS: return "too many snapshot members";
            case CHUNK_TOO_LONG: return "snapshot chunk too long";
            case BAD_SNAPSHOT: return "snapshot fields inconsistent";
            case BODY_TRUNCATED: return "body runs past the end";
            default: return code >= 0 ? "ok" : "unknown error " + code;
        }
    }
}
