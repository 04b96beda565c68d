package io.conduit.transport.congestion;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BBR's model and state machine on synthetic rate samples: a path of fixed bandwidth and RTT, one ACK per
 * millisecond, each delivering a millisecond's worth of bytes with a rate sample spanning one RTT.
 */
class BbrTest
{
    private static final int SMSS = 1_000;
    private static final long BW = 1_000_000;          // bytes per second
    private static final long RTT_NS = 100_000_000L;   // BDP = 100 kB
    private static final long BDP = BW * RTT_NS / 1_000_000_000L;
    private static final long STEP_NS = 1_000_000L;

    private final RateSample sample = new RateSample();
    private long nowNs = 1_000_000_000L;
    private long delivered;

    /** Feeds {@code steps} ACKs at {@code rate}; {@code lossEvery} > 0 loses one segment in that many ACKs. */
    private void run(final Bbr bbr, final int steps, final long rate, final long inflight, final int lossEvery)
    {
        run(bbr, steps, rate, inflight, lossEvery, RTT_NS);
    }

    /** As above, with every sample's RTT {@code rttNs} (above {@link #RTT_NS}: a queue at the bottleneck). */
    private void run(final Bbr bbr, final int steps, final long rate, final long inflight, final int lossEvery,
        final long rttNs)
    {
        final long perStep = rate * STEP_NS / 1_000_000_000L;
        final long perRtt = rate * RTT_NS / 1_000_000_000L;
        for (int i = 0; i < steps; i++)
        {
            nowNs += STEP_NS;
            delivered += perStep;
            final boolean loss = lossEvery > 0 && i % lossEvery == 0;
            sample.set(perRtt, RTT_NS, false, delivered, Math.max(0, delivered - perRtt), perStep,
                loss ? SMSS : 0, loss ? (long)SMSS * Math.max(1, perRtt / SMSS / lossEvery) : 0, inflight, inflight,
                rttNs);
            bbr.onRateSample(nowNs, sample);
        }
    }

    private Bbr inProbeBw()
    {
        final Bbr bbr = new Bbr(SMSS, new CongestionConfig());
        run(bbr, 1_000, BW, BDP / 2, 0);
        return bbr;
    }

    @Test
    void startsInStartupPacedAtTheStartupGainOverTheInitialWindow()
    {
        final Bbr bbr = new Bbr(SMSS, new CongestionConfig());
        assertEquals("bbr", bbr.name());
        assertTrue(bbr.inSlowStart());
        assertEquals(Bbr.STARTUP, bbr.state());
        assertEquals(10L * SMSS, bbr.windowBytes());
        // draft BBRInitPacingRate: 2.77 x IW / SRTT.
        assertEquals((long)(2.77 * 10_000 * 10), bbr.pacingRateBytesPerSecond(RTT_NS));
    }

    /**
     * A cold peer: the handshake and the first ACK took 700 ms on a 100 ms path, so the first bandwidth sample is
     * a fraction of what one initial window per round trip gives. STARTUP must not pace from that sample.
     */
    @Test
    void aSlowFirstRoundTripDoesNotPaceStartupFromItsRate()
    {
        final Bbr bbr = new Bbr(SMSS, new CongestionConfig());
        final long slowRttNs = 7 * RTT_NS;
        final long latched = bbr.pacingRateBytesPerSecond(slowRttNs);
        assertEquals((long)(2.77 * 10_000 * 1_000_000_000L / slowRttNs), latched);
        nowNs += slowRttNs;
        // Two segments delivered over the slow first round trip: ~2.9 kB/s, twenty times below the latched rate.
        bbr.onRateSample(nowNs, sample.set(2 * SMSS, slowRttNs, false, 2 * SMSS, 0, 2 * SMSS, 0, 0, 10 * SMSS,
            8 * SMSS, slowRttNs));
        assertTrue(bbr.pacingRateBytesPerSecond(slowRttNs) >= latched, bbr.toString());
        // The next sample shows the real 100 ms path: the floor is the initial window over that RTT.
        nowNs += RTT_NS;
        bbr.onRateSample(nowNs, sample.set(4 * SMSS, RTT_NS, false, 6 * SMSS, 2 * SMSS, 4 * SMSS, 0, 0, 10 * SMSS,
            6 * SMSS, RTT_NS));
        assertEquals(Bbr.STARTUP, bbr.state());
        assertTrue(bbr.pacingRateBytesPerSecond(RTT_NS) >= (long)(2.77 * 10_000 * 10), bbr.toString());
    }

