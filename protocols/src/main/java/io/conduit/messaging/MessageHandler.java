package io.conduit.messaging;

import org.agrona.DirectBuffer;

/** Receives one message from a peer; the buffer is valid only during the call. */
@FunctionalInterface
public interface MessageHandler
{
    void onMessage(int fromMemberId, DirectBuffer buffer, int offset, int length);
}
