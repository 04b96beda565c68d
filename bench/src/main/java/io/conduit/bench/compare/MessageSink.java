package io.conduit.bench.compare;

import org.agrona.DirectBuffer;

/** Receives one whole message from a {@link LoopbackPeer}; the buffer is valid only during the call. */
@FunctionalInterface
public interface MessageSink
{
    void onMessage(DirectBuffer buffer, int offset, int length);
}
