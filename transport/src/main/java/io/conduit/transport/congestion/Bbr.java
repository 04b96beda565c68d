package io.conduit.transport.congestion;

/**
 * BBR (draft-ietf-ccwg-bbr, BBRv3): a model of the path, the bottleneck bandwidth (windowed maximum of delivery-rate
 * samples) and the round-trip propagation time (windowed minimum RTT), sets the pacing rate (gain x bandwidth) and
 * the window (gain x bandwidth-delay product). Random loss does not shrink the model, which is why BBR keeps a lossy
 * long path full where NewReno and CUBIC halve their windows again and again.
 * <p>
 * States as in the draft: STARTUP (pacing gain 2.77, doubling per round until the bandwidth stops growing by 25%
 * for three rounds, or loss exceeds 2%), DRAIN (gain 0.35 until the queue is gone), PROBE_BW as BBRv3's
 * DOWN/CRUISE/REFILL/UP cycle (gains 0.9/1.0/1.0/1.25, a bandwidth probe every 2-3 s or every min(BDP, 63) rounds,
 * whichever is first) and PROBE_RTT (window at half the BDP for 200 ms when the minimum RTT is 5 s old).
 * <p>
 * BBRv3's response to loss, kept where it matters for random loss: a probe that sees more than 2% of its flight
 * lost sets {@code inflight_hi} (never below the flight that was in the network) and ends the probe; outside
 * probes, a round that lost more than 2% lowers the short-term bound {@code bw_lo} to the latest round's delivery
 * (at most by the factor beta = 0.7), and each probe resets it.
 * <p>
 * Deviations from the draft, all for random loss. The draft lowers the bounds on any loss in a round and measures
 * the delivery of a round paced below the estimate, so under steady random loss the rate ratchets down round after
 * round; here rounds under the loss threshold are noise (as in the probe's own check), loss rates are judged over at
 * least {@link #MIN_LOSS_SAMPLE_SEGMENTS} and smoothed over rounds, and a round's delivery is scaled back by the gain
 * it was paced at. {@code inflight_lo} is left out: one round's delivery undercounts the pipe by the ACK delays, and
 * capping the window there kept the flow below its BDP; the window already follows {@code bw_lo} through the BDP.
 * Also left out: the ACK-aggregation allowance ({@code extra_acked}, replaced by a fixed few segments), ECN, and
 * recovery-time packet conservation (the engine's recovery retransmits inside the model's window).
 * <p>
 * Driven by {@link #onRateSample}; {@link #onAcked} is not needed. All arithmetic in bytes, nanoseconds and
 * bytes per second; nothing allocates; the only randomness (the probe wait) comes from a fixed-seed generator so runs
 * are reproducible.
 */
public final class Bbr implements CongestionControl
{
    static final int STARTUP = 0;
    static final int DRAIN = 1;
    static final int PROBE_BW_DOWN = 2;
    static final int PROBE_BW_CRUISE = 3;
    static final int PROBE_BW_REFILL = 4;
    static final int PROBE_BW_UP = 5;
    static final int PROBE_RTT = 6;

