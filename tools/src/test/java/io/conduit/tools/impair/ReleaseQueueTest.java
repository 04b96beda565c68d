package io.conduit.tools.impair;

import java.util.PriorityQueue;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ReleaseQueueTest
{
    @Test
    void equalTimesLeaveInTheOrderTheyWereQueued()
    {
        final ReleaseQueue queue = new ReleaseQueue(4);
        queue.add(2, 100);
        queue.add(0, 50);
        queue.add(3, 100);
        queue.add(1, 100);
        assertEquals(0, queue.poll());
        assertEquals(2, queue.poll());
        assertEquals(3, queue.poll());
        assertEquals(1, queue.poll());
        assertEquals(-1, queue.poll());
    }

    @Test
    void rescheduleMovesASlotBehindEverythingAtItsNewTime()
    {
        final ReleaseQueue queue = new ReleaseQueue(3);
        queue.add(0, 500);
        queue.add(1, 100);
        queue.add(2, 200);
        queue.reschedule(0, 100);
        assertEquals(1, queue.poll());
        assertEquals(0, queue.poll());
        assertEquals(2, queue.poll());
        assertThrows(IllegalStateException.class, () -> queue.reschedule(0, 1));
    }

    @Test
    void matchesAReferenceHeapUnderRandomOperations()
    {
        final int slots = 64;
        final SplittableRandom random = new SplittableRandom(5);
        final ReleaseQueue queue = new ReleaseQueue(slots);
        final long[] timeOfSlot = new long[slots];
        final long[] orderOfSlot = new long[slots];
        final PriorityQueue<Integer> reference = new PriorityQueue<>((a, b) -> timeOfSlot[a] != timeOfSlot[b] ?
            Long.compare(timeOfSlot[a], timeOfSlot[b]) : Long.compare(orderOfSlot[a], orderOfSlot[b]));
        long order = 0;
        for (int step = 0; step < 100_000; step++)
        {
            final int slot = random.nextInt(slots);
            final long timeNs = random.nextLong(50);
            final int operation = random.nextInt(3);
            if (operation == 0 && !queue.contains(slot))
            {
                queue.add(slot, timeNs);
                timeOfSlot[slot] = timeNs;
                orderOfSlot[slot] = order++;
                reference.add(slot);
            }
            else if (operation == 1 && queue.contains(slot))
            {
                queue.reschedule(slot, timeNs);
                reference.remove(slot);
                timeOfSlot[slot] = timeNs;
                orderOfSlot[slot] = order++;
                reference.add(slot);
            }
            else if (operation == 2)
            {
                final Integer expected = reference.poll();
                assertEquals(expected == null ? -1 : expected, queue.poll());
            }
            assertEquals(reference.size(), queue.size());
        }
    }
}
