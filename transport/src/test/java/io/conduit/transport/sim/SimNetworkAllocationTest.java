package io.conduit.transport.sim;

import java.lang.management.ManagementFactory;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hot path allocates nothing per datagram once the slot pool has grown to the run's peak. */
class SimNetworkAllocationTest
{
    private static final int DATAGRAMS = 200_000;

    @Test
    void steadyStateSendAndDeliverAllocateNothingPerDatagram()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final SimNetwork network = new SimNetwork(11);
        network.defaultLink()
            .delayNs(20_000)
            .jitterNs(10_000)
            .lossProbability(0.01)
            .duplicateProbability(0.01)
            .reorderProbability(0.01)
            .reorderDelayNs(50_000)
            .corruptProbability(0.01)
            .bandwidthBytesPerSecond(1_000_000_000)
            .queueLimitBytes(1 << 20);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[1_200]);
        final long[] checksum = new long[1];
        final DatagramHandler handler = (from, to, buffer, offset, length) ->
        {
            checksum[0] += buffer.getByte(offset) + length;
            if (length == 1_200)
            {
                network.send(to, from, buffer, offset, 64);
            }
        };

        // Same links and traffic shape in the warm-up, so the pool, slot buffers and link map reach their peak.
        pump(network, payload, handler, DATAGRAMS);
        final long before = threads.getCurrentThreadAllocatedBytes();
        pump(network, payload, handler, DATAGRAMS);
        final long allocatedBytes = threads.getCurrentThreadAllocatedBytes() - before;

        assertEquals(0, network.inFlight());
        assertTrue(network.totals().delivered() > DATAGRAMS, "replies were delivered too");
        // One 16-byte object per datagram would be over 3 MB; allow a little for the measurement itself.
        assertTrue(allocatedBytes < 64 * 1024, "allocated " + allocatedBytes + " bytes in steady state");
    }

    private static void pump(
        final SimNetwork network, final UnsafeBuffer payload, final DatagramHandler handler, final int datagrams)
    {
        for (int i = 0; i < datagrams; i++)
        {
            payload.putInt(0, i);
            network.send(i & 3, (i >> 2) & 3, payload, 0, payload.capacity());
            network.advanceTo(network.nowNs() + 1_000);
            network.deliver(handler, Integer.MAX_VALUE);
        }
        while (network.nextDeliveryNs() != Long.MAX_VALUE)
        {
            network.advanceTo(network.nextDeliveryNs());
            network.deliver(handler, Integer.MAX_VALUE);
        }
    }
}