    @Test
    void heavyLossInStartupWithoutAQueueIsNotOvershootAndDoesNotEndIt()
    {
        final Bbr bbr = new Bbr(SMSS, new CongestionConfig());
        run(bbr, 150, BW, BDP, 10);
        assertEquals(Bbr.STARTUP, bbr.state(), bbr.toString());
        assertEquals(Long.MAX_VALUE, bbr.inflightHi(), bbr.toString());
    }

    @Test
    void heavyLossInStartupWithAQueueEndsItAndIsNotHeldAgainstTheNextRounds()
    {
        final Bbr bbr = new Bbr(SMSS, new CongestionConfig());
        run(bbr, 50, BW, BDP, 0);
        // The queue holds half a BDP and 6+ packets a round are lost: STARTUP's overshoot, which ends STARTUP.
        run(bbr, 150, BW, BDP, 10, RTT_NS * 3 / 2);
        assertNotEquals(Bbr.STARTUP, bbr.state(), bbr.toString());
        assertTrue(bbr.inflightHi() < Long.MAX_VALUE, bbr.toString());
        // The overshoot's losses keep arriving for a round trip; they must not lower bw_lo as well.
        run(bbr, 100, BW, BDP, 10);
        assertEquals(bbr.maxBandwidth(), bbr.bandwidth(), bbr.toString());
    }

    @Test
    void leavesStartupAfterThreeRoundsWithoutGrowthThenDrainsIntoProbeBw()
    {
        final Bbr bbr = new Bbr(SMSS, new CongestionConfig());
        run(bbr, 350, BW, 2 * BDP, 0);
        assertEquals(Bbr.DRAIN, bbr.state(), bbr.toString());
        assertFalse(bbr.inSlowStart());
        // Once the flight fits one BDP, DRAIN ends and PROBE_BW_DOWN finds nothing left to drain: CRUISE.
        run(bbr, 1, BW, BDP, 0);
        assertEquals(Bbr.PROBE_BW_CRUISE, bbr.state(), bbr.toString());
        assertEquals(BW, bbr.maxBandwidth());
        assertEquals(RTT_NS, bbr.minRttNs());
        // CRUISE paces at 1.0 x bw less the 1% margin; the window targets 2 x BDP plus the ACK allowance.
        assertEquals((long)(BW * 0.99), bbr.pacingRateBytesPerSecond(RTT_NS));
        run(bbr, 200, BW, BDP / 2, 0);
        assertEquals(2 * BDP + Bbr.ACK_ALLOWANCE_SEGMENTS * SMSS, bbr.windowBytes(), bbr.toString());
    }

    /**
     * Late pacer releases mark samples application-limited, which skips STARTUP's growth check; a round whose every
     * sample saw a queue counts all the same, since the path and not the sender held its delivery.
     */
    @Test
    void startupEndsAtTheFullRateWhenApplicationLimitedSamplesSawAQueue()
    {
        assertEquals(Bbr.DRAIN, stateAfterApplicationLimitedRounds(RTT_NS * 3 / 2));
        assertEquals(Bbr.STARTUP, stateAfterApplicationLimitedRounds(RTT_NS), "without a queue the rounds do not count");
    }

    private int stateAfterApplicationLimitedRounds(final long rttNs)
    {
        final Bbr bbr = new Bbr(SMSS, new CongestionConfig());
        run(bbr, 50, BW, BDP, 0);
        for (int i = 0; i < 600; i++)
        {
            nowNs += STEP_NS;
            delivered += BW / 1_000;
            sample.set(BDP, RTT_NS, true, delivered, delivered - BDP, BW / 1_000, 0, 0, 2 * BDP, 2 * BDP, rttNs);
            bbr.onRateSample(nowNs, sample);
        }
        return bbr.state();
    }

    @Test
    void onePercentRandomLossLeavesTheModelAlone()
    {
        final Bbr bbr = inProbeBw();
        run(bbr, 1_000, BW, BDP, 100);
        assertEquals(BW, bbr.bandwidth(), bbr.toString());
        assertTrue(bbr.pacingRateBytesPerSecond(RTT_NS) >= BW * 0.89, bbr.toString());
    }

