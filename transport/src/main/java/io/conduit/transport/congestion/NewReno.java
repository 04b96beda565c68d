package io.conduit.transport.congestion;

/**
 * NewReno window arithmetic: RFC 5681 slow start and congestion avoidance, the RFC 6675 §5 reduction on entering
 * loss recovery, and the RFC 5681 §3.1 loss window after a retransmission timeout. The engine keeps the pipe and the
 * recovery point (RFC 6675, RFC 6582), so the window is simply held at ssthresh for the whole recovery episode.
 * <p>
 * Growth counts bytes, not ACKs (RFC 3465, Appropriate Byte Counting):
 * <ul>
 *     <li>slow start adds min(acked, L) per ACK with L = 2*SMSS, so delayed ACKs still double the window each round
 *     trip, but L = 1*SMSS in the slow start that follows a timeout (RFC 3465 §2.3), because the ACKs for
 *     retransmitted data there can cover much more than was sent in the last round trip. Growth stops exactly at
 *     ssthresh and the rest of that ACK's credit counts towards congestion avoidance;</li>
 *     <li>congestion avoidance accumulates acknowledged bytes and adds one SMSS each time a full cwnd has been
 *     acknowledged (RFC 5681 §3.1, the alternative to eq. 3; RFC 3465 §2.1), which is exactly one SMSS per round
 *     trip, unlike the rounding of SMSS*SMSS/cwnd per ACK. One ACK credits at most one cwnd, so a stretch ACK adds at
 *     most one SMSS.</li>
 * </ul>
 * The window stays within [minimum window, maximum window], except the 1*SMSS loss window after a timeout and the
 * slow start growing out of it. ssthresh starts at the maximum window: RFC 5681 §3.1 asks for "arbitrarily high",
 * and nothing above the maximum window could ever be used.
 * <p>
 * Undo: the window before a congestion episode is saved at its first reduction; reductions that follow without any
 * newly acknowledged data in between (a timeout during recovery, repeated timeouts) belong to the same episode and
 * keep the first saved state, so {@link #onSpuriousCongestionEvent(long)} restores the window from before the
 * episode, never an already reduced one. Like Linux, undo never shrinks the window.
 */
public final class NewReno implements CongestionControl
{
    private final int maxSegmentBytes;
    private final long initialWindowBytes;
    private final long minimumWindowBytes;
    private final long maximumWindowBytes;
    private final boolean pacing;
    /** RFC 9406 slow start; configured off, classic slow start. */
    private final HyStart hyStart;
    private final WindowUse windowUse = new WindowUse();

    private long windowBytes;
    private long slowStartThresholdBytes;
    private long bytesAckedInAvoidance;
    private boolean inRecovery;
    private boolean slowStartAfterTimeout;
    private boolean timedOutWithoutProgress;
    private boolean reductionEpisodeOpen;
    private boolean hasUndoState;
    private long undoWindowBytes;
    private long undoSlowStartThresholdBytes;

    /**
     * @param maxSegmentBytes SMSS, positive.
     * @param cfg             tunables, copied; the initial window must lie between the minimum and the maximum.
     */
    public NewReno(final int maxSegmentBytes, final CongestionConfig cfg)
    {
        final long initialBytes = cfg.initialWindowBytes(maxSegmentBytes);
        this.maxSegmentBytes = maxSegmentBytes;
        this.initialWindowBytes = initialBytes;
        this.minimumWindowBytes = (long)cfg.minimumWindowSegments() * maxSegmentBytes;
        this.maximumWindowBytes = cfg.maximumWindowBytes();
        this.pacing = cfg.pacing();
        this.hyStart = new HyStart(cfg.hyStart(), cfg.pacing());
        reset();
    }

