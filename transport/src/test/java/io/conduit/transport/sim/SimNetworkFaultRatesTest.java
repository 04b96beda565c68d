package io.conduit.transport.sim;

import java.nio.ByteOrder;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Observed fault rates over 100k datagrams on one seed. The tolerance is about five standard deviations of a
 * binomial proportion at these probabilities, so a correct simulator passes for any seed, not just this one.
 */
class SimNetworkFaultRatesTest
{
    private static final long SEED = 0x5EED;
    private static final int COUNT = 100_000;
    private static final int LENGTH = 32;
    private static final long SPACING_NS = 10_000;
    private static final double TOLERANCE = 0.005;

    @Test
    void lossRateMatchesProbability()
    {
        final SimNetwork network = new SimNetwork(SEED);
        network.link(1, 2).lossProbability(0.2);
        final Deliveries deliveries = sendAndDeliver(network);

        final LinkStats stats = network.stats(1, 2);
        assertEquals(COUNT, stats.sent());
        assertEquals(COUNT - stats.dropped(), deliveries.size());
        assertEquals(stats.delivered(), deliveries.size());
        assertEquals(0.2, stats.dropped() / (double)COUNT, TOLERANCE);
        assertConserved(network, stats);
    }

    @Test
    void duplicateRateMatchesProbabilityAndCopiesAreIdentical()
    {
        final SimNetwork network = new SimNetwork(SEED);
        network.link(1, 2).duplicateProbability(0.1);
        final Deliveries deliveries = sendAndDeliver(network);

        final int[] copiesById = new int[COUNT];
        for (final Deliveries.Delivery delivery : deliveries.list)
        {
            copiesById[delivery.id()]++;
            assertArrayEquals(expectedPayload(delivery.id()), delivery.bytes());
        }
        int twice = 0;
        for (final int copies : copiesById)
        {
            assertTrue(copies == 1 || copies == 2, "each datagram arrives once or twice: " + copies);
            twice += copies == 2 ? 1 : 0;
        }

        final LinkStats stats = network.stats(1, 2);
        assertEquals(stats.duplicated(), twice);
        assertEquals(COUNT + twice, stats.delivered());
        assertEquals(0.1, twice / (double)COUNT, TOLERANCE);
        assertConserved(network, stats);
    }

    @Test
    void corruptionRateMatchesProbabilityAndFlipsOneToThreeBits()
    {
        final SimNetwork network = new SimNetwork(SEED);
        network.link(1, 2).corruptProbability(0.1);
        final Deliveries deliveries = sendAndDeliver(network);

        // The link is FIFO with no loss, so delivery i carries datagram i even when its id bytes were corrupted.
        int corrupted = 0;
        final int[] bitsFlippedHistogram = new int[4];
        for (int i = 0; i < deliveries.size(); i++)
        {
            final int bitsFlipped = bitDistance(expectedPayload(i), deliveries.get(i).bytes());
            assertTrue(bitsFlipped <= 3, "at most 3 bits flip: " + bitsFlipped);
            bitsFlippedHistogram[bitsFlipped]++;
            corrupted += bitsFlipped > 0 ? 1 : 0;
        }

        final LinkStats stats = network.stats(1, 2);
        assertEquals(COUNT, deliveries.size());
        assertEquals(stats.corrupted(), corrupted);
        assertEquals(0.1, corrupted / (double)COUNT, TOLERANCE);
        for (int bits = 1; bits <= 3; bits++)
        {
            assertTrue(bitsFlippedHistogram[bits] > corrupted / 5, "every flip count from 1 to 3 occurs");
        }
        assertConserved(network, stats);
    }

