package io.conduit.transport.congestion;

/**
 * CUBIC window arithmetic (RFC 9438) on top of NewReno's event semantics: the same slow start (RFC 5681 with RFC 3465
 * byte counting), the same recovery episodes, loss window after a timeout, undo and argument checks as
 * {@link NewReno}, so the engine can swap one for the other. Only congestion avoidance and the size of a reduction
 * differ:
 * <ul>
 *     <li>a congestion event keeps beta_cubic (0.7) of FlightSize and records W_max, lowered by fast convergence
 *     when the loss came before the previous W_max was reached (§4.6, §4.7);</li>
 *     <li>congestion avoidance follows W_cubic(t) = C*(t-K)^3 + W_max with K = cbrt((W_max - cwnd_epoch)/C), t
 *     measured from the first acknowledgement of the avoidance stage (the epoch), aiming one smoothed RTT ahead and
 *     growing by (target - cwnd)/cwnd per acknowledged segment, the target bounded to [cwnd, 1.5*cwnd] (§4.2);</li>
 *     <li>while the Reno estimate W_est is larger, cwnd follows W_est instead (the Reno-friendly region, §4.3);</li>
 *     <li>the first avoidance stage after a timeout starts with K = 0 and W_max = cwnd (§4.8).</li>
 * </ul>
 * The curve works in segments of the SMSS this controller was created with, as the RFC does; cwnd stays in bytes.
 * The interface gives RTT samples, not the engine's smoothed RTT, so this class smooths them itself (RFC 6298 gain
 * 1/8); before the first sample the target is W_cubic(t) alone. Time spent with nothing in flight is left out of t
 * (§5.8). All doubles are bounded before they touch cwnd, which stays within [minimum window, maximum window] except
 * for the 1*SMSS loss window after a timeout and the slow start growing out of it.
 */
public final class Cubic implements CongestionControl
{
    private static final double NANOS_PER_SECOND = 1e9;
    /** RFC 9438 §4.2: the target never exceeds 1.5*cwnd, so avoidance grows slower than slow start. */
    private static final double MAX_TARGET_GROWTH = 1.5;
    /** RFC 6298 §2.3: the smoothing gain alpha = 1/8, as a shift. */
    private static final int RTT_GAIN_SHIFT = 3;

    private final int maxSegmentBytes;
    private final long initialWindowBytes;
    private final long minimumWindowBytes;
    private final long maximumWindowBytes;
    private final boolean pacing;
    /** RFC 9406 slow start; configured off, classic slow start. */
    private final HyStart hyStart;
    private final WindowUse windowUse = new WindowUse();
    private final double beta;
    private final double cubicC;
    private final boolean fastConvergence;
    private final boolean renoFriendly;
    private final double renoAlpha;

    private long windowBytes;
    private long slowStartThresholdBytes;
    private boolean inRecovery;
    private boolean slowStartAfterTimeout;
    private boolean timedOutWithoutProgress;
    private boolean reductionEpisodeOpen;
    private long smoothedRttNs;
    private boolean idle;
    private long idleSinceNs;

    private double windowMaxSegments;
    private double priorWindowSegments;
    private boolean epochStarted;
    private boolean epochAfterTimeout;
    private long epochStartNs;
    private double kSeconds;
    private double originSegments;
    private double renoEstimateSegments;
    private double growthCarryBytes;

    private boolean hasUndoState;
    private long undoWindowBytes;
    private long undoSlowStartThresholdBytes;
    private double undoWindowMaxSegments;
    private double undoPriorWindowSegments;

