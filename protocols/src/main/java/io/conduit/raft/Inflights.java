package io.conduit.raft;

/**
 * The AppendEntries in flight to one follower, as etcd's {@code Inflights}: a ring of the last index each message
 * carried. Bounds pipelining: when full, the leader sends nothing more until an acknowledgement frees a slot.
 * Preallocated; no allocation per message.
 */
public final class Inflights
{
    private final long[] lastIndexes;
    private int start;
    private int count;

    /**
     * @param capacity most messages in flight, at least 1.
     */
    public Inflights(final int capacity)
    {
        if (capacity < 1)
        {
            throw new IllegalArgumentException("inflight capacity must be positive: " + capacity);
        }
        this.lastIndexes = new long[capacity];
    }

    /** Records a message whose last entry is {@code lastIndex}; indexes must increase. */
    public void add(final long lastIndex)
    {
        if (isFull())
        {
            throw new IllegalStateException("inflights full at " + count);
        }
        if (count > 0 && lastIndexes[(start + count - 1) % lastIndexes.length] >= lastIndex)
        {
            throw new IllegalStateException("inflight index " + lastIndex + " does not increase");
        }
        lastIndexes[(start + count) % lastIndexes.length] = lastIndex;
        count++;
    }

    /** An acknowledgement up to {@code index} frees every message ending at or below it. */
    public void freeTo(final long index)
    {
        while (count > 0 && lastIndexes[start] <= index)
        {
            start = (start + 1) % lastIndexes.length;
            count--;
        }
    }

    /** Frees the oldest message, so a heartbeat response can unstick a full window whose acks were lost. */
    public void freeFirst()
    {
        if (count > 0)
        {
            start = (start + 1) % lastIndexes.length;
            count--;
        }
    }

    public void reset()
    {
        start = 0;
        count = 0;
    }

    public boolean isFull()
    {
        return count == lastIndexes.length;
    }

    public int count()
    {
        return count;
    }
}
