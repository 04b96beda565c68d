package io.conduit.transport.engine;

/** Why a connection reached CLOSED; {@link #NONE} while it is open. */
public enum CloseReason
{
    NONE,
    /** Both sides finished and the connection closed gracefully. */
    GRACEFUL,
    /** The local application aborted the connection (RST sent). */
    ABORTED,
    /** The peer sent RST. */
    RESET_BY_PEER,
    /** The handshake got no answer within the configured retries. */
    CONNECT_TIMEOUT,
    /** Retransmissions went unacknowledged past the retry limit. */
    RETRANSMIT_TIMEOUT,
    /** Nothing heard from the peer for the keepalive time: declared dead. */
    PEER_DEAD,
    /** The peer violated the protocol (inconsistent fragments, oversize message); RST sent. */
    PROTOCOL_ERROR,
    /** The listener refused the connection (e.g. segment size mismatch, backlog full). */
    REFUSED;

    private static final CloseReason[] VALUES = values();

    public static CloseReason of(final int code)
    {
        return code >= 0 && code < VALUES.length ? VALUES[code] : PROTOCOL_ERROR;
    }
}