    @Test
    void heavyLossOutsideAProbeLowersTheShortTermBandwidthBound()
    {
        // BBRv3 BBRLossLowerBounds: delivery fell to 60% with 10% loss, so bw_lo follows it down (at most by beta).
        final Bbr bbr = inProbeBw();
        run(bbr, 300, BW * 6 / 10, BDP, 10);
        assertTrue(bbr.bandwidth() < BW * 0.8, bbr.toString());
        assertTrue(bbr.bandwidth() >= BW * 6 / 10 * 0.7, bbr.toString());
    }

    @Test
    void theV1FlavourKeepsItsModelUnderHeavyLoss()
    {
        // Same 10% loss as above: BBRv1 has no bw_lo, so the model keeps the full bandwidth.
        final Bbr bbr = new Bbr(SMSS, new CongestionConfig(), false);
        run(bbr, 1_000, BW, BDP / 2, 0);
        run(bbr, 300, BW * 6 / 10, BDP, 10);
        assertEquals(BW, bbr.bandwidth(), bbr.toString());
    }

    /**
     * BBRv1 has no lossy STARTUP exit, so a round that did not grow while every sample saw a queue a quarter of the
     * minimum deep ends STARTUP at once; BBRv3 waits for its three flat rounds or its loss exit.
     */
    @Test
    void theV1FlavourEndsStartupOnOneFlatRoundOverAQueue()
    {
        final Bbr v1 = new Bbr(SMSS, new CongestionConfig(), false);
        growToTheFullRate(v1);
        // Rounds without growth, every sample at 1.3 x the minimum: the first full one ends v1's STARTUP.
        int steps = 0;
        while (v1.state() == Bbr.STARTUP && steps < 1_000)
        {
            run(v1, 1, BW, 2 * BDP, 0, RTT_NS * 13 / 10);
            steps++;
        }
        assertEquals(Bbr.DRAIN, v1.state(), v1.toString());
        assertTrue(steps <= 2 * RTT_NS / STEP_NS + 1, "STARTUP went on for " + steps + " ms over the queue");
        final Bbr v3 = new Bbr(SMSS, new CongestionConfig());
        growToTheFullRate(v3);
        run(v3, steps, BW, 2 * BDP, 0, RTT_NS * 13 / 10);
        assertEquals(Bbr.STARTUP, v3.state(), v3.toString());
    }

    /** Three STARTUP rounds, each delivering twice the one before, the last at the path's rate. */
    private void growToTheFullRate(final Bbr bbr)
    {
        run(bbr, 100, BW / 4, BDP / 4, 0);
        run(bbr, 100, BW / 2, BDP / 2, 0);
        run(bbr, 100, BW, BDP, 0);
        assertEquals(Bbr.STARTUP, bbr.state(), bbr.toString());
    }

    @Test
    void theV1FlavourEndsStartupAfterThreeFlatRoundsWithoutAQueue()
    {
        final Bbr v1 = new Bbr(SMSS, new CongestionConfig(), false);
        run(v1, 260, BW, BDP, 0, RTT_NS * 11 / 10);
        assertEquals(Bbr.STARTUP, v1.state(), "a tenth queued is no proof the pipe is full: " + v1);
        run(v1, 200, BW, 2 * BDP, 0, RTT_NS * 11 / 10);
        assertEquals(Bbr.DRAIN, v1.state(), v1.toString());
    }

    /**
     * BBRv1's DOWN comes every eight rounds; it stops once a sample shows under an eighth of the minimum queued
     * instead of draining to empty, except when the minimum is half its 10 s interval old and needs renewing.
     */
    @Test
    void theV1FlavourLeavesDownAtASmallQueueUnlessTheMinimumNeedsRenewing()
    {
        final Bbr v1 = new Bbr(SMSS, new CongestionConfig(), false);
        run(v1, 1_000, BW, BDP / 2, 0);
        // A tenth of the minimum queued: not empty, not draining, the flight at twice the BDP.
        final long smallQueueRttNs = RTT_NS + RTT_NS / 10;
        final int[] fresh = stepsInDown(v1, 3_000, smallQueueRttNs);
        assertTrue(fresh[0] >= 3, "entered DOWN " + fresh[0] + " times");
        assertEquals(fresh[0], fresh[1], "each DOWN ends on its first sample: " + fresh[1] + " steps in DOWN");
        // 5 s on, the minimum (never renewed at a tenth above it) is old: DOWN tries to drain, for rounds.
        stepsInDown(v1, 2_100, smallQueueRttNs);
        final int[] ageing = stepsInDown(v1, 3_000, smallQueueRttNs);
        assertTrue(ageing[0] >= 1 && ageing[1] >= ageing[0] * RTT_NS / STEP_NS,
            "DOWN entered " + ageing[0] + " times, " + ageing[1] + " steps in it");
    }

