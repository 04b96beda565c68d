package io.conduit.chain;

import org.agrona.DirectBuffer;

/** Where {@link ChainReplica#pollResponses} hands answers for clients ({@link io.conduit.kv.KvResponseFlyweight}). */
@FunctionalInterface
public interface ChainResponseSink
{
    /**
     * Delivers one response to the client behind {@code clientLinkId}; the bytes are valid only during the call.
     *
     * @return true if it was taken; false keeps it for the next poll.
     */
    boolean respond(long clientLinkId, DirectBuffer buffer, int offset, int length);
}
