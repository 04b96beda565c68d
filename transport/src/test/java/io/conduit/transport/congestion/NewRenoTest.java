package io.conduit.transport.congestion;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NewRenoTest
{
    private static final int SMSS = 1200;
    private static final long NOW_NS = 1_000_000_000L;
    private static final long RTT_NS = 50_000_000L;

    private static NewReno newReno()
    {
        return new NewReno(SMSS, new CongestionConfig());
    }

    /** Acknowledge totalBytes in ACKs of chunkBytes each, as if the window were full the whole time. */
    private static void ack(final NewReno cc, final long totalBytes, final long chunkBytes)
    {
        long remainingBytes = totalBytes;
        while (remainingBytes > 0)
        {
            final long ackedBytes = Math.min(chunkBytes, remainingBytes);
            remainingBytes -= ackedBytes;
            cc.onAcked(NOW_NS, ackedBytes, cc.windowBytes(), RTT_NS);
        }
    }

    /** Enter congestion avoidance with cwnd = ssthresh = flightBytes / 2 through a completed recovery. */
    private static NewReno inCongestionAvoidance(final long flightBytes)
    {
        final NewReno cc = newReno();
        cc.onLossDetected(NOW_NS, flightBytes);
        cc.onRecoveryComplete(NOW_NS);
        assertFalse(cc.inSlowStart());
        return cc;
    }

    /** draft-ietf-ccwg-ratelimited-increase: only a window that limited the sender may grow. */
    @Test
    void anApplicationLimitedSenderDoesNotGrowTheWindow()
    {
        final NewReno slowStart = newReno();
        slowStart.onPacketSent(NOW_NS, 4 * SMSS, 0);
        slowStart.onAcked(NOW_NS, 4L * SMSS, 0, RTT_NS);
        assertEquals(10L * SMSS, slowStart.windowBytes(), "4 of 10 segments sent: under half the window");
        slowStart.onPacketSent(NOW_NS, 6 * SMSS, 0);
        slowStart.onAcked(NOW_NS, SMSS, 5L * SMSS, RTT_NS);
        assertEquals(11L * SMSS, slowStart.windowBytes(), "6 of 10 segments sent: slow start may double that");

        final NewReno avoidance = inCongestionAvoidance(40L * SMSS);
        for (int i = 0; i < 60; i++)
        {
            avoidance.onPacketSent(NOW_NS, SMSS, 10L * SMSS);
            avoidance.onAcked(NOW_NS, SMSS, 10L * SMSS, RTT_NS);
        }
        assertEquals(20L * SMSS, avoidance.windowBytes(), "three windows acknowledged with half the window in use");
        for (int i = 0; i < 60; i++)
        {
            avoidance.onAcked(NOW_NS, SMSS, avoidance.windowBytes() - SMSS, RTT_NS);
        }
        assertTrue(avoidance.windowBytes() > 20L * SMSS, "a full window grows: " + avoidance);
    }

    @Test
    void initialWindowIsTenSegments()
    {
        // RFC 6928 §2 (IW = 10 segments); RFC 5681 §3.1: ssthresh starts "arbitrarily high", here the max window.
        final NewReno cc = newReno();

        assertEquals("newreno", cc.name());
        assertEquals(10L * SMSS, cc.windowBytes());
        assertEquals(CongestionConfig.DEFAULT_MAXIMUM_WINDOW_BYTES, cc.slowStartThresholdBytes());
        assertTrue(cc.inSlowStart());
    }

    @Test
    void slowStartDoublesTheWindowEachRoundTrip()
    {
        // RFC 5681 §3.1 eq. 2: cwnd += min(N, SMSS) per ACK; one ACK per segment doubles cwnd per round trip.
        final NewReno cc = newReno();

        ack(cc, 10L * SMSS, SMSS);
        assertEquals(20L * SMSS, cc.windowBytes());

        ack(cc, 20L * SMSS, SMSS);
        assertEquals(40L * SMSS, cc.windowBytes());
    }

    @Test
    void slowStartWithDelayedAcksStillDoubles()
    {
        // RFC 3465 §2.2/§2.3: byte counting with L = 2*SMSS, so an ACK for every second segment still doubles cwnd.
        final NewReno cc = newReno();

        ack(cc, 10L * SMSS, 2L * SMSS);

        assertEquals(20L * SMSS, cc.windowBytes());
    }

    @Test
    void stretchAckInSlowStartGrowsAtMostTwoSegments()
    {
        // RFC 3465 §2.3: the per-ACK increase is limited to L = 2*SMSS however much one ACK covers.
        final NewReno cc = newReno();

        cc.onAcked(NOW_NS, 10L * SMSS, 0, RTT_NS);

        assertEquals(12L * SMSS, cc.windowBytes());
    }

    @Test
    void slowStartAfterTimeoutGrowsAtMostOneSegmentPerAck()
    {
        // RFC 3465 §2.3: L = 1*SMSS in the slow start that follows a retransmission timeout.
        final NewReno cc = newReno();
        cc.onRetransmissionTimeout(NOW_NS, 10L * SMSS);

        cc.onAcked(NOW_NS, 2L * SMSS, 0, RTT_NS);

        assertEquals(2L * SMSS, cc.windowBytes());
    }

    @Test
    void slowStartStopsAtSsthreshAndCongestionAvoidanceTakesOver()
    {
        // RFC 5681 §3.1: slow start while cwnd < ssthresh, congestion avoidance from cwnd >= ssthresh.
        // ssthresh = (10*SMSS + 200) / 2 = 5*SMSS + 100; the loss window then grows one SMSS per ACK.
        final NewReno cc = newReno();
        cc.onRetransmissionTimeout(NOW_NS, 10L * SMSS + 200);
        final long ssthreshBytes = 5L * SMSS + 100;
        assertEquals(ssthreshBytes, cc.slowStartThresholdBytes());

        ack(cc, 4L * SMSS, SMSS);
        assertEquals(5L * SMSS, cc.windowBytes());
        assertTrue(cc.inSlowStart());

        // This ACK's growth stops exactly at ssthresh; its other SMSS - 100 bytes count towards avoidance.
        ack(cc, SMSS, SMSS);
        assertEquals(ssthreshBytes, cc.windowBytes());
        assertFalse(cc.inSlowStart());

        // Another SMSS - 100 bytes is one byte short of a full window of credit, so the window holds...
        final long shortOfWindowBytes = ssthreshBytes - (SMSS - 100) - 1;
        ack(cc, shortOfWindowBytes, SMSS);
        assertEquals(ssthreshBytes, cc.windowBytes());

        // ...and the next byte completes it: exactly one SMSS more.
        ack(cc, 1, 1);
        assertEquals(ssthreshBytes + SMSS, cc.windowBytes());
    }

    @Test
    void congestionAvoidanceGrowsOneSegmentPerWindowAcknowledged()
    {
        // RFC 5681 §3.1 (note to eq. 3) and RFC 3465 §2.1: +1 SMSS once a whole cwnd has been acknowledged.
        final NewReno cc = inCongestionAvoidance(40L * SMSS);
        final long windowBytes = 20L * SMSS;
        assertEquals(windowBytes, cc.windowBytes());

        ack(cc, windowBytes - SMSS, SMSS);
        assertEquals(windowBytes, cc.windowBytes());

        ack(cc, SMSS, SMSS);
        assertEquals(windowBytes + SMSS, cc.windowBytes());

        // The next round trip needs the new, larger window acknowledged.
        ack(cc, windowBytes, SMSS);
        assertEquals(windowBytes + SMSS, cc.windowBytes());
        ack(cc, SMSS, SMSS);
        assertEquals(windowBytes + 2L * SMSS, cc.windowBytes());
    }

    @Test
    void stretchAckInCongestionAvoidanceGrowsAtMostOneSegment()
    {
        // RFC 5681 §3.1: about one SMSS per round trip; one ACK covering three windows does not add three.
        final NewReno cc = inCongestionAvoidance(40L * SMSS);

        cc.onAcked(NOW_NS, 60L * SMSS, 0, RTT_NS);
        assertEquals(21L * SMSS, cc.windowBytes());

        cc.onAcked(NOW_NS, SMSS, 0, RTT_NS);
        assertEquals(21L * SMSS, cc.windowBytes());
    }

    @Test
    void lossHalvesTheFlightSizeNotTheWindow()
    {
        // RFC 5681 §3.1 eq. 4: ssthresh = max(FlightSize / 2, 2*SMSS); RFC 6675 §5 (4.2): cwnd = ssthresh.
        final NewReno cc = newReno();
        ack(cc, 10L * SMSS, SMSS);
        assertEquals(20L * SMSS, cc.windowBytes());

        cc.onLossDetected(NOW_NS, 12L * SMSS);

        assertEquals(6L * SMSS, cc.slowStartThresholdBytes());
        assertEquals(6L * SMSS, cc.windowBytes());
    }

    @Test
    void lossNeverTakesTheWindowBelowTwoSegments()
    {
        // RFC 5681 §3.1 eq. 4: the 2*SMSS floor.
        final NewReno cc = newReno();

        cc.onLossDetected(NOW_NS, SMSS);

        assertEquals(2L * SMSS, cc.slowStartThresholdBytes());
        assertEquals(2L * SMSS, cc.windowBytes());
    }

    @Test
    void lossHonoursAConfiguredMinimumAboveTwoSegments()
    {
        final NewReno cc = new NewReno(SMSS, new CongestionConfig().minimumWindowSegments(4));

        cc.onLossDetected(NOW_NS, 2L * SMSS);

        assertEquals(4L * SMSS, cc.slowStartThresholdBytes());
        assertEquals(4L * SMSS, cc.windowBytes());
    }

    @Test
    void recoveryCompleteKeepsTheWindowAtSsthresh()
    {
        // RFC 6582 §3.2 step 3 / RFC 6675 §5: on leaving recovery cwnd is ssthresh, then congestion avoidance.
        final NewReno cc = newReno();
        cc.onLossDetected(NOW_NS, 10L * SMSS);

        cc.onRecoveryComplete(NOW_NS);

        assertEquals(5L * SMSS, cc.windowBytes());
        assertEquals(5L * SMSS, cc.slowStartThresholdBytes());
        ack(cc, 5L * SMSS, SMSS);
        assertEquals(6L * SMSS, cc.windowBytes());
    }

    @Test
    void theWindowIsHeldDuringRecovery()
    {
        // The engine reports no ACKs while it is in recovery; doing so, or starting the same episode twice, is a bug.
        final NewReno cc = newReno();
        cc.onLossDetected(NOW_NS, 10L * SMSS);

        assertThrows(IllegalStateException.class, () -> cc.onAcked(NOW_NS, SMSS, 0, RTT_NS));
        assertThrows(IllegalStateException.class, () -> cc.onLossDetected(NOW_NS, 10L * SMSS));
        assertEquals(5L * SMSS, cc.windowBytes());
    }

    @Test
    void timeoutCollapsesToTheLossWindow()
    {
        // RFC 5681 §3.1: on a timeout ssthresh = max(FlightSize / 2, 2*SMSS) (eq. 4) and cwnd = LW = 1*SMSS.
        final NewReno cc = newReno();

        cc.onRetransmissionTimeout(NOW_NS, 10L * SMSS);

        assertEquals(SMSS, cc.windowBytes());
        assertEquals(5L * SMSS, cc.slowStartThresholdBytes());
        assertTrue(cc.inSlowStart());
    }

    @Test
    void timeoutWithLittleInFlightKeepsSsthreshAtTwoSegments()
    {
        // RFC 5681 §3.1 eq. 4: the 2*SMSS floor applies to timeouts too.
        final NewReno cc = newReno();

        cc.onRetransmissionTimeout(NOW_NS, SMSS);

        assertEquals(SMSS, cc.windowBytes());
        assertEquals(2L * SMSS, cc.slowStartThresholdBytes());
    }

    @Test
    void repeatedTimeoutHoldsSsthresh()
    {
        // RFC 5681 §3.1: when the segment has already been retransmitted by the timer, "ssthresh is held constant".
        final NewReno cc = newReno();
        cc.onRetransmissionTimeout(NOW_NS, 10L * SMSS);

        cc.onRetransmissionTimeout(NOW_NS, SMSS);

        assertEquals(5L * SMSS, cc.slowStartThresholdBytes());
        assertEquals(SMSS, cc.windowBytes());

        // Once data got through, a timeout is a new congestion signal and eq. 4 applies again.
        cc.onAcked(NOW_NS, SMSS, 0, RTT_NS);
        cc.onRetransmissionTimeout(NOW_NS, 2L * SMSS);
        assertEquals(2L * SMSS, cc.slowStartThresholdBytes());
    }

    @Test
    void timeoutEndsRecovery()
    {
        // RFC 6675 §5.1: a timeout during recovery falls back to slow start from the loss window.
        final NewReno cc = newReno();
        cc.onLossDetected(NOW_NS, 20L * SMSS);

        cc.onRetransmissionTimeout(NOW_NS, 10L * SMSS);
        cc.onAcked(NOW_NS, SMSS, 0, RTT_NS);

        assertEquals(2L * SMSS, cc.windowBytes());
        assertEquals(5L * SMSS, cc.slowStartThresholdBytes());

        // A late recovery-complete from the engine changes nothing.
        cc.onRecoveryComplete(NOW_NS);
        assertEquals(2L * SMSS, cc.windowBytes());
    }

    @Test
    void spuriousLossIsUndone()
    {
        // Undo hook (RFC 3708 / RFC 4015 style response): restore cwnd and ssthresh saved before the reduction.
        final NewReno cc = newReno();
        ack(cc, 10L * SMSS, SMSS);
        cc.onLossDetected(NOW_NS, 20L * SMSS);
        cc.onRecoveryComplete(NOW_NS);

        cc.onSpuriousCongestionEvent(NOW_NS);

        assertEquals(20L * SMSS, cc.windowBytes());
        assertEquals(CongestionConfig.DEFAULT_MAXIMUM_WINDOW_BYTES, cc.slowStartThresholdBytes());
        assertTrue(cc.inSlowStart());
    }

    @Test
    void undoDuringRecoverySurvivesRecoveryComplete()
    {
        final NewReno cc = inCongestionAvoidance(40L * SMSS);
        cc.onLossDetected(NOW_NS, 20L * SMSS);
        assertEquals(10L * SMSS, cc.windowBytes());

        cc.onSpuriousCongestionEvent(NOW_NS);
        cc.onRecoveryComplete(NOW_NS);

        assertEquals(20L * SMSS, cc.windowBytes());
        assertEquals(20L * SMSS, cc.slowStartThresholdBytes());
    }

    @Test
    void spuriousTimeoutsAreUndoneToTheStateBeforeTheFirstOne()
    {
        // F-RTO (RFC 5682) / Eifel (RFC 4015): undo the whole episode, not just the last 1*SMSS collapse.
        final NewReno cc = newReno();
        ack(cc, 10L * SMSS, SMSS);
        cc.onRetransmissionTimeout(NOW_NS, 20L * SMSS);
        cc.onRetransmissionTimeout(NOW_NS, 20L * SMSS);

        cc.onSpuriousCongestionEvent(NOW_NS);

        assertEquals(20L * SMSS, cc.windowBytes());
        assertEquals(CongestionConfig.DEFAULT_MAXIMUM_WINDOW_BYTES, cc.slowStartThresholdBytes());

        // After the undo slow start uses L = 2*SMSS again (RFC 3465 §2.3 limits only post-timeout slow start).
        cc.onAcked(NOW_NS, 2L * SMSS, 0, RTT_NS);
        assertEquals(22L * SMSS, cc.windowBytes());
    }

    @Test
    void undoWithoutAReductionChangesNothing()
    {
        final NewReno cc = newReno();

        cc.onSpuriousCongestionEvent(NOW_NS);

        assertEquals(10L * SMSS, cc.windowBytes());
        assertEquals(CongestionConfig.DEFAULT_MAXIMUM_WINDOW_BYTES, cc.slowStartThresholdBytes());
    }

    @Test
    void lateUndoNeverShrinksTheWindow()
    {
        // The reduction from 10*SMSS is reported spurious only after congestion avoidance grew cwnd past that.
        final NewReno cc = newReno();
        cc.onLossDetected(NOW_NS, 10L * SMSS);
        cc.onRecoveryComplete(NOW_NS);
        for (int roundTrip = 5; roundTrip < 12; roundTrip++)
        {
            ack(cc, (long)roundTrip * SMSS, SMSS);
        }
        assertEquals(12L * SMSS, cc.windowBytes());

        cc.onSpuriousCongestionEvent(NOW_NS);

        assertEquals(12L * SMSS, cc.windowBytes());
        assertEquals(CongestionConfig.DEFAULT_MAXIMUM_WINDOW_BYTES, cc.slowStartThresholdBytes());
    }

    @Test
    void windowNeverExceedsTheMaximum()
    {
        final long maximumBytes = 15L * SMSS + SMSS / 2;
        final NewReno cc = new NewReno(SMSS, new CongestionConfig().maximumWindowBytes(maximumBytes));

        ack(cc, 100L * SMSS, SMSS);
        assertEquals(maximumBytes, cc.windowBytes());

        // Also in congestion avoidance, entered with cwnd just below the cap.
        cc.onLossDetected(NOW_NS, 2 * maximumBytes - 2);
        cc.onRecoveryComplete(NOW_NS);
        assertEquals(maximumBytes - 1, cc.windowBytes());
        ack(cc, 100L * SMSS, SMSS);
        assertEquals(maximumBytes, cc.windowBytes());

        // A FlightSize beyond the cap cannot lift ssthresh above it.
        cc.onLossDetected(NOW_NS, 4 * maximumBytes);
        assertEquals(maximumBytes, cc.slowStartThresholdBytes());
        assertEquals(maximumBytes, cc.windowBytes());
    }

    @Test
    void resetReturnsToTheInitialState()
    {
        final NewReno cc = newReno();
        ack(cc, 10L * SMSS, SMSS);
        cc.onLossDetected(NOW_NS, 20L * SMSS);

        cc.reset();

        assertEquals(10L * SMSS, cc.windowBytes());
        assertEquals(CongestionConfig.DEFAULT_MAXIMUM_WINDOW_BYTES, cc.slowStartThresholdBytes());
        cc.onAcked(NOW_NS, SMSS, cc.windowBytes(), RTT_NS); // no longer in recovery
        assertEquals(11L * SMSS, cc.windowBytes());
        cc.onSpuriousCongestionEvent(NOW_NS); // nothing left to undo
        assertEquals(11L * SMSS, cc.windowBytes());
    }

    @Test
    void zeroAckedBytesChangeNothing()
    {
        final NewReno cc = newReno();

        cc.onAcked(NOW_NS, 0, 10L * SMSS, RTT_NS);

        assertEquals(10L * SMSS, cc.windowBytes());
    }

    @Test
    void sendingDoesNotChangeTheWindow()
    {
        final NewReno cc = newReno();

        cc.onPacketSent(NOW_NS, SMSS, 9L * SMSS);

        assertEquals(10L * SMSS, cc.windowBytes());
        assertEquals(CongestionConfig.DEFAULT_MAXIMUM_WINDOW_BYTES, cc.slowStartThresholdBytes());
    }

    @Test
    void invalidArgumentsAreRejected()
    {
        final NewReno cc = newReno();

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

        assertThrows(IllegalArgumentException.class, () -> new NewReno(0, new CongestionConfig()));
        assertThrows(IllegalArgumentException.class, () -> new NewReno(SMSS, initialBelowMinimum));
        assertThrows(IllegalArgumentException.class, () -> new NewReno(SMSS, maximumBelowInitial));
    }
}
