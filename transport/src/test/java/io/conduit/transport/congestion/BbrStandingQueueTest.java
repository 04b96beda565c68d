package io.conduit.transport.congestion;

import java.util.ArrayDeque;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BBR driving a fluid FIFO bottleneck (100 Mbit/s, 50 ms, a queue without bound) on virtual time, one millisecond
 * a step, with per-ACK rate samples that read up to 8% high, as they do when the receiver's ACKs are held up by
 * scheduling: the filter's maximum then overestimates the path, pacing at it leaves a standing queue, and the flow
 * must drain that queue itself rather than halve its window in PROBE_RTT every 5 s.
 */
class BbrStandingQueueTest
{
    private static final int SMSS = 1_400;
    private static final long BW = 12_500_000;         // bytes per second
    private static final long RTT_NS = 50_000_000L;
    private static final long STEP_NS = 1_000_000L;
    private static final double SAMPLE_NOISE = 0.08;

    private final RateSample sample = new RateSample();
    private final ArrayDeque<long[]> inFlight = new ArrayDeque<>(); // {bytes, sentNs, ackNs, deliveredThen, ackedThen}
    private final SplittableRandom random = new SplittableRandom(7);
    private long nowNs = 1_000_000_000L;
    private long linkFreeNs;
    private long delivered;
    private long deliveredStampNs = nowNs;
    private long bytesInFlight;

    private int probeRttEntries;
    private long maxDownPacingRate;
    private long estimateAfterDrain;
    private long deliveredAfterStartup = -1;
    private long startupEndNs;

    @Test
    void aLoneFlowWhoseSamplesReadHighDrainsItsQueueInsteadOfProbingRtt()
    {
        final Bbr bbr = new Bbr(SMSS, new CongestionConfig());
        run(bbr, 20_000);

        assertTrue(bbr.maxBandwidth() > BW * 1.03, "the samples overestimate the path: " + bbr);
        // STARTUP's estimate (the largest high sample) is cut to what DRAIN's busy round delivered.
        assertTrue(estimateAfterDrain <= BW * 1.04, "PROBE_BW starts from " + estimateAfterDrain + " vs " + BW);
        assertEquals(0, probeRttEntries, "PROBE_RTT entered " + probeRttEntries + " times: " + bbr);
        // At 0.9 of the probe round's delivery (the model's rounds read up to 4% high), not 0.9 of the filter's 8%.
        assertTrue(maxDownPacingRate <= BW * 0.9 * 1.04,
            "DOWN paces at what the path delivered: " + maxDownPacingRate + " vs " + BW);
        final double utilisation = (double)(delivered - deliveredAfterStartup) * 1_000_000_000L /
            ((nowNs - startupEndNs) * BW);
        assertTrue(utilisation > 0.99, "the link stayed busy: " + utilisation);
    }

    /** Paces and windows {@code steps} milliseconds of sending, feeding BBR a rate sample per ACKed chunk. */
    private void run(final Bbr bbr, final int steps)
    {
        int lastState = bbr.state();
        for (int i = 0; i < steps; i++)
        {
            nowNs += STEP_NS;
            final long window = bbr.windowBytes() - bytesInFlight;
            final long paced = bbr.pacingRateBytesPerSecond(RTT_NS) * STEP_NS / 1_000_000_000L;
            final long bytes = Math.min(paced, window);
            if (bytes > 0)
            {
                linkFreeNs = Math.max(linkFreeNs, nowNs) + bytes * 1_000_000_000L / BW;
                inFlight.add(new long[] {bytes, nowNs, linkFreeNs + RTT_NS, delivered, deliveredStampNs});
                bytesInFlight += bytes;
                bbr.onPacketSent(nowNs, (int)bytes, bytesInFlight - bytes);
            }
            while (!inFlight.isEmpty() && inFlight.peek()[2] <= nowNs)
            {
                ack(bbr, inFlight.poll());
            }
            final int state = bbr.state();
            if (state == Bbr.PROBE_RTT && lastState != Bbr.PROBE_RTT)
            {
                probeRttEntries++;
            }
            if (state == Bbr.PROBE_BW_DOWN && deliveredAfterStartup >= 0)
            {
                maxDownPacingRate = Math.max(maxDownPacingRate, bbr.pacingRateBytesPerSecond(RTT_NS));
            }
            if (deliveredAfterStartup < 0 && state != Bbr.STARTUP && state != Bbr.DRAIN)
            {
                estimateAfterDrain = bbr.maxBandwidth();
                deliveredAfterStartup = delivered;
                startupEndNs = nowNs;
            }
            lastState = state;
        }
    }

    private void ack(final Bbr bbr, final long[] chunk)
    {
        final long prior = chunk[3];
        delivered += chunk[0];
        deliveredStampNs = nowNs;
        bytesInFlight -= chunk[0];
        final long intervalNs = nowNs - chunk[4];
        // A sample's interval reads short by up to SAMPLE_NOISE of itself: its first ACK came late.
        final long noisyIntervalNs = (long)(intervalNs / (1 + SAMPLE_NOISE * random.nextDouble()));
        sample.set(delivered - prior, noisyIntervalNs, false, delivered, prior, chunk[0], 0, 0, bytesInFlight,
            bytesInFlight, nowNs - chunk[1]);
        bbr.onRateSample(nowNs, sample);
    }
}
