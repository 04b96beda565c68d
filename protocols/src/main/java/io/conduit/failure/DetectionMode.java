package io.conduit.failure;

/** How a {@link FailureDetectorNode} produces the arrivals its detectors judge. */
public enum DetectionMode
{
    /** Every interval, announce to every peer; a peer's heartbeats are its arrivals. One message per peer. */
    HEARTBEAT,
    /**
     * Every interval, PING every peer, which answers PONG; an answered ping is an arrival. Two messages per peer,
     * but an arrival proves the round trip works, and the reply measures its time.
     */
    PING,
    /**
     * Both, pings half an interval after heartbeats so the detector sees evenly spaced arrivals at twice the rate.
     * A peer counts as heard from while either its heartbeats or its replies get through.
     */
    BOTH;

    boolean sendsHeartbeats()
    {
        return this != PING;
    }

    boolean sendsPings()
    {
        return this != HEARTBEAT;
    }
}
