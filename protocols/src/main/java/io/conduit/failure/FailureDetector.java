package io.conduit.failure;

/**
 * Judges one monitored peer from the arrivals seen from it (heartbeats, or replies to pings). Pure: every method
 * that needs time takes {@code nowNs} from the caller's monotonic clock; times compare wrap-safely.
 *
 * <p>Before the first arrival a detector has no opinion: the peer is available with suspicion 0. Callers that want
 * a silent-from-the-start peer declared dead call {@link #heartbeat} once when monitoring starts.
 */
public interface FailureDetector
{
    /** Records an arrival from the peer at {@code nowNs}: a heartbeat, or the reply to a ping. */
    void heartbeat(long nowNs);

    /** Whether the peer is still considered up: its suspicion is below {@link #threshold()}. */
    boolean isAvailable(long nowNs);

    /**
     * How suspicious the silence since the last arrival is; 0 right after one and non-decreasing while silent. Phi
     * for phi-accrual, elapsed/timeout for the fixed timeout.
     */
    double suspicion(long nowNs);

    /** The suspicion at and above which {@link #isAvailable} is false: the phi threshold, or 1.0 for a timeout. */
    double threshold();

    /**
     * The earliest time at which the suspicion reaches {@code level} if nothing arrives before then, or
     * {@link Long#MAX_VALUE} if it never will (nothing heard yet). Lets a caller set a timer for a lower level than
     * {@link #threshold()}, such as a membership view's SUSPECT level.
     */
    long suspicionReachedNs(double level);

    /**
     * When the verdict of {@link #isAvailable} could next change with no arrival, for the caller's timer; {@link
     * Long#MAX_VALUE} when it cannot (already unavailable: only an arrival changes that, or nothing heard yet).
     */
    long nextCheckNs(long nowNs);

    /** Forgets every arrival: back to the state of a new detector. */
    void reset();
}