    /** BBRStartupPacingGain: 4 ln 2, the smallest gain that doubles the delivery rate each round. */
    static final double STARTUP_PACING_GAIN = 2.77;
    static final double DEFAULT_CWND_GAIN = 2.0;
    static final double DRAIN_PACING_GAIN = 0.35;
    static final double DOWN_PACING_GAIN = 0.9;
    static final double UP_PACING_GAIN = 1.25;
    static final double UP_CWND_GAIN = 2.25;
    /** BBRPacingMarginPercent: pace 1% below the estimate so a standing queue cannot build. */
    static final double PACING_MARGIN = 0.99;
    /** BBRLossThresh: the highest loss rate a probe may cause. */
    static final double LOSS_THRESHOLD = 0.02;
    /** BBRBeta: the multiplicative cut of the short-term bounds per lossy round. */
    static final double BETA = 0.7;
    /** BBRHeadroom: outside probes, leave 15% of inflight_hi free for other flows. */
    static final double HEADROOM = 0.15;
    /**
     * A loss rate is only judged over at least this many segments: in a flight of 26 one random loss is already
     * 3.8%, so a 2% threshold measured over small flights fires on every unlucky round.
     */
    static final int MIN_LOSS_SAMPLE_SEGMENTS = 50;
    /**
     * Outside probes the loss rate is smoothed over rounds (gain 1/4): one heavy round still cuts at once, but the
     * binomial tail of steady 1% random loss (one 430-segment round in forty loses over 2%) does not.
     */
    static final double LOSS_RATE_GAIN = 0.25;
    static final int FULL_BW_ROUNDS = 3;
    /**
     * PROBE_BW_DOWN gives up after this many full rounds without draining to one BDP: a queue that another flow keeps
     * full does not drain at any gain of ours, and pacing at 0.9 until the next probe (2-3 s) hands that flow a
     * tenth of our rate every cycle. BBRv1's drain phase lasts one round for the same reason. Three, not two: the
     * first two rounds' samples are mostly of packets the UP probe sent, so only the third shows whether DOWN drains.
     */
    static final int MAX_DOWN_ROUNDS = 3;
    /**
     * PROBE_BW_DOWN goes on past {@link #MAX_DOWN_ROUNDS}, and past one estimated BDP in flight, while each round's
     * smallest RTT falls by at least this fraction of the minimum: the queue is draining, so the link is still busy
     * and draining costs nothing. A bandwidth estimate a few percent high (noisy per-ACK samples make the filter's
     * maximum run high) otherwise leaves a standing queue that the drain never reaches, and the flow halves its window
     * in PROBE_RTT every 5 s.
     */
    static final int DRAIN_PROGRESS_FRACTION = 64;
    /** A round whose every RTT sample is this fraction of the minimum above it kept the bottleneck busy throughout. */
    static final int BUSY_QUEUE_FRACTION = 8;
    static final double FULL_BW_GROWTH = 1.25;
    /** A lossy STARTUP round ends STARTUP only with a queue of at least 1/4 of the minimum RTT. */
    static final int STARTUP_QUEUE_FRACTION = 4;
    /**
     * BBRv1's PROBE_BW_DOWN stops once an RTT sample shows less than this fraction of the minimum queued: a sample
     * is a round old, and the round since was paced at 0.9, so the queue is as good as gone. Draining to empty every
     * eight rounds leaves the link a tenth idle for that lagging round, about 1% of a long path's goodput.
     */
    static final int V1_DOWN_QUEUE_FRACTION = 8;
    /**
     * BBRv1's margin for renewing the minimum RTT's age ({@link #MIN_RTT_RENEWAL_FRACTION} for BBRv3). Its DOWN
     * stops at a small queue rather than at an empty one, and RTT samples scatter by a millisecond or two (the
     * emulated 50 ms path reads 49.2-50.7 ms): with 1/64 an early low sample is out of reach for good and PROBE_RTT
     * halves the window after 10 s. A queue this shallow (3 ms at 50 ms) costs the BDP no more than 6%.
     */
    static final int V1_MIN_RTT_RENEWAL_FRACTION = 16;
    /** BBRStartupFullLossCnt: loss events in one round before a lossy STARTUP may end. */
    static final int STARTUP_FULL_LOSS_EVENTS = 6;
    /**
     * An RTT sample within 1/this of the minimum shows the queue (as good as) empty. A lone BBRv3 flow drains its
     * queue in PROBE_BW_DOWN and keeps it empty in CRUISE, so every probe cycle of its shows one.
     */
    static final int EMPTY_QUEUE_FRACTION = 8;
    /** A competing flow yields again once this many probe cycles in a row saw an empty queue. */
    static final int DRAINED_CYCLES_TO_YIELD = 3;
    static final long MIN_RTT_FILTER_NS = 10_000_000_000L;
    static final long PROBE_RTT_INTERVAL_NS = 5_000_000_000L;
    /** BBRv1 probes the minimum RTT when its 10 s filter expires (Linux's bbr_min_rtt_win_sec), not every 5 s. */
    static final long V1_PROBE_RTT_INTERVAL_NS = MIN_RTT_FILTER_NS;
    static final long PROBE_RTT_DURATION_NS = 200_000_000L;
    /**
     * An RTT sample within 1/64 of the minimum (under 1.6%: 0.8 ms at 50 ms) renews the minimum's age without
     * replacing it: the queue was as good as empty, which is all PROBE_RTT would find out.
     */
    static final int MIN_RTT_RENEWAL_FRACTION = 64;
    static final long PROBE_WAIT_BASE_NS = 2_000_000_000L;
    static final int MAX_RENO_ROUNDS = 63;
    /** BBRv1's gain cycle: one probe in eight round trips (1.25, 0.75, then six at 1.0). */
    static final int V1_PROBE_ROUNDS = 8;
    /** BBRMinPipeCwnd: four packets keep the ACK clock going even in PROBE_RTT. */
    static final int MIN_PIPE_SEGMENTS = 4;
    /** In place of extra_acked: room for delayed and stretched ACKs and the pacer's burst. */
    static final int ACK_ALLOWANCE_SEGMENTS = 4;

    private static final long NO_BOUND = Long.MAX_VALUE;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final boolean lossResponse;
    private final int maxSegmentBytes;
    private final long initialWindowBytes;
    private final long minimumWindowBytes;
    private final long maximumWindowBytes;

    private int state;
    private long windowBytes;
    private long pacingRate;
    private double pacingGain;
    private double cwndGain;

    private long nextRoundDelivered;
    private long roundCount;
    private boolean roundStart;

    private final long[] maxBwSlots = new long[2];
    private long maxBw;
    private long cycleCount;
    private long bwLo;
    private long inflightHi;
    private long bwLatest;
    private double lossRate;
    private double roundMinGain;
    private double previousRoundMinGain;
    private boolean lossInRound;
    private boolean probeRttInRound;
    private long lostBytesInRound;
    private long deliveredAtRoundStart;
    private int lossEventsInRound;
    private long maxRttInRoundNs;
    /** C.delivered once everything sent in STARTUP has been delivered or lost. */
    private long startupEndDelivered;

    private long minRttNs;
    private long minRttStampNs;
    private long probeRttMinNs;
    private long probeRttMinStampNs;
    private boolean probeRttExpired;
    private long probeRttDoneNs;
    private boolean probeRttRoundDone;
    private int stateBeforeProbeRtt;
    private long priorWindowBytes;

    private boolean fullBwReached;
    private long fullBw;
    private int fullBwCount;

    private long cycleStampNs;
    private long probeWaitNs;
    private long roundsSinceProbe;
    private long upBaseBw;
    private int upPlateauRounds;
    private int upRounds;
    private int downRounds;
    /** When this round started and C.delivered then. */
    private long roundStartNs;
    private long roundStartDeliveredBytes;
    /** The smallest RTT sample of this round, of the last and of the one before (0 for none). */
    private long roundMinRttNs;
    private long lastRoundMinRttNs;
    private long roundBeforeLastMinRttNs;
    /**
     * What the latest round whose every sample saw a queue delivered per second, from its first ACK to its last: the
     * bottleneck never idled in it, so this is the path's rate or this flow's share of it (0 before such a round).
     */
    private long busyRoundRate;
    /** PROBE_BW_DOWN paces at its gain times the lesser of the model and this: the busy round's rate at its start. */
    private long downBw;
    /** The last full PROBE_BW_DOWN round lowered the smallest RTT: the queue is draining. */
    private boolean queueDraining;
    /**
     * A BBRv3 flow whose last probe cycle never found the queue empty: it competes as BBRv1 does, since the loss it
     * meets is another flow's doing and backing off would only hand that flow the link ({@link #updateCompetition}).
     */
    private boolean competing;
    /** An RTT sample of this probe cycle (from PROBE_BW_DOWN on) found the queue empty. */
    private boolean queueEmptiedInCycle;
    /** Probe cycles in a row that found the queue empty while competing. */
    private int drainedCycles;
    private long random;

