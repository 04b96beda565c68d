package io.conduit.transport.engine;

import org.junit.jupiter.api.Test;

import io.conduit.transport.congestion.RateSample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** draft-cheng-iccrg-delivery-rate-estimation on a hand-driven pipe: one packet per millisecond, 10 ms RTT. */
class DeliveryRateSamplerTest
{
    private static final int PACKET = 1_000;
    private static final long MS = 1_000_000L;
    private static final long RTT_NS = 10 * MS;

    private final DeliveryRateSampler sampler = new DeliveryRateSampler(64);

    /** Packet {@code seq} sent at seq ms, acknowledged one RTT later; returns the sample of its ACK. */
    private RateSample sendAndAckSteadily(final int packets, final long minRttNs)
    {
        RateSample sample = null;
        long inFlight = 0;
        for (int t = 0; t < packets + 10; t++)
        {
            final long nowNs = t * MS;
            final int acked = t - 10;
            if (acked >= 0)
            {
                sampler.beginAck();
                sampler.onDelivered(acked & 63, PACKET, acked * MS, nowNs);
                inFlight -= PACKET;
                sample = sampler.finish(minRttNs, 0, inFlight, RTT_NS);
            }
            if (t < packets)
            {
                sampler.onSent(t, nowNs, inFlight, inFlight + PACKET);
                inFlight += PACKET;
            }
        }
        return sample;
    }

    @Test
    void steadyPipeMeasuresItsRate()
    {
        final RateSample sample = sendAndAckSteadily(50, RTT_NS);
        // A packet per millisecond of 1000 bytes: 1 MB/s, over an interval of one RTT.
        assertEquals(1_000_000, sample.rateBytesPerSecond(), sample.toString());
        assertEquals(RTT_NS, sample.intervalNs());
        assertEquals(50L * PACKET, sample.totalDeliveredBytes());
        assertFalse(sample.appLimited());
    }

    @Test
    void intervalShorterThanTheMinimumRttGivesNoRate()
    {
        // With a 20 ms minimum RTT, a 10 ms interval can only come from ACK compression: no sample.
        final RateSample sample = sendAndAckSteadily(50, 2 * RTT_NS);
        assertEquals(0, sample.rateBytesPerSecond());
        assertEquals(PACKET, sample.newlyAckedBytes());
    }

    @Test
    void packetsSentWhileApplicationLimitedAreMarked()
    {
        sampler.onAppLimited(0);
        sampler.onSent(0, 0, 0, PACKET);
        sampler.beginAck();
        sampler.onDelivered(0, PACKET, 0, RTT_NS);
        final RateSample sample = sampler.finish(RTT_NS, 0, 0, RTT_NS);
        assertTrue(sample.appLimited());
    }

    @Test
    void lossSinceTheSampledPacketLeftIsReportedAgainstItsFlight()
    {
        // BBRv3: lost bytes between the packet's send and its ACK, with the flight it was sent into.
        sampler.onSent(0, 0, 0, PACKET);
        sampler.onSent(1, MS, PACKET, 2L * PACKET);
        sampler.onLost(PACKET);
        sampler.beginAck();
        sampler.onDelivered(1, PACKET, MS, RTT_NS + MS);
        final RateSample sample = sampler.finish(RTT_NS, PACKET, 0, RTT_NS);
        assertEquals(PACKET, sample.lostBytes());
        assertEquals(2L * PACKET, sample.txInFlightBytes());
        assertEquals(PACKET, sample.newlyLostBytes());
    }
}
