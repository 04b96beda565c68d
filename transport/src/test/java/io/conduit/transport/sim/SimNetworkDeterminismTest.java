package io.conduit.transport.sim;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimNetworkDeterminismTest
{
    private static final int NODES = 4;
    private static final int ROUNDS = 5_000;

    @Test
    void sameSeedGivesIdenticalDeliveries()
    {
        SeededRuns.run("SimNetworkDeterminismTest", 1, 5, seed ->
        {
            final Trace first = runScenario(seed, false);
            final Trace second = runScenario(seed, false);
            assertEquals(first.deliveries, second.deliveries);
            assertEquals(first.hash, second.hash);
            assertTrue(first.deliveries > ROUNDS / 2, "scenario should deliver most datagrams: " + first.deliveries);
        });
    }

    @Test
    void differentSeedsGiveDifferentDeliveries()
    {
        assertNotEquals(runScenario(1, false).hash, runScenario(2, false).hash);
    }

    @Test
    void workloadDrawsFromTheRootRandomDoNotShiftNetworkFaults()
    {
        assertEquals(runScenario(7, false).hash, runScenario(7, true).hash);
    }

    private record Trace(long hash, int deliveries)
    {
    }

    /**
     * Every fault enabled, re-entrant replies, a mid-run partition and heal; the payloads and pacing are fixed so
     * that only the network's own draws can vary. Hashes (time, from, to, bytes) of every delivery in order.
     */
    private static Trace runScenario(final long seed, final boolean extraWorkloadDraws)
    {
        final SimNetwork network = new SimNetwork(seed);
        network.defaultLink()
            .delayNs(50_000)
            .jitterNs(20_000)
            .lossProbability(0.05)
            .duplicateProbability(0.05)
            .reorderProbability(0.1)
            .reorderDelayNs(100_000)
            .corruptProbability(0.02)
            .bandwidthBytesPerSecond(100_000_000)
            .queueLimitBytes(16_000);

        final UnsafeBuffer payload = new UnsafeBuffer(new byte[512]);
        final UnsafeBuffer reply = new UnsafeBuffer(new byte[8]);
        final long[] hash = { 0xcbf29ce484222325L };
        final int[] deliveries = { 0 };
        final DatagramHandler handler = (from, to, buffer, offset, length) ->
        {
            hash[0] = mix(hash[0], network.nowNs());
            hash[0] = mix(hash[0], from);
            hash[0] = mix(hash[0], to);
            hash[0] = mix(hash[0], bytesHash(buffer, offset, length));
            deliveries[0]++;
            if (length > 8)
            {
                reply.putLong(0, network.nowNs());
                network.send(to, from, reply, 0, reply.capacity());
            }
        };

        for (int round = 0; round < ROUNDS; round++)
        {
            if (extraWorkloadDraws)
            {
                network.random().nextLong();
                network.random().split().nextInt(10);
            }
            final int from = round % NODES;
            final int to = (round * 7 + 1) % NODES;
            final int length = 9 + (round * 31) % 500;
            for (int i = 0; i < length; i++)
            {
                payload.putByte(i, (byte)(round + i));
            }
            payload.putInt(0, round, ByteOrder.BIG_ENDIAN);
            network.send(from, to, payload, 0, length);

            if (round == ROUNDS / 3)
            {
                network.partition(0, 1);
            }
            if (round == ROUNDS / 2)
            {
                network.healAll();
            }
            network.advanceTo(network.nowNs() + 10_000);
            network.deliver(handler, Integer.MAX_VALUE);
        }
        Deliveries.drain(network, handler);
        return new Trace(hash[0], deliveries[0]);
    }

    private static long bytesHash(final DirectBuffer buffer, final int offset, final int length)
    {
        long hash = length;
        for (int i = 0; i < length; i++)
        {
            hash = mix(hash, buffer.getByte(offset + i));
        }
        return hash;
    }

    private static long mix(final long hash, final long value)
    {
        // FNV-1a step over a whole long, then a murmur finalizer so nearby values spread.
        long h = (hash ^ value) * 0x100000001b3L;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return h;
    }
}
