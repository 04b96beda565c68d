package io.conduit.transport.engine;

import org.agrona.collections.Int2IntHashMap;

/**
 * Compact record of connections that closed actively and now wait out 2*MSL (RFC 9293 §3.6, TIME-WAIT), so that
 * late or retransmitted packets of the old incarnation can be answered (re-ACK of a FIN) or dropped instead of
 * being mistaken for new traffic, without keeping the whole connection alive.
 * <p>
 * Every entry waits the same {@code durationNs}, so insertion order is expiry order: entries live in a
 * fixed-capacity circular FIFO of primitive arrays, the oldest at the head, and an Agrona {@link Int2IntHashMap}
 * maps a local connection id to its slot. An entry costs 32 bytes of arrays plus 12 to 25 bytes of hash table
 * (8-byte buckets at load factor 0.65, rounded to a power of two), and nothing is allocated after construction.
 * <p>
 * When the table is full, {@link #add add} evicts the oldest entry and counts it in {@link #evictions()}, like
 * Linux's oldest-first {@code tcp_tw_reuse}. That is safe here, unlike a TCP port quadruple: TIME-WAIT exists to
 * keep an old incarnation's packets from being accepted by a new incarnation of the same connection, and a new
 * connection always gets fresh random connection ids on both sides, which the endpoint checks against this table
 * and its live connections before use. A packet of the evicted incarnation therefore carries an id no live or
 * waiting connection has, and is dropped as unknown; only if a later connection happened to draw the same 32-bit
 * id could it reach that connection, where it must still match a fresh random peer and initial sequence numbers.
 * The eviction thus only loses the courtesy of re-acknowledging a retransmitted FIN, which the peer's own close
 * timeout covers.
 * <p>
 * A slot returned by {@link #find find} is valid until the next {@link #add add} or {@link #expire expire}, either of
 * which may move entries. {@code nowNs} passed to {@code add} must never decrease. Not thread safe.
 */
public final class TimeWaitTable
{
    public static final int NOT_FOUND = -1;
    /** Bounds the hash table's size arithmetic; far beyond any realistic number of closing connections. */
    public static final int MAX_CAPACITY = 1 << 24;

    private static final float LOAD_FACTOR = 0.65f;

    private final int capacity;
    private final long durationNs;
    private final int[] localConnectionIds;
    private final int[] remoteConnectionIds;
    private final long[] remoteKeys;
    private final int[] sendSequences;
    private final int[] receiveSequences;
    private final long[] expiresAtNs;
    private final Int2IntHashMap slotByLocalConnectionId;

    private int head;
    private int size;
    private long lastAddNs = Long.MIN_VALUE;
    private long evictions;

    /**
     * @param capacity   the most entries held at once; {@code add} evicts the oldest beyond it.
     * @param durationNs how long each entry waits, typically 2*MSL.
     */
    public TimeWaitTable(final int capacity, final long durationNs)
    {
        if (capacity <= 0 || capacity > MAX_CAPACITY)
        {
            throw new IllegalArgumentException("capacity must be in [1, " + MAX_CAPACITY + "]: capacity=" + capacity);
        }
        if (durationNs <= 0)
        {
            throw new IllegalArgumentException("durationNs must be positive: durationNs=" + durationNs);
        }

        this.capacity = capacity;
        this.durationNs = durationNs;
        localConnectionIds = new int[capacity];
        remoteConnectionIds = new int[capacity];
        remoteKeys = new long[capacity];
        sendSequences = new int[capacity];
        receiveSequences = new int[capacity];
        expiresAtNs = new long[capacity];
        slotByLocalConnectionId = new Int2IntHashMap((int)Math.ceil(capacity / LOAD_FACTOR), LOAD_FACTOR, NOT_FOUND);

        // A resize would allocate on the hot path; sizing up front must make it impossible.
        if (slotByLocalConnectionId.resizeThreshold() < capacity)
        {
            throw new IllegalStateException("hash table sized below capacity: resizeThreshold=" +
                slotByLocalConnectionId.resizeThreshold() + " capacity=" + capacity);
        }
    }

    /**
     * Records a connection entering TIME-WAIT until {@code nowNs + durationNs}. Entries already due at
     * {@code nowNs} are expired first, so an eviction only ever drops an entry that was still waiting. If
     * {@code localConnectionId} is already present, that entry is removed and re-added with the new values.
     *
     * @param nowNs              the caller's clock; never less than in the previous call.
     * @param localConnectionId  this endpoint's id for the closed connection; unique within the table.
     * @param remoteConnectionId the peer's id for the closed connection.
     * @param remoteKey          the peer's address as derived by the I/O edge.
     * @param sendSequence       the next sequence number this endpoint would have sent.
     * @param receiveSequence    the next sequence number this endpoint expected to receive.
     */
    public void add(
        final long nowNs,
        final int localConnectionId,
        final int remoteConnectionId,
        final long remoteKey,
        final int sendSequence,
        final int receiveSequence)
    {
        // Expiry order equals insertion order only while time never runs backwards.
        if (nowNs < lastAddNs)
        {
            throw new IllegalArgumentException("nowNs moved backwards: nowNs=" + nowNs + " lastAddNs=" + lastAddNs);
        }
        lastAddNs = nowNs;

        expire(nowNs);

        final int existingSlot = slotByLocalConnectionId.get(localConnectionId);
        if (NOT_FOUND != existingSlot)
        {
            removeAt(positionOf(existingSlot));
        }
        else if (size == capacity)
        {
            removeAt(0);
            evictions++;
        }

        final int slot = slotAt(size);
        localConnectionIds[slot] = localConnectionId;
        remoteConnectionIds[slot] = remoteConnectionId;
        remoteKeys[slot] = remoteKey;
        sendSequences[slot] = sendSequence;
        receiveSequences[slot] = receiveSequence;
        expiresAtNs[slot] = nowNs + durationNs;
        slotByLocalConnectionId.put(localConnectionId, slot);
        size++;
    }

