package io.conduit.node;

import org.agrona.collections.Long2LongHashMap;

/**
 * The proposals a replica made and has not yet seen applied: for each, the log position (index and term) and the
 * client to answer. A bounded ring in ascending index order, so applying the log pops from the head.
 * <p>
 * The order holds because a proposal at index {@code i} means this node's log ends just before {@code i}: any
 * older entry at {@code i} or later was cut from the log, so {@link #add} first evicts those from the tail. Such an
 * evicted proposal may still commit (another node may hold it); its client learns the outcome by retrying the same
 * sequence, which the state machine's session answers without applying it twice.
 */
final class PendingWrites
{
    /** A link id meaning "nobody to answer": the link closed while the proposal was pending. */
    static final long NO_LINK = Long.MIN_VALUE;
    private static final long NONE = -1;

    private final long[] index;
    private final long[] term;
    private final long[] linkId;
    private final long[] clientId;
    private final long[] sequence;
    /** clientId to the index of that client's newest pending proposal, to spot a retry still in flight. */
    private final Long2LongHashMap newestByClient;
    private int head;
    private int size;

    PendingWrites(final int capacity)
    {
        index = new long[capacity];
        term = new long[capacity];
        linkId = new long[capacity];
        clientId = new long[capacity];
        sequence = new long[capacity];
        newestByClient = new Long2LongHashMap(Math.max(8, capacity * 2), 0.65f, NONE);
    }

    int size()
    {
        return size;
    }

    boolean isFull()
    {
        return size == index.length;
    }

    /** Appends at the tail; the caller has evicted every entry at {@code entryIndex} or above first. */
    void add(final long entryIndex, final long entryTerm, final long link, final long client, final long seq)
    {
        if (isFull() || (size > 0 && index[slot(size - 1)] >= entryIndex))
        {
            throw new IllegalStateException("pending write " + entryIndex + " out of order or table full");
        }
        final int s = slot(size);
        index[s] = entryIndex;
        term[s] = entryTerm;
        linkId[s] = link;
        clientId[s] = client;
        sequence[s] = seq;
        size++;
        newestByClient.put(client, entryIndex);
    }

    /**
     * The position (0 = head) of {@code client}'s pending proposal of {@code seq} at {@code entryTerm}, or -1. A
     * match is the same request already in this leader's log in its current term, which it will not lose.
     */
    int find(final long client, final long seq, final long entryTerm)
    {
        final long entryIndex = newestByClient.get(client);
        if (entryIndex == NONE)
        {
            return -1;
        }
        final int position = positionOf(entryIndex);
        if (position < 0)
        {
            return -1;
        }
        final int s = slot(position);
        return sequence[s] == seq && term[s] == entryTerm ? position : -1;
    }

    /** Binary search: the ring is in ascending index order. */
    private int positionOf(final long entryIndex)
    {
        int low = 0;
        int high = size - 1;
        while (low <= high)
        {
            final int middle = (low + high) >>> 1;
            final long value = index[slot(middle)];
            if (value < entryIndex)
            {
                low = middle + 1;
            }
            else if (value > entryIndex)
            {
                high = middle - 1;
            }
            else
            {
                return middle;
            }
        }
        return -1;
    }

    long headIndex()
    {
        return index[head];
    }

    long headTerm()
    {
        return term[head];
    }

    long headLinkId()
    {
        return linkId[head];
    }

    long headClientId()
    {
        return clientId[head];
    }

    long headSequence()
    {
        return sequence[head];
    }

    void removeHead()
    {
        forget(head);
        head = slot(1);
        size--;
    }

    long tailIndex()
    {
        return index[slot(size - 1)];
    }

    long tailLinkId()
    {
        return linkId[slot(size - 1)];
    }

    long tailClientId()
    {
        return clientId[slot(size - 1)];
    }

    long tailSequence()
    {
        return sequence[slot(size - 1)];
    }

    void removeTail()
    {
        forget(slot(size - 1));
        size--;
    }

    void linkId(final int position, final long link)
    {
        linkId[slot(position)] = link;
    }

    /** The link closed: its proposals stay (they may still commit) but nobody is answered. */
    void forgetLink(final long link)
    {
        for (int i = 0; i < size; i++)
        {
            final int s = slot(i);
            if (linkId[s] == link)
            {
                linkId[s] = NO_LINK;
            }
        }
    }

    private void forget(final int s)
    {
        if (newestByClient.get(clientId[s]) == index[s])
        {
            newestByClient.remove(clientId[s]);
        }
    }

    private int slot(final int position)
    {
        final int s = head + position;
        return s >= index.length ? s - index.length : s;
    }
}