    @Override
    public String name()
    {
        return "newreno";
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
     * NewReno's window depends only on acknowledgements and losses, so a send changes nothing; the arguments are
     * still checked so a broken caller is caught here too.
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
        if (ackedBytes == 0)
        {
            return;
        }

        // Data got through: a later timeout is a new congestion signal, and a later reduction a new episode.
        timedOutWithoutProgress = false;
        reductionEpisodeOpen = false;
        windowUse.onAcked(nowNs, rttNs, bytesInFlight + ackedBytes);
        if (!windowUse.allowsGrowth(windowBytes, windowBytes < slowStartThresholdBytes, maxSegmentBytes))
        {
            return; // an application-limited sender's window shows nothing about the path
        }

        long avoidanceCreditBytes = ackedBytes;
        if (windowBytes < slowStartThresholdBytes)
        {
            // RFC 5681 §3.1 eq. 2 with RFC 3465 §2.2/§2.3 byte counting: cwnd += min(N, L).
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

        if (windowBytes >= maximumWindowBytes)
        {
            bytesAckedInAvoidance = 0;
            return;
        }

        // RFC 5681 §3.1 (note to eq. 3) and RFC 3465 §2.1: one SMSS per cwnd of acknowledged bytes.
        bytesAckedInAvoidance += Math.min(avoidanceCreditBytes, windowBytes);
        if (bytesAckedInAvoidance >= windowBytes)
        {
            bytesAckedInAvoidance -= windowBytes;
            windowBytes = Math.min(windowBytes + maxSegmentBytes, maximumWindowBytes);
        }
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
        // RFC 5681 §3.1 eq. 4 and RFC 6675 §5 step (4.2): ssthresh = cwnd = max(FlightSize / 2, 2*SMSS).
        slowStartThresholdBytes = reducedThresholdBytes(bytesInFlight);
        windowBytes = slowStartThresholdBytes;
        bytesAckedInAvoidance = 0;
        slowStartAfterTimeout = false;
        timedOutWithoutProgress = false;
        inRecovery = true;
    }

    /**
     * Ends the episode; the window is already at ssthresh (or restored by an undo) and stays there. A call outside
     * recovery, e.g. after a timeout already ended it (RFC 6675 §5.1), changes nothing.
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
        bytesAckedInAvoidance = 0;
    }

    @Override
    public void onRetransmissionTimeout(final long nowNs, final long bytesInFlight)
    {
        requireNotNegative("bytesInFlight", bytesInFlight);

        endHyStart();
        saveUndoStateIfNewEpisode();
        // RFC 5681 §3.1: ssthresh from eq. 4 on the first timeout of a segment, "held constant" when the same data
        // times out again, so repeated backoffs do not grind it down to 2*SMSS.
        if (!timedOutWithoutProgress)
        {
            slowStartThresholdBytes = reducedThresholdBytes(bytesInFlight);
        }
        windowBytes = maxSegmentBytes; // RFC 5681 §3.1: the loss window, LW = 1*SMSS
        bytesAckedInAvoidance = 0;
        slowStartAfterTimeout = true;
        timedOutWithoutProgress = true;
        inRecovery = false; // RFC 6675 §5.1: a timeout ends the recovery episode
    }

    @Override
    public void onSpuriousCongestionEvent(final long nowNs)
    {
        if (!hasUndoState)
        {
            return;
        }
        windowBytes = Math.max(windowBytes, undoWindowBytes);
        slowStartThresholdBytes = Math.max(slowStartThresholdBytes, undoSlowStartThresholdBytes);
        hasUndoState = false;
        reductionEpisodeOpen = false;
        slowStartAfterTimeout = false;
        timedOutWithoutProgress = false;
        bytesAckedInAvoidance = 0;
    }

    @Override
    public void reset()
    {
        hyStart.clear();
        windowUse.reset();
        windowBytes = initialWindowBytes;
        slowStartThresholdBytes = maximumWindowBytes;
        bytesAckedInAvoidance = 0;
        inRecovery = false;
        slowStartAfterTimeout = false;
        timedOutWithoutProgress = false;
        reductionEpisodeOpen = false;
        hasUndoState = false;
        undoWindowBytes = 0;
        undoSlowStartThresholdBytes = 0;
    }

    @Override
    public String toString()
    {
        return "NewReno{windowBytes=" + windowBytes + ", slowStartThresholdBytes=" + slowStartThresholdBytes +
            ", inRecovery=" + inRecovery + '}';
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
            hasUndoState = true;
            reductionEpisodeOpen = true;
        }
    }

    private long reducedThresholdBytes(final long bytesInFlight)
    {
        // RFC 5681 §3.1 eq. 4; the configured minimum window is at least 2*SMSS, so it is the floor.
        return Math.min(Math.max(bytesInFlight >> 1, minimumWindowBytes), maximumWindowBytes);
    }

    private static void requireNotNegative(final String name, final long value)
    {
        if (value < 0)
        {
            throw new IllegalArgumentException(name + " must not be negative: " + value);
        }
    }
}
