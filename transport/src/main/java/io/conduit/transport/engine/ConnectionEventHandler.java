package io.conduit.transport.engine;

/** Receives a connection's state changes, in order, from {@link Connection#pollEvents}. */
@FunctionalInterface
public interface ConnectionEventHandler
{
    void onStateChange(Connection connection, ConnectionState from, ConnectionState to, CloseReason reason);
}
