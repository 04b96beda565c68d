package io.conduit.transport.endpoint;

import org.agrona.DirectBuffer;

/** Receives whole messages, in order, from {@link ConduitConnection#poll}. The buffer is valid only during the call. */
@FunctionalInterface
public interface ReceivedMessageHandler
{
    void onMessage(DirectBuffer buffer, int offset, int length);
}
