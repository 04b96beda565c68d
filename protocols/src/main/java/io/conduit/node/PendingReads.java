package io.conduit.node;

import org.agrona.DirectBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Reads a replica holds: linearizable reads waiting for their ReadIndex answer and then for the applied index to
 * reach it, and sequential reads waiting for the applied index to reach the client's minIndex. Each keeps a copy of
 * its request (a GET carries only a key, so a slot is small) to be served from later.
 * <p>
 * Fixed slots allocated at construction; {@link #active} lists the occupied ones compactly so a scan touches only
 * those. Iterate backwards with {@link #activeCount()} / {@link #activeSlot(int)} when removing while scanning.
 */
final class PendingReads
{
    /** Waiting for the engine's ReadState. */
    static final byte AWAITING_READ_INDEX = 1;
    /** Waiting for the applied index to reach {@link #readIndex(int)} (linearizable) or the request's minIndex. */
    static final byte AWAITING_APPLY = 2;

    private static final long NONE = -1;

    private final int slotLength;
    private final UnsafeBuffer requests;
    private final int[] requestLength;
    private final long[] requestId;
    private final long[] linkId;
    private final long[] readIndex;
    private final long[] deadlineNs;
    private final long[] leadershipEpoch;
    private final byte[] state;
    private final int[] active;
    private final int[] free;
    private final Long2LongHashMap slotByRequestId;
    private int activeCount;
    private int freeCount;

    PendingReads(final int capacity, final int slotLength)
    {
        this.slotLength = slotLength;
        requests = new UnsafeBuffer(new byte[Math.multiplyExact(capacity, slotLength)]);
        requestLength = new int[capacity];
        requestId = new long[capacity];
        linkId = new long[capacity];
        readIndex = new long[capacity];
        deadlineNs = new long[capacity];
        leadershipEpoch = new long[capacity];
        state = new byte[capacity];
        active = new int[capacity];
        free = new int[capacity];
        for (int i = 0; i < capacity; i++)
        {
            free[i] = capacity - 1 - i;
        }
        freeCount = capacity;
        slotByRequestId = new Long2LongHashMap(Math.max(8, capacity * 2), 0.65f, NONE);
    }

    boolean isFull()
    {
        return freeCount == 0;
    }

    int activeCount()
    {
        return activeCount;
    }

    int activeSlot(final int position)
    {
        return active[position];
    }

    /**
     * Takes a slot and copies the request in.
     *
     * @param id    the engine request id for a linearizable read, or -1 for a sequential one (none).
     * @param epoch the leadership epoch the read was registered in.
     * @return the slot.
     */
    int add(
        final byte initialState,
        final long id,
        final long link,
        final long deadline,
        final long epoch,
        final DirectBuffer request,
        final int offset,
        final int length)
    {
        if (freeCount == 0 || length > slotLength)
        {
            throw new IllegalStateException("no room for a read of " + length + " bytes");
        }
        final int slot = free[--freeCount];
        active[activeCount++] = slot;
        requests.putBytes(slot * slotLength, request, offset, length);
        requestLength[slot] = length;
        requestId[slot] = id;
        linkId[slot] = link;
        readIndex[slot] = 0;
        deadlineNs[slot] = deadline;
        leadershipEpoch[slot] = epoch;
        state[slot] = initialState;
        if (id != NONE)
        {
            slotByRequestId.put(id, slot);
        }
        return slot;
    }

    /** The slot of the read with this engine request id, or -1 (already answered, or not ours). */
    int slotOfRequest(final long id)
    {
        return (int)slotByRequestId.get(id);
    }

    /** Frees the slot at {@code position} in the active list (the last active slot moves into it). */
    void removeAt(final int position)
    {
        final int slot = active[position];
        if (requestId[slot] != NONE)
        {
            slotByRequestId.remove(requestId[slot]);
        }
        active[position] = active[--activeCount];
        free[freeCount++] = slot;
    }

    void readIndex(final int slot, final long index)
    {
        readIndex[slot] = index;
        state[slot] = AWAITING_APPLY;
    }

    long readIndex(final int slot)
    {
        return readIndex[slot];
    }

    byte state(final int slot)
    {
        return state[slot];
    }

    long linkId(final int slot)
    {
        return linkId[slot];
    }

    long deadlineNs(final int slot)
    {
        return deadlineNs[slot];
    }

    long leadershipEpoch(final int slot)
    {
        return leadershipEpoch[slot];
    }

    boolean isLinearizable(final int slot)
    {
        return requestId[slot] != NONE;
    }

    DirectBuffer requests()
    {
        return requests;
    }

    int requestOffset(final int slot)
    {
        return slot * slotLength;
    }

    int requestLength(final int slot)
    {
        return requestLength[slot];
    }
}
