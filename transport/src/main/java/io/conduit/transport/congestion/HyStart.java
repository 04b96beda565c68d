package io.conduit.transport.congestion;

/**
 * HyStart++ (RFC 9406): leaves slow start when the round-trip time starts to rise, before the queue overflows, through
 * a cautious phase (Conservative Slow Start, CSS) that grows four times slower and returns to slow start if the rise
 * was a false alarm. Shared by {@link NewReno} and {@link Cubic}; they ask it, on each acknowledgement in slow start,
 * which phase they are in and grow accordingly.
 * <p>
 * Rounds (§4.2) are counted in bytes, since controllers do not see sequence numbers: a round ends when as many bytes
 * have been acknowledged as had been sent when it began. Pure and allocation-free.
 */
public final class HyStart
{
    /** Grow as in standard slow start. */
    public static final int SLOW_START = 0;
    /** Conservative Slow Start: grow by a quarter (§4.3, CSS_GROWTH_DIVISOR). */
    public static final int CONSERVATIVE = 1;
    /** Leave slow start now: set ssthresh to cwnd (§4.3, after CSS_ROUNDS). */
    public static final int EXIT = 2;

    /** §4.3: MIN_RTT_THRESH, MAX_RTT_THRESH, MIN_RTT_DIVISOR, N_RTT_SAMPLE, CSS_GROWTH_DIVISOR, CSS_ROUNDS. */
    static final long MIN_RTT_THRESH_NS = 4_000_000L;
    static final long MAX_RTT_THRESH_NS = 16_000_000L;
    static final int MIN_RTT_DIVISOR = 8;
    static final int N_RTT_SAMPLE = 8;
    public static final int CSS_GROWTH_DIVISOR = 4;
    static final int CSS_ROUNDS = 5;

    private static final long NONE = Long.MAX_VALUE;

    private long sentBytes;
    private long ackedBytes;
    private long roundEndBytes;
    private long lastRoundMinRttNs;
    private long currentRoundMinRttNs;
    private int rttSampleCount;
    private long cssBaselineMinRttNs;
    private int cssRounds;
    private int phase;

    public HyStart()
    {
        reset();
    }

    /** Counts sent bytes, the unit of rounds. */
    public void onPacketSent(final int bytes)
    {
        sentBytes += bytes;
    }

    /**
     * One acknowledgement during slow start.
     *
     * @param ackedBytes bytes newly acknowledged.
     * @param rttNs      the ACK's RTT sample, or 0 if none.
     * @return {@link #SLOW_START}, {@link #CONSERVATIVE} or {@link #EXIT}.
     */
    public int onAck(final long ackedBytes, final long rttNs)
    {
        this.ackedBytes += ackedBytes;
        // The first byte acknowledged beyond what was sent when the last round began starts a new round.
        if (this.ackedBytes > roundEndBytes)
        {
            startRound();
        }
        if (rttNs > 0)
        {
            currentRoundMinRttNs = Math.min(currentRoundMinRttNs, rttNs);
            rttSampleCount++;
        }
        if (rttSampleCount < N_RTT_SAMPLE || currentRoundMinRttNs == NONE)
        {
            return phase;
        }
        if (phase == SLOW_START && lastRoundMinRttNs != NONE)
        {
            // §4.2: a rise of an eighth of the last round's minimum, clamped to [4 ms, 16 ms], means a queue builds.
            final long threshNs = Math.max(MIN_RTT_THRESH_NS,
                Math.min(lastRoundMinRttNs / MIN_RTT_DIVISOR, MAX_RTT_THRESH_NS));
            if (currentRoundMinRttNs >= lastRoundMinRttNs + threshNs)
            {
                cssBaselineMinRttNs = currentRoundMinRttNs;
                cssRounds = 0;
                phase = CONSERVATIVE;
            }
        }
        else if (phase == CONSERVATIVE && currentRoundMinRttNs < cssBaselineMinRttNs)
        {
            // §4.3: the RTT fell back below the baseline, so the rise was spurious: back to slow start.
            cssBaselineMinRttNs = NONE;
            phase = SLOW_START;
        }
        return phase;
    }

    /** §4.2: a new round takes the last round's minimum and starts sampling afresh; CSS counts its rounds. */
    private void startRound()
    {
        roundEndBytes = sentBytes;
        lastRoundMinRttNs = currentRoundMinRttNs;
        currentRoundMinRttNs = NONE;
        rttSampleCount = 0;
        if (phase == CONSERVATIVE && ++cssRounds >= CSS_ROUNDS)
        {
            phase = EXIT;
        }
    }

    /** @return the current phase, without an acknowledgement. */
    public int phase()
    {
        return phase;
    }

    /** Back to the state after construction, for a pooled connection. */
    public void clear()
    {
        sentBytes = 0;
        ackedBytes = 0;
        reset();
    }

    /** §4.4: a congestion event or a timeout ends this slow start; the next one starts from scratch. */
    public void reset()
    {
        roundEndBytes = sentBytes;
        lastRoundMinRttNs = NONE;
        currentRoundMinRttNs = NONE;
        rttSampleCount = 0;
        cssBaselineMinRttNs = NONE;
        cssRounds = 0;
        phase = SLOW_START;
    }
}
