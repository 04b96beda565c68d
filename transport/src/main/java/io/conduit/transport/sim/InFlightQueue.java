package io.conduit.transport.sim;

import java.util.Arrays;

import org.agrona.DirectBuffer;

/**
 * The datagrams in flight: a pool of reusable slots in parallel primitive arrays, each slot owning a byte array
 * that grows to the largest datagram it has held, ordered by a binary min-heap of slot indices keyed by
 * (deliveryNs, sequence). Sequences are unique, so the order is total and never depends on slot numbering.
 * The pool doubles when full; in steady state adding and removing a datagram allocates nothing.
 */
final class InFlightQueue
{
    static final int MAX_DATAGRAM_BYTES = 65_535;
    private static final int INITIAL_CAPACITY = 64;
    private static final int MIN_SLOT_BYTES = 64;

    private long[] deliveryNs = new long[INITIAL_CAPACITY];
    private long[] sequence = new long[INITIAL_CAPACITY];
    private int[] fromNode = new int[INITIAL_CAPACITY];
    private int[] toNode = new int[INITIAL_CAPACITY];
    private int[] linkIndex = new int[INITIAL_CAPACITY];
    private int[] lengthBytes = new int[INITIAL_CAPACITY];
    private byte[][] bytes = new byte[INITIAL_CAPACITY][];

    private int[] heap = new int[INITIAL_CAPACITY];
    private int heapSize;
    private int[] freeSlots = new int[INITIAL_CAPACITY];
    private int freeCount;
    private int largestLengthBytes = MIN_SLOT_BYTES;

    InFlightQueue()
    {
        pushFreeSlots(0, INITIAL_CAPACITY);
    }

    int size()
    {
        return heapSize;
    }

    /** Delivery time of the earliest datagram, or {@link Long#MAX_VALUE} when empty. */
    long peekDeliveryNs()
    {
        return heapSize == 0 ? Long.MAX_VALUE : deliveryNs[heap[0]];
    }

    /** Copies the datagram into a free slot and schedules it; returns the slot, whose bytes the caller may alter. */
    int add(
        final long deliveryNs,
        final long sequence,
        final int fromNode,
        final int toNode,
        final int linkIndex,
        final DirectBuffer buffer,
        final int offset,
        final int lengthBytes)
    {
        if (freeCount == 0)
        {
            grow();
        }
        final int slot = freeSlots[--freeCount];
        byte[] storage = bytes[slot];
        if (storage == null || storage.length < lengthBytes)
        {
            // Size new storage to the largest datagram seen so slots stop growing once traffic is steady.
            largestLengthBytes = Math.max(largestLengthBytes, lengthBytes);
            storage = new byte[largestLengthBytes];
            bytes[slot] = storage;
        }
        buffer.getBytes(offset, storage, 0, lengthBytes);

        this.deliveryNs[slot] = deliveryNs;
        this.sequence[slot] = sequence;
        this.fromNode[slot] = fromNode;
        this.toNode[slot] = toNode;
        this.linkIndex[slot] = linkIndex;
        this.lengthBytes[slot] = lengthBytes;

        heap[heapSize] = slot;
        siftUp(heapSize);
        heapSize++;
        return slot;
    }

    /** Removes the earliest datagram from the order and returns its slot, which stays owned until {@link #release}. */
    int poll()
    {
        if (heapSize == 0)
        {
            throw new IllegalStateException("no datagram in flight");
        }
        final int slot = heap[0];
        heapSize--;
        if (heapSize > 0)
        {
            heap[0] = heap[heapSize];
            siftDown(0);
        }
        return slot;
    }

    void release(final int slot)
    {
        freeSlots[freeCount++] = slot;
    }

    long deliveryNs(final int slot)
    {
        return deliveryNs[slot];
    }

    int fromNode(final int slot)
    {
        return fromNode[slot];
    }

    int toNode(final int slot)
    {
        return toNode[slot];
    }

    int linkIndex(final int slot)
    {
        return linkIndex[slot];
    }

    int lengthBytes(final int slot)
    {
        return lengthBytes[slot];
    }

    byte[] bytes(final int slot)
    {
        return bytes[slot];
    }

    private boolean before(final int slotA, final int slotB)
    {
        final long timeA = deliveryNs[slotA];
        final long timeB = deliveryNs[slotB];
        return timeA < timeB || (timeA == timeB && sequence[slotA] < sequence[slotB]);
    }

    private void siftUp(final int index)
    {
        final int slot = heap[index];
        int child = index;
        while (child > 0)
        {
            final int parent = (child - 1) >>> 1;
            final int parentSlot = heap[parent];
            if (!before(slot, parentSlot))
            {
                break;
            }
            heap[child] = parentSlot;
            child = parent;
        }
        heap[child] = slot;
    }

    private void siftDown(final int index)
    {
        final int slot = heap[index];
        int parent = index;
        while (true)
        {
            int child = 2 * parent + 1;
            if (child >= heapSize)
            {
                break;
            }
            final int right = child + 1;
            if (right < heapSize && before(heap[right], heap[child]))
            {
                child = right;
            }
            if (!before(heap[child], slot))
            {
                break;
            }
            heap[parent] = heap[child];
            parent = child;
        }
        heap[parent] = slot;
    }

    private void grow()
    {
        final int oldCapacity = deliveryNs.length;
        final int newCapacity = oldCapacity * 2;
        deliveryNs = Arrays.copyOf(deliveryNs, newCapacity);
        sequence = Arrays.copyOf(sequence, newCapacity);
        fromNode = Arrays.copyOf(fromNode, newCapacity);
        toNode = Arrays.copyOf(toNode, newCapacity);
        linkIndex = Arrays.copyOf(linkIndex, newCapacity);
        lengthBytes = Arrays.copyOf(lengthBytes, newCapacity);
        bytes = Arrays.copyOf(bytes, newCapacity);
        heap = Arrays.copyOf(heap, newCapacity);
        freeSlots = Arrays.copyOf(freeSlots, newCapacity);
        pushFreeSlots(oldCapacity, newCapacity);
    }

    private void pushFreeSlots(final int fromSlot, final int toSlot)
    {
        // Pushed in reverse so the lowest free slot is handed out first.
        for (int slot = toSlot - 1; slot >= fromSlot; slot--)
        {
            freeSlots[freeCount++] = slot;
        }
    }
}