    private boolean hasUndoState;
    private long undoWindowBytes;

    /**
     * @param maxSegmentBytes SMSS, positive.
     * @param cfg             tunables, copied; BBR uses the window bounds only.
     */
    public Bbr(final int maxSegmentBytes, final CongestionConfig cfg)
    {
        this(maxSegmentBytes, cfg, true);
    }

    /**
     * @param maxSegmentBytes SMSS, positive.
     * @param cfg             tunables, copied; BBR uses the window bounds only.
     * @param lossResponse    BBRv3's response to loss (inflight_hi, bw_lo, the lossy STARTUP exit) and its probe
     *                        cadence; false for BBRv1's: loss leaves the model alone and bandwidth is probed every
     *                        {@link #V1_PROBE_ROUNDS} rounds (see {@link CongestionControlKind#BBR_V1}); its
     *                        STARTUP ends on one flat round over a queue, its DOWN at a small queue, and the minimum
     *                        RTT's age is renewed within {@link #V1_MIN_RTT_RENEWAL_FRACTION}
     *                        (docs/congestion-control.md). A v3 flow takes v1's cadence and drops its loss
     *                        response while a queue it did not build stands ({@link #updateCompetition}).
     */
    public Bbr(final int maxSegmentBytes, final CongestionConfig cfg, final boolean lossResponse)
    {
        final long initialBytes = cfg.initialWindowBytes(maxSegmentBytes);
        this.lossResponse = lossResponse;
        this.maxSegmentBytes = maxSegmentBytes;
        this.initialWindowBytes = initialBytes;
        this.minimumWindowBytes = Math.min((long)MIN_PIPE_SEGMENTS * maxSegmentBytes, initialBytes);
        this.maximumWindowBytes = cfg.maximumWindowBytes();
        reset();
    }

    @Override
    public String name()
    {
        return "bbr";
    }

    @Override
    public long windowBytes()
    {
        return windowBytes;
    }

    /** BBR has no ssthresh; the maximum window stands in for "infinite". */
    @Override
    public long slowStartThresholdBytes()
    {
        return maximumWindowBytes;
    }

    @Override
    public boolean inSlowStart()
    {
        return state == STARTUP;
    }

    /** Before the first bandwidth sample: the initial window over the RTT at the startup gain (BBRInitPacingRate). */
    @Override
    public long pacingRateBytesPerSecond(final long smoothedRttNs)
    {
        if (pacingRate > 0)
        {
            return pacingRate;
        }
        return initialPacingRate(smoothedRttNs > 0 ? smoothedRttNs : 1_000_000L);
    }

    private long initialPacingRate(final long rttNs)
    {
        return Math.max(1, (long)(STARTUP_PACING_GAIN * initialWindowBytes * NANOS_PER_SECOND / rttNs));
    }

    int state()
    {
        return state;
    }

    long maxBandwidth()
    {
        return maxBw;
    }

    long inflightHi()
    {
        return inflightHi;
    }

    long minRttNs()
    {
        return minRttNs;
    }

    /** The bandwidth the model works with: the long-term maximum, capped by the short-term lower bound. */
    long bandwidth()
    {
        return Math.min(maxBw, bwLo);
    }

    @Override
    public void onPacketSent(final long nowNs, final int bytes, final long bytesInFlightBeforeSend)
    {
        if (bytes <= 0)
        {
            throw new IllegalArgumentException("sent bytes must be positive: " + bytes);
        }
    }

    /** The model moves on rate samples only; see {@link #onRateSample}. */
    @Override
    public void onAcked(final long nowNs, final long ackedBytes, final long bytesInFlight, final long rttNs)
    {
    }

    @Override
    public void onRateSample(final long nowNs, final RateSample rs)
    {
        hasUndoState = false;
        updateRound(nowNs, rs);
        updateMinRtt(nowNs, rs.rttNs());
        noteEmptyQueue(rs.rttNs());
        updateMaxBw(rs);
        updateCongestionSignals(nowNs, rs);
        checkStartupDone(rs);
        checkDrainDone(nowNs, rs);
        updateProbeBw(nowNs, rs);
        checkProbeRtt(nowNs, rs);
        setPacingRate();
        setWindow(rs);
    }

    /** A round trip ends when a packet sent after the previous round's end is delivered (BBRUpdateRound). */
    private void updateRound(final long nowNs, final RateSample rs)
    {
        roundStart = false;
        if (rs.newlyAckedBytes() > 0 && rs.priorDeliveredBytes() >= nextRoundDelivered)
        {
            nextRoundDelivered = rs.totalDeliveredBytes();
            roundCount++;
            roundsSinceProbe++;
            roundStart = true;
            // A round shorter than the minimum RTT was cut short by a state change (REFILL, PROBE_RTT start one).
            if (roundStartNs != 0 && busyRound(roundMinRttNs) && nowNs - roundStartNs >= minRttNs)
            {
                busyRoundRate =
                    (rs.totalDeliveredBytes() - roundStartDeliveredBytes) * NANOS_PER_SECOND / (nowNs - roundStartNs);
            }
            roundStartNs = nowNs;
            roundStartDeliveredBytes = rs.totalDeliveredBytes();
            roundBeforeLastMinRttNs = lastRoundMinRttNs;
            lastRoundMinRttNs = roundMinRttNs;
            roundMinRttNs = 0;
        }
        if (rs.rttNs() > 0 && (roundMinRttNs == 0 || rs.rttNs() < roundMinRttNs))
        {
            roundMinRttNs = rs.rttNs();
        }
    }

