package io.conduit.transport.engine;

import io.conduit.transport.codec.RejectReason;

/** Counters of one endpoint, written only by its thread. Every refused datagram is counted under a reason. */
public final class EndpointCounters
{
    final long[] rejected = new long[RejectReason.COUNT];
    long datagramsReceived;
    long datagramsSent;
    long unknownConnection;
    long wrongRemoteAddress;
    long synReceived;
    long synAcksSent;
    long cookiesRejected;
    long connectionsAccepted;
    long connectionsOpened;
    long connectionsClosed;
    long backlogFull;
    long resetsSent;
    long replyQueueDrops;
    long timeWaitHits;
    long refusedSegmentSize;
    long handshakeCollisions;

    public long rejected(final RejectReason reason) { return rejected[reason.code()]; }

    public long rejectedTotal()
    {
        long total = 0;
        for (int i = 1; i < rejected.length; i++)
        {
            total += rejected[i];
        }
        return total;
    }

    public long datagramsReceived() { return datagramsReceived; }
    public long datagramsSent() { return datagramsSent; }
    /** Valid datagrams addressed to no live connection and carrying no valid cookie. */
    public long unknownConnection() { return unknownConnection; }
    /** Datagrams for a live connection id arriving from another address: dropped. */
    public long wrongRemoteAddress() { return wrongRemoteAddress; }
    public long synReceived() { return synReceived; }
    public long synAcksSent() { return synAcksSent; }
    /** Handshake completions whose cookie failed verification (forged, expired, or for another tuple). */
    public long cookiesRejected() { return cookiesRejected; }
    public long connectionsAccepted() { return connectionsAccepted; }
    public long connectionsOpened() { return connectionsOpened; }
    public long connectionsClosed() { return connectionsClosed; }
    public long backlogFull() { return backlogFull; }
    public long resetsSent() { return resetsSent; }
    /** Stateless replies dropped because the bounded reply queue was full (e.g. under a SYN flood). */
    public long replyQueueDrops() { return replyQueueDrops; }
    /** Datagrams answered from the TIME-WAIT table. */
    public long timeWaitHits() { return timeWaitHits; }
    public long refusedSegmentSize() { return refusedSegmentSize; }
    /** Handshakes refused because another, concurrent handshake had been promised the same random server id. */
    public long handshakeCollisions() { return handshakeCollisions; }
}