    /** Entries into PROBE_BW_DOWN and steps spent in it over {@code steps} samples of {@code rttNs}. */
    private int[] stepsInDown(final Bbr bbr, final int steps, final long rttNs)
    {
        final int[] counts = new int[2];
        int lastState = bbr.state();
        for (int i = 0; i < steps; i++)
        {
            run(bbr, 1, BW, 2 * BDP, 0, rttNs);
            if (bbr.state() == Bbr.PROBE_BW_DOWN)
            {
                counts[1]++;
                if (lastState != Bbr.PROBE_BW_DOWN)
                {
                    counts[0]++;
                }
            }
            assertNotEquals(Bbr.PROBE_RTT, bbr.state(), bbr.toString());
            lastState = bbr.state();
        }
        return counts;
    }

    @Test
    void theV1FlavourProbesEveryEightRoundsWhereV3WaitsSeconds()
    {
        final Bbr v1 = new Bbr(SMSS, new CongestionConfig(), false);
        final Bbr v3 = new Bbr(SMSS, new CongestionConfig());
        run(v1, 1_000, BW, BDP / 2, 0);
        run(v3, 1_000, BW, BDP / 2, 0);
        // The next ten 100 ms rounds: BBRv1's cadence probes in them, BBRv3's (2-3 s, or 63 rounds) does not.
        assertTrue(probesWithin(v1, 1_000), v1.toString());
        assertFalse(probesWithin(v3, 1_000), v3.toString());
    }

    private boolean probesWithin(final Bbr bbr, final int steps)
    {
        for (int i = 0; i < steps; i++)
        {
            run(bbr, 1, BW, BDP / 2, 0);
            if (bbr.state() == Bbr.PROBE_BW_REFILL || bbr.state() == Bbr.PROBE_BW_UP)
            {
                return true;
            }
        }
        return false;
    }

    @Test
    void downGivesUpWhenAnotherFlowKeepsTheQueueFull()
    {
        // A flight of twice the BDP whose RTT never falls: PROBE_BW_DOWN gives up after MAX_DOWN_ROUNDS full rounds.
        final Bbr bbr = inProbeBw();
        run(bbr, 2_100, BW, 2 * BDP, 0);
        boolean sawDown = false;
        int roundsInDown = 0;
        for (int i = 0; i < 3_000 && (!sawDown || bbr.state() == Bbr.PROBE_BW_DOWN); i++)
        {
            run(bbr, 1, BW, 2 * BDP, 0);
            if (bbr.state() == Bbr.PROBE_BW_DOWN)
            {
                sawDown = true;
                roundsInDown++;
            }
        }
        assertTrue(sawDown, bbr.toString());
        assertTrue(roundsInDown <= (Bbr.MAX_DOWN_ROUNDS + 1) * RTT_NS / STEP_NS + 1, "steps in DOWN: " + roundsInDown);
        assertEquals(Bbr.PROBE_BW_CRUISE, bbr.state(), bbr.toString());
    }

    /**
     * A queue that stands through a whole probe cycle is another flow's, one that ignores loss (a lone BBRv3 flow
     * drains in DOWN and cruises below the pipe): BBRv3 then competes as BBRv1 does, dropping inflight_hi and bw_lo,
     * and 10% loss lowers neither. The same losses over an empty queue keep v3's response.
     */
    @Test
    void aProbeCycleThatNeverFindsTheQueueEmptyMakesV3CompeteAsV1()
    {
        final Bbr standing = withInflightHiFromALossyStartup();
        final long hiAfterStartup = standing.inflightHi();
        run(standing, 3_500, BW, BDP, 10, 2 * RTT_NS);
        assertTrue(standing.competing(), standing.toString());
        assertEquals(Long.MAX_VALUE, standing.inflightHi(), standing.toString());
        assertEquals(standing.maxBandwidth(), standing.bandwidth(), "no bw_lo: " + standing);
        assertTrue(standing.windowBytes() > hiAfterStartup, "the window outgrew the old bound: " + standing);

        final Bbr alone = withInflightHiFromALossyStartup();
        run(alone, 3_500, BW, BDP, 10);
        assertFalse(alone.competing(), alone.toString());
        assertTrue(alone.inflightHi() < Long.MAX_VALUE, alone.toString());
    }

