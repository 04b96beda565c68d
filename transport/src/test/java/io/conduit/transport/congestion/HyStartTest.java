package io.conduit.transport.congestion;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HyStartTest
{
    private static final int SEGMENT = 1_000;
    private static final long RTT_NS = 40_000_000L;

    /** One round: send {@code segments}, then acknowledge them one by one with the given RTT; returns the phase. */
    private static int round(final HyStart hyStart, final int segments, final long rttNs)
    {
        for (int i = 0; i < segments; i++)
        {
            hyStart.onPacketSent(0, SEGMENT);
        }
        int phase = hyStart.phase();
        for (int i = 0; i < segments; i++)
        {
            phase = hyStart.onAck(0, SEGMENT, rttNs, 0, SEGMENT);
        }
        return phase;
    }

    @Test
    void steadyRttStaysInSlowStart()
    {
        final HyStart hyStart = new HyStart();
        for (int r = 0; r < 10; r++)
        {
            assertEquals(HyStart.SLOW_START, round(hyStart, 16, RTT_NS));
        }
    }

    @Test
    void riseAboveTheThresholdEntersConservativeSlowStart()
    {
        // RFC 9406 §4.2: threshold = clamp(40 ms / 8, 4 ms, 16 ms) = 5 ms; a 4 ms rise is below it, 5 ms is not.
        final HyStart hyStart = new HyStart();
        round(hyStart, 16, RTT_NS);
        assertEquals(HyStart.SLOW_START, round(hyStart, 16, RTT_NS + 4_000_000L));
        final HyStart rising = new HyStart();
        round(rising, 16, RTT_NS);
        assertEquals(HyStart.CONSERVATIVE, round(rising, 16, RTT_NS + 5_000_000L));
    }

    @Test
    void needsEightSamplesPerRoundBeforeJudging()
    {
        // RFC 9406 §4.2 N_RTT_SAMPLE: a round of seven ACKs never triggers, however large the rise.
        final HyStart hyStart = new HyStart();
        round(hyStart, 7, RTT_NS);
        assertEquals(HyStart.SLOW_START, round(hyStart, 7, 2 * RTT_NS));
    }

    @Test
    void rttFallingBelowTheBaselineReturnsToSlowStart()
    {
        // RFC 9406 §4.3: CSS was entered on a spurious rise.
        final HyStart hyStart = new HyStart();
        round(hyStart, 16, RTT_NS);
        assertEquals(HyStart.CONSERVATIVE, round(hyStart, 16, RTT_NS + 10_000_000L));
        assertEquals(HyStart.SLOW_START, round(hyStart, 16, RTT_NS));
    }

    @Test
    void fiveConservativeRoundsEndSlowStart()
    {
        // RFC 9406 §4.3 CSS_ROUNDS = 5: then ssthresh = cwnd.
        final HyStart hyStart = new HyStart();
        round(hyStart, 16, RTT_NS);
        assertEquals(HyStart.CONSERVATIVE, round(hyStart, 16, RTT_NS + 10_000_000L));
        int phase = HyStart.CONSERVATIVE;
        int rounds = 0;
        while (phase == HyStart.CONSERVATIVE && rounds < 10)
        {
            phase = round(hyStart, 16, RTT_NS + 10_000_000L);
            rounds++;
        }
        assertEquals(HyStart.EXIT, phase);
        assertEquals(HyStart.CSS_ROUNDS, rounds);
    }

    @Test
    void slowStartGrowsByTheAckedBytesUpToTwoSegmentsOrOneAfterATimeout()
    {
        // RFC 3465 §2.2/§2.3: cwnd += min(N, L), L = 2*SMSS, or 1*SMSS in the slow start after a timeout.
        final HyStart hyStart = new HyStart();
        assertEquals(1_500, hyStart.slowStartGrowthBytes(0, 1_500, RTT_NS, 0, SEGMENT, false, 100_000));
        assertEquals(2_000, hyStart.slowStartGrowthBytes(0, 5_000, RTT_NS, 0, SEGMENT, false, 100_000));
        assertEquals(1_000, hyStart.slowStartGrowthBytes(0, 5_000, RTT_NS, 0, SEGMENT, true, 100_000));
    }

    @Test
    void slowStartStopsAtSsthreshAndLeavesTheRestOfTheCreditUnused()
    {
        final HyStart hyStart = new HyStart();
        assertEquals(300, hyStart.slowStartGrowthBytes(0, 5_000, RTT_NS, 0, SEGMENT, false, 300));
        assertEquals(1_700, hyStart.unusedCreditBytes(), "min(N, L) less the growth");
    }

    @Test
    void conservativeSlowStartGrowsByAQuarter()
    {
        // RFC 9406 §4.3 CSS_GROWTH_DIVISOR: a quarter of the credit; what the room cut off is unused credit, x4.
        final HyStart hyStart = new HyStart();
        round(hyStart, 16, RTT_NS);
        assertEquals(HyStart.CONSERVATIVE, round(hyStart, 16, RTT_NS + 10_000_000L));
        hyStart.onPacketSent(0, 2 * SEGMENT);
        assertEquals(500, hyStart.slowStartGrowthBytes(0, 2_000, RTT_NS + 10_000_000L, 0, SEGMENT, false, 100_000));
        assertEquals(100, hyStart.slowStartGrowthBytes(0, 2_000, RTT_NS + 10_000_000L, 0, SEGMENT, false, 100));
        assertEquals(2_000 - 4 * 100, hyStart.unusedCreditBytes());
    }

    @Test
    void exitLeavesEveryAckedByteUnused()
    {
        final HyStart hyStart = new HyStart();
        round(hyStart, 16, RTT_NS);
        round(hyStart, 16, RTT_NS + 10_000_000L);
        for (int r = 0; r < HyStart.CSS_ROUNDS - 1; r++)
        {
            round(hyStart, 16, RTT_NS + 10_000_000L);
        }
        hyStart.onPacketSent(0, 16 * SEGMENT);
        long growth = 0;
        for (int i = 0; i < 16 && growth != HyStart.EXIT_GROWTH; i++)
        {
            growth = hyStart.slowStartGrowthBytes(0, SEGMENT, RTT_NS + 10_000_000L, 0, SEGMENT, false, 100_000);
        }
        assertEquals(HyStart.EXIT_GROWTH, growth);
        assertEquals(SEGMENT, hyStart.unusedCreditBytes(), "the whole ACK goes to congestion avoidance");
    }

    @Test
    void disabledNeverLeavesSlowStart()
    {
        final HyStart hyStart = new HyStart(false, true);
        round(hyStart, 16, RTT_NS);
        assertEquals(HyStart.SLOW_START, round(hyStart, 16, 3 * RTT_NS), "classic slow start ignores the RTT");
        for (int r = 0; r < 10; r++)
        {
            assertEquals(HyStart.SLOW_START, round(hyStart, 16, 3 * RTT_NS));
        }
        assertEquals(2_000, hyStart.slowStartGrowthBytes(0, 5_000, 3 * RTT_NS, 0, SEGMENT, false, 100_000));
    }

    @Test
    void newRenoLeavesSlowStartBeforeAnyLossWhenTheRttRises()
    {
        final NewReno reno = new NewReno(SEGMENT, new CongestionConfig());
        final long exitedAt = growWithRisingRtt(reno);
        assertFalse(reno.inSlowStart());
        assertEquals(exitedAt, reno.slowStartThresholdBytes(), "ssthresh = cwnd at the exit");
        final NewReno classic = new NewReno(SEGMENT, new CongestionConfig().hyStart(false));
        growWithRisingRtt(classic);
        assertTrue(classic.inSlowStart(), "without HyStart++ only a loss ends slow start");
        assertTrue(classic.windowBytes() > reno.windowBytes());
    }

    @Test
    void cubicLeavesSlowStartBeforeAnyLossWhenTheRttRises()
    {
        final Cubic cubic = new Cubic(SEGMENT, new CongestionConfig());
        growWithRisingRtt(cubic);
        assertFalse(cubic.inSlowStart());
    }

    /** Full-window rounds whose RTT rises by 10 ms per round once the window passes 40 segments (a queue builds). */
    private static long growWithRisingRtt(final CongestionControl cc)
    {
        long nowNs = 1_000_000_000L;
        long exitedAt = -1;
        for (int r = 0; r < 12; r++)
        {
            final int segments = (int)(cc.windowBytes() / SEGMENT);
            final long rttNs = RTT_NS + Math.max(0, segments - 40) * 1_000_000L;
            for (int i = 0; i < segments; i++)
            {
                cc.onPacketSent(nowNs, SEGMENT, (long)i * SEGMENT);
            }
            nowNs += rttNs;
            for (int i = 0; i < segments; i++)
            {
                final boolean wasInSlowStart = cc.inSlowStart();
                cc.onAcked(nowNs, SEGMENT, (long)(segments - i - 1) * SEGMENT, rttNs);
                if (wasInSlowStart && !cc.inSlowStart() && exitedAt < 0)
                {
                    exitedAt = cc.slowStartThresholdBytes();
                }
            }
        }
        return exitedAt;
    }

    /**
     * A round of {@code acks} acknowledgements starting at {@code startNs}, {@code spacingNs} apart except for one
     * gap of {@code gapNs} after ack {@code gapAfter}; returns the index of the ACK that ended slow start, or -1.
     */
    private static int trainRound(final HyStart hyStart, final long startNs, final int acks, final long spacingNs,
        final int gapAfter, final long gapNs, final long windowBytes)
    {
        for (int i = 0; i < acks; i++)
        {
            hyStart.onPacketSent(startNs - RTT_NS, SEGMENT);
        }
        long nowNs = startNs;
        for (int i = 0; i < acks; i++)
        {
            if (hyStart.onAck(nowNs, SEGMENT, RTT_NS, windowBytes, SEGMENT) == HyStart.EXIT)
            {
                return i;
            }
            nowNs += i == gapAfter ? gapNs : spacingNs;
        }
        return -1;
    }

    /**
     * A first round at {@link #RTT_NS} whose ACKs are too far apart to form a train (11 ms, over a quarter of the
     * minimum RTT): the minimum RTT is known.
     */
    private static HyStart afterOneSparseRound(final boolean paced)
    {
        final HyStart hyStart = new HyStart(true, paced);
        assertEquals(-1, trainRound(hyStart, 0, 16, 11_000_000L, -1, 0, 16 * SEGMENT));
        return hyStart;
    }

    @Test
    void pacedAckTrainLongerThanTheMinimumRttEndsSlowStart()
    {
        // ACKs 1 ms apart: the 41st arrives 40 ms after the round's first, no longer than the 40 ms minimum RTT yet;
        // the 42nd, at 41 ms, shows the bottleneck busy for more than a round trip.
        final HyStart hyStart = afterOneSparseRound(true);
        assertEquals(41, trainRound(hyStart, 1_000_000_000L, 60, 1_000_000L, -1, 0, 32 * SEGMENT));
        assertEquals(HyStart.EXIT, hyStart.phase());
        assertEquals(HyStart.EXIT_GROWTH,
            hyStart.slowStartGrowthBytes(1_100_000_000L, SEGMENT, RTT_NS, 0, SEGMENT, false, 100_000));
    }

    @Test
    void unpacedAckTrainNeedsOnlyHalfTheMinimumRtt()
    {
        // Linux halves the span for a sender whose window leaves in one burst.
        final HyStart hyStart = afterOneSparseRound(false);
        assertEquals(21, trainRound(hyStart, 1_000_000_000L, 60, 1_000_000L, -1, 0, 32 * SEGMENT));
    }

    @Test
    void aGapOfMoreThanAQuarterOfTheMinimumRttBreaksTheTrainForTheRound()
    {
        // Minimum RTT 40 ms: the train tolerates gaps up to 10 ms.
        final HyStart hyStart = afterOneSparseRound(true);
        assertEquals(-1, trainRound(hyStart, 1_000_000_000L, 60, 1_000_000L, 20, 10_000_001L, 32 * SEGMENT));
        assertEquals(HyStart.SLOW_START, hyStart.phase());
        // Exactly a quarter still continues it (Linux compares with <=); the gap counts towards the span.
        final HyStart edge = afterOneSparseRound(true);
        assertEquals(32, trainRound(edge, 1_000_000_000L, 60, 1_000_000L, 20, 10_000_000L, 32 * SEGMENT));
    }

    @Test
    void aClumpedTrainStillEndsSlowStart()
    {
        // A sending thread that runs in bursts sees ACKs in clumps: four at once, then 8 ms of nothing. The bottleneck
        // was busy all along, and the train says so once it spans the minimum RTT.
        final HyStart hyStart = afterOneSparseRound(true);
        long nowNs = 1_000_000_000L;
        int exitedAt = -1;
        for (int i = 0; i < 40 && exitedAt < 0; i++)
        {
            hyStart.onPacketSent(nowNs - RTT_NS, SEGMENT);
        }
        for (int i = 0; i < 40 && exitedAt < 0; i++)
        {
            if (hyStart.onAck(nowNs, SEGMENT, RTT_NS, 32 * SEGMENT, SEGMENT) == HyStart.EXIT)
            {
                exitedAt = i;
            }
            nowNs += i % 4 == 3 ? 8_000_000L : 0;
        }
        assertEquals(24, exitedAt, "the first clump after 40 ms: 6 clumps of 4, 48 ms after the round's first ACK");
    }

    @Test
    void aRoundPacedOutSlowlyIsNoTrainHoweverLongItLasts()
    {
        // 3 ms apart, within a quarter of the 40 ms minimum RTT each, but the bottleneck did not space them: a train
        // averages 2 ms or less.
        final HyStart hyStart = afterOneSparseRound(true);
        assertEquals(-1, trainRound(hyStart, 1_000_000_000L, 60, 3_000_000L, -1, 0, 32 * SEGMENT));
        assertEquals(HyStart.SLOW_START, hyStart.phase());
    }

    @Test
    void dataThatLeftSpreadOutMustComeBackAQuarterMoreSpreadOutToBeATrain()
    {
        // 60 segments sent 0.9 ms apart (53.1 ms) and acknowledged 1 ms apart: longer than the 40 ms minimum RTT, but
        // the sender spread them, not a bottleneck (59 ms is not over 53.1 + 13.3 ms).
        final HyStart spread = afterOneSparseRound(true);
        assertEquals(-1, stretchedRound(spread, 1_000_000_000L, 60, 900_000L, 1_000_000L));
        // The same data acknowledged 1.5 ms apart: stretched past 66.4 ms by the 45th ACK (66 ms), the 46th (67.5 ms).
        final HyStart stretched = afterOneSparseRound(true);
        assertEquals(45, stretchedRound(stretched, 1_000_000_000L, 60, 900_000L, 1_500_000L));
    }

    /** Sends {@code segments} {@code sendSpacingNs} apart during the round before, then acknowledges them. */
    private static int stretchedRound(final HyStart hyStart, final long startNs, final int segments,
        final long sendSpacingNs, final long ackSpacingNs)
    {
        for (int i = 0; i < segments; i++)
        {
            hyStart.onPacketSent(startNs - RTT_NS - (segments - i) * sendSpacingNs, SEGMENT);
        }
        long nowNs = startNs;
        for (int i = 0; i < segments; i++)
        {
            if (hyStart.onAck(nowNs, SEGMENT, RTT_NS, 32 * SEGMENT, SEGMENT) == HyStart.EXIT)
            {
                return i;
            }
            nowNs += ackSpacingNs;
        }
        return -1;
    }

    @Test
    void onAShortPathTheGapIsStillLinuxsTwoMilliseconds()
    {
        // Minimum RTT 4 ms: a quarter would be 1 ms, so 2 ms applies, and 2 ms + 1 ns breaks the train.
        final HyStart hyStart = new HyStart(true, false);
        long nowNs = 0;
        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < 20; i++)
            {
                hyStart.onPacketSent(nowNs, SEGMENT);
            }
            for (int i = 0; i < 20; i++)
            {
                assertEquals(HyStart.SLOW_START, hyStart.onAck(nowNs, SEGMENT, 4_000_000L, 32 * SEGMENT, SEGMENT),
                    "round " + round + " ack " + i);
                nowNs += 2_000_001L;
            }
        }
        for (int i = 0; i < 20; i++)
        {
            hyStart.onPacketSent(nowNs, SEGMENT);
        }
        int exitedAt = -1;
        for (int i = 0; i < 20 && exitedAt < 0; i++)
        {
            if (hyStart.onAck(nowNs, SEGMENT, 4_000_000L, 32 * SEGMENT, SEGMENT) == HyStart.EXIT)
            {
                exitedAt = i;
            }
            nowNs += 2_000_000L;
        }
        assertEquals(2, exitedAt, "unpaced: 2 ms apart, the third ACK is 4 ms after the first, over half of 4 ms");
    }

    @Test
    void aNewRoundStartsANewTrain()
    {
        // The gap broke round two's train; round three's back-to-back ACKs end slow start on their own.
        final HyStart hyStart = afterOneSparseRound(true);
        assertEquals(-1, trainRound(hyStart, 1_000_000_000L, 30, 1_000_000L, 10, 15_000_000L, 32 * SEGMENT));
        assertEquals(41, trainRound(hyStart, 2_000_000_000L, 60, 1_000_000L, -1, 0, 32 * SEGMENT));
    }

    @Test
    void windowsBelowSixteenSegmentsAreNotJudgedByTheTrain()
    {
        final HyStart hyStart = afterOneSparseRound(true);
        assertEquals(-1, trainRound(hyStart, 1_000_000_000L, 60, 1_000_000L, -1, 0, 15 * SEGMENT));
    }

    @Test
    void disabledHyStartIgnoresAckTrains()
    {
        final HyStart hyStart = new HyStart(false, true);
        assertEquals(-1, trainRound(hyStart, 0, 16, 11_000_000L, -1, 0, 32 * SEGMENT));
        assertEquals(-1, trainRound(hyStart, 1_000_000_000L, 100, 1_000_000L, -1, 0, 32 * SEGMENT));
    }

    @Test
    void theTrainIsTimedByDifferencesSoAClockThatWrapsDoesNotMatter()
    {
        // System.nanoTime may sit anywhere in the long range; this train crosses Long.MAX_VALUE.
        final HyStart hyStart = new HyStart(true, true);
        final long startNs = Long.MAX_VALUE - 500_000_000L;
        assertEquals(-1, trainRound(hyStart, startNs, 16, 11_000_000L, -1, 0, 16 * SEGMENT));
        assertEquals(41, trainRound(hyStart, Long.MAX_VALUE - 20_000_000L, 60, 1_000_000L, -1, 0, 32 * SEGMENT));
    }

    @Test
    void noTrainBeforeTheFirstRoundAfterAReset()
    {
        // After a loss or timeout, ACKs for data sent before it arrive before the next round begins: however late the
        // clock, they form no train.
        final HyStart hyStart = afterOneSparseRound(true);
        hyStart.onPacketSent(0, 100 * SEGMENT);
        hyStart.reset();
        long nowNs = Long.MAX_VALUE - 1_000L;
        for (int i = 0; i < 60; i++)
        {
            assertEquals(HyStart.SLOW_START, hyStart.onAck(nowNs, SEGMENT, RTT_NS, 32 * SEGMENT, SEGMENT));
            nowNs += 1_000_000L;
        }
    }
}
