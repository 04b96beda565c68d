package io.conduit.transport.sim;

import java.util.zip.CRC32;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.IntArrayList;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The simulation loop from {@code docs/simulator.md}, driving two toy pure engines (a stop-and-wait sender and its
 * receiver) over a network with every fault on, for many seeds. It shows the loop is sound: engines only see time
 * through their calls, and the run ends with every message delivered once and in order.
 */
class StopAndWaitSimulationTest
{
    private static final int SENDER = 1;
    private static final int RECEIVER = 2;
    private static final int MESSAGES = 200;
    private static final long RETRANSMIT_TIMEOUT_NS = 5_000_000;
    private static final long TIME_LIMIT_NS = 60_000_000_000L;

    @Test
    void everyMessageArrivesOnceAndInOrderDespiteFaults()
    {
        SeededRuns.run("StopAndWaitSimulationTest", 1, 30, seed ->
        {
            final SimNetwork network = new SimNetwork(seed);
            network.defaultLink()
                .delayNs(1_000_000)
                .jitterNs(network.random().nextLong(500_000))
                .lossProbability(0.2)
                .duplicateProbability(0.1)
                .reorderProbability(0.1)
                .reorderDelayNs(3_000_000)
                .corruptProbability(0.05);

            final Sender sender = new Sender(MESSAGES);
            final Receiver receiver = new Receiver();
            final Engine[] engines = { null, sender, receiver };
            final UnsafeBuffer transmitBuffer = new UnsafeBuffer(new byte[64]);
            final DatagramHandler handler = (from, to, buffer, offset, length) ->
                engines[to].onDatagram(network.nowNs(), buffer, offset, length);

            while (!sender.done())
            {
                final long t = Math.min(
                    Math.min(sender.deadlineNs(), receiver.deadlineNs()), network.nextDeliveryNs());
                if (t > TIME_LIMIT_NS)
                {
                    fail("no progress by " + t + " ns: " + network.totals());
                }
                network.advanceTo(t);
                network.deliver(handler, Integer.MAX_VALUE);
                sender.onTimer(t);
                receiver.onTimer(t);
                flush(network, sender, SENDER, RECEIVER, transmitBuffer);
                flush(network, receiver, RECEIVER, SENDER, transmitBuffer);
            }

            assertEquals(MESSAGES, receiver.delivered.size());
            for (int i = 0; i < MESSAGES; i++)
            {
                assertEquals(i, receiver.delivered.getInt(i));
            }
            assertTrue(network.totals().dropped() > 0, "the run exercised loss");
        });
    }

    private static void flush(
        final SimNetwork network, final Engine engine, final int from, final int to, final UnsafeBuffer buffer)
    {
        int length;
        while ((length = engine.pollTransmit(buffer)) >= 0)
        {
            network.send(from, to, buffer, 0, length);
        }
    }

    /** The shape of a pure engine: time and datagrams in, datagrams out, no clock or socket of its own. */
    interface Engine
    {
        long deadlineNs();

        void onTimer(long nowNs);

        void onDatagram(long nowNs, DirectBuffer buffer, int offset, int length);

        /** Writes the next datagram to send and returns its length, or -1 when there is nothing to send. */
        int pollTransmit(MutableDirectBuffer buffer);
    }

    /**
     * Frames are a sequence number followed by a CRC32 of it, which catches every 1-3 bit corruption. One per engine,
     * so engines share no mutable state.
     */
    static final class Frame
    {
        static final int LENGTH = 8;
        private final CRC32 crc32 = new CRC32();
        private final byte[] scratch = new byte[4];

        int write(final MutableDirectBuffer buffer, final int sequence)
        {
            buffer.putInt(0, sequence);
            buffer.putInt(4, crc(buffer, 0));
            return LENGTH;
        }

        /** The sequence number, or -1 when the frame is malformed or corrupted. */
        int read(final DirectBuffer buffer, final int offset, final int length)
        {
            if (length != LENGTH || buffer.getInt(offset + 4) != crc(buffer, offset))
            {
                return -1;
            }
            return buffer.getInt(offset);
        }

        private int crc(final DirectBuffer buffer, final int offset)
        {
            buffer.getBytes(offset, scratch);
            crc32.reset();
            crc32.update(scratch);
            return (int)crc32.getValue();
        }
    }

    static final class Sender implements Engine
    {
        private final Frame frame = new Frame();
        private final int messageCount;
        private int sequence;
        private boolean transmitPending = true;
        /** Starts at 0 so the first loop iteration sends message 0. */
        private long retransmitDeadlineNs = 0;

        Sender(final int messageCount)
        {
            this.messageCount = messageCount;
        }

        boolean done()
        {
            return sequence == messageCount;
        }

        public long deadlineNs()
        {
            return retransmitDeadlineNs;
        }

        public void onTimer(final long nowNs)
        {
            if (nowNs >= retransmitDeadlineNs)
            {
                transmitPending = true;
            }
            if (transmitPending && !done())
            {
                retransmitDeadlineNs = nowNs + RETRANSMIT_TIMEOUT_NS;
            }
        }

        public void onDatagram(final long nowNs, final DirectBuffer buffer, final int offset, final int length)
        {
            if (frame.read(buffer, offset, length) == sequence)
            {
                sequence++;
                transmitPending = !done();
                retransmitDeadlineNs = done() ? Long.MAX_VALUE : nowNs;
            }
        }

        public int pollTransmit(final MutableDirectBuffer buffer)
        {
            if (!transmitPending || done())
            {
                return -1;
            }
            transmitPending = false;
            return frame.write(buffer, sequence);
        }
    }

    static final class Receiver implements Engine
    {
        final IntArrayList delivered = new IntArrayList();
        private final Frame frame = new Frame();
        private final IntArrayList acksToSend = new IntArrayList();
        private int expected;

        public long deadlineNs()
        {
            return Long.MAX_VALUE;
        }

        public void onTimer(final long nowNs)
        {
        }

        public void onDatagram(final long nowNs, final DirectBuffer buffer, final int offset, final int length)
        {
            final int sequence = frame.read(buffer, offset, length);
            if (sequence < 0 || sequence > expected)
            {
                return;
            }
            if (sequence == expected)
            {
                delivered.addInt(sequence);
                expected++;
            }
            // Duplicates are acknowledged again, since the first acknowledgement may have been lost.
            acksToSend.addInt(sequence);
        }

        public int pollTransmit(final MutableDirectBuffer buffer)
        {
            if (acksToSend.isEmpty())
            {
                return -1;
            }
            return frame.write(buffer, acksToSend.removeAt(acksToSend.size() - 1));
        }
    }
}