    /** STARTUP over a half-BDP queue losing a tenth of each round: its lossy exit sets inflight_hi. */
    private Bbr withInflightHiFromALossyStartup()
    {
        final Bbr bbr = new Bbr(SMSS, new CongestionConfig());
        run(bbr, 50, BW, BDP, 0);
        run(bbr, 150, BW, BDP, 10, RTT_NS * 3 / 2);
        assertTrue(bbr.inflightHi() < Long.MAX_VALUE, bbr.toString());
        assertFalse(bbr.competing(), bbr.toString());
        return bbr;
    }

    /**
     * A competing flow yields once three probe cycles in a row found the queue empty; the other flow's PROBE_RTT
     * empties it for a fraction of one cycle, which is not enough.
     */
    @Test
    void aCompetingFlowYieldsOnlyAfterThreeCyclesInARowFindTheQueueEmpty()
    {
        final Bbr bbr = withInflightHiFromALossyStartup();
        run(bbr, 3_500, BW, BDP, 10, 2 * RTT_NS);
        assertTrue(bbr.competing(), bbr.toString());
        run(bbr, 300, BW / 2, BDP / 2, 0);
        run(bbr, 2_000, BW, BDP, 10, 2 * RTT_NS);
        assertTrue(bbr.competing(), "one emptied cycle: " + bbr);
        run(bbr, 4_000, BW, BDP, 0);
        assertFalse(bbr.competing(), "after 4 s of an empty queue: " + bbr);
        // v3's response is back: a lossy probe sets inflight_hi again.
        run(bbr, 3_500, BW, BDP, 10);
        assertTrue(bbr.inflightHi() < Long.MAX_VALUE, bbr.toString());
    }

    @Test
    void probesBandwidthWithinThreeSecondsAndFindsMore()
    {
        final Bbr bbr = inProbeBw();
        run(bbr, 3_100, 2 * BW, BDP, 0);
        assertTrue(bbr.maxBandwidth() >= 2 * BW * 0.99, bbr.toString());
    }

    @Test
    void probeRttHalvesTheWindowWhenTheMinimumIsFiveSecondsOld()
    {
        final Bbr bbr = inProbeBw();
        // The path's RTT rises, so the minimum is never refreshed: PROBE_RTT within 5 s.
        boolean sawProbeRtt = false;
        for (int i = 0; i < 6_000 && !sawProbeRtt; i++)
        {
            nowNs += STEP_NS;
            delivered += BW / 1_000;
            sample.set(BDP, RTT_NS, false, delivered, delivered - BDP, BW / 1_000, 0, 0, BDP, BDP / 4, 2 * RTT_NS);
            bbr.onRateSample(nowNs, sample);
            sawProbeRtt = bbr.state() == Bbr.PROBE_RTT;
        }
        assertTrue(sawProbeRtt, bbr.toString());
        assertTrue(bbr.windowBytes() <= BDP / 2, bbr.toString());
    }

    @Test
    void theV1FlavourProbesTheMinimumRttWhenItsTenSecondFilterExpires()
    {
        final long v3Ms = msUntilProbeRtt(inProbeBw());
        final Bbr v1 = new Bbr(SMSS, new CongestionConfig(), false);
        run(v1, 1_000, BW, BDP / 2, 0);
        final long v1Ms = msUntilProbeRtt(v1);
        // The minimum was last seen just before: each enters PROBE_RTT within a millisecond of its interval.
        assertTrue(v3Ms <= Bbr.PROBE_RTT_INTERVAL_NS / STEP_NS + 1, "BBRv3 after " + v3Ms + " ms");
        assertTrue(v1Ms > Bbr.PROBE_RTT_INTERVAL_NS / STEP_NS + 1_000, "BBRv1 after " + v1Ms + " ms");
        assertTrue(v1Ms <= Bbr.V1_PROBE_RTT_INTERVAL_NS / STEP_NS + 1, "BBRv1 after " + v1Ms + " ms");
    }

    /** Feeds samples over a queue that never drains (twice the RTT) until PROBE_RTT; the milliseconds that took. */
    private long msUntilProbeRtt(final Bbr bbr)
    {
        for (long ms = 1; ms <= 12_000; ms++)
        {
            nowNs += STEP_NS;
            delivered += BW / 1_000;
            sample.set(BDP, RTT_NS, false, delivered, delivered - BDP, BW / 1_000, 0, 0, BDP, BDP / 4, 2 * RTT_NS);
            bbr.onRateSample(nowNs, sample);
            if (bbr.state() == Bbr.PROBE_RTT)
            {
                return ms;
            }
        }
        return Long.MAX_VALUE;
    }

