package io.conduit.node;

import org.agrona.DirectBuffer;

/**
 * Where a replica hands Raft messages for its peers. The edge copies the bytes out before returning (the replica
 * reuses its buffer), typically into {@code Messaging.send}.
 */
@FunctionalInterface
public interface PeerOutbox
{
    /**
     * @param memberId the recipient's member id.
     * @return false when the message could not be queued (back pressure, unknown member); Raft retransmits, so the
     *         replica only counts it.
     */
    boolean send(int memberId, DirectBuffer buffer, int offset, int length);
}