    /**
     * @param nowNs             the caller's clock.
     * @param localConnectionId this endpoint's id for the connection.
     * @return the entry's slot, or {@link #NOT_FOUND} if absent or already expired at {@code nowNs}.
     */
    public int find(final long nowNs, final int localConnectionId)
    {
        final int slot = slotByLocalConnectionId.get(localConnectionId);
        if (NOT_FOUND == slot || expiresAtNs[slot] <= nowNs)
        {
            return NOT_FOUND;
        }

        return slot;
    }

    /**
     * @param nowNs             the caller's clock.
     * @param localConnectionId this endpoint's id for the connection.
     * @return true if the id is waiting in TIME-WAIT at {@code nowNs}.
     */
    public boolean contains(final long nowNs, final int localConnectionId)
    {
        return NOT_FOUND != find(nowNs, localConnectionId);
    }

    public int remoteConnectionId(final int slot)
    {
        checkSlot(slot);
        return remoteConnectionIds[slot];
    }

    public long remoteKey(final int slot)
    {
        checkSlot(slot);
        return remoteKeys[slot];
    }

    public int sendSequence(final int slot)
    {
        checkSlot(slot);
        return sendSequences[slot];
    }

    public int receiveSequence(final int slot)
    {
        checkSlot(slot);
        return receiveSequences[slot];
    }

    public long expiresAtNs(final int slot)
    {
        checkSlot(slot);
        return expiresAtNs[slot];
    }

    /**
     * Removes every entry due at {@code nowNs}; they all sit at the head because expiry order is insertion order.
     *
     * @param nowNs the caller's clock.
     * @return how many entries were removed.
     */
    public int expire(final long nowNs)
    {
        int expired = 0;
        while (size > 0 && expiresAtNs[head] <= nowNs)
        {
            removeAt(0);
            expired++;
        }

        return expired;
    }

    /**
     * @return when the oldest entry expires, for the caller's timer, or {@link Long#MAX_VALUE} if empty.
     */
    public long nextExpiryNs()
    {
        return 0 == size ? Long.MAX_VALUE : expiresAtNs[head];
    }

    /**
     * @return entries held, including any already due but not yet removed by {@link #expire expire}.
     */
    public int size()
    {
        return size;
    }

    public int capacity()
    {
        return capacity;
    }

    /**
     * @return how many still-waiting entries {@link #add add} dropped because the table was full.
     */
    public long evictions()
    {
        return evictions;
    }

    private void removeAt(final int position)
    {
        slotByLocalConnectionId.remove(localConnectionIds[slotAt(position)]);

        // Close the gap from whichever side has fewer entries to move; removing the head moves none.
        if (position < (size >> 1))
        {
            for (int p = position; p > 0; p--)
            {
                move(slotAt(p - 1), slotAt(p));
            }
            head = slotAt(1);
        }
        else
        {
            for (int p = position; p < size - 1; p++)
            {
                move(slotAt(p + 1), slotAt(p));
            }
        }
        size--;
    }

    private void move(final int fromSlot, final int toSlot)
    {
        localConnectionIds[toSlot] = localConnectionIds[fromSlot];
        remoteConnectionIds[toSlot] = remoteConnectionIds[fromSlot];
        remoteKeys[toSlot] = remoteKeys[fromSlot];
        sendSequences[toSlot] = sendSequences[fromSlot];
        receiveSequences[toSlot] = receiveSequences[fromSlot];
        expiresAtNs[toSlot] = expiresAtNs[fromSlot];
        slotByLocalConnectionId.put(localConnectionIds[toSlot], toSlot);
    }

    private int slotAt(final int position)
    {
        final int slot = head + position;
        return slot >= capacity ? slot - capacity : slot;
    }

    private int positionOf(final int slot)
    {
        final int position = slot - head;
        return position < 0 ? position + capacity : position;
    }

    private void checkSlot(final int slot)
    {
        if (slot < 0 || slot >= capacity || positionOf(slot) >= size)
        {
            throw new IllegalArgumentException("slot holds no entry: slot=" + slot + " size=" + size);
        }
    }
}
