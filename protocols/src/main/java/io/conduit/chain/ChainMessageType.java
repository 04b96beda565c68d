package io.conduit.chain;

/** The chain message types; {@link #code()} is the wire byte. */
public enum ChainMessageType
{
    FORWARD(1),
    ACK(2),
    HELLO(3),
    RESUME(4),
    SNAPSHOT_CHUNK(5),
    READ_QUERY(6),
    READ_REPLY(7);

    private final int code;

    ChainMessageType(final int code)
    {
        this.code = code;
    }

    public int code()
    {
        return code;
    }

    /** The type for a wire byte, or {@code null} for an unknown one (decoders never throw). */
    public static ChainMessageType fromCode(final int code)
    {
        switch (code)
        {
            case 1: return FORWARD;
            case 2: return ACK;
            case 3: return HELLO;
            case 4: return RESUME;
            case 5: return SNAPSHOT_CHUNK;
            case 6: return READ_QUERY;
            case 7: return READ_REPLY;
            default: return null;
        }
    }
}