    /** Every RTT sample of a round with this smallest one saw a queue: the bottleneck never idled in it. */
    private boolean busyRound(final long roundMinRttNs)
    {
        return queuedAbove(roundMinRttNs, BUSY_QUEUE_FRACTION);
    }

    /** Every RTT sample of a round with this smallest one sat more than 1/{@code fraction} of the minimum above it. */
    private boolean queuedAbove(final long roundMinRttNs, final int fraction)
    {
        return probeRttMinNs > 0 && roundMinRttNs > probeRttMinNs + probeRttMinNs / fraction;
    }

    /**
     * BBRUpdateMinRTT: the expiry is noted before a fresh sample replaces the old minimum, for BBRCheckProbeRTT. A
     * sample equal to the minimum refreshes it too (the draft takes only smaller ones), and one within
     * {@link #MIN_RTT_RENEWAL_FRACTION} of it ({@link #V1_MIN_RTT_RENEWAL_FRACTION} for BBRv1) renews its age:
     * either shows the queue was (as good as) empty just now, which is all PROBE_RTT would find out. A lone flow's
     * PROBE_BW_DOWN drains its queue every cycle, so it no longer halves its window for 200 ms every 5 s (a point or
     * two of a long path's goodput); flows that keep a queue between them never come that close to the minimum and
     * still probe. A path whose delay grew never renews the old minimum either, so it is still replaced after 5 s.
     */
    private void updateMinRtt(final long nowNs, final long rttNs)
    {
        probeRttExpired = probeRttMinStampNs != 0 && nowNs - probeRttMinStampNs > probeRttIntervalNs();
        if (rttNs <= 0)
        {
            return;
        }
        if (probeRttMinNs == 0 || rttNs <= probeRttMinNs || probeRttExpired)
        {
            probeRttMinNs = rttNs;
            probeRttMinStampNs = nowNs;
        }
        else if (queuedUnder(rttNs, lossResponse ? MIN_RTT_RENEWAL_FRACTION : V1_MIN_RTT_RENEWAL_FRACTION))
        {
            probeRttMinStampNs = nowNs;
        }
        if (minRttNs == 0 || probeRttMinNs < minRttNs || nowNs - minRttStampNs > MIN_RTT_FILTER_NS)
        {
            minRttNs = probeRttMinNs;
            minRttStampNs = probeRttMinStampNs;
        }
    }

    /**
     * Notes an RTT sample that found the queue empty (see {@link #updateCompetition}). It is judged against the 10 s
     * minimum, not PROBE_RTT's 5 s one: a queue that stands past that one's expiry replaces it with a queued sample.
     */
    private void noteEmptyQueue(final long rttNs)
    {
        if (within(rttNs, minRttNs, EMPTY_QUEUE_FRACTION))
        {
            queueEmptiedInCycle = true;
        }
    }

    /**
     * Deviation, at the end of each probe cycle: BBRv3 answers loss by lowering inflight_hi and bw_lo, which is
     * fair to Reno and CUBIC but hands the link to a flow that ignores loss: through tools/linkemu, next to kernel
     * BBR (v1) in a one-BDP queue, a v3 flow kept 11-16% of it. Such a flow keeps a queue standing, and a lone v3
     * flow never does (it drains in PROBE_BW_DOWN and cruises below the pipe), so a cycle without an empty-queue
     * RTT sample switches this flow to BBRv1's behaviour, dropping the bounds loss set: the loss it meets is the
     * other flow's doing, and backing off would only hand that flow the link. {@link #DRAINED_CYCLES_TO_YIELD}
     * cycles in a row that find the queue empty switch it back. The switch is Copa's competitive mode (Arun and
     * Balakrishnan, NSDI 2018) applied to BBR.
     */
    private void updateCompetition()
    {
        if (!lossResponse || !fullBwReached)
        {
            return;
        }
        if (!competing && !queueEmptiedInCycle)
        {
            competing = true;
            drainedCycles = 0;
            inflightHi = NO_BOUND; // bw_lo too, by startRefill
        }
        else if (competing)
        {
            drainedCycles = queueEmptiedInCycle ? drainedCycles + 1 : 0;
            competing = drainedCycles < DRAINED_CYCLES_TO_YIELD;
        }
    }

    /** BBRv3's loss response is on: the v3 flavour, unless a standing queue made it compete. */
    private boolean respondsToLoss()
    {
        return lossResponse && !competing;
    }

    /** A standing queue made this BBRv3 flow compete as BBRv1 does (see {@link #updateCompetition}). */
    boolean competing()
    {
        return competing;
    }

    /**
     * BBRUpdateMaxBw: the maximum over the current and the previous PROBE_BW cycle. An application-limited sample
     * only counts when it raises the estimate, since it can only understate the path.
     */
    private void updateMaxBw(final RateSample rs)
    {
        final long rate = rs.rateBytesPerSecond();
        if (rate <= 0)
        {
            return;
        }
        bwLatest = Math.max(bwLatest, rate);
        if (!rs.appLimited() || rate >= maxBw)
        {
            maxBwSlots[(int)(cycleCount & 1)] = Math.max(maxBwSlots[(int)(cycleCount & 1)], rate);
            maxBw = Math.max(maxBwSlots[0], maxBwSlots[1]);
        }
    }

