package io.conduit.transport.congestion;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CubicTest
{
    private static final int SMSS = 1200;
    private static final long NOW_NS = 1_000_000_000L;
    private static final long RTT_NS = 100_000_000L;
    private static final double EPSILON = 1e-9;

    private static Cubic cubic()
    {
        return new Cubic(SMSS, new CongestionConfig());
    }

    /** A controller whose window is windowSegments, lost at that FlightSize and recovered: W_max = windowSegments. */
    private static Cubic afterLossAt(final int windowSegments, final CongestionConfig cfg)
    {
        final Cubic cc = new Cubic(SMSS, cfg.initialWindowSegments(windowSegments));
        cc.onLossDetected(NOW_NS, (long)windowSegments * SMSS);
        cc.onRecoveryComplete(NOW_NS);
        return cc;
    }

    /**
     * One round trip at nowNs: a full window acknowledged one SMSS at a time, the sender refilling the window as it
     * grows (window-limited throughout, so growth is allowed).
     */
    private static void roundTrip(final CongestionControl cc, final long nowNs, final long rttNs)
    {
        long remainingBytes = cc.windowBytes();
        while (remainingBytes > 0)
        {
            final long ackedBytes = Math.min(SMSS, remainingBytes);
            remainingBytes -= ackedBytes;
            cc.onAcked(nowNs, ackedBytes, cc.windowBytes() - ackedBytes, rttNs);
        }
    }

    private static double segments(final CongestionControl cc)
    {
        return (double)cc.windowBytes() / SMSS;
    }

    /** draft-ietf-ccwg-ratelimited-increase: only a window that limited the sender may grow; the epoch still starts. */
    @Test
    void anApplicationLimitedSenderDoesNotGrowTheWindow()
    {
        final Cubic cc = afterLossAt(100, new CongestionConfig());
        final long windowBytes = cc.windowBytes();
        for (int round = 1; round <= 20; round++)
        {
            for (int i = 0; i < 70; i++)
            {
                cc.onPacketSent(NOW_NS + round * RTT_NS, SMSS, 30L * SMSS);
                cc.onAcked(NOW_NS + round * RTT_NS, SMSS, 30L * SMSS, RTT_NS);
            }
        }
        assertEquals(windowBytes, cc.windowBytes(), "two seconds with 31 of 70 segments in use: " + cc);
        assertEquals(Math.cbrt(100 * 0.3 / 0.4), cc.kSeconds(), EPSILON);
        roundTrip(cc, NOW_NS + 21 * RTT_NS, RTT_NS);
        assertTrue(cc.windowBytes() > windowBytes, "a full window grows: " + cc);
    }

    @Test
    void startsLikeNewReno()
    {
        // RFC 9438 §4.10: CUBIC uses standard slow start; RFC 6928 IW = 10, ssthresh "arbitrarily high".
        final Cubic cc = cubic();

        assertEquals("cubic", cc.name());
        assertEquals(10L * SMSS, cc.windowBytes());
        assertEquals(CongestionConfig.DEFAULT_MAXIMUM_WINDOW_BYTES, cc.slowStartThresholdBytes());
        assertTrue(cc.inSlowStart());
    }

    @Test
    void slowStartIsNewRenos()
    {
        // RFC 9438 §4.10: below ssthresh the window grows exactly as in RFC 5681 §3.1 with RFC 3465 byte counting.
        final Cubic cubic = cubic();
        final NewReno newReno = new NewReno(SMSS, new CongestionConfig());
        final long[] ackedBytes = {SMSS, 2L * SMSS, 10L * SMSS, 1, SMSS / 2, 3L * SMSS};

        for (int i = 0; i < 60; i++)
        {
            cubic.onAcked(NOW_NS, ackedBytes[i % ackedBytes.length], 0, RTT_NS);
            newReno.onAcked(NOW_NS, ackedBytes[i % ackedBytes.length], 0, RTT_NS);
            assertEquals(newReno.windowBytes(), cubic.windowBytes());
        }
        cubic.onRetransmissionTimeout(NOW_NS, 20L * SMSS);
        cubic.onAcked(NOW_NS, 2L * SMSS, 0, RTT_NS);
        assertEquals(2L * SMSS, cubic.windowBytes()); // RFC 3465 §2.3: L = 1*SMSS after a timeout
    }

    @Test
    void lossKeepsSeventyPercentOfTheFlightSize()
    {
        // RFC 9438 §4.6: ssthresh = FlightSize * beta_cubic, cwnd = ssthresh, beta_cubic = 0.7.
        final Cubic cc = new Cubic(SMSS, new CongestionConfig().initialWindowSegments(100));

        cc.onLossDetected(NOW_NS, 100L * SMSS);

        assertEquals(70L * SMSS, cc.windowBytes());
        assertEquals(70L * SMSS, cc.slowStartThresholdBytes());
        assertEquals(100.0, cc.windowMaxSegments(), EPSILON);
        assertFalse(cc.inSlowStart());
    }

    @Test
    void lossNeverTakesTheWindowBelowTheMinimum()
    {
        // RFC 9438 §4.6: cwnd = max(ssthresh, 2) after a loss; here the configured minimum of 4 segments.
        final Cubic cc = new Cubic(SMSS, new CongestionConfig().minimumWindowSegments(4));

        cc.onLossDetected(NOW_NS, 3L * SMSS);

        assertEquals(4L * SMSS, cc.windowBytes());
        assertEquals(4L * SMSS, cc.slowStartThresholdBytes());
    }

    @Test
    void kFollowsTheRfcFormula()
    {
        // RFC 9438 §4.2 Figure 2: K = cbrt((W_max - cwnd_epoch) / C) = cbrt(W_max * (1 - beta) / C) after a loss.
        final Cubic cc = afterLossAt(100, new CongestionConfig());

        cc.onAcked(NOW_NS, SMSS, 0, RTT_NS); // the first ACK of the avoidance stage starts the epoch

        assertEquals(Math.cbrt(100 * 0.3 / 0.4), cc.kSeconds(), EPSILON);
        assertEquals(4.2171633265, cc.kSeconds(), 1e-9);
        assertEquals(0.0, Cubic.kSeconds(50, 60, 0.4), 0.0); // at or above W_max: no concave part
        assertEquals(70.0, cc.cubicWindowSegments(0), EPSILON); // W_cubic(0) = cwnd_epoch
        assertEquals(100.0, cc.cubicWindowSegments(cc.kSeconds()), EPSILON); // W_cubic(K) = W_max
    }

    @Test
    void growthIsConcaveUpToWindowMaxThenConvexBeyondIt()
    {
        // RFC 9438 §4.2 (Figure 1), §4.4, §4.5: fast growth towards W_max, a plateau around it, then probing beyond.
        final Cubic cc = afterLossAt(1000, new CongestionConfig());
        cc.onAcked(NOW_NS, SMSS, 0, RTT_NS);
        final double kSeconds = cc.kSeconds();
        assertEquals(Math.cbrt(1000 * 0.3 / 0.4), kSeconds, EPSILON);
        final int roundsPerSecond = (int)(1_000_000_000L / RTT_NS);
        final int rounds = (int)Math.ceil(2 * kSeconds * roundsPerSecond);
        final double[] windowSegments = new double[rounds + 1];

        windowSegments[0] = segments(cc);
        for (int round = 1; round <= rounds; round++)
        {
            final long nowNs = NOW_NS + round * RTT_NS;
            roundTrip(cc, nowNs, RTT_NS);
            windowSegments[round] = segments(cc);
            // The window lies between the curve now and one RTT ahead, the target of §4.2.
            final double tSeconds = (double)round / roundsPerSecond;
            assertTrue(windowSegments[round] >= cc.cubicWindowSegments(tSeconds) - 0.01, "round " + round);
            assertTrue(windowSegments[round] <= cc.cubicWindowSegments(tSeconds + 0.1) + 0.01, "round " + round);
        }

        final int kRound = (int)Math.round(kSeconds * roundsPerSecond);
        final double firstSecondGrowth = windowSegments[roundsPerSecond] - windowSegments[0];
        final double plateauGrowth = windowSegments[kRound + roundsPerSecond / 2] -
            windowSegments[kRound - roundsPerSecond / 2];
        final double lastSecondGrowth = windowSegments[rounds] - windowSegments[rounds - roundsPerSecond];
        assertTrue(firstSecondGrowth > 50, "concave start " + firstSecondGrowth);
        assertTrue(plateauGrowth < 1, "plateau " + plateauGrowth);
        assertTrue(lastSecondGrowth > 50, "convex end " + lastSecondGrowth);
        assertTrue(windowSegments[kRound - roundsPerSecond] < 1000, "still below W_max before K");
        assertEquals(1000, windowSegments[kRound], 0.5);
        // At t = 2K the curve is W_max + C*K^3 = W_max + W_max*(1 - beta) = 1300 segments.
        assertTrue(windowSegments[rounds] > 1290, "beyond W_max " + windowSegments[rounds]);
    }

    @Test
    void fastConvergenceLowersWindowMaxAfterAnEarlyLoss()
    {
        // RFC 9438 §4.7: a loss below the previous W_max sets W_max = cwnd * (1 + beta) / 2.
        final Cubic cc = afterLossAt(100, new CongestionConfig());
        assertEquals(70L * SMSS, cc.windowBytes());

        cc.onLossDetected(NOW_NS, 70L * SMSS);

        assertEquals(70 * 1.7 / 2, cc.windowMaxSegments(), EPSILON);
        assertEquals(49L * SMSS, cc.windowBytes());
    }

    @Test
    void withoutFastConvergenceWindowMaxIsTheWindowAtTheLoss()
    {
        // RFC 9438 §4.7: the heuristic is optional; without it W_max = cwnd.
        final Cubic cc = afterLossAt(100, new CongestionConfig().cubicFastConvergence(false));

        cc.onLossDetected(NOW_NS, 70L * SMSS);

        assertEquals(70.0, cc.windowMaxSegments(), EPSILON);
    }

    @Test
    void aLossAboveTheOldWindowMaxRecordsTheNewWindow()
    {
        // RFC 9438 §4.7: fast convergence only applies when cwnd < W_max.
        final Cubic cc = afterLossAt(100, new CongestionConfig());
        for (int round = 1; round <= 100 && cc.windowBytes() <= 110L * SMSS; round++)
        {
            roundTrip(cc, NOW_NS + round * RTT_NS, RTT_NS);
        }
        final double windowSegments = segments(cc);
        assertTrue(windowSegments > 110, "grew beyond W_max: " + windowSegments);

        cc.onLossDetected(NOW_NS, cc.windowBytes());

        assertEquals(windowSegments, cc.windowMaxSegments(), EPSILON);
    }

    @Test
    void renoFriendlyRegionDominatesAtSmallRoundTripTimesAndWindows()
    {
        // RFC 9438 §4.3: with a 1 ms RTT and W_max = 20 the cubic curve barely moves in 100 round trips, so cwnd
        // follows W_est, which grows alpha_cubic = 3*(1-beta)/(1+beta) per round trip up to cwnd_prior, then 1.
        final long shortRttNs = 1_000_000L;
        final Cubic friendly = afterLossAt(20, new CongestionConfig());
        final Cubic pureCubic = afterLossAt(20, new CongestionConfig().cubicRenoFriendly(false));

        for (int round = 0; round < 100; round++)
        {
            roundTrip(friendly, NOW_NS + round * shortRttNs, shortRttNs);
            roundTrip(pureCubic, NOW_NS + round * shortRttNs, shortRttNs);
        }

        final double curveSegments = friendly.cubicWindowSegments(0.1);
        assertTrue(curveSegments < 15, "the curve is still near cwnd_epoch: " + curveSegments);
        assertEquals((long)(friendly.renoEstimateSegments() * SMSS), friendly.windowBytes());
        // About (20 - 14) / 0.53 = 11 round trips to reach cwnd_prior, then one segment per round trip.
        assertEquals(20 + (100 - 6 / (3 * 0.3 / 1.7)), segments(friendly), 2);
        assertTrue(segments(pureCubic) < 16, "without the region: " + segments(pureCubic));
    }

    @Test
    void timeoutCollapsesToOneSegmentWithSsthreshFromBeta()
    {
        // RFC 9438 §4.8: cwnd as in RFC 5681 (LW = 1*SMSS), ssthresh = FlightSize * beta_cubic.
        final Cubic cc = new Cubic(SMSS, new CongestionConfig().initialWindowSegments(100));

        cc.onRetransmissionTimeout(NOW_NS, 100L * SMSS);

        assertEquals(SMSS, cc.windowBytes());
        assertEquals(70L * SMSS, cc.slowStartThresholdBytes());
        assertTrue(cc.inSlowStart());

        // RFC 5681 §3.1: repeated timeouts of the same data hold ssthresh; the 2*SMSS floor still applies.
        cc.onRetransmissionTimeout(NOW_NS, SMSS);
        assertEquals(70L * SMSS, cc.slowStartThresholdBytes());
        cc.onAcked(NOW_NS, SMSS, 0, RTT_NS);
        cc.onRetransmissionTimeout(NOW_NS, SMSS);
        assertEquals(2L * SMSS, cc.slowStartThresholdBytes());
    }

    @Test
    void avoidanceAfterATimeoutStartsConvexFromTheCurrentWindow()
    {
        // RFC 9438 §4.8: in the first avoidance stage after a timeout K = 0 and W_max = cwnd at its start. The
        // Reno-friendly region is off so the window shows the curve alone.
        final Cubic cc = new Cubic(SMSS, new CongestionConfig().initialWindowSegments(100).cubicRenoFriendly(false));
        cc.onLossDetected(NOW_NS, 100L * SMSS);
        cc.onRecoveryComplete(NOW_NS);
        cc.onRetransmissionTimeout(NOW_NS, 20L * SMSS);
        assertEquals(14L * SMSS, cc.slowStartThresholdBytes());

        while (cc.inSlowStart())
        {
            cc.onAcked(NOW_NS, SMSS, cc.windowBytes(), RTT_NS);
        }
        assertEquals(14L * SMSS, cc.windowBytes());
        assertEquals(0.0, cc.kSeconds(), 0.0);
        assertEquals(14.0, cc.windowMaxSegments(), EPSILON);

        for (int round = 1; round <= 30; round++)
        {
            roundTrip(cc, NOW_NS + round * RTT_NS, RTT_NS);
        }
        // W_cubic(3 s) = 0.4 * 27 + 14 = 24.8 segments; the window is within a round trip of the curve.
        assertTrue(segments(cc) >= cc.cubicWindowSegments(3.0) - 0.01, "window " + segments(cc));
        assertTrue(segments(cc) <= cc.cubicWindowSegments(3.1) + 0.01, "window " + segments(cc));
    }

    @Test
    void timeoutEndsRecovery()
    {
        // RFC 6675 §5.1: a timeout during recovery falls back to slow start from the loss window.
        final Cubic cc = cubic();
        cc.onLossDetected(NOW_NS, 20L * SMSS);

        cc.onRetransmissionTimeout(NOW_NS, 10L * SMSS);
        cc.onAcked(NOW_NS, SMSS, 0, RTT_NS);

        assertEquals(2L * SMSS, cc.windowBytes());
        assertEquals(7L * SMSS, cc.slowStartThresholdBytes());
        cc.onRecoveryComplete(NOW_NS); // late, changes nothing
        assertEquals(2L * SMSS, cc.windowBytes());
    }

    @Test
    void theWindowIsHeldDuringRecovery()
    {
        // Same contract as NewReno: no ACKs and no second loss signal inside one recovery episode.
        final Cubic cc = afterLossAt(20, new CongestionConfig());
        cc.onLossDetected(NOW_NS, 14L * SMSS);
        final long windowBytes = cc.windowBytes();

        assertThrows(IllegalStateException.class, () -> cc.onAcked(NOW_NS, SMSS, 0, RTT_NS));
        assertThrows(IllegalStateException.class, () -> cc.onLossDetected(NOW_NS, 10L * SMSS));
        assertEquals(windowBytes, cc.windowBytes());
        assertTrue(Double.isNaN(cc.kSeconds()), "no epoch during recovery");
    }

    @Test
    void spuriousLossRestoresWindowAndWindowMax()
    {
        // RFC 9438 §4.9: restore cwnd, ssthresh and W_max saved before the congestion event.
        final Cubic cc = afterLossAt(100, new CongestionConfig());
        cc.onLossDetected(NOW_NS, 70L * SMSS);
        assertEquals(59.5, cc.windowMaxSegments(), EPSILON);

        cc.onSpuriousCongestionEvent(NOW_NS);
        cc.onRecoveryComplete(NOW_NS);

        assertEquals(70L * SMSS, cc.windowBytes());
        assertEquals(70L * SMSS, cc.slowStartThresholdBytes());
        assertEquals(100.0, cc.windowMaxSegments(), EPSILON);
        // The new epoch heads for the restored W_max from the restored window.
        cc.onAcked(NOW_NS, SMSS, 0, RTT_NS);
        assertEquals(Math.cbrt(30 / 0.4), cc.kSeconds(), 1e-6);
    }

    @Test
    void idleTimeIsNotCountedIntoTheEpoch()
    {
        // RFC 9438 §5.8: t must not include periods in which the sender had nothing to send.
        final Cubic busy = afterLossAt(100, new CongestionConfig());
        final Cubic paused = afterLossAt(100, new CongestionConfig());
        final Cubic notShifted = afterLossAt(100, new CongestionConfig());
        final long pauseNs = 10_000_000_000L;

        busy.onAcked(NOW_NS, SMSS, SMSS, RTT_NS);
        paused.onAcked(NOW_NS, SMSS, 0, RTT_NS); // the pipe drained here...
        paused.onPacketSent(NOW_NS + pauseNs, SMSS, 0); // ...and refilled ten seconds later
        notShifted.onAcked(NOW_NS, SMSS, SMSS, RTT_NS);
        for (int round = 1; round <= 10; round++)
        {
            roundTrip(busy, NOW_NS + round * RTT_NS, RTT_NS);
            roundTrip(paused, NOW_NS + pauseNs + round * RTT_NS, RTT_NS);
            roundTrip(notShifted, NOW_NS + pauseNs + round * RTT_NS, RTT_NS);
        }

        assertEquals(busy.windowBytes(), paused.windowBytes());
        assertTrue(notShifted.windowBytes() > busy.windowBytes() + 20L * SMSS, notShifted::toString);
    }

    @Test
    void windowNeverExceedsTheMaximum()
    {
        final long maximumBytes = 120L * SMSS + SMSS / 2;
        final Cubic cc = afterLossAt(100, new CongestionConfig().maximumWindowBytes(maximumBytes));

        for (int round = 1; round <= 300; round++)
        {
            roundTrip(cc, NOW_NS + round * RTT_NS, RTT_NS);
            assertTrue(cc.windowBytes() <= maximumBytes, cc::toString);
        }
        assertEquals(maximumBytes, cc.windowBytes());

        // A FlightSize beyond the cap cannot lift ssthresh above it.
        cc.onLossDetected(NOW_NS, 4 * maximumBytes);
        assertEquals(maximumBytes, cc.slowStartThresholdBytes());
    }

    @Test
    void resetReturnsToTheInitialState()
    {
        final Cubic cc = afterLossAt(100, new CongestionConfig());
        roundTrip(cc, NOW_NS, RTT_NS);
        cc.onLossDetected(NOW_NS, 20L * SMSS);

        cc.reset();

        assertEquals(100L * SMSS, cc.windowBytes());
        assertEquals(CongestionConfig.DEFAULT_MAXIMUM_WINDOW_BYTES, cc.slowStartThresholdBytes());
        assertEquals(0.0, cc.windowMaxSegments(), 0.0);
        cc.onAcked(NOW_NS, SMSS, cc.windowBytes(), RTT_NS); // no longer in recovery
        assertEquals(101L * SMSS, cc.windowBytes());
        cc.onSpuriousCongestionEvent(NOW_NS); // nothing left to undo
        assertEquals(101L * SMSS, cc.windowBytes());
    }

    @Test
    void invalidArgumentsAreRejected()
    {
        final Cubic cc = cubic();

        assertThrows(IllegalArgumentException.class, () -> cc.onPacketSent(NOW_NS, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> cc.onPacketSent(NOW_NS, SMSS, -1));
        assertThrows(IllegalArgumentException.class, () -> cc.onAcked(NOW_NS, -1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> cc.onAcked(NOW_NS, SMSS, -1, 0));
        assertThrows(IllegalArgumentException.class, () -> cc.onAcked(NOW_NS, SMSS, 0, -1));
        assertThrows(IllegalArgumentException.class, () -> cc.onLossDetected(NOW_NS, -1));
        assertThrows(IllegalArgumentException.class, () -> cc.onRetransmissionTimeout(NOW_NS, -1));
        assertEquals(10L * SMSS, cc.windowBytes());
    }

    @Test
    void inconsistentConfigurationIsRejected()
    {
        final CongestionConfig initialBelowMinimum = new CongestionConfig().initialWindowSegments(3)
            .minimumWindowSegments(4);
        final CongestionConfig maximumBelowInitial = new CongestionConfig().maximumWindowBytes(10L * SMSS - 1);

        assertThrows(IllegalArgumentException.class, () -> new Cubic(0, new CongestionConfig()));
        assertThrows(IllegalArgumentException.class, () -> new Cubic(SMSS, initialBelowMinimum));
        assertThrows(IllegalArgumentException.class, () -> new Cubic(SMSS, maximumBelowInitial));
    }

    @Test
    void cubicParametersDefaultToTheRfcAndRejectNonsense()
    {
        // RFC 9438 §5.1: beta_cubic = 0.7, C = 0.4; §4.7 fast convergence and §4.3 Reno-friendliness are on.
        final CongestionConfig cfg = new CongestionConfig();
        assertEquals(0.7, cfg.cubicBeta(), 0.0);
        assertEquals(0.4, cfg.cubicC(), 0.0);
        assertTrue(cfg.cubicFastConvergence());
        assertTrue(cfg.cubicRenoFriendly());

        assertSame(cfg, cfg.cubicBeta(0.8).cubicC(0.5).cubicFastConvergence(false).cubicRenoFriendly(false));
        assertEquals(0.8, cfg.cubicBeta(), 0.0);
        assertEquals(0.5, cfg.cubicC(), 0.0);
        assertFalse(cfg.cubicFastConvergence());
        assertFalse(cfg.cubicRenoFriendly());

        for (final double beta : new double[] {0, 1, -0.1, Double.NaN})
        {
            assertThrows(IllegalArgumentException.class, () -> cfg.cubicBeta(beta));
        }
        for (final double c : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY})
        {
            assertThrows(IllegalArgumentException.class, () -> cfg.cubicC(c));
        }
        assertEquals(0.8, cfg.cubicBeta(), 0.0);
        assertEquals(0.5, cfg.cubicC(), 0.0);
    }

    @Test
    void configuredBetaAndCAreUsed()
    {
        final Cubic cc = afterLossAt(100, new CongestionConfig().cubicBeta(0.5).cubicC(1.0));

        cc.onAcked(NOW_NS, SMSS, 0, RTT_NS);

        assertEquals(50L * SMSS, cc.slowStartThresholdBytes());
        assertEquals(Math.cbrt(50 / 1.0), cc.kSeconds(), EPSILON);
    }

    @Test
    void kindCreatesACubicThatCopiesTheConfig()
    {
        final CongestionConfig cfg = new CongestionConfig().initialWindowSegments(4);

        final CongestionControl cc = CongestionControlKind.CUBIC.create(1000, cfg);
        cfg.initialWindowSegments(20);
        cc.reset();

        assertInstanceOf(Cubic.class, cc);
        assertEquals("cubic", cc.name());
        assertEquals(4000, cc.windowBytes());
    }
}
