package io.conduit.transport.engine;

import org.agrona.DirectBuffer;

/** Receives whole messages, in order, from {@link Connection#pollMessages}. */
@FunctionalInterface
public interface MessageHandler
{
    /**
     * @return true when the message was consumed; false to leave it (and all after it) queued, which is how an
     * application applies back-pressure: the connection's receive window then closes.
     * The buffer is valid only during the call.
     */
    boolean onMessage(DirectBuffer buffer, int offset, int length);
}