    /**
     * Loss bookkeeping per round, and BBRv3's responses: a probe whose flight lost more than 2% ends
     * (BBRHandleInflightTooHigh), and outside probes a lossy round lowers the short-term bounds
     * (BBRAdaptLowerBoundsFromCongestion).
     */
    private void updateCongestionSignals(final long nowNs, final RateSample rs)
    {
        maxRttInRoundNs = Math.max(maxRttInRoundNs, rs.rttNs());
        if (rs.newlyLostBytes() > 0)
        {
            lossInRound = true;
            lostBytesInRound += rs.newlyLostBytes();
            lossEventsInRound++;
        }
        if (respondsToLoss() && isProbingBw() && fullBwReached && lossTooHigh(rs.lostBytes(), rs.txInFlightBytes()))
        {
            inflightHi = Math.max(rs.txInFlightBytes(), (long)(bdp(cwndGainFor(PROBE_BW_CRUISE)) * BETA));
            if (state == PROBE_BW_UP || state == PROBE_BW_REFILL)
            {
                startDown(nowNs);
            }
        }
        roundMinGain = Math.min(roundMinGain, pacingGain);
        probeRttInRound |= state == PROBE_RTT;
        if (!roundStart)
        {
            return;
        }
        // Deviation: STARTUP's loss is not the path's loss rate. Its overshoot loses a burst by design (and ending
        // STARTUP is the response), so packets sent before DRAIN began neither feed the smoothed rate nor lower
        // bw_lo: through tools/linkemu that burst held a 100 Mbit/s flow near 65% for the first probe cycle.
        final boolean sentInStartup = state == STARTUP || rs.priorDeliveredBytes() < startupEndDelivered;
        final long roundBytes = rs.totalDeliveredBytes() - deliveredAtRoundStart + lostBytesInRound;
        final long sampleBytes = Math.max(roundBytes, (long)MIN_LOSS_SAMPLE_SEGMENTS * maxSegmentBytes);
        if (!sentInStartup)
        {
            lossRate += ((double)lostBytesInRound / sampleBytes - lossRate) * LOSS_RATE_GAIN;
        }
        // Deviation: nor does a round that spent time in PROBE_RTT. Its delivery is what the half-BDP window let
        // through, not what the path carries, and the losses it sees are often the probe's overshoot just before
        // (answered by inflight_hi): through tools/linkemu at 1% loss, three such rounds cut bw_lo to half the link,
        // which held until the next probe 2.5 s later and then took the bandwidth filter down with it.
        if (respondsToLoss() && !sentInStartup && !probeRttInRound && lossInRound && fullBwReached && !isProbingBw() &&
            lossRate > LOSS_THRESHOLD)
        {
            // BBRLossLowerBounds: follow the latest round's delivery down, at most by beta per round. Its samples
            // were paced (a round earlier) at gain x margin of the estimate, so the delivery is scaled back up by
            // that much: only delivery below what was paced says the path shrank.
            final double paced = Math.min(roundMinGain, previousRoundMinGain) * PACING_MARGIN;
            final long latestBw = Math.min((long)(bwLatest / paced), maxBw);
            bwLo = Math.max(latestBw, (long)(Math.min(bwLo, maxBw) * BETA));
        }
        bwLatest = 0;
        probeRttInRound = state == PROBE_RTT;
        previousRoundMinGain = roundMinGain;
        roundMinGain = pacingGain;
    }

    private long probeRttIntervalNs()
    {
        return lossResponse ? PROBE_RTT_INTERVAL_NS : V1_PROBE_RTT_INTERVAL_NS;
    }

    /** BBRIsInflightTooHigh: more than 2% of a flight (of at least the minimum sample) was lost. */
    private boolean lossTooHigh(final long lostBytes, final long flightBytes)
    {
        final long sampleBytes = Math.max(flightBytes, (long)MIN_LOSS_SAMPLE_SEGMENTS * maxSegmentBytes);
        return flightBytes > 0 && lostBytes > sampleBytes * LOSS_THRESHOLD;
    }

    private boolean isProbingBw()
    {
        return state == STARTUP || state == PROBE_BW_REFILL || state == PROBE_BW_UP;
    }

    /** BBRCheckStartupFullBandwidth and BBRCheckStartupHighLoss, once per round. */
    private void checkStartupDone(final RateSample rs)
    {
        if (state != STARTUP || !roundStart)
        {
            if (roundStart)
            {
                endLossRound(rs);
            }
            return;
        }
        // Deviation: an application-limited sample skips the check (its round could not show growth) unless every
        // sample of the round that just ended saw a queue: then the path, not the sender, held the delivery. Late
        // pacer releases mark samples application-limited, and through tools/linkemu BBRv1's STARTUP went on for
        // seven rounds at the full rate, losing a sixth of every round from the overfull queue.
        if (!rs.appLimited() || busyRound(lastRoundMinRttNs))
        {
            if (maxBw >= fullBw * FULL_BW_GROWTH)
            {
                fullBw = maxBw;
                fullBwCount = 0;
            }
            else if (++fullBwCount >= FULL_BW_ROUNDS ||
                (!lossResponse && queuedAbove(lastRoundMinRttNs, STARTUP_QUEUE_FRACTION)))
            {
                // Deviation for BBRv1: a round without growth whose every RTT sample sat a quarter above the
                // minimum ends STARTUP at once; the queue already says the pipe is full. v1 has no lossy exit, and
                // one ACK-compressed sample (12% above the link, 25% above the round that began the count) restarts
                // the three-round count: through tools/linkemu STARTUP then ran three more 100 ms rounds with the
                // one-BDP queue overflowing. (BBRv3 waits for its lossy exit, which also sets the inflight_hi its
                // cruise needs.)
                fullBwReached = true;
            }
        }
        final long roundDelivered = rs.totalDeliveredBytes() - deliveredAtRoundStart;
        // Deviation: the loss must come with a queue (the round's RTT a quarter above the minimum). STARTUP's
        // overshoot fills the bottleneck's queue before it drops; 1% random loss puts more than 2% in a round of a
        // few hundred packets now and then, and ending STARTUP there left a flow at 25-70% of the link for seconds.
        final boolean queueBuilt = maxRttInRoundNs > minRttNs + minRttNs / STARTUP_QUEUE_FRACTION;
        if (lossResponse && queueBuilt && lossEventsInRound >= STARTUP_FULL_LOSS_EVENTS &&
            lostBytesInRound > (roundDelivered + lostBytesInRound) * LOSS_THRESHOLD)
        {
            fullBwReached = true;
            inflightHi = Math.max(bdp(1.0), windowBytes);
        }
        endLossRound(rs);
        if (fullBwReached)
        {
            startupEndDelivered = rs.totalDeliveredBytes() + rs.bytesInFlight();
            state = DRAIN;
            pacingGain = DRAIN_PACING_GAIN;
            cwndGain = DEFAULT_CWND_GAIN;
        }
    }