    /**
     * @param maxSegmentBytes SMSS, positive; the curve's unit.
     * @param cfg             tunables, copied; the initial window must lie between the minimum and the maximum.
     */
    public Cubic(final int maxSegmentBytes, final CongestionConfig cfg)
    {
        final long initialBytes = cfg.initialWindowBytes(maxSegmentBytes);
        this.maxSegmentBytes = maxSegmentBytes;
        this.initialWindowBytes = initialBytes;
        this.minimumWindowBytes = (long)cfg.minimumWindowSegments() * maxSegmentBytes;
        this.maximumWindowBytes = cfg.maximumWindowBytes();
        this.pacing = cfg.pacing();
        this.hyStart = new HyStart(cfg.hyStart(), cfg.pacing());
        this.beta = cfg.cubicBeta();
        this.cubicC = cfg.cubicC();
        this.fastConvergence = cfg.cubicFastConvergence();
        this.renoFriendly = cfg.cubicRenoFriendly();
        // RFC 9438 §4.3: the additive increase that gives the same average window as Reno with beta_cubic.
        this.renoAlpha = 3.0 * (1.0 - beta) / (1.0 + beta);
        reset();
    }

    /**
     * RFC 9438 §4.2 Figure 2: the time the curve takes from cwnd_epoch to W_max.
     *
     * @param windowMaxSegments   W_max.
     * @param windowEpochSegments cwnd at the start of the epoch.
     * @param c                   the scaling constant C.
     * @return K in seconds; zero when the epoch starts at or above W_max.
     */
    static double kSeconds(final double windowMaxSegments, final double windowEpochSegments, final double c)
    {
        return Math.cbrt(Math.max(0.0, windowMaxSegments - windowEpochSegments) / c);
    }

    @Override
    public String name()
    {
        return "cubic";
    }

    @Override
    public long windowBytes()
    {
        return windowBytes;
    }

    @Override
    public long slowStartThresholdBytes()
    {
        return slowStartThresholdBytes;
    }

    @Override
    public boolean inSlowStart()
    {
        return windowBytes < slowStartThresholdBytes;
    }

    @Override
    public long pacingRateBytesPerSecond(final long smoothedRttNs)
    {
        return pacing ? PacingRates.windowBased(windowBytes, slowStartThresholdBytes, smoothedRttNs) : 0;
    }

    /**
     * A send after the pipe drained ends an idle period, which RFC 9438 §5.8 keeps out of t: the epoch start moves
     * forward by the idle time, so the window does not jump after a pause.
     */
    @Override
    public void onPacketSent(final long nowNs, final int bytes, final long bytesInFlightBeforeSend)
    {
        if (bytes <= 0)
        {
            throw new IllegalArgumentException("sent bytes must be positive: " + bytes);
        }
        requireNotNegative("bytesInFlightBeforeSend", bytesInFlightBeforeSend);
        hyStart.onPacketSent(nowNs, bytes);
        windowUse.onSent(bytesInFlightBeforeSend + bytes);
        if (idle && bytesInFlightBeforeSend == 0)
        {
            final long idleNs = nowNs - idleSinceNs;
            if (epochStarted && idleNs > 0)
            {
                // Never past nowNs, so t stays non-negative.
                epochStartNs = nowNs - epochStartNs < idleNs ? nowNs : epochStartNs + idleNs;
            }
            idle = false;
        }
    }

