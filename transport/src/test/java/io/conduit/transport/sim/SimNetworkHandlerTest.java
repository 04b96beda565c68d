package io.conduit.transport.sim;

import java.util.Arrays;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SimNetworkHandlerTest
{
    @Test
    void handlerMaySendRepliesReentrantly()
    {
        final SimNetwork network = new SimNetwork(9);
        network.defaultLink().delayNs(1_000);
        final UnsafeBuffer reply = new UnsafeBuffer(new byte[8]);
        final int[] received = new int[3];

        // Each datagram below 50 is answered three times with the counter plus one.
        final DatagramHandler handler = (from, to, buffer, offset, length) ->
        {
            final long counter = buffer.getLong(offset);
            received[to]++;
            if (counter < 50)
            {
                reply.putLong(0, counter + 1);
                for (int i = 0; i < 3; i++)
                {
                    network.send(to, from, reply, 0, 8);
                }
            }
            assertEquals(counter, buffer.getLong(offset), "sending from the handler must not disturb this datagram");
        };

        reply.putLong(0, 48);
        network.send(1, 2, reply, 0, 8);
        Deliveries.drain(network, handler);

        assertEquals(1 + 3 + 9, received[1] + received[2]);
        assertEquals(3, received[1]);
        assertEquals(3_000, network.nowNs());
    }

    @Test
    void poolGrowthDuringAHandlerLeavesTheDatagramBeingDeliveredIntact()
    {
        final SimNetwork network = new SimNetwork(9);
        final byte[] first = new byte[100];
        Arrays.fill(first, (byte)7);
        final UnsafeBuffer other = new UnsafeBuffer(new byte[1_000]);
        other.setMemory(0, 1_000, (byte)1);
        final int[] received = new int[1];

        network.send(1, 2, new UnsafeBuffer(first), 0, first.length);
        Deliveries.drain(network, (from, to, buffer, offset, length) ->
        {
            if (received[0]++ == 0)
            {
                // Far more than the initial pool, with bigger datagrams than the slot being delivered.
                for (int i = 0; i < 500; i++)
                {
                    network.send(2, 1, other, 0, other.capacity());
                }
                final byte[] seen = new byte[length];
                buffer.getBytes(offset, seen);
                assertArrayEquals(first, seen);
            }
        });
        assertEquals(501, received[0]);
        assertEquals(501, network.totals().delivered());
    }

    @Test
    void zeroDelayRepliesAreDeliveredInTheSameCallUpToTheLimit()
    {
        final SimNetwork network = new SimNetwork(9);
        final UnsafeBuffer datagram = new UnsafeBuffer(new byte[4]);
        final DatagramHandler echo =
            (from, to, buffer, offset, length) -> network.send(to, from, buffer, offset, length);

        network.send(1, 2, datagram, 0, 4);
        assertEquals(100, network.deliver(echo, 100), "an endless echo stops at the limit");
        assertEquals(1, network.inFlight());
        assertEquals(0, network.nowNs());
    }

    @Test
    void deliverAndAdvanceToCannotBeCalledFromAHandler()
    {
        final SimNetwork network = new SimNetwork(9);
        final UnsafeBuffer datagram = new UnsafeBuffer(new byte[4]);
        network.send(1, 2, datagram, 0, 4);
        network.send(1, 2, datagram, 0, 4);

        final DatagramHandler ignore = (from, to, buffer, offset, length) ->
        {
        };
        final DatagramHandler nestedDeliver = (from, to, buffer, offset, length) -> network.deliver(ignore, 1);
        final DatagramHandler advance = (from, to, buffer, offset, length) -> network.advanceTo(5);
        assertThrows(IllegalStateException.class, () -> network.deliver(nestedDeliver, 1));
        assertThrows(IllegalStateException.class, () -> network.deliver(advance, 1));

        // A throwing handler releases its slot and leaves the network usable.
        assertEquals(0, network.inFlight());
        network.send(1, 2, datagram, 0, 4);
        assertEquals(1, network.deliver(ignore, 10));
        assertEquals(3, network.totals().delivered());
    }

    @Test
    void senderMayReuseItsBufferAtOnce()
    {
        final SimNetwork network = new SimNetwork(9);
        final Deliveries deliveries = new Deliveries(network);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4]);
        buffer.putInt(0, 1111);
        network.send(1, 2, buffer, 0, 4);
        buffer.putInt(0, 2222);
        network.send(1, 2, buffer, 0, 4);
        buffer.putInt(0, 3333);
        deliveries.drain();
        assertEquals(1111, new UnsafeBuffer(deliveries.get(0).bytes()).getInt(0));
        assertEquals(2222, new UnsafeBuffer(deliveries.get(1).bytes()).getInt(0));
    }

    @Test
    void sendCopiesOnlyTheGivenRange()
    {
        final SimNetwork network = new SimNetwork(9);
        final Deliveries deliveries = new Deliveries(network);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[] { 9, 9, 1, 2, 3, 9 });
        network.send(1, 2, buffer, 2, 3);
        network.send(1, 2, buffer, 0, 0);
        deliveries.drain();
        assertArrayEquals(new byte[] { 1, 2, 3 }, deliveries.get(0).bytes());
        assertEquals(0, deliveries.get(1).bytes().length, "empty datagrams are legal");
    }

    @Test
    void corruptionChangesEveryDeliveredCopyButNeverTheSendersBytes()
    {
        final SimNetwork network = new SimNetwork(9);
        network.link(1, 2).corruptProbability(1.0).duplicateProbability(1.0);
        final Deliveries deliveries = new Deliveries(network);
        final byte[] original = new byte[64];
        for (int i = 0; i < original.length; i++)
        {
            original[i] = (byte)i;
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(original.clone());

        for (int i = 0; i < 1_000; i++)
        {
            network.send(1, 2, buffer, 0, original.length);
            assertArrayEquals(original, buffer.byteArray(), "the sender's buffer is never corrupted");
        }
        deliveries.drain();

        assertEquals(2_000, deliveries.size());
        assertEquals(2_000, network.stats(1, 2).corrupted());
        for (final Deliveries.Delivery delivery : deliveries.list)
        {
            assertFalse(Arrays.equals(original, delivery.bytes()), "every copy differs from what was sent");
        }
    }

    @Test
    void statsAreLiveAndCopiesAreSnapshots()
    {
        final SimNetwork network = new SimNetwork(9);
        final LinkStats live = network.stats(1, 2);
        assertSame(live, network.stats(1, 2));
        final LinkStats before = live.copy();
        network.send(1, 2, new UnsafeBuffer(new byte[10]), 0, 10);
        assertEquals(1, live.sent());
        assertEquals(10, live.sentBytes());
        assertEquals(0, before.sent());
        assertEquals(1, network.totals().sent());
    }
}
