package io.conduit.transport.sim;

import java.nio.ByteOrder;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimNetworkTimingTest
{
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[SimNetwork.MAX_DATAGRAM_BYTES]);

    @Test
    void timeStartsAtZeroAndOnlyMovesForward()
    {
        final SimNetwork network = new SimNetwork(1);
        assertEquals(0, network.nowNs());
        network.advanceTo(100);
        network.advanceTo(100);
        assertEquals(100, network.nowNs());
        assertThrows(IllegalArgumentException.class, () -> network.advanceTo(99));
        assertEquals(100, network.nowNs());
    }

    @Test
    void perfectLinkDeliversAtSendTimeInSendOrderAcrossLinks()
    {
        final SimNetwork network = new SimNetwork(1);
        final Deliveries deliveries = new Deliveries(network);
        assertEquals(Long.MAX_VALUE, network.nextDeliveryNs());

        network.advanceTo(5_000);
        sendId(network, 1, 2, 0, 16);
        sendId(network, 3, 4, 1, 16);
        sendId(network, 2, 1, 2, 16);
        sendId(network, 1, 2, 3, 16);
        assertEquals(5_000, network.nextDeliveryNs());

        assertEquals(4, network.deliver(deliveries, Integer.MAX_VALUE));
        for (int i = 0; i < 4; i++)
        {
            assertEquals(i, deliveries.get(i).id(), "ties in delivery time go in send order");
            assertEquals(5_000, deliveries.get(i).timeNs());
        }
        assertEquals(3, deliveries.get(1).fromNode());
        assertEquals(4, deliveries.get(1).toNode());
        assertEquals(Long.MAX_VALUE, network.nextDeliveryNs());
    }

    @Test
    void nothingIsDeliveredBeforeItIsDueAndLimitCapsACall()
    {
        final SimNetwork network = new SimNetwork(1);
        network.link(1, 2).delayNs(1_000);
        final Deliveries deliveries = new Deliveries(network);
        for (int id = 0; id < 10; id++)
        {
            sendId(network, 1, 2, id, 8);
        }

        network.advanceTo(999);
        assertEquals(0, network.deliver(deliveries, Integer.MAX_VALUE));
        assertEquals(1_000, network.nextDeliveryNs());

        network.advanceTo(5_000);
        assertEquals(3, network.deliver(deliveries, 3));
        assertEquals(7, network.inFlight());
        assertEquals(7, network.deliver(deliveries, Integer.MAX_VALUE));
        for (int id = 0; id < 10; id++)
        {
            assertEquals(id, deliveries.get(id).id());
        }
    }

    @Test
    void delayAndJitterBoundsAreRespectedAndJitterIsUniform()
    {
        final SimNetwork network = new SimNetwork(42);
        final long delayNs = 2_000_000;
        final long jitterNs = 500_000;
        network.link(1, 2).delayNs(delayNs).jitterNs(jitterNs);
        final int count = 20_000;
        final long[] sendNs = new long[count];
        final Deliveries deliveries = new Deliveries(network);

        // The first half is spaced wider than the jitter, so FIFO never holds a datagram back and the extra delay is
        // exactly the uniform draw; the second half is packed tightly, which must still respect the bounds.
        for (int id = 0; id < count; id++)
        {
            sendNs[id] = network.nowNs();
            sendId(network, 1, 2, id, 8);
            final long gapNs = id < count / 2 ? 1_000_000 : network.random().nextLong(20_000);
            deliveries.advanceTo(network.nowNs() + gapNs);
        }
        deliveries.drain();

        assertEquals(count, deliveries.size());
        long minExtraNs = Long.MAX_VALUE;
        long maxExtraNs = Long.MIN_VALUE;
        double sumExtraNs = 0;
        for (final Deliveries.Delivery delivery : deliveries.list)
        {
            final long extraNs = delivery.timeNs() - sendNs[delivery.id()] - delayNs;
            assertTrue(extraNs >= 0 && extraNs <= jitterNs, "delivery outside [delay, delay + jitter]: " + extraNs);
            if (delivery.id() < count / 2)
            {
                minExtraNs = Math.min(minExtraNs, extraNs);
                maxExtraNs = Math.max(maxExtraNs, extraNs);
                sumExtraNs += extraNs;
            }
        }
        assertTrue(minExtraNs < jitterNs / 100, "jitter reaches near 0: " + minExtraNs);
        assertTrue(maxExtraNs > jitterNs - jitterNs / 100, "jitter reaches near its maximum: " + maxExtraNs);
        assertEquals(jitterNs / 2.0, sumExtraNs / (count / 2), jitterNs * 0.02, "uniform jitter has mean jitter/2");
    }

    @Test
    void burstIsSpacedBySerializationTimeBehindTheDelay()
    {
        final SimNetwork network = new SimNetwork(1);
        final LinkConfig link = network.link(1, 2).bandwidthBytesPerSecond(1_000_000).delayNs(5_000_000);
        assertEquals(1_000_000, link.serializationNs(1_000));
        final Deliveries deliveries = new Deliveries(network);

        for (int id = 0; id < 20; id++)
        {
            sendId(network, 1, 2, id, 1_000);
        }
        deliveries.drain();

        assertEquals(20, deliveries.size());
        for (int id = 0; id < 20; id++)
        {
            assertEquals((id + 1) * 1_000_000L + 5_000_000L, deliveries.get(id).timeNs(), "datagram " + id);
        }
    }

    @Test
    void datagramsOfMixedSizesEachTakeTheirOwnSerializationTime()
    {
        final SimNetwork network = new SimNetwork(1);
        network.link(1, 2).bandwidthBytesPerSecond(1_000_000_000);
        final Deliveries deliveries = new Deliveries(network);
        final int[] lengths = { 100, 1_500, 9_000, 64, 65_535 };
        for (int id = 0; id < lengths.length; id++)
        {
            sendId(network, 1, 2, id, lengths[id]);
        }
        deliveries.drain();

        long expectedNs = 0;
        for (int id = 0; id < lengths.length; id++)
        {
            expectedNs += lengths[id];
            assertEquals(expectedNs, deliveries.get(id).timeNs(), "1 GB/s is 1 ns per byte");
            assertEquals(lengths[id], deliveries.get(id).bytes().length);
        }
    }

    @Test
    void achievedRateMatchesBandwidthWhenSerializationRoundsUp()
    {
        final SimNetwork network = new SimNetwork(1);
        final long bandwidth = 3_000_000;
        network.link(1, 2).bandwidthBytesPerSecond(bandwidth);
        final Deliveries deliveries = new Deliveries(network);
        final int count = 1_000;
        for (int id = 0; id < count; id++)
        {
            sendId(network, 1, 2, id, 1_000);
        }
        deliveries.drain();

        final long lastNs = deliveries.get(count - 1).timeNs();
        final double achievedBytesPerSecond = count * 1_000 * 1e9 / lastNs;
        assertEquals(bandwidth, achievedBytesPerSecond, bandwidth * 1e-4);
        assertTrue(achievedBytesPerSecond <= bandwidth, "rounding never exceeds the cap");
    }

    @Test
    void dropTailQueueRefusesWhatWouldExceedTheLimit()
    {
        final SimNetwork network = new SimNetwork(1);
        network.link(1, 2).bandwidthBytesPerSecond(1_000_000).queueLimitBytes(10_000);
        for (int id = 0; id < 50; id++)
        {
            sendId(network, 1, 2, id, 1_000);
        }
        final LinkStats stats = network.stats(1, 2);
        assertEquals(10, network.inFlight(), "10 x 1000 bytes fill the 10,000-byte queue exactly");
        assertEquals(40, stats.droppedQueueFull());

        // 1 ms at 1 MB/s drains 1000 bytes: room for exactly one more.
        network.advanceTo(1_000_000);
        sendId(network, 1, 2, 50, 1_000);
        sendId(network, 1, 2, 51, 1_000);
        assertEquals(11, network.inFlight());
        assertEquals(41, stats.droppedQueueFull());

        final Deliveries deliveries = new Deliveries(network);
        deliveries.drain();
        assertEquals(11, deliveries.size());
        assertEquals(50, deliveries.get(10).id());
        assertEquals(11_000_000, deliveries.get(10).timeNs(), "the late datagram queues behind the first ten");
        assertEquals(52, stats.sent());
        assertEquals(11, stats.delivered());
        SimNetworkFaultRatesTest.assertConserved(network, stats);
    }

    @Test
    void queueLimitIgnoresAnUnlimitedLink()
    {
        final SimNetwork network = new SimNetwork(1);
        network.link(1, 2).queueLimitBytes(100);
        for (int id = 0; id < 50; id++)
        {
            sendId(network, 1, 2, id, 1_000);
        }
        assertEquals(50, network.inFlight());
        assertEquals(0, network.stats(1, 2).droppedQueueFull());
    }

    @Test
    void configChangesApplyToLaterSendsOnly()
    {
        final SimNetwork network = new SimNetwork(1);
        network.defaultLink().delayNs(1_000);
        final LinkConfig link = network.link(1, 2);
        network.defaultLink().delayNs(9_999);
        assertEquals(1_000, link.delayNs(), "existing links keep their copy of the template");
        assertEquals(9_999, network.link(2, 1).delayNs(), "new links copy the current template");

        sendId(network, 1, 2, 0, 8);
        link.delayNs(3_000);
        sendId(network, 1, 2, 1, 8);
        final Deliveries deliveries = new Deliveries(network);
        deliveries.drain();
        assertEquals(1_000, deliveries.get(0).timeNs());
        assertEquals(3_000, deliveries.get(1).timeNs());
    }

    @Test
    void lengthBeyondTheUdpLimitIsRejected()
    {
        final SimNetwork network = new SimNetwork(1);
        final UnsafeBuffer big = new UnsafeBuffer(new byte[SimNetwork.MAX_DATAGRAM_BYTES + 1]);
        assertThrows(IllegalArgumentException.class, () -> network.send(1, 2, big, 0, big.capacity()));
        assertThrows(IllegalArgumentException.class, () -> network.send(1, 2, big, 0, -1));
        assertEquals(0, network.totals().sent());
    }

    private void sendId(final SimNetwork network, final int from, final int to, final int id, final int length)
    {
        payload.putInt(0, id, ByteOrder.BIG_ENDIAN);
        network.send(from, to, payload, 0, length);
    }
}
