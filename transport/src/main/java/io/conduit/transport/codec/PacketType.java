package io.conduit.transport.codec;

/**
 * Packet type codes carried in the header's type byte. Plain {@code int} constants rather than an enum so the hot
 * path switches on a primitive read straight from the buffer.
 */
public final class PacketType
{
    /** Opens a connection: carries the initiator's connection id and initial sequence number. */
    public static final int SYN = 1;
    /** The listener's stateless answer to a SYN: its connection id, its initial sequence number and a cookie. */
    public static final int SYN_ACK = 2;
    /** Acknowledgement without payload: cumulative ack, receive window, up to four SACK blocks. */
    public static final int ACK = 3;
    /** One fragment of a message; also carries a cumulative ack and window. */
    public static final int DATA = 4;
    /** No more data from the sender; consumes one sequence number like TCP's FIN. */
    public static final int FIN = 5;
    /** Abort: the receiver drops the connection at once. */
    public static final int RST = 6;
    /** Asks the peer for an immediate ACK: keepalive and zero-window probe. */
    public static final int PING = 7;
    /**
     * Path MTU probe (RFC 8899 §4.1): padding up to the size being probed, no sequence number consumed; the peer
     * answers at once with an ACK that carries {@link PacketLayout#FLAG_PROBE_ACK} and echoes the probe id.
     */
    public static final int PROBE = 8;

    public static final int MIN = SYN;
    public static final int MAX = PROBE;

    private PacketType()
    {
    }

    public static boolean isValid(final int type)
    {
        return type >= MIN && type <= MAX;
    }

    public static String name(final int type)
    {
        switch (type)
        {
            case SYN: return "SYN";
            case SYN_ACK: return "SYN-ACK";
            case ACK: return "ACK";
            case DATA: return "DATA";
            case FIN: return "FIN";
            case RST: return "RST";
            case PING: return "PING";
            case PROBE: return "PROBE";
            default: return "UNKNOWN(" + type + ")";
        }
    }
}
