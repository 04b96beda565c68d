package io.conduit.transport.engine;

/**
 * Connection states, as TCP's (RFC 9293 §3.3.2). LISTEN belongs to the {@link EndpointEngine}, which keeps no state
 * per connection attempt: a passive connection is materialised in SYN_RECEIVED from a verified cookie and moves to
 * ESTABLISHED on the acknowledgement that carried the cookie.
 */
public enum ConnectionState
{
    CLOSED,
    LISTEN,
    SYN_SENT,
    SYN_RECEIVED,
    ESTABLISHED,
    FIN_WAIT_1,
    FIN_WAIT_2,
    CLOSING,
    TIME_WAIT,
    CLOSE_WAIT,
    LAST_ACK;

    private static final ConnectionState[] VALUES = values();

    public static ConnectionState of(final int ordinal)
    {
        return VALUES[ordinal];
    }

    /** True when the application may still queue messages for sending. */
    public boolean canSend()
    {
        return this == SYN_SENT || this == SYN_RECEIVED || this == ESTABLISHED || this == CLOSE_WAIT;
    }

    /** True when data from the peer may still arrive (the peer has not finished). */
    public boolean canReceive()
    {
        return this == SYN_RECEIVED || this == ESTABLISHED || this == FIN_WAIT_1 || this == FIN_WAIT_2;
    }

    /**
     * The RFC 9293 transition diagram, plus: any state may go to CLOSED (RST, abort, timeout), and TIME_WAIT's
     * timer ends in CLOSED.
     */
    public boolean canMoveTo(final ConnectionState next)
    {
        if (next == CLOSED)
        {
            return this != CLOSED;
        }
        switch (this)
        {
            case CLOSED: return next == SYN_SENT || next == SYN_RECEIVED || next == LISTEN;
            case LISTEN: return next == SYN_RECEIVED;
            case SYN_SENT: return next == ESTABLISHED || next == SYN_RECEIVED;
            case SYN_RECEIVED: return next == ESTABLISHED || next == FIN_WAIT_1 || next == CLOSE_WAIT;
            case ESTABLISHED: return next == FIN_WAIT_1 || next == CLOSE_WAIT;
            case FIN_WAIT_1: return next == FIN_WAIT_2 || next == CLOSING || next == TIME_WAIT;
            case FIN_WAIT_2: return next == TIME_WAIT;
            case CLOSING: return next == TIME_WAIT;
            case CLOSE_WAIT: return next == LAST_ACK;
            case LAST_ACK: return false;
            case TIME_WAIT: return false;
            default: return false;
        }
    }
}
