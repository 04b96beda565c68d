package io.conduit.transport.endpoint;

import java.io.IOException;

import io.conduit.transport.engine.CloseReason;

/** A blocking call found the connection closed, e.g. because the peer died or reset it. */
public final class ConnectionClosedException extends IOException
{
    private static final long serialVersionUID = 1L;
    private final transient CloseReason reason;

    public ConnectionClosedException(final String message, final CloseReason reason)
    {
        super(message);
        this.reason = reason;
    }

    public CloseReason reason()
    {
        return reason;
    }

    static String describe(final CloseReason reason)
    {
        switch (reason)
        {
            case GRACEFUL: return "closed";
            case ABORTED: return "aborted locally";
            case RESET_BY_PEER: return "reset by the peer";
            case CONNECT_TIMEOUT: return "no answer to the handshake (is the peer listening?)";
            case RETRANSMIT_TIMEOUT: return "data went unacknowledged past the retransmission limit";
            case PEER_DEAD: return "nothing heard from the peer within the keepalive time: peer presumed dead";
            case PROTOCOL_ERROR: return "protocol error";
            case REFUSED: return "refused by the peer";
            default: return reason.name();
        }
    }
}