    @Override
    public void onAcked(final long nowNs, final long ackedBytes, final long bytesInFlight, final long rttNs)
    {
        if (inRecovery)
        {
            throw new IllegalStateException("onAcked during loss recovery; the window is held until it completes");
        }
        requireNotNegative("ackedBytes", ackedBytes);
        requireNotNegative("bytesInFlight", bytesInFlight);
        requireNotNegative("rttNs", rttNs);
        if (rttNs > 0)
        {
            smoothedRttNs = smoothedRttNs == 0 ? rttNs : smoothedRttNs + ((rttNs - smoothedRttNs) >> RTT_GAIN_SHIFT);
        }
        if (ackedBytes == 0)
        {
            return;
        }
        if (bytesInFlight == 0)
        {
            idle = true;
            idleSinceNs = nowNs;
        }

        // Data got through: a later timeout is a new congestion signal, and a later reduction a new episode.
        timedOutWithoutProgress = false;
        reductionEpisodeOpen = false;
        windowUse.onAcked(nowNs, rttNs, bytesInFlight + ackedBytes);
        if (!windowUse.allowsGrowth(windowBytes, windowBytes < slowStartThresholdBytes, maxSegmentBytes))
        {
            // An application-limited sender's window shows nothing about the path; the epoch still starts with the
            // first acknowledgement of the avoidance stage, as RFC 9438 §4.2 has it.
            if (windowBytes >= slowStartThresholdBytes && !epochStarted)
            {
                startEpoch(nowNs);
            }
            return;
        }

        long avoidanceCreditBytes = ackedBytes;
        if (windowBytes < slowStartThresholdBytes)
        {
            // RFC 9438 §4.10: plain slow start, exactly NewReno's (RFC 5681 §3.1 eq. 2, RFC 3465 §2.2/§2.3).
            final long growthBytes = hyStart.slowStartGrowthBytes(nowNs, ackedBytes, rttNs, windowBytes,
                maxSegmentBytes, slowStartAfterTimeout, slowStartThresholdBytes - windowBytes);
            if (growthBytes == HyStart.EXIT_GROWTH)
            {
                // RFC 9406 §4.3 (CSS_ROUNDS without the RTT falling back), or an ACK train that spans the path:
                // ssthresh = cwnd.
                slowStartThresholdBytes = windowBytes;
            }
            else
            {
                windowBytes += growthBytes;
            }
            if (windowBytes < slowStartThresholdBytes)
            {
                return;
            }
            slowStartAfterTimeout = false;
            avoidanceCreditBytes = hyStart.unusedCreditBytes();
        }
        congestionAvoidance(nowNs, avoidanceCreditBytes);
    }

    @Override
    public void onLossDetected(final long nowNs, final long bytesInFlight)
    {
        if (inRecovery)
        {
            throw new IllegalStateException("onLossDetected twice in one recovery episode");
        }
        requireNotNegative("bytesInFlight", bytesInFlight);

        endHyStart();
        saveUndoStateIfNewEpisode();
        final double windowSegments = segments(windowBytes);
        // RFC 9438 §4.7: a loss before reaching the previous W_max means a new flow took bandwidth; give some back.
        windowMaxSegments = fastConvergence && windowSegments < windowMaxSegments ?
            windowSegments * (1.0 + beta) / 2.0 : windowSegments;
        priorWindowSegments = windowSegments;
        // RFC 9438 §4.6: ssthresh = cwnd = max(FlightSize * beta_cubic, 2*SMSS), the floor being the minimum window.
        slowStartThresholdBytes = reducedThresholdBytes(bytesInFlight);
        windowBytes = slowStartThresholdBytes;
        slowStartAfterTimeout = false;
        timedOutWithoutProgress = false;
        inRecovery = true;
        endEpoch(false);
    }

    /**
     * Ends the episode; the window is already at ssthresh (or restored by an undo) and the next epoch starts with the
     * first acknowledgement after it. A call outside recovery, e.g. after a timeout already ended it (RFC 6675
     * §5.1), changes nothing.
     */
    @Override
    public void onRecoveryComplete(final long nowNs)
    {
        if (!inRecovery)
        {
            return;
        }
        inRecovery = false;
        reductionEpisodeOpen = false;
    }

    @Override
    public void onRetransmissionTimeout(final long nowNs, final long bytesInFlight)
    {
        requireNotNegative("bytesInFlight", bytesInFlight);

        endHyStart();
        saveUndoStateIfNewEpisode();
        // RFC 9438 §4.8: ssthresh from beta_cubic, once per timed-out segment as RFC 5681 §3.1 holds it constant
        // on repeated timeouts; W_max and K are chosen when the next avoidance stage starts.
        if (!timedOutWithoutProgress)
        {
            priorWindowSegments = segments(windowBytes);
            slowStartThresholdBytes = reducedThresholdBytes(bytesInFlight);
        }
        windowBytes = maxSegmentBytes; // RFC 5681 §3.1: the loss window, LW = 1*SMSS
        slowStartAfterTimeout = true;
        timedOutWithoutProgress = true;
        inRecovery = false; // RFC 6675 §5.1: a timeout ends the recovery episode
        endEpoch(true);
    }

