package io.conduit.chain.control;

/**
 * The first byte of every peer message a {@link ChainMember} sends: which plane's bytes follow. One link per pair of
 * members carries all four planes, so each keeps the per-pair FIFO order the messaging bindings promise.
 *
 * <pre>
 *  0               1
 *  0 1 2 3 4 5 6 7 0 ...
 * +---------------+--------------------------------------------+
 * |      tag      |  the plane's own bytes (length - 1 bytes)  |
 * +---------------+--------------------------------------------+
 * </pre>
 *
 * The tags are ASCII letters, 'R' Raft, 'C' chain, 'D' detector, 'M' manager, so they read in a hex dump, and none
 * equals the first byte of any plane's own format (the Raft and chain codecs start with version 1, failure detector
 * messages with type 1 to 3, control messages with type 1 to 3): a message sent without its tag is refused as
 * malformed rather than handed to the wrong plane. Every other value is refused too; a later plane takes a new letter.
 */
public final class PlaneTag
{
    /** {@link io.conduit.raft.codec.RaftMessageCodec} bytes for the control plane's Raft node. */
    public static final byte RAFT = 'R';
    /** {@link io.conduit.chain.ChainMessageCodec} bytes between chain replicas. */
    public static final byte CHAIN = 'C';
    /** {@link io.conduit.failure.FailureMessageFlyweight} heartbeats, pings and pongs. */
    public static final byte DETECTOR = 'D';
    /** {@link ControlMessageFlyweight} requests to the control plane's leader and its answers. */
    public static final byte CONTROL = 'M';

    /** The tag's length: the plane's bytes start at {@code offset + TAG_LENGTH}. */
    public static final int TAG_LENGTH = 1;

    private PlaneTag()
    {
    }

    /** Whether {@code tag} names a plane this version knows. */
    public static boolean isKnown(final byte tag)
    {
        return tag == RAFT || tag == CHAIN || tag == DETECTOR || tag == CONTROL;
    }

    /** The plane's name, for logs. */
    public static String describe(final byte tag)
    {
        switch (tag)
        {
            case RAFT: return "RAFT";
            case CHAIN: return "CHAIN";
            case DETECTOR: return "DETECTOR";
            case CONTROL: return "CONTROL";
            default: return "UNKNOWN(" + (tag & 0xFF) + ")";
        }
    }
}
