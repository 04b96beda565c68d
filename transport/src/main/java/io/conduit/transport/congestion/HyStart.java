package io.conduit.transport.congestion;

/**
 * HyStart++ (RFC 9406): leaves slow start when the round-trip time starts to rise, before the queue overflows, through
 * a cautious phase (Conservative Slow Start, CSS) that grows four times slower and returns to slow start if the rise
 * was a false alarm. Shared by {@link NewReno} and {@link Cubic}, whose slow start is the same: they ask it, on each
 * acknowledgement in slow start, how much the window grows ({@link #slowStartGrowthBytes}). Configured off, it leaves
 * classic slow start (RFC 5681, RFC 3465) that only a loss ends.
 * <p>
 * Beside RFC 9406's delay test it keeps the ACK-train test of the original HyStart (Ha and Rhee, 2008), which Linux
 * CUBIC runs beside its own delay test: once a round's acknowledgements have arrived back to back (no gap over 2 ms,
 * or over a quarter of the minimum RTT if that is longer, and 2 ms apart on average; see
 * {@link #MIN_RTT_GAP_DIVISOR}) for longer than the minimum RTT (half of it unpaced) and a quarter longer than their
 * data took to leave ({@link #STRETCH_DIVISOR}), the bottleneck has been busy for a whole round trip, so the window
 * already fills the path and slow start ends at once (ssthresh = cwnd). The delay test alone judges a round by its
 * smallest RTT, which is its first one, so it sees the queue a slow-start round builds only one round later: with a
 * drop-tail buffer of one bandwidth-delay product the buffer has overflowed by then (docs/congestion-control.md).
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

    /** Linux {@code hystart_ack_delta_us}: acknowledgements further apart than this break an ACK train. */
    static final long ACK_TRAIN_GAP_NS = 2_000_000L;
    /**
     * On a path of 8 ms or more, a gap up to a quarter of the minimum RTT still continues the train. Linux times ACKs
     * in its softirq; a user-space endpoint sees them when its thread runs, and on a busy host that is in clumps: in
     * the two-core lab the largest gap between ACKs in each 20 ms of slow start was 3-13 ms, so a 2 ms train never
     * formed and slow start ran on to a loss at 3-4 bandwidth-delay products. What the gap must still notice is a
     * bottleneck gone idle, which in paced slow start is the pause of about half a round trip between rounds. The
     * train must still average an ACK per 2 ms: a round paced out slowly (an early round, whose smoothed RTT still
     * holds the handshake's slow first samples) then cannot pass for one whose bottleneck stretched it.
     */
    static final int MIN_RTT_GAP_DIVISOR = 4;
    /**
     * The train must also outlast the time its data took to leave by a quarter. In slow start every ACK releases two
     * segments, so a round whose data left spread out over most of a round trip (the first round paced by a slow
     * handshake RTT, say) comes back just as spread out, round after round, whatever the window; only a bottleneck
     * stretches it further (by two once it is saturated).
     */
    static final int STRETCH_DIVISOR = 4;
    /** Linux {@code hystart_low_window}: below this window, in segments, the ACK train is not judged. */
    static final int ACK_TRAIN_LOW_WINDOW_SEGMENTS = 16;

    private static final long NONE = Long.MAX_VALUE;

    private final boolean enabled;
    private final boolean paced;
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
    private long minRttNs;
    private long roundStartNs;
    private long lastTrainAckNs;
    private boolean trainOpen;
    private long trainAcks;
    private boolean sentInRound;
    private long firstSendInRoundNs;
    private long lastSendNs;
    /** How long the data this round acknowledges took to send (it left during the previous round). */
    private long ackedDataSendSpreadNs;

    /** HyStart++ on, as RFC 9406 §4 recommends, for a paced sender. */
    public HyStart()
    {
        this(true, true);
    }

    /**
     * @param enabled HyStart++ on, or off for classic slow start: {@link #onAck} then always says {@link #SLOW_START}.
     * @param paced   whether the controller paces; an unpaced window leaves in bursts at line rate, so its ACK train
     *                spans the path after half the minimum RTT already (Linux's halved threshold).
     */
    public HyStart(final boolean enabled, final boolean paced)
    {
        this.enabled = enabled;
        this.paced = paced;
        minRttNs = NONE;
        reset();
    }

    /** Counts sent bytes, the unit of rounds, and notes when the round's data left. */
    public void onPacketSent(final long nowNs, final int bytes)
    {
        sentBytes += bytes;
        if (!sentInRound)
        {
            sentInRound = true;
            firstSendInRoundNs = nowNs;
        }
        lastSendNs = nowNs;
    }

    /**
     * One acknowledgement during slow start.
     *
     * @param nowNs       when it arrived.
     * @param ackedBytes  bytes newly acknowledged.
     * @param rttNs       the ACK's RTT sample, or 0 if none.
     * @param windowBytes cwnd before this acknowledgement grows it.
     * @param maxSegmentBytes SMSS.
     * @return {@link #SLOW_START}, {@link #CONSERVATIVE} or {@link #EXIT}.
     */
    public int onAck(final long nowNs, final long ackedBytes, final long rttNs, final long windowBytes,
        final int maxSegmentBytes)
    {
        if (!enabled)
        {
            return SLOW_START;
        }
        this.ackedBytes += ackedBytes;
        // The first byte acknowledged beyond what was sent when the last round began starts a new round.
        if (this.ackedBytes > roundEndBytes)
        {
            startRound(nowNs);
        }
        if (rttNs > 0)
        {
            currentRoundMinRttNs = Math.min(currentRoundMinRttNs, rttNs);
            minRttNs = Math.min(minRttNs, rttNs);
            rttSampleCount++;
        }
        if (phase != EXIT && ackTrainSpansThePath(nowNs, windowBytes, maxSegmentBytes))
        {
            phase = EXIT;
            return phase;
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
     * The ACK-train test (Linux {@code hystart_update}, HYSTART_ACK_TRAIN): extends the train when this ACK follows
     * the last within {@link #ACK_TRAIN_GAP_NS} (or {@link #MIN_RTT_GAP_DIVISOR}), and says whether it now spans the
     * minimum RTT (half of it unpaced), with ACKs no further than 2 ms apart on average.
     */
    private boolean ackTrainSpansThePath(final long nowNs, final long windowBytes, final int maxSegmentBytes)
    {
        final long gapNs = minRttNs == NONE ? ACK_TRAIN_GAP_NS :
            Math.max(ACK_TRAIN_GAP_NS, minRttNs / MIN_RTT_GAP_DIVISOR);
        if (!trainOpen || nowNs - lastTrainAckNs > gapNs)
        {
            trainOpen = false; // no round yet, or the train broke: this round cannot tell any more
            return false;
        }
        lastTrainAckNs = nowNs;
        trainAcks++;
        if (minRttNs == NONE || windowBytes < (long)ACK_TRAIN_LOW_WINDOW_SEGMENTS * maxSegmentBytes)
        {
            return false;
        }
        final long spanNs = paced ? minRttNs : minRttNs / 2;
        final long trainNs = nowNs - roundStartNs;
        // Clumps may hide gaps, but on average the ACKs must still come 2 ms apart or closer, as Linux asks of each.
        // And the bottleneck, not the sender, must have spread them: a quarter longer than the data took to leave.
        return trainNs > spanNs && trainNs <= (trainAcks - 1) * ACK_TRAIN_GAP_NS &&
            trainNs > ackedDataSendSpreadNs + ackedDataSendSpreadNs / STRETCH_DIVISOR;
    }

    /**
     * One acknowledgement in slow start, the step NewReno and CUBIC share: RFC 5681 §3.1 eq. 2 with RFC 3465
     * §2.2/§2.3 byte counting, cwnd += min(N, L), a quarter of that in Conservative Slow Start (§4.3), and never
     * beyond ssthresh. The credit it leaves unused counts towards congestion avoidance when the window reaches
     * ssthresh.
     *
     * @param nowNs           when the acknowledgement arrived.
     * @param ackedBytes      N, bytes newly acknowledged, positive.
     * @param rttNs           the ACK's RTT sample, or 0 if none.
     * @param windowBytes     cwnd before this acknowledgement.
     * @param maxSegmentBytes SMSS.
     * @param afterTimeout    whether this slow start follows a timeout, where L is 1*SMSS instead of 2*SMSS.
     * @param roomBytes       ssthresh - cwnd, positive.
     * @return the growth of cwnd in bytes, at most roomBytes, or {@link #EXIT_GROWTH} when the caller must leave slow
     * start by setting ssthresh to cwnd (§4.3, after CSS_ROUNDS without the RTT falling back, or at once when an ACK
     * train spans the path).
     */
    public long slowStartGrowthBytes(
        final long nowNs, final long ackedBytes, final long rttNs, final long windowBytes, final int maxSegmentBytes,
        final boolean afterTimeout, final long roomBytes)
    {
        final int ackPhase = onAck(nowNs, ackedBytes, rttNs, windowBytes, maxSegmentBytes);
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

    /**
     * §4.2: a new round takes the last round's minimum and starts sampling afresh; CSS counts its rounds. Its first
     * acknowledgement also starts a new ACK train.
     */
    private void startRound(final long nowNs)
    {
        roundStartNs = nowNs;
        lastTrainAckNs = nowNs;
        trainOpen = true;
        trainAcks = 1;
        ackedDataSendSpreadNs = sentInRound ? lastSendNs - firstSendInRoundNs : 0;
        sentInRound = false;
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
        minRttNs = NONE;
        reset();
    }

    /**
     * §4.4: a congestion event or a timeout ends this slow start; the next one starts from scratch, except for the
     * path's minimum RTT.
     */
    public void reset()
    {
        roundEndBytes = sentBytes;
        roundStartNs = 0;
        lastTrainAckNs = 0;
        trainOpen = false;
        trainAcks = 0;
        sentInRound = false;
        ackedDataSendSpreadNs = 0;
        lastRoundMinRttNs = NONE;
        currentRoundMinRttNs = NONE;
        rttSampleCount = 0;
        cssBaselineMinRttNs = NONE;
        cssRounds = 0;
        phase = SLOW_START;
    }
}
