package io.conduit.transport.engine;

import java.util.Arrays;

/**
 * The endpoint's connection timers: an indexed binary min-heap of connections keyed by their next deadline. Each
 * connection holds its own heap position, so rescheduling is O(log n) and the earliest deadline is O(1) — the
 * endpoint then wakes for exactly the connections that are due instead of scanning all of them.
 *
 * <p>Why a heap rather than a hashed timer wheel: the simulator jumps virtual time straight to the next deadline,
 * which a heap answers exactly and a wheel only to its tick; at thousands of connections both are cheap.
 * Deadlines are compared wrap-safely ({@code a - b < 0}).
 */
final class DeadlineHeap
{
    private Connection[] heap;
    private int size;

    DeadlineHeap(final int initialCapacity)
    {
        heap = new Connection[Math.max(4, initialCapacity)];
    }

    int size()
    {
        return size;
    }

    /** Earliest scheduled deadline, or {@link TimerKind#NONE} when nothing is scheduled. */
    long earliestDeadlineNs()
    {
        return size == 0 ? TimerKind.NONE : heap[0].scheduledDeadlineNs;
    }

    /** Schedules, moves or (for {@link TimerKind#NONE}) unschedules the connection's timer. */
    void schedule(final Connection connection, final long deadlineNs)
    {
        final int index = connection.heapIndex;
        if (deadlineNs == TimerKind.NONE)
        {
            if (index >= 0)
            {
                removeAt(index);
            }
            return;
        }
        if (index < 0)
        {
            if (size == heap.length)
            {
                heap = Arrays.copyOf(heap, size * 2);
            }
            connection.scheduledDeadlineNs = deadlineNs;
            heap[size] = connection;
            connection.heapIndex = size;
            siftUp(size++);
            return;
        }
        final long previous = connection.scheduledDeadlineNs;
        connection.scheduledDeadlineNs = deadlineNs;
        if (deadlineNs - previous < 0)
        {
            siftUp(index);
        }
        else if (deadlineNs != previous)
        {
            siftDown(index);
        }
    }

    /** Removes and returns a connection whose deadline is at or before {@code nowNs}, or null when none is due. */
    Connection pollDue(final long nowNs)
    {
        if (size == 0 || heap[0].scheduledDeadlineNs - nowNs > 0)
        {
            return null;
        }
        final Connection due = heap[0];
        removeAt(0);
        return due;
    }

    void remove(final Connection connection)
    {
        if (connection.heapIndex >= 0)
        {
            removeAt(connection.heapIndex);
        }
    }

    private void removeAt(final int index)
    {
        final Connection removed = heap[index];
        removed.heapIndex = -1;
        removed.scheduledDeadlineNs = TimerKind.NONE;
        final int last = --size;
        if (index != last)
        {
            final Connection moved = heap[last];
            heap[index] = moved;
            moved.heapIndex = index;
            heap[last] = null;
            siftDown(index);
            if (moved.heapIndex == index)
            {
                siftUp(index);
            }
        }
        else
        {
            heap[last] = null;
        }
    }

    private void siftUp(final int start)
    {
        int index = start;
        final Connection moving = heap[index];
        while (index > 0)
        {
            final int parent = (index - 1) >>> 1;
            final Connection above = heap[parent];
            if (moving.scheduledDeadlineNs - above.scheduledDeadlineNs >= 0)
            {
                break;
            }
            heap[index] = above;
            above.heapIndex = index;
            index = parent;
        }
        heap[index] = moving;
        moving.heapIndex = index;
    }

    private void siftDown(final int start)
    {
        int index = start;
        final Connection moving = heap[index];
        while (true)
        {
            final int left = 2 * index + 1;
            if (left >= size)
            {
                break;
            }
            final int right = left + 1;
            int child = left;
            if (right < size && heap[right].scheduledDeadlineNs - heap[left].scheduledDeadlineNs < 0)
            {
                child = right;
            }
            final Connection below = heap[child];
            if (below.scheduledDeadlineNs - moving.scheduledDeadlineNs >= 0)
            {
                break;
            }
            heap[index] = below;
            below.heapIndex = index;
            index = child;
        }
        heap[index] = moving;
        moving.heapIndex = index;
    }

    /** Checks the heap property and back-pointers; for tests. */
    void verify()
    {
        for (int i = 0; i < size; i++)
        {
            if (heap[i].heapIndex != i)
            {
                throw new IllegalStateException("heap index broken at " + i);
            }
            if (i > 0 && heap[i].scheduledDeadlineNs - heap[(i - 1) >>> 1].scheduledDeadlineNs < 0)
            {
                throw new IllegalStateException("heap order broken at " + i);
            }
        }
    }
}