    @Test
    void reorderRateMatchesProbabilityAndLaterDatagramsOvertake()
    {
        final SimNetwork network = new SimNetwork(SEED);
        network.link(1, 2).delayNs(1_000_000).reorderProbability(0.1).reorderDelayNs(1_000_000);
        final Deliveries deliveries = sendAndDeliver(network);

        final LinkStats stats = network.stats(1, 2);
        assertEquals(COUNT, deliveries.size());
        assertEquals(0.1, stats.reordered() / (double)COUNT, TOLERANCE);

        // With no jitter only the picked datagrams can arrive after a later one. An extra delay shorter than the
        // send spacing does not get overtaken, which happens for about 1% of the picked ones.
        final int overtaken = countOvertaken(deliveries);
        assertTrue(overtaken <= stats.reordered(), overtaken + " overtaken vs " + stats.reordered() + " picked");
        assertTrue(overtaken >= stats.reordered() * 0.97, overtaken + " overtaken vs " + stats.reordered() + " picked");
        assertConserved(network, stats);
    }

    @Test
    void jitterAloneKeepsTheLinkInOrder()
    {
        final SimNetwork network = new SimNetwork(SEED);
        network.link(1, 2).delayNs(100_000).jitterNs(5_000_000);
        final Deliveries deliveries = sendAndDeliver(network);

        assertEquals(COUNT, deliveries.size());
        assertEquals(0, countOvertaken(deliveries));
        assertEquals(0, network.stats(1, 2).reordered());
    }

    @Test
    void everyFaultAtOnceStillConservesDatagrams()
    {
        final SimNetwork network = new SimNetwork(SEED);
        network.link(1, 2)
            .lossProbability(0.1)
            .duplicateProbability(0.1)
            .reorderProbability(0.1)
            .reorderDelayNs(500_000)
            .corruptProbability(0.1)
            .jitterNs(50_000)
            .bandwidthBytesPerSecond(2_000_000)
            .queueLimitBytes(200);
        final Deliveries deliveries = sendAndDeliver(network);

        final LinkStats stats = network.stats(1, 2);
        assertTrue(stats.droppedQueueFull() > 0, "a 2 MB/s link with 3.2 MB/s offered must overflow");
        assertEquals(stats.delivered(), deliveries.size());
        assertEquals(0, network.inFlight());
        assertConserved(network, stats);
    }

    private static Deliveries sendAndDeliver(final SimNetwork network)
    {
        final Deliveries deliveries = new Deliveries(network);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[LENGTH]);
        for (int id = 0; id < COUNT; id++)
        {
            payload.putBytes(0, expectedPayload(id));
            network.send(1, 2, payload, 0, LENGTH);
            deliveries.advanceTo(network.nowNs() + SPACING_NS);
        }
        deliveries.drain();
        return deliveries;
    }

    private static byte[] expectedPayload(final int id)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[LENGTH]);
        buffer.putInt(0, id, ByteOrder.BIG_ENDIAN);
        for (int i = 4; i < LENGTH; i++)
        {
            buffer.putByte(i, (byte)(id * 31 + i));
        }
        return buffer.byteArray();
    }

    private static int bitDistance(final byte[] expected, final byte[] actual)
    {
        int distance = 0;
        for (int i = 0; i < expected.length; i++)
        {
            distance += Integer.bitCount((expected[i] ^ actual[i]) & 0xFF);
        }
        return distance;
    }

    private static int countOvertaken(final Deliveries deliveries)
    {
        int overtaken = 0;
        int highestIdSoFar = -1;
        for (final Deliveries.Delivery delivery : deliveries.list)
        {
            if (delivery.id() < highestIdSoFar)
            {
                overtaken++;
            }
            highestIdSoFar = Math.max(highestIdSoFar, delivery.id());
        }
        return overtaken;
    }

    static void assertConserved(final SimNetwork network, final LinkStats stats)
    {
        assertEquals(
            stats.sent() + stats.duplicated(),
            stats.delivered() + stats.dropped() + stats.droppedPartition() + stats.droppedQueueFull() +
                network.inFlight(),
            "every copy is delivered, dropped once, or still in flight: " + stats);
    }
}
