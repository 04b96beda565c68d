package io.conduit.chain;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The updates a member holds that are not yet known committed, by sequence number: a growable ring holding
 * exactly the sequences {@code (floorSequence, lastSequence]}. They are what a member resends to a new successor,
 * and at the head what still owes a client its answer.
 */
final class PendingUpdates
{
    /** One held update; at the head that accepted it, also the client waiting and the answer it will get. */
    static final class Entry
    {
        final ChainUpdate update;
        final ByteBuffer dirtyKey;
        long clientLinkId;
        byte[] response;

        Entry(final ChainUpdate update, final ByteBuffer dirtyKey, final long clientLinkId,
            final byte[] response)
        {
            this.update = update;
            this.dirtyKey = dirtyKey;
            this.clientLinkId = clientLinkId;
            this.response = response;
        }
    }

    private Entry[] slots = new Entry[16];
    private int first;
    private int count;
    private long floorSequence;

    /** Empties the ring; the next append must be {@code floorSequence + 1}. */
    void reset(final long floorSequence)
    {
        Arrays.fill(slots, null);
        first = 0;
        count = 0;
        this.floorSequence = floorSequence;
    }

    long floorSequence()
    {
        return floorSequence;
    }

    long lastSequence()
    {
        return floorSequence + count;
    }

    int size()
    {
        return count;
    }

    void append(final Entry entry)
    {
        if (entry.update.sequence() != lastSequence() + 1)
        {
            throw new IllegalStateException("append " + entry.update.sequence() + " after " + lastSequence());
        }
        if (count == slots.length)
        {
            final Entry[] grown = new Entry[slots.length * 2];
            for (int i = 0; i < count; i++)
            {
                grown[i] = slots[(first + i) % slots.length];
            }
            slots = grown;
            first = 0;
        }
        slots[(first + count) % slots.length] = entry;
        count++;
    }

    /** The entry for {@code sequence}, which must be in {@code (floorSequence, lastSequence]}. */
    Entry get(final long sequence)
    {
        if (sequence <= floorSequence || sequence > lastSequence())
        {
            throw new IllegalArgumentException(sequence + " outside (" + floorSequence + ", " + lastSequence() + "]");
        }
        return slots[(int)((first + (sequence - floorSequence - 1)) % slots.length)];
    }

    /** Removes and returns the oldest entry; the floor moves up by one. */
    Entry removeFirst()
    {
        final Entry entry = slots[first];
        slots[first] = null;
        first = (first + 1) % slots.length;
        count--;
        floorSequence++;
        return entry;
    }
}
