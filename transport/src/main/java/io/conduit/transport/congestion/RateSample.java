package io.conduit.transport.congestion;

/**
 * One delivery-rate sample (draft-cheng-iccrg-delivery-rate-estimation §3.3), taken by the engine on every ACK that
 * delivered or lost data and handed to {@link CongestionControl#onRateSample}. A mutable holder the engine reuses,
 * so nothing allocates per ACK; read it during the callback only.
 * <p>
 * The loss fields follow BBRv3 (draft-ietf-ccwg-bbr §4.5.10.2): {@link #lostBytes()} is what was marked lost between
 * the sending of the newest packet this ACK delivered and now, and {@link #txInFlightBytes()} what was in flight
 * when that packet left, so lost / txInFlight is the loss rate of that packet's flight.
 */
public final class RateSample
{
    private long deliveredBytes;
    private long intervalNs;
    private boolean appLimited;
    private long totalDeliveredBytes;
    private long priorDeliveredBytes;
    private long newlyAckedBytes;
    private long newlyLostBytes;
    private long lostBytes;
    private long txInFlightBytes;
    private long bytesInFlight;
    private long rttNs;

    /**
     * Fills every field; the engine's sampler calls this once per ACK.
     */
    public RateSample set(final long deliveredBytes, final long intervalNs, final boolean appLimited,
        final long totalDeliveredBytes, final long priorDeliveredBytes, final long newlyAckedBytes,
        final long newlyLostBytes, final long lostBytes, final long txInFlightBytes, final long bytesInFlight,
        final long rttNs)
    {
        this.deliveredBytes = deliveredBytes;
        this.intervalNs = intervalNs;
        this.appLimited = appLimited;
        this.totalDeliveredBytes = totalDeliveredBytes;
        this.priorDeliveredBytes = priorDeliveredBytes;
        this.newlyAckedBytes = newlyAckedBytes;
        this.newlyLostBytes = newlyLostBytes;
        this.lostBytes = lostBytes;
        this.txInFlightBytes = txInFlightBytes;
        this.bytesInFlight = bytesInFlight;
        this.rttNs = rttNs;
        return this;
    }

    /** @return bytes delivered over {@link #intervalNs()}, or 0 when this ACK gave no valid rate. */
    public long deliveredBytes()
    {
        return deliveredBytes;
    }

    /** @return the sample's interval, max(send elapsed, ACK elapsed); 0 when there is no valid rate. */
    public long intervalNs()
    {
        return intervalNs;
    }

    /** @return the delivery rate in bytes per second, or 0 without a valid sample. */
    public long rateBytesPerSecond()
    {
        return intervalNs <= 0 ? 0 : (long)(deliveredBytes * 1e9 / intervalNs);
    }

    /** @return whether the sender was application-limited when the sampled packet left: the rate is a lower bound. */
    public boolean appLimited()
    {
        return appLimited;
    }

    /** @return C.delivered: every byte delivered on the connection so far, this ACK included. */
    public long totalDeliveredBytes()
    {
        return totalDeliveredBytes;
    }

    /** @return C.delivered when the newest packet this ACK delivered was sent (BBR's round counting). */
    public long priorDeliveredBytes()
    {
        return priorDeliveredBytes;
    }

    /** @return bytes newly acknowledged or SACKed by this ACK. */
    public long newlyAckedBytes()
    {
        return newlyAckedBytes;
    }

    /** @return bytes newly marked lost while processing this ACK. */
    public long newlyLostBytes()
    {
        return newlyLostBytes;
    }

    /** @return bytes marked lost since the newest packet this ACK delivered was sent. */
    public long lostBytes()
    {
        return lostBytes;
    }

    /** @return bytes in flight just after the newest packet this ACK delivered was sent. */
    public long txInFlightBytes()
    {
        return txInFlightBytes;
    }

    /** @return bytes in flight after this ACK. */
    public long bytesInFlight()
    {
        return bytesInFlight;
    }

    /** @return this ACK's RTT sample (Karn's rule applied), or 0 if none. */
    public long rttNs()
    {
        return rttNs;
    }

    @Override
    public String toString()
    {
        return "RateSample{delivered=" + deliveredBytes + ", intervalNs=" + intervalNs + ", appLimited=" + appLimited +
            ", lost=" + lostBytes + ", txInFlight=" + txInFlightBytes + ", rttNs=" + rttNs + '}';
    }
}
