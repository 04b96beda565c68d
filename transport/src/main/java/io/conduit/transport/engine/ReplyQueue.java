package io.conduit.transport.engine;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.conduit.transport.codec.PacketLayout;

/**
 * A fixed ring of small, already-encoded datagrams the endpoint sends without any connection state: SYN-ACKs,
 * RSTs to unknown connections, re-ACKs from TIME-WAIT. Bounded, so a flood costs constant memory; when full, new
 * replies are dropped and counted (the peer retransmits).
 */
final class ReplyQueue
{
    static final int SLOT_BYTES = PacketLayout.MAX_HEADER_LENGTH;

    private final int capacity;
    private final UnsafeBuffer slots;
    private final long[] remoteKeys;
    private final int[] lengths;
    private long head;
    private long tail;
    private long lastRemoteKey;

    ReplyQueue(final int capacity)
    {
        this.capacity = capacity;
        this.slots = new UnsafeBuffer(new byte[capacity * SLOT_BYTES]);
        this.remoteKeys = new long[capacity];
        this.lengths = new int[capacity];
    }

    boolean isFull()
    {
        return tail - head >= capacity;
    }

    boolean isEmpty()
    {
        return tail == head;
    }

    int size()
    {
        return (int)(tail - head);
    }

    /** The buffer and index to encode the next reply at; call {@link #commit} after. Check {@link #isFull} first. */
    MutableDirectBuffer buffer()
    {
        return slots;
    }

    int nextIndex()
    {
        return (int)(tail % capacity) * SLOT_BYTES;
    }

    void commit(final long remoteKey, final int length)
    {
        final int slot = (int)(tail % capacity);
        remoteKeys[slot] = remoteKey;
        lengths[slot] = length;
        tail++;
    }

    /** Copies the oldest reply into {@code out}, returns its length; its remote key is {@link #lastRemoteKey}. */
    int poll(final MutableDirectBuffer out, final int offset)
    {
        final int slot = (int)(head % capacity);
        final int length = lengths[slot];
        out.putBytes(offset, slots, slot * SLOT_BYTES, length);
        lastRemoteKey = remoteKeys[slot];
        head++;
        return length;
    }

    long lastRemoteKey()
    {
        return lastRemoteKey;
    }
}
