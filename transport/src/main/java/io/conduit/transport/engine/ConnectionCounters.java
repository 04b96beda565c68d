package io.conduit.transport.engine;

/**
 * Plain counters of one connection, written only by the engine's thread. The endpoint copies them into shared
 * counters for other processes; tests read them directly.
 */
public final class ConnectionCounters
{
    long segmentsSent;
    long segmentsReceived;
    long payloadBytesSent;
    long payloadBytesReceived;
    long messagesSent;
    long messagesDelivered;
    long retransmits;
    long fastRetransmits;
    long timeouts;
    long duplicateSegments;
    long outOfWindowSegments;
    long outOfOrderSegments;
    long acksSent;
    long probesSent;
    long tailProbes;
    long spuriousTimeouts;
    long invalidAcks;
    long pathMtuProbesSent;
    long pathMtuProbesAcked;
    long batchesSent;
    long batchesReceived;
    long spansSent;
    long spansReceived;
    long lateReleases;

    public long segmentsSent() { return segmentsSent; }
    public long segmentsReceived() { return segmentsReceived; }
    public long payloadBytesSent() { return payloadBytesSent; }
    public long payloadBytesReceived() { return payloadBytesReceived; }
    public long messagesSent() { return messagesSent; }
    public long messagesDelivered() { return messagesDelivered; }
    /** Segments sent again, for any reason. */
    public long retransmits() { return retransmits; }
    /** Loss-recovery episodes entered through SACK/duplicate-ACK loss detection. */
    public long fastRetransmits() { return fastRetransmits; }
    /** Retransmission timeouts that fired. */
    public long timeouts() { return timeouts; }
    public long duplicateSegments() { return duplicateSegments; }
    public long outOfWindowSegments() { return outOfWindowSegments; }
    public long outOfOrderSegments() { return outOfOrderSegments; }
    public long acksSent() { return acksSent; }
    public long probesSent() { return probesSent; }
    /** Tail loss probes sent (RFC 8985 §7); each is also counted in {@link #retransmits()}. */
    public long tailProbes() { return tailProbes; }
    /** Retransmission timeouts found spurious by their timestamp echo (RFC 3522) and undone (RFC 4015). */
    public long spuriousTimeouts() { return spuriousTimeouts; }
    /** ACKs for sequence numbers never sent: ignored. */
    public long invalidAcks() { return invalidAcks; }
    /** Path MTU probes (PROBE packets) sent. */
    public long pathMtuProbesSent() { return pathMtuProbesSent; }
    /** Probe acknowledgements received that named a probe of ours. */
    public long pathMtuProbesAcked() { return pathMtuProbesAcked; }
    /**
     * Times the pacer released data more than a burst late: the thread driving the endpoint fell behind the pacing
     * rate (a busy core), and the rate samples of that flight were marked application-limited.
     */
    public long lateReleases() { return lateReleases; }
    /** DATA segments sent (first time) carrying a batch of several messages. */
    public long batchesSent() { return batchesSent; }
    /** Batch segments accepted, in order or not (duplicates excluded). */
    public long batchesReceived() { return batchesReceived; }
    /** DATA segments sent (first time) ending one message and beginning the next (FLAG_SPAN). */
    public long spansSent() { return spansSent; }
    /** Span segments accepted, in order or not (duplicates excluded). */
    public long spansReceived() { return spansReceived; }
}