    /**
     * RFC 9438 §4.9: restores cwnd, ssthresh, W_max and cwnd_prior from before the episode (never shrinking the
     * window, like {@link NewReno}). The epoch restarts from the restored window towards the restored W_max, which
     * resumes the old curve where it was interrupted instead of counting the recovery time into t.
     */
    @Override
    public void onSpuriousCongestionEvent(final long nowNs)
    {
        if (!hasUndoState)
        {
            return;
        }
        windowBytes = Math.max(windowBytes, undoWindowBytes);
        slowStartThresholdBytes = Math.max(slowStartThresholdBytes, undoSlowStartThresholdBytes);
        windowMaxSegments = undoWindowMaxSegments;
        priorWindowSegments = undoPriorWindowSegments;
        hasUndoState = false;
        reductionEpisodeOpen = false;
        slowStartAfterTimeout = false;
        timedOutWithoutProgress = false;
        endEpoch(false);
    }

    @Override
    public void reset()
    {
        hyStart.clear();
        windowUse.reset();
        windowBytes = initialWindowBytes;
        slowStartThresholdBytes = maximumWindowBytes;
        inRecovery = false;
        slowStartAfterTimeout = false;
        timedOutWithoutProgress = false;
        reductionEpisodeOpen = false;
        smoothedRttNs = 0;
        idle = false;
        idleSinceNs = 0;
        windowMaxSegments = 0;
        priorWindowSegments = 0;
        endEpoch(false);
        hasUndoState = false;
        undoWindowBytes = 0;
        undoSlowStartThresholdBytes = 0;
        undoWindowMaxSegments = 0;
        undoPriorWindowSegments = 0;
    }

    /**
     * @return W_max, the window at the last congestion event after fast convergence, in segments.
     */
    double windowMaxSegments()
    {
        return windowMaxSegments;
    }

    /**
     * @return K of the current epoch in seconds, or NaN when no epoch is running.
     */
    double kSeconds()
    {
        return epochStarted ? kSeconds : Double.NaN;
    }

    /**
     * @return W_est of the current epoch in segments, or NaN when no epoch is running.
     */
    double renoEstimateSegments()
    {
        return epochStarted ? renoEstimateSegments : Double.NaN;
    }

    /**
     * @return W_cubic(t) of the current epoch in segments for t seconds after its start, or NaN with no epoch.
     */
    double cubicWindowSegments(final double tSeconds)
    {
        if (!epochStarted)
        {
            return Double.NaN;
        }
        final double offsetSeconds = tSeconds - kSeconds;
        return cubicC * offsetSeconds * offsetSeconds * offsetSeconds + originSegments;
    }

    @Override
    public String toString()
    {
        return "Cubic{windowBytes=" + windowBytes + ", slowStartThresholdBytes=" + slowStartThresholdBytes +
            ", inRecovery=" + inRecovery + ", windowMaxSegments=" + windowMaxSegments +
            ", kSeconds=" + kSeconds() + '}';
    }

