package io.conduit.transport.congestion;

/**
 * HyStart++ (RFC 9406): leaves slow start when the round-trip time starts to rise, before the queue overflows, through
 * a cautious phase (Conservative Slow Start, CSS) that grows four times slower and returns to slow start if the rise
 * was a false alarm. Shared by {@link NewReno} and {@link Cubic}, whose slow start is the same: they ask it, on each
 * acknowledgement in slow start, how much the window grows ({@link #slowStartGrowthBytes}). Configured off, it leaves
 * classic slow start (RFC 5681, RFC 3465) that only a loss ends.
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
    /** What {@link #slowStartGrowthBytes} returns instead of a growth when HyStart++ ends slow start. */
    public static final long EXIT_GROWTH = -1;

    /** RFC 3465 §2.3: the slow start byte-counting limit L, in segments, outside the slow start after a timeout. */
    static final int SLOW_START_LIMIT_SEGMENTS = 2;

    /** §4.3: MIN_RTT_THRESH, MAX_RTT_THRESH, MIN_RTT_DIVISOR, N_RTT_SAMPLE, CSS_GROWTH_DIVISOR, CSS_ROUNDS. */
    static final long MIN_RTT_THRESH_NS = 4_000_000L;
    static final long MAX_RTT_THRESH_NS = 16_000_000L;
    static final int MIN_RTT_DIVISOR = 8;
    static final int N_RTT_SAMPLE = 8;
    public static final int CSS_GROWTH_DIVISOR = 4;
    static final int CSS_ROUNDS = 5;

    private static final long NONE = Long.MAX_VALUE;

    private final boolean enabled;
    private long sentBytes;
    private long ackedBytes;
    private long roundEndBytes;
    private long lastRoundMinRttNs;
    private long currentRoundMinRttNs;
    private int rttSampleCount;
    private long cssBaselineMinRttNs;
    private int cssRounds;
    private int phase;
    private long unusedCreditBytes;

    /** HyStart++ on, as RFC 9406 §4 recommends. */
    public HyStart()
    {
        this(true);
    }

    /**
     * @param enabled HyStart++ on, or off for classic slow start: {@link #onAck} then always says {@link #SLOW_START}.
     */
    public HyStart(final boolean enabled)
    {
        this.enabled = enabled;
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
        if (!enabled)
        {
            return SLOW_START;
        }
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

    /**
     * One acknowledgement in slow start, the step NewReno and CUBIC share: RFC 5681 §3.1 eq. 2 with RFC 3465
     * §2.2/§2.3 byte counting, cwnd += min(N, L), a quarter of that in Conservative Slow Start (§4.3), and never
     * beyond ssthresh. The credit it leaves unused counts towards congestion avoidance when the window reaches
     * ssthresh.
     *
     * @param ackedBytes      N, bytes newly acknowledged, positive.
     * @param rttNs           the ACK's RTT sample, or 0 if none.
     * @param maxSegmentBytes SMSS.
     * @param afterTimeout    whether this slow start follows a timeout, where L is 1*SMSS instead of 2*SMSS.
     * @param roomBytes       ssthresh - cwnd, positive.
     * @return the growth of cwnd in bytes, at most roomBytes, or {@link #EXIT_GROWTH} when the caller must leave slow
     * start by setting ssthresh to cwnd (§4.3, after CSS_ROUNDS without the RTT falling back).
     */
    public long slowStartGrowthBytes(
        final long ackedBytes, final long rttNs, final int maxSegmentBytes, final boolean afterTimeout,
        final long roomBytes)
    {
        final int ackPhase = onAck(ackedBytes, rttNs);
        if (ackPhase == EXIT)
        {
            unusedCreditBytes = ackedBytes;
            return EXIT_GROWTH;
        }
        final long limitBytes = afterTimeout ? maxSegmentBytes : (long)SLOW_START_LIMIT_SEGMENTS * maxSegmentBytes;
        final long creditBytes = Math.min(ackedBytes, limitBytes);
        final long divisor = ackPhase == CONSERVATIVE ? CSS_GROWTH_DIVISOR : 1;
        final long growthBytes = Math.min(creditBytes / divisor, roomBytes);
        unusedCreditBytes = creditBytes - growthBytes * divisor;
        return growthBytes;
    }

    /**
     * @return the acknowledged bytes the last {@link #slowStartGrowthBytes} did not turn into growth: all of them at
     * an exit, else what was left of min(N, L) once the window reached ssthresh.
     */
    public long unusedCreditBytes()
    {
        return unusedCreditBytes;
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
        unusedCreditBytes = 0;
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