    private void endLossRound(final RateSample rs)
    {
        lossInRound = false;
        lostBytesInRound = 0;
        lossEventsInRound = 0;
        maxRttInRoundNs = 0;
        deliveredAtRoundStart = rs.totalDeliveredBytes();
    }

    /** BBRCheckDrainDone: the queue STARTUP built is gone once the flight fits the BDP. */
    private void checkDrainDone(final long nowNs, final RateSample rs)
    {
        if (state == DRAIN && rs.bytesInFlight() <= bdp(1.0))
        {
            // Deviation: STARTUP's estimate is the largest sample taken at 2.77x pacing, which a busy receiver's ACK
            // clumps inflate (8-15% through tools/linkemu); a round that kept the queue STARTUP left busy measured
            // the bottleneck itself, so PROBE_BW starts from no higher than that.
            if (busyRoundRate > 0 && busyRoundRate < maxBw)
            {
                maxBwSlots[0] = Math.min(maxBwSlots[0], busyRoundRate);
                maxBwSlots[1] = Math.min(maxBwSlots[1], busyRoundRate);
                maxBw = busyRoundRate;
            }
            startDown(nowNs);
        }
    }

    private void updateProbeBw(final long nowNs, final RateSample rs)
    {
        switch (state)
        {
            case PROBE_BW_DOWN:
                trackDrain();
                if (isTimeToProbeBw(nowNs))
                {
                    startRefill();
                }
                else if (isTimeToCruise(nowNs, rs))
                {
                    state = PROBE_BW_CRUISE;
                    pacingGain = 1.0;
                }
                break;
            case PROBE_BW_CRUISE:
                if (isTimeToProbeBw(nowNs))
                {
                    startRefill();
                }
                break;
            case PROBE_BW_REFILL:
                if (roundStart)
                {
                    startUp(nowNs);
                }
                break;
            case PROBE_BW_UP:
                probeUp(nowNs, rs);
                break;
            default:
                break;
        }
    }

    /**
     * Counts PROBE_BW_DOWN's rounds and notes whether the last full one drained: its smallest RTT fell by
     * {@link #DRAIN_PROGRESS_FRACTION} of the minimum from the round before. A queue another flow keeps full does not
     * fall, so DOWN still gives up after {@link #MAX_DOWN_ROUNDS}.
     */
    private void trackDrain()
    {
        if (roundStart)
        {
            downRounds++;
            queueDraining = downRounds >= 2 && roundBeforeLastMinRttNs != 0 && lastRoundMinRttNs != 0 &&
                roundBeforeLastMinRttNs - lastRoundMinRttNs >= minRttNs / DRAIN_PROGRESS_FRACTION;
        }
    }

    /**
     * BBRCheckTimeToCruise, extended: the queue is empty (for BBRv1, under {@link #V1_DOWN_QUEUE_FRACTION} of the
     * minimum unless the minimum needs renewing); or it is not draining and either the flight fits one BDP (within
     * inflight_hi's headroom) or DOWN has given up after {@link #MAX_DOWN_ROUNDS}.
     */
    private boolean isTimeToCruise(final long nowNs, final RateSample rs)
    {
        if (queueEmpty(rs.rttNs()))
        {
            return true;
        }
        // BBRv1 drains to empty only when the minimum RTT is half its interval old, to renew it before PROBE_RTT.
        if (!lossResponse && nowNs - probeRttMinStampNs <= probeRttIntervalNs() / 2 &&
            queuedUnder(rs.rttNs(), V1_DOWN_QUEUE_FRACTION))
        {
            return true;
        }
        if (queueDraining)
        {
            return false;
        }
        final long inflight = rs.bytesInFlight();
        return (inflight <= inflightWithHeadroom() && inflight <= bdp(1.0)) || downRounds > MAX_DOWN_ROUNDS;
    }

    /** An RTT sample within {@link #MIN_RTT_RENEWAL_FRACTION} of the minimum: nothing is left to drain. */
    private boolean queueEmpty(final long rttNs)
    {
        return queuedUnder(rttNs, MIN_RTT_RENEWAL_FRACTION);
    }

    /** An RTT sample at most 1/{@code fraction} of the minimum above it. */
    private boolean queuedUnder(final long rttNs, final int fraction)
    {
        return within(rttNs, probeRttMinNs, fraction);
    }

    /** An RTT sample at most 1/{@code fraction} of {@code minimumNs} above it (false while either is unknown). */
    private static boolean within(final long rttNs, final long minimumNs, final int fraction)
    {
        return rttNs > 0 && minimumNs > 0 && rttNs - minimumNs <= minimumNs / fraction;
    }

