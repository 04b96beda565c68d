package io.conduit.transport.congestion;

/**
 * A sender-side congestion controller: it owns cwnd and ssthresh and nothing else.
 * <p>
 * The connection engine does the loss bookkeeping (SACK scoreboard, pipe, recovery point of RFC 6675 and RFC 6582)
 * and reports events here; the controller only turns events into a window. Every method takes the caller's
 * {@code nowNs} so controllers that need time (CUBIC, BBR) stay pure. Implementations are single-threaded, do not
 * allocate per event and reject calls that break the contract below with an exception.
 */
public interface CongestionControl
{
    /**
     * @return a short lower-case name for logs and configuration, e.g. "newreno".
     */
    String name();

    /**
     * @return cwnd: bytes the sender may have in flight.
     */
    long windowBytes();

    /**
     * @return ssthresh: the window below which the controller is in slow start.
     */
    long slowStartThresholdBytes();

    /**
     * @return whether cwnd is below ssthresh (RFC 5681 §3.1).
     */
    boolean inSlowStart();

    /**
     * The rate the engine's {@link Pacer} spreads packets at. Window-based controllers derive it from cwnd and the
     * engine's smoothed RTT; model-based ones (BBR) from their bandwidth estimate.
     *
     * @param smoothedRttNs the engine's SRTT, or 0 before the first sample.
     * @return bytes per second, or 0 for unpaced.
     */
    default long pacingRateBytesPerSecond(final long smoothedRttNs)
    {
        return 0;
    }

    /**
     * A data packet left, new or retransmitted.
     *
     * @param nowNs                    caller's time.
     * @param bytes                    size of the packet's payload, positive.
     * @param bytesInFlightBeforeSend  bytes in flight before this packet, zero or more.
     */
    void onPacketSent(long nowNs, int bytes, long bytesInFlightBeforeSend);

    /**
     * Bytes newly acknowledged (cumulatively or by SACK) while NOT in loss recovery.
     *
     * @param nowNs         caller's time.
     * @param ackedBytes    bytes newly acknowledged by this ACK, zero or more.
     * @param bytesInFlight bytes in flight after removing the acknowledged bytes.
     * @param rttNs         the latest RTT sample, or 0 if this ACK gave none.
     */
    void onAcked(long nowNs, long ackedBytes, long bytesInFlight, long rttNs);

    /**
     * A delivery-rate sample, taken on every ACK that delivered or lost data, in loss recovery too (unlike
     * {@link #onAcked}). Model-based controllers (BBR) run on these; window-based ones ignore them.
     *
     * @param nowNs  caller's time.
     * @param sample the engine's reusable sample; valid during this call only.
     */
    default void onRateSample(final long nowNs, final RateSample sample)
    {
    }

    /**
     * Start of a loss-recovery episode (fast retransmit / SACK loss detection). Called at most once per episode;
     * the engine tracks the recovery point (RFC 6582/6675).
     *
     * @param nowNs         caller's time.
     * @param bytesInFlight FlightSize when the loss was detected.
     */
    void onLossDetected(long nowNs, long bytesInFlight);

    /**
     * The cumulative ACK passed the recovery point.
     *
     * @param nowNs caller's time.
     */
    void onRecoveryComplete(long nowNs);

    /**
     * Retransmission timer expired (RFC 5681 §3.1 eq. 4: ssthresh = max(FlightSize/2, 2*SMSS), cwnd = 1 SMSS, the
     * loss window). A timeout also ends any loss-recovery episode (RFC 6675 §5.1).
     *
     * @param nowNs         caller's time.
     * @param bytesInFlight FlightSize when the timer fired, before the engine marks anything lost.
     */
    void onRetransmissionTimeout(long nowNs, long bytesInFlight);

    /**
     * The last window reduction was caused by a spurious retransmission (detected by DSACK, timestamps or F-RTO):
     * restore the state saved at that reduction.
     *
     * @param nowNs caller's time.
     */
    void onSpuriousCongestionEvent(long nowNs);

    /**
     * Back to the state right after creation, for a connection object taken from a pool.
     */
    void reset();
}
