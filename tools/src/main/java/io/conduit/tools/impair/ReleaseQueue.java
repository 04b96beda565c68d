package io.conduit.tools.impair;

import java.util.Arrays;

/**
 * Min-heap of buffer slots ordered by release time, then by the order they were queued, so datagrams due at the
 * same nanosecond leave in arrival order. Preallocated for a fixed number of slots; a slot can be moved to an
 * earlier time in place, which is how a held (reordered) datagram is let go right after the one that overtook it.
 */
final class ReleaseQueue
{
    private final int[] heap;
    private final int[] positionOfSlot;
    private final long[] releaseNsOfSlot;
    private final long[] sequenceOfSlot;
    private int size;
    private long nextSequence;

    ReleaseQueue(final int slotCount)
    {
        heap = new int[slotCount];
        positionOfSlot = new int[slotCount];
        releaseNsOfSlot = new long[slotCount];
        sequenceOfSlot = new long[slotCount];
        Arrays.fill(positionOfSlot, -1);
    }

    int size()
    {
        return size;
    }

    boolean contains(final int slot)
    {
        return positionOfSlot[slot] >= 0;
    }

    void add(final int slot, final long releaseNs)
    {
        if (contains(slot))
        {
            throw new IllegalStateException("slot already queued: " + slot);
        }
        releaseNsOfSlot[slot] = releaseNs;
        sequenceOfSlot[slot] = nextSequence++;
        heap[size] = slot;
        positionOfSlot[slot] = size;
        size++;
        siftUp(size - 1);
    }

    /** Moves a queued slot to a new release time, behind everything queued so far at that time. */
    void reschedule(final int slot, final long releaseNs)
    {
        remove(slot);
        add(slot, releaseNs);
    }

    /** The earliest slot, or -1 when empty. */
    int peek()
    {
        return size == 0 ? -1 : heap[0];
    }

    long releaseNs(final int slot)
    {
        return releaseNsOfSlot[slot];
    }

    int poll()
    {
        final int slot = peek();
        if (slot >= 0)
        {
            remove(slot);
        }
        return slot;
    }

    private void remove(final int slot)
    {
        final int position = positionOfSlot[slot];
        if (position < 0)
        {
            throw new IllegalStateException("slot not queued: " + slot);
        }
        size--;
        positionOfSlot[slot] = -1;
        if (position != size)
        {
            final int last = heap[size];
            heap[position] = last;
            positionOfSlot[last] = position;
            siftDown(position);
            siftUp(positionOfSlot[last]);
        }
    }

    private void siftUp(final int start)
    {
        int position = start;
        while (position > 0)
        {
            final int parent = (position - 1) >>> 1;
            if (!before(heap[position], heap[parent]))
            {
                return;
            }
            swap(position, parent);
            position = parent;
        }
    }

    private void siftDown(final int start)
    {
        int position = start;
        while (true)
        {
            final int left = 2 * position + 1;
            if (left >= size)
            {
                return;
            }
            final int right = left + 1;
            final int child = right < size && before(heap[right], heap[left]) ? right : left;
            if (!before(heap[child], heap[position]))
            {
                return;
            }
            swap(position, child);
            position = child;
        }
    }

    private boolean before(final int a, final int b)
    {
        final long difference = releaseNsOfSlot[a] - releaseNsOfSlot[b];
        return difference < 0 || (difference == 0 && sequenceOfSlot[a] < sequenceOfSlot[b]);
    }

    private void swap(final int i, final int j)
    {
        final int a = heap[i];
        final int b = heap[j];
        heap[i] = b;
        heap[j] = a;
        positionOfSlot[b] = i;
        positionOfSlot[a] = j;
    }
}