    /** BBRStartProbeBW_DOWN: a new cycle, so the bandwidth filter moves on a slot and the next probe is scheduled. */
    private void startDown(final long nowNs)
    {
        cycleCount++;
        maxBwSlots[(int)(cycleCount & 1)] = 0;
        maxBw = Math.max(maxBwSlots[0], maxBwSlots[1]);
        state = PROBE_BW_DOWN;
        downBw = busyRoundRate;
        downRounds = 0;
        queueDraining = false;
        queueEmptiedInCycle = false;
        pacingGain = DOWN_PACING_GAIN;
        cwndGain = DEFAULT_CWND_GAIN;
        cycleStampNs = nowNs;
        roundsSinceProbe = 0;
        // BBRPickProbeWait: 2-3 s, randomised so competing flows do not probe in lockstep.
        probeWaitNs = PROBE_WAIT_BASE_NS + nextRandom() % NANOS_PER_SECOND;
    }

    /** BBRIsTimeToProbeBW: the wall-clock wait passed, or as many rounds as Reno would take to grow one BDP. */
    private boolean isTimeToProbeBw(final long nowNs)
    {
        final long renoRounds =
            respondsToLoss() ? Math.min(bdp(1.0) / maxSegmentBytes, MAX_RENO_ROUNDS) : V1_PROBE_ROUNDS;
        return nowNs - cycleStampNs > probeWaitNs || roundsSinceProbe >= Math.max(renoRounds, 1);
    }

    /** BBRStartProbeBW_REFILL: forget the short-term bounds and refill the pipe for one round. */
    private void startRefill()
    {
        updateCompetition();
        bwLo = NO_BOUND;
        state = PROBE_BW_REFILL;
        pacingGain = 1.0;
        cwndGain = DEFAULT_CWND_GAIN;
        nextRoundDelivered = 0; // the next ACK starts a round
    }

    private void startUp(final long nowNs)
    {
        state = PROBE_BW_UP;
        pacingGain = UP_PACING_GAIN;
        cwndGain = UP_CWND_GAIN;
        cycleStampNs = nowNs;
        upBaseBw = maxBw;
        upPlateauRounds = 0;
        upRounds = 0;
    }

    /**
     * PROBE_BW_UP: raise inflight_hi while it limits (doubling its growth every round, BBRProbeInflightHiUpward),
     * and go DOWN once the flight reached 1.25 BDP for a min RTT or the bandwidth stopped growing.
     */
    private void probeUp(final long nowNs, final RateSample rs)
    {
        if (inflightHi != NO_BOUND && windowBytes >= inflightHi)
        {
            final long growthPerRound = (long)maxSegmentBytes << Math.min(upRounds, 20);
            inflightHi += Math.max(1, rs.newlyAckedBytes() * growthPerRound / Math.max(windowBytes, 1));
        }
        if (roundStart)
        {
            upRounds++;
            if (maxBw >= upBaseBw * FULL_BW_GROWTH)
            {
                upBaseBw = maxBw;
                upPlateauRounds = 0;
            }
            else
            {
                upPlateauRounds++;
            }
        }
        final boolean fullFlight = nowNs - cycleStampNs > minRttNs && rs.bytesInFlight() >= bdp(UP_PACING_GAIN);
        if (fullFlight || upPlateauRounds >= FULL_BW_ROUNDS)
        {
            startDown(nowNs);
        }
    }

    /** BBRCheckProbeRTT: a 5 s old minimum RTT sends the flow to PROBE_RTT, at half the BDP for 200 ms and a round. */
    private void checkProbeRtt(final long nowNs, final RateSample rs)
    {
        if (state != PROBE_RTT && fullBwReached && probeRttExpired)
        {
            stateBeforeProbeRtt = state == STARTUP || state == DRAIN ? PROBE_BW_DOWN : state;
            priorWindowBytes = Math.max(priorWindowBytes, windowBytes);
            state = PROBE_RTT;
            pacingGain = 1.0;
            cwndGain = 0.5;
            probeRttDoneNs = 0;
        }
        if (state != PROBE_RTT)
        {
            return;
        }
        if (probeRttDoneNs == 0 && rs.bytesInFlight() <= probeRttWindow())
        {
            probeRttDoneNs = nowNs + PROBE_RTT_DURATION_NS;
            probeRttRoundDone = false;
            nextRoundDelivered = rs.totalDeliveredBytes();
        }
        else if (probeRttDoneNs != 0)
        {
            probeRttRoundDone |= roundStart;
            if (probeRttRoundDone && nowNs - probeRttDoneNs >= 0)
            {
                probeRttMinStampNs = nowNs; // BBRExitProbeRTT: the probe refreshed the minimum
                windowBytes = Math.max(windowBytes, priorWindowBytes);
                priorWindowBytes = 0;
                if (stateBeforeProbeRtt == PROBE_BW_UP || stateBeforeProbeRtt == PROBE_BW_REFILL)
                {
                    startRefill();
                }
                else
                {
                    startDown(nowNs);
                    state = PROBE_BW_CRUISE;
                    pacingGain = 1.0;
                }
            }
        }
    }

    private long probeRttWindow()
    {
        return Math.max(bdp(0.5), minimumWindowBytes);
    }

    /** BBRSetPacingRate: gain x bandwidth less the margin; STARTUP only ever raises it. */
    private void setPacingRate()
    {
        final long bw = state == PROBE_BW_DOWN && downBw > 0 ? Math.min(bandwidth(), downBw) : bandwidth();
        if (bw <= 0)
        {
            return;
        }
        final long modelRate = (long)(pacingGain * bw * PACING_MARGIN);
        // BBRInitPacingRate over the best RTT known so far is STARTUP's floor: a first sample taken over a slow
        // first round trip (a peer still loading its code) would otherwise pace STARTUP from far below.
        final long rate = !fullBwReached && minRttNs > 0 ? Math.max(modelRate, initialPacingRate(minRttNs)) : modelRate;
        if (fullBwReached || rate > pacingRate)
        {
            pacingRate = Math.max(rate, 1);
        }
    }