    private void congestionAvoidance(final long nowNs, final long creditBytes)
    {
        if (!epochStarted)
        {
            startEpoch(nowNs);
        }
        if (creditBytes == 0 || windowBytes >= maximumWindowBytes)
        {
            return;
        }
        // One ACK credits at most one cwnd, as in NewReno: a stretch ACK is not a round trip's worth of ACKs each.
        final long ackedBytes = Math.min(creditBytes, windowBytes);
        final double windowSegments = segments(windowBytes);
        final double tSeconds = Math.max(0, nowNs - epochStartNs) / NANOS_PER_SECOND;

        if (renoFriendly)
        {
            // RFC 9438 §4.3: alpha_cubic until W_est reaches cwnd_prior, then Reno's own 1 segment per round trip.
            final double alpha = renoEstimateSegments >= priorWindowSegments ? 1.0 : renoAlpha;
            renoEstimateSegments = Math.min(
                renoEstimateSegments + alpha * ackedBytes / windowBytes, segments(maximumWindowBytes));
            if (cubicWindowSegments(tSeconds) < renoEstimateSegments)
            {
                final long estimateBytes = (long)(renoEstimateSegments * maxSegmentBytes);
                windowBytes = Math.min(Math.max(windowBytes, estimateBytes), maximumWindowBytes);
                growthCarryBytes = 0;
                return;
            }
        }

        // RFC 9438 §4.2: aim at where the curve will be one RTT from now, bounded to [cwnd, 1.5*cwnd].
        final double aheadSeconds = tSeconds + smoothedRttNs / NANOS_PER_SECOND;
        final double targetSegments = Math.min(
            Math.max(cubicWindowSegments(aheadSeconds), windowSegments), MAX_TARGET_GROWTH * windowSegments);
        // (target - cwnd) / cwnd per acknowledged segment; fractions of a byte carry over to the next ACK.
        growthCarryBytes += (targetSegments - windowSegments) * ackedBytes / windowSegments;
        if (growthCarryBytes >= 1.0)
        {
            final long wholeBytes = (long)Math.min(growthCarryBytes, (double)(maximumWindowBytes - windowBytes));
            windowBytes += wholeBytes;
            growthCarryBytes = windowBytes >= maximumWindowBytes ? 0 : growthCarryBytes - wholeBytes;
        }
    }

    /** RFC 9438 §4.2 and §4.8: the first acknowledgement of an avoidance stage fixes t = 0, K, W_max and W_est. */
    private void startEpoch(final long nowNs)
    {
        final double windowSegments = segments(windowBytes);
        if (epochAfterTimeout)
        {
            windowMaxSegments = windowSegments; // RFC 9438 §4.8: K = 0, W_max = cwnd at the start of the stage
        }
        // Starting at or above W_max (after an undo, or a timeout) gives K = 0: straight into the convex region.
        originSegments = Math.max(windowMaxSegments, windowSegments);
        kSeconds = kSeconds(originSegments, windowSegments, cubicC);
        renoEstimateSegments = windowSegments;
        epochStartNs = nowNs;
        epochStarted = true;
        epochAfterTimeout = false;
        growthCarryBytes = 0;
    }

    /** RFC 9438 §4.8 and §4.6: a congestion event ends the epoch; the next avoidance stage starts a new one. */
    private void endEpoch(final boolean afterTimeout)
    {
        epochStarted = false;
        epochAfterTimeout = afterTimeout;
        epochStartNs = 0;
        kSeconds = 0;
        originSegments = 0;
        renoEstimateSegments = 0;
        growthCarryBytes = 0;
    }

    /** RFC 9406 §4.4: a congestion event ends HyStart++ for this slow start. */
    private void endHyStart()
    {
        hyStart.reset();
    }

    private void saveUndoStateIfNewEpisode()
    {
        if (!reductionEpisodeOpen)
        {
            undoWindowBytes = windowBytes;
            undoSlowStartThresholdBytes = slowStartThresholdBytes;
            undoWindowMaxSegments = windowMaxSegments;
            undoPriorWindowSegments = priorWindowSegments;
            hasUndoState = true;
            reductionEpisodeOpen = true;
        }
    }

    private long reducedThresholdBytes(final long bytesInFlight)
    {
        // RFC 9438 §4.6: FlightSize * beta_cubic, floored at the minimum window (at least 2*SMSS) and capped.
        // Rounded, not truncated, so 0.7 * 84000 (58799.99... in binary) is 58800.
        final long reducedBytes = Math.round(bytesInFlight * beta);
        return Math.min(Math.max(reducedBytes, minimumWindowBytes), maximumWindowBytes);
    }

    private double segments(final long bytes)
    {
        return (double)bytes / maxSegmentBytes;
    }

    private static void requireNotNegative(final String name, final long value)
    {
        if (value < 0)
        {
            throw new IllegalArgumentException(name + " must not be negative: " + value);
        }
    }
}
