package io.conduit.transport.engine;

import java.util.Arrays;

import org.agrona.BitUtil;

/**
 * A FIFO of connections in a power-of-two array, readable by index so the endpoint can visit every queued
 * connection with a plain loop: no iterator, so nothing to allocate whether or not escape analysis removes one.
 * It grows (doubling) only when more connections are queued at once than ever before, which is bounded by the
 * endpoint's connection count. Single-threaded.
 */
final class ConnectionQueue
{
    private Connection[] elements;
    private int mask;
    private int head;
    private int tail;

    ConnectionQueue(final int initialCapacity)
    {
        final int capacity = BitUtil.findNextPositivePowerOfTwo(Math.max(2, initialCapacity));
        this.elements = new Connection[capacity];
        this.mask = capacity - 1;
    }

    int size()
    {
        return tail - head;
    }

    boolean isEmpty()
    {
        return head == tail;
    }

    void add(final Connection connection)
    {
        if (tail - head == elements.length)
        {
            grow();
        }
        elements[tail & mask] = connection;
        tail++;
    }

    /** The oldest connection, removed, or null when empty. */
    Connection poll()
    {
        if (head == tail)
        {
            return null;
        }
        final int slot = head & mask;
        final Connection connection = elements[slot];
        elements[slot] = null;
        head++;
        return connection;
    }

    /** The {@code index}-th connection from the head (0 is the next {@link #poll()}), not removed. */
    Connection get(final int index)
    {
        if (index < 0 || index >= tail - head)
        {
            throw new IndexOutOfBoundsException("index " + index + " of " + (tail - head));
        }
        return elements[(head + index) & mask];
    }

    private void grow()
    {
        final int size = tail - head;
        final Connection[] larger = new Connection[elements.length << 1];
        for (int i = 0; i < size; i++)
        {
            larger[i] = elements[(head + i) & mask];
        }
        Arrays.fill(elements, null);
        elements = larger;
        mask = larger.length - 1;
        head = 0;
        tail = size;
    }
}