    /**
     * BBRSetCwnd: grow towards gain x BDP plus an ACK allowance by what was delivered, never beyond it once the pipe
     * is full, then bound by the model (inflight_hi with headroom outside probes, inflight_lo) and by PROBE_RTT.
     */
    private void setWindow(final RateSample rs)
    {
        final long target = maxBw <= 0 ? initialWindowBytes :
            bdp(cwndGain) + (long)ACK_ALLOWANCE_SEGMENTS * maxSegmentBytes;
        final long acked = rs.newlyAckedBytes();
        if (fullBwReached)
        {
            windowBytes = Math.min(windowBytes + acked, target);
        }
        else if (windowBytes < target || rs.totalDeliveredBytes() < initialWindowBytes)
        {
            windowBytes += acked;
        }
        windowBytes = Math.max(windowBytes, minimumWindowBytes);
        long cap = state == PROBE_BW_DOWN || state == PROBE_BW_CRUISE || state == PROBE_RTT ?
            inflightWithHeadroom() : inflightHi;
        if (state == PROBE_RTT)
        {
            cap = Math.min(cap, probeRttWindow());
        }
        windowBytes = Math.min(windowBytes, Math.max(cap, minimumWindowBytes));
        windowBytes = Math.min(windowBytes, maximumWindowBytes);
    }

    /** BBRInflightWithHeadroom: inflight_hi less 15%, never below the minimum pipe. */
    private long inflightWithHeadroom()
    {
        if (inflightHi == NO_BOUND)
        {
            return NO_BOUND;
        }
        return Math.max((long)(inflightHi * (1.0 - HEADROOM)), minimumWindowBytes);
    }

    private double cwndGainFor(final int forState)
    {
        return forState == PROBE_BW_UP ? UP_CWND_GAIN : DEFAULT_CWND_GAIN;
    }

    /** BBRBDPMultiple: gain x bandwidth x min RTT; the initial window until both are measured. */
    private long bdp(final double gain)
    {
        final long bw = bandwidth();
        if (bw <= 0 || minRttNs <= 0)
        {
            return initialWindowBytes;
        }
        return (long)(gain * bw * (minRttNs / 1e9));
    }

    /** Loss is handled through rate samples; BBR keeps its window when recovery starts. */
    @Override
    public void onLossDetected(final long nowNs, final long bytesInFlight)
    {
        if (bytesInFlight < 0)
        {
            throw new IllegalArgumentException("bytesInFlight must not be negative: " + bytesInFlight);
        }
    }

    @Override
    public void onRecoveryComplete(final long nowNs)
    {
    }

    /**
     * A timeout means the ACK clock stopped: like Linux, restart from one packet (saving the window for an undo); the
     * model is kept, so the window grows back by what is delivered, up to the model's target.
     */
    @Override
    public void onRetransmissionTimeout(final long nowNs, final long bytesInFlight)
    {
        if (!hasUndoState)
        {
            undoWindowBytes = windowBytes;
            hasUndoState = true;
        }
        priorWindowBytes = Math.max(priorWindowBytes, windowBytes);
        windowBytes = maxSegmentBytes;
    }

    @Override
    public void onSpuriousCongestionEvent(final long nowNs)
    {
        if (hasUndoState)
        {
            windowBytes = Math.max(windowBytes, undoWindowBytes);
            hasUndoState = false;
        }
    }

    @Override
    public void reset()
    {
        state = STARTUP;
        windowBytes = initialWindowBytes;
        pacingRate = 0;
        pacingGain = STARTUP_PACING_GAIN;
        cwndGain = DEFAULT_CWND_GAIN;
        nextRoundDelivered = 0;
        roundCount = 0;
        roundStart = false;
        maxBwSlots[0] = 0;
        maxBwSlots[1] = 0;
        maxBw = 0;
        cycleCount = 0;
        bwLo = NO_BOUND;
        inflightHi = NO_BOUND;
        bwLatest = 0;
        roundStartNs = 0;
        roundStartDeliveredBytes = 0;
        roundMinRttNs = 0;
        lastRoundMinRttNs = 0;
        roundBeforeLastMinRttNs = 0;
        busyRoundRate = 0;
        downBw = 0;
        lossRate = 0;
        roundMinGain = STARTUP_PACING_GAIN;
        previousRoundMinGain = STARTUP_PACING_GAIN;
        lossInRound = false;
        probeRttInRound = false;
        lostBytesInRound = 0;
        deliveredAtRoundStart = 0;
        lossEventsInRound = 0;
        maxRttInRoundNs = 0;
        startupEndDelivered = 0;
        minRttNs = 0;
        minRttStampNs = 0;
        probeRttMinNs = 0;
        probeRttMinStampNs = 0;
        probeRttExpired = false;
        probeRttDoneNs = 0;
        probeRttRoundDone = false;
        priorWindowBytes = 0;
        fullBwReached = false;
        fullBw = 0;
        fullBwCount = 0;
        cycleStampNs = 0;
        probeWaitNs = PROBE_WAIT_BASE_NS;
        roundsSinceProbe = 0;
        random = 0x9E3779B97F4A7C15L;
        hasUndoState = false;
        undoWindowBytes = 0;
        competing = false;
        queueEmptiedInCycle = false;
        drainedCycles = 0;
    }

    /** xorshift64: reproducible, allocation-free; only spreads probe times, so its quality hardly matters. */
    private long nextRandom()
    {
        random ^= random << 13;
        random ^= random >>> 7;
        random ^= random << 17;
        return random >>> 1;
    }

    @Override
    public String toString()
    {
        return "Bbr{state=" + state + ", windowBytes=" + windowBytes + ", maxBw=" + maxBw + ", bwLo=" + bwLo +
            ", minRttNs=" + minRttNs + ", inflightHi=" + inflightHi +
            ", pacingRate=" + pacingRate + ", cycles=" + cycleCount +
            (competing ? ", competing" : "") + '}';
    }
}