    @Test
    void heavyLossDuringProbeRttLeavesTheShortTermBoundAlone()
    {
        final Bbr bbr = inProbeBw();
        // A standing queue keeps the minimum from being renewed: PROBE_RTT within 5 s.
        while (bbr.state() != Bbr.PROBE_RTT)
        {
            nowNs += STEP_NS;
            delivered += BW / 1_000;
            sample.set(BDP, RTT_NS, false, delivered, delivered - BDP, BW / 1_000, 0, 0, BDP, BDP / 4, 2 * RTT_NS);
            bbr.onRateSample(nowNs, sample);
        }
        // In PROBE_RTT the half-BDP window halves the delivery, and 10% of it is lost (the probe's overshoot).
        int steps = 0;
        while (bbr.state() == Bbr.PROBE_RTT)
        {
            run(bbr, 1, BW / 2, BDP / 2, 1);
            assertTrue(++steps < 1_000, bbr.toString());
        }
        assertTrue(steps >= Bbr.PROBE_RTT_DURATION_NS / STEP_NS, "PROBE_RTT lasted " + steps + " ms");
        run(bbr, 1, BW, BDP, 0);
        assertEquals(bbr.maxBandwidth(), bbr.bandwidth(), "no bw_lo from PROBE_RTT's rounds: " + bbr);
    }

    /** Samples a hair above the minimum show an empty queue as well as PROBE_RTT would; a few percent do not. */
    @Test
    void samplesWithinTheRenewalMarginSpareTheFlowProbeRtt()
    {
        assertFalse(probeRttWithin(12_000, RTT_NS + RTT_NS / 100), "1% above the minimum for 12 s");
        assertTrue(probeRttWithin(6_000, RTT_NS + RTT_NS / 33), "3% above the minimum: PROBE_RTT within 5 s");
    }

    /**
     * RTT samples scatter: one early low sample leaves the rest a few percent above the minimum, beyond BBRv3's 1/64
     * renewal margin. BBRv1, whose DOWN stops at a small queue, renews the minimum's age within 1/16 of it; a queue
     * a tenth of the minimum deep does not renew it.
     */
    @Test
    void theV1FlavourRenewsTheMinimumWithinASixteenth()
    {
        final Bbr nearMinimum = new Bbr(SMSS, new CongestionConfig(), false);
        run(nearMinimum, 1_000, BW, BDP / 2, 0);
        assertFalse(probeRttWithin(nearMinimum, 12_000, RTT_NS + RTT_NS / 30), "3% above the minimum for 12 s");
        final Bbr queued = new Bbr(SMSS, new CongestionConfig(), false);
        run(queued, 1_000, BW, BDP / 2, 0);
        assertTrue(probeRttWithin(queued, 12_000, RTT_NS + RTT_NS / 10), "10% above: PROBE_RTT within 10 s");
    }

    private boolean probeRttWithin(final int steps, final long rttNs)
    {
        return probeRttWithin(inProbeBw(), steps, rttNs);
    }

    private boolean probeRttWithin(final Bbr bbr, final int steps, final long rttNs)
    {
        for (int i = 0; i < steps; i++)
        {
            nowNs += STEP_NS;
            delivered += BW / 1_000;
            sample.set(BDP, RTT_NS, false, delivered, delivered - BDP, BW / 1_000, 0, 0, BDP, BDP / 4, rttNs);
            bbr.onRateSample(nowNs, sample);
            if (bbr.state() == Bbr.PROBE_RTT)
            {
                return true;
            }
        }
        assertEquals(RTT_NS, bbr.minRttNs(), "the minimum itself is kept");
        return false;
    }

    @Test
    void timeoutRestartsFromOnePacketAndAnUndoRestoresTheWindow()
    {
        final Bbr bbr = inProbeBw();
        final long before = bbr.windowBytes();
        bbr.onRetransmissionTimeout(nowNs, BDP);
        assertEquals(SMSS, bbr.windowBytes());
        bbr.onSpuriousCongestionEvent(nowNs);
        assertEquals(before, bbr.windowBytes());
    }

    @Test
    void resetReturnsToStartup()
    {
        final Bbr bbr = inProbeBw();
        bbr.reset();
        assertEquals(Bbr.STARTUP, bbr.state());
        assertEquals(0, bbr.maxBandwidth());
        assertEquals(10L * SMSS, bbr.windowBytes());
    }
}
