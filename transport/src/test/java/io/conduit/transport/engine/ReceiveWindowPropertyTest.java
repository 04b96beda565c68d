package io.conduit.transport.engine;

import java.util.Arrays;
import java.util.HashSet;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.conduit.transport.codec.PacketType;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link ReceiveWindow} tracks its out-of-order segments incrementally so the ACK path does not scan the window.
 * These seeded runs compare {@code hasOutOfOrder} and {@code sackBlocks} after every step with the original full
 * scans, run over a plain set of received sequence numbers, for random arrival orders, duplicates, segments beyond
 * the window, a FIN (with junk beyond it), deliveries in between and sequence numbers that wrap.
 */
class ReceiveWindowPropertyTest
{
    private static final int RUNS = 2_000;
    private static final int STEPS = 300;

    @Test
    void outOfOrderTrackingAgreesWithAFullScan()
    {
        for (int run = 0; run < RUNS; run++)
        {
            final long seed = 0x5EED_0000L + run;
            try
            {
                runOnce(seed);
            }
            catch (final AssertionError ex)
            {
                fail("SEED=" + seed + ": " + ex.getMessage(), ex);
            }
        }
    }

    private static void runOnce(final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final int capacity = 1 << random.nextInt(1, 6);
        // Start anywhere, often just below the wrap of the 32-bit sequence space.
        final int first = random.nextBoolean() ? Integer.MAX_VALUE - random.nextInt(64) : random.nextInt();
        final ReceiveWindow window = new ReceiveWindow(capacity, 8, 1024);
        window.reset(first);
        final int finSeq = random.nextBoolean() ? first + random.nextInt(2, 4 * STEPS) : first - 1;
        final Model model = new Model(capacity, first, finSeq);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
        final int[] starts = new int[4];
        final int[] ends = new int[4];
        final int[] expectedStarts = new int[4];
        final int[] expectedEnds = new int[4];
        for (int step = 0; step < STEPS; step++)
        {
            if (random.nextInt(5) == 0)
            {
                final int limit = random.nextInt(1, capacity + 1);
                assertEquals(model.deliver(limit), window.deliver((buffer, offset, length) -> true, limit), "deliver");
            }
            else
            {
                final int seq = model.rcvNxt - 2 + random.nextInt(capacity + 4);
                final int result = seq == finSeq ? window.onSegment(seq, PacketType.FIN, 0, payload, 0, 0, 0, 0) :
                    window.onSegment(seq, PacketType.DATA, 0, payload, 0, 8, 8, 0);
                assertEquals(model.onSegment(seq), result, "onSegment(" + seq + ")");
            }
            assertEquals(model.rcvNxt, window.rcvNxt(), "rcvNxt");
            assertEquals(model.hasOutOfOrder(), window.hasOutOfOrder(), "hasOutOfOrder at step " + step);
            final int maxBlocks = random.nextInt(5);
            final int expected = model.sackBlocks(expectedStarts, expectedEnds, maxBlocks);
            final int actual = window.sackBlocks(starts, ends, maxBlocks);
            assertEquals(expected, actual, "block count at step " + step);
            assertArrayEquals(Arrays.copyOf(expectedStarts, expected), Arrays.copyOf(starts, actual), "starts");
            assertArrayEquals(Arrays.copyOf(expectedEnds, expected), Arrays.copyOf(ends, actual), "ends");
        }
    }

    /** The receive window before incremental tracking, over a set: every query scans the whole window. */
    private static final class Model
    {
        private final int capacity;
        private final int finSeq;
        private final HashSet<Integer> present = new HashSet<>();
        private int rcvNxt;
        private int deliverNxt;
        private int lastOutOfOrderSeq;
        private boolean finInOrder;

        Model(final int capacity, final int first, final int finSeq)
        {
            this.capacity = capacity;
            this.finSeq = finSeq;
            this.rcvNxt = first;
            this.deliverNxt = first;
            this.lastOutOfOrderSeq = first;
        }

        int onSegment(final int seq)
        {
            final int offset = seq - rcvNxt;
            if (offset < 0)
            {
                return ReceiveWindow.DUPLICATE;
            }
            if (offset >= capacity - (rcvNxt - deliverNxt) || finInOrder)
            {
                return ReceiveWindow.OUTSIDE_WINDOW;
            }
            if (!present.add(seq))
            {
                return ReceiveWindow.DUPLICATE;
            }
            if (offset != 0)
            {
                lastOutOfOrderSeq = seq;
                return ReceiveWindow.ACCEPTED_OUT_OF_ORDER;
            }
            while (!finInOrder && rcvNxt - (deliverNxt + capacity) < 0 && present.contains(rcvNxt))
            {
                finInOrder = rcvNxt == finSeq;
                rcvNxt++;
            }
            if (finInOrder)
            {
                // The one intended change: segments held beyond an in-order FIN are dropped, no longer SACKed.
                present.removeIf(held -> held - finSeq > 0);
            }
            return ReceiveWindow.ACCEPTED_IN_ORDER;
        }

        int deliver(final int limit)
        {
            int delivered = 0;
            while (delivered < limit && deliverNxt != rcvNxt)
            {
                present.remove(deliverNxt);
                if (deliverNxt == finSeq)
                {
                    deliverNxt++;
                    break;
                }
                deliverNxt++;
                delivered++;
            }
            return delivered;
        }

        boolean hasOutOfOrder()
        {
            for (int seq = rcvNxt + 1; seq - (deliverNxt + capacity) < 0; seq++)
            {
                if (present.contains(seq))
                {
                    return true;
                }
            }
            return false;
        }

        int sackBlocks(final int[] starts, final int[] ends, final int maxBlocks)
        {
            int count = 0;
            final int limit = deliverNxt + capacity;
            if (maxBlocks > 0 && lastOutOfOrderSeq - rcvNxt > 0 && lastOutOfOrderSeq - limit < 0 &&
                present.contains(lastOutOfOrderSeq))
            {
                int start = lastOutOfOrderSeq;
                while (start - 1 - rcvNxt > 0 && present.contains(start - 1))
                {
                    start--;
                }
                int end = lastOutOfOrderSeq + 1;
                while (end - limit < 0 && present.contains(end))
                {
                    end++;
                }
                starts[0] = start;
                ends[0] = end;
                count = 1;
            }
            int seq = rcvNxt + 1;
            while (count < maxBlocks && seq - limit < 0)
            {
                if (!present.contains(seq))
                {
                    seq++;
                    continue;
                }
                final int start = seq;
                while (seq - limit < 0 && present.contains(seq))
                {
                    seq++;
                }
                if (count == 0 || start != starts[0])
                {
                    starts[count] = start;
                    ends[count] = seq;
                    count++;
                }
            }
            return count;
        }
    }
}
