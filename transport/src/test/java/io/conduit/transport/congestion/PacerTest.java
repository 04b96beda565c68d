package io.conduit.transport.congestion;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PacerTest
{
    private static final int PACKET = 1_000;
    private static final long T0 = 5_000_000_000L;

    /** Sends whenever the pacer allows, jumping virtual time to each release; returns packets sent by endNs. */
    private static int sendGreedily(final Pacer pacer, final long startNs, final long endNs, final long rate)
    {
        long nowNs = startNs;
        int sent = 0;
        while (nowNs - endNs < 0)
        {
            if (pacer.mayRelease(nowNs))
            {
                pacer.onSent(nowNs, PACKET, rate);
                sent++;
            }
            else
            {
                nowNs = pacer.releaseTimeNs();
            }
        }
        return sent;
    }

    @Test
    void unpacedReleasesEverythingAtOnce()
    {
        final Pacer pacer = new Pacer(PACKET);
        for (int i = 0; i < 100; i++)
        {
            assertTrue(pacer.mayRelease(T0));
            pacer.onSent(T0, PACKET, 0);
        }
    }

    @Test
    void burstThenOnePacketPerIntervalAtTheRate()
    {
        // 1 MB/s and 1000-byte packets: one packet per millisecond once the burst is spent.
        final long rate = 1_000_000;
        final Pacer pacer = new Pacer(PACKET);
        int burst = 0;
        while (pacer.mayRelease(T0))
        {
            pacer.onSent(T0, PACKET, rate);
            burst++;
        }
        // Minimum burst of two segments of credit, plus the packet that found the bucket exactly empty.
        assertEquals(Pacer.MIN_BURST_SEGMENTS + 1, burst);
        assertEquals(T0 + 1_000_000, pacer.releaseTimeNs());
        assertFalse(pacer.mayRelease(pacer.releaseTimeNs() - 1));
        assertTrue(pacer.mayRelease(pacer.releaseTimeNs()));
    }

    @Test
    void averageRateOverOneSecondMatchesTheConfiguredRate()
    {
        final long rate = 12_500_000; // 100 Mbit/s
        final Pacer pacer = new Pacer(PACKET);
        final int sent = sendGreedily(pacer, T0, T0 + 1_000_000_000L, rate);
        // The burst's credit (12.5 packets: the 13th leaves on the half packet left) plus one packet per 80 us; the
        // packet due exactly at the end falls outside [T0, end).
        assertEquals(rate / PACKET + (pacer.burstBytes(rate) + PACKET - 1) / PACKET, sent);
    }

    @Test
    void idleTimeBanksAtMostOneBurst()
    {
        // One second idle, then a burst of ~1 ms at the rate (12.5 packets, so 12 + the one finding the bucket at 0).
        assertEquals(12 + 1, burstAfterOneSecondIdle(new Pacer(PACKET), 12_500_000),
            "one millisecond at the rate: 12.5 kB");
    }

    /** Sends greedily for 10 ms, stays idle for a second, then counts the packets that may leave at once. */
    private static int burstAfterOneSecondIdle(final Pacer pacer, final long rate)
    {
        sendGreedily(pacer, T0, T0 + 10_000_000L, rate);
        return burstAt(pacer, T0 + 1_010_000_000L, rate);
    }

    /** Sends every packet the pacer allows at {@code nowNs}; returns how many. */
    private static int burstAt(final Pacer pacer, final long nowNs, final long rate)
    {
        int burst = 0;
        while (pacer.mayRelease(nowNs))
        {
            pacer.onSent(nowNs, PACKET, rate);
            burst++;
        }
        return burst;
    }

    @Test
    void aFastFlowsBurstIsCappedAtSixtyFourKilobytes()
    {
        final long rate = 1_000_000_000; // 1 GB/s: a millisecond would be 1,000 packets
        final Pacer pacer = new Pacer(PACKET);
        assertEquals(Pacer.MAX_BURST_SEGMENTS + 1, burstAfterOneSecondIdle(pacer, rate));
        assertEquals(Pacer.MAX_BURST_SEGMENTS * (long)PACKET, pacer.burstBytes(rate));
        assertEquals(Pacer.MAX_BURST_SEGMENTS * (long)PACKET * 1_000_000_000L / rate, pacer.creditNs(rate));
    }

    @Test
    void burstIsAboutOneMillisecondBetweenTheBounds()
    {
        final Pacer pacer = new Pacer(PACKET);
        assertEquals(2L * PACKET, pacer.burstBytes(100_000));
        assertEquals(5_000, pacer.burstBytes(5_000_000));
        assertEquals((long)Pacer.MAX_BURST_SEGMENTS * PACKET, pacer.burstBytes(1_000_000_000));
    }

    /** Spends the burst at T0 with data waiting, then counts what may leave at once {@code lateNs} after release. */
    private static int burstWhenLate(final Pacer pacer, final long rate, final long lateNs, final boolean waited)
    {
        burstAt(pacer, T0, rate);
        if (waited)
        {
            pacer.onDataWaiting();
        }
        return burstAt(pacer, pacer.releaseTimeNs() + lateNs, rate);
    }

    @Test
    void aLateWaitedForReleaseMakesUpItsLateness()
    {
        // 100 Mbit/s, 1000-byte packets: one per 80 us. Three milliseconds late: 37.5 packets made up, so 38 leave.
        assertEquals(38, burstWhenLate(new Pacer(PACKET), 12_500_000, 3_000_000, true));
        // The same lateness without data waiting is idle time: one 1 ms burst (12.5 packets, so 13).
        assertEquals(13, burstWhenLate(new Pacer(PACKET), 12_500_000, 3_000_000, false));
    }

    @Test
    void madeUpTimeNeverLeavesAsMoreThanTheLargestBurst()
    {
        // 20 ms late: only MAX_BURST_SEGMENTS (3.52 ms at this rate) is made up, plus the packet finding it at 0.
        final Pacer pacer = new Pacer(PACKET);
        assertEquals(Pacer.MAX_BURST_SEGMENTS + 1, burstWhenLate(pacer, 12_500_000, 20_000_000, true));
        assertEquals(Pacer.MAX_BURST_SEGMENTS * (long)PACKET * 1_000_000_000L / 12_500_000,
            pacer.makeUpLimitNs(12_500_000));
        // At a slow rate the burst's own credit plus MAX_CATCH_UP_NS is the bound: 1 MB/s, 2 ms credit, 6 ms.
        assertEquals(2_000_000 + Pacer.MAX_CATCH_UP_NS, new Pacer(PACKET).makeUpLimitNs(1_000_000));
    }

    @Test
    void nothingSentWhenAllowedForgetsTheWait()
    {
        final Pacer pacer = new Pacer(PACKET);
        burstAt(pacer, T0, 12_500_000);
        pacer.onDataWaiting();
        // The window, not the pacer, held the data: when it opens 3 ms later only the usual burst leaves.
        pacer.onNothingSent();
        assertEquals(13, burstAt(pacer, pacer.releaseTimeNs() + 3_000_000, 12_500_000));
    }

    @Test
    void aSenderThatAlwaysWakesLateStillSendsAtItsRate()
    {
        // The thread only gets the core every 1.7 ms (over a 1 ms burst): with the lateness made up it still sends at
        // the pacing rate; forgetting it, as for idle time, loses 0.7 ms in every 1.7.
        final long rate = 12_500_000;
        final long wakeNs = 1_700_000;
        final long seconds = 1_000_000_000L;
        assertEquals(rate / PACKET, sentWakingEvery(new Pacer(PACKET), rate, wakeNs, seconds, true), 30);
        final long lossy = sentWakingEvery(new Pacer(PACKET), rate, wakeNs, seconds, false);
        assertTrue(lossy < rate / PACKET * 0.7, "forgetting lateness sends " + lossy);
    }

    private static long sentWakingEvery(final Pacer pacer, final long rate, final long wakeNs, final long durationNs,
        final boolean waitedFor)
    {
        long sent = 0;
        for (long nowNs = T0; nowNs - (T0 + durationNs) < 0; nowNs += wakeNs)
        {
            sent += burstAt(pacer, nowNs, rate);
            if (waitedFor)
            {
                pacer.onDataWaiting();
            }
        }
        return sent;
    }

    @Test
    void rateChangeTakesEffectOnTheNextPacket()
    {
        final Pacer pacer = new Pacer(PACKET);
        while (pacer.mayRelease(T0))
        {
            pacer.onSent(T0, PACKET, 1_000_000);
        }
        final long releaseNs = pacer.releaseTimeNs();
        pacer.onSent(releaseNs, PACKET, 2_000_000);
        assertEquals(releaseNs + 500_000, pacer.releaseTimeNs());
    }

    @Test
    void resetForgetsTheDebt()
    {
        final Pacer pacer = new Pacer(PACKET);
        while (pacer.mayRelease(T0))
        {
            pacer.onSent(T0, PACKET, 1_000);
        }
        pacer.reset();
        assertTrue(pacer.mayRelease(T0));
    }

    @Test
    void rejectsNonPositiveSizes()
    {
        assertThrows(IllegalArgumentException.class, () -> new Pacer(0));
        assertThrows(IllegalArgumentException.class, () -> new Pacer(PACKET).onSent(T0, 0, 1));
    }

    @Test
    void windowBasedRateFollowsLinuxRatios()
    {
        // cwnd 100 kB over 100 ms = 1 MB/s; 200% in slow start (cwnd < ssthresh/2), 120% otherwise.
        assertEquals(2_000_000, PacingRates.windowBased(100_000, 1_000_000, 100_000_000));
        assertEquals(1_200_000, PacingRates.windowBased(100_000, 150_000, 100_000_000));
        assertEquals(0, PacingRates.windowBased(100_000, 150_000, 0));
        final NewReno reno = new NewReno(1_000, new CongestionConfig());
        assertEquals(2 * 10_000 * 10, reno.pacingRateBytesPerSecond(100_000_000));
        final Cubic unpaced = new Cubic(1_000, new CongestionConfig().pacing(false));
        assertEquals(0, unpaced.pacingRateBytesPerSecond(100_000_000));
    }
}
