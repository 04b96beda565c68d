package io.conduit.node;

import org.agrona.DirectBuffer;

/**
 * Where a replica hands responses for clients: one {@code KvResponseFlyweight} per call, for the link the request
 * came in on. The edge copies the bytes out before returning (the replica reuses its buffer).
 */
@FunctionalInterface
public interface ClientOutbox
{
    /**
     * @param linkId the edge's id for the client's connection, as given to
     *               {@link RaftKvReplica#onClientRequest(long, long, DirectBuffer, int, int)}.
     * @return false when the response could not be queued (back pressure, link gone); the replica counts it and the
     *         client retries with the same sequence.
     */
    boolean send(long linkId, DirectBuffer buffer, int offset, int length);
}
