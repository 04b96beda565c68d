package io.conduit.raft;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * The leader's pending ReadIndex requests (Raft thesis §6.4, etcd's {@code read_only.go} in ReadOnlySafe mode).
 * <p>
 * Each registered read gets a sequence number that rises for the node's whole life. Heartbeats carry the latest
 * sequence as their context and followers echo it, so an echo of {@code s} proves that follower still took this node
 * for its leader after every read up to {@code s} was registered. A read is confirmed once a majority (counting the
 * leader) echoed a sequence at least its own; confirmed reads are always a prefix of the queue. The leader's own
 * fresh (leader-generated) sequence numbers, not the caller's ids, key the heartbeats, so ids from different
 * requesters never collide.
 * <p>
 * Reads waiting for the leader's first commit in its term (thesis §6.4 step 1) are held apart without an index
 * until {@link #startWaiting(long)}. Bounded: {@link #CAPACITY} reads in all; more are refused.
 */
final class ReadIndexQueue
{
    /** Most reads a leader holds at once; beyond that it refuses them and callers retry. */
    static final int CAPACITY = 1024;

    /** One read: {@code from} is the requesting node (the leader itself for local reads). */
    record PendingRead(long sequence, long requestId, int from, long index)
    {
    }

    private final ArrayDeque<PendingRead> confirming = new ArrayDeque<>();
    private final ArrayDeque<PendingRead> awaitingCommit = new ArrayDeque<>();
    private final long[] acked;
    private final long[] ackScratch;
    private final int selfSlot;
    private final int quorum;
    private long lastSequence;

    ReadIndexQueue(final int voterCount, final int selfSlot, final int quorum)
    {
        this.acked = new long[voterCount];
        this.ackScratch = new long[voterCount];
        this.selfSlot = selfSlot;
        this.quorum = quorum;
    }

    /** Registers a read at {@code index}; returns false when the queue is full. */
    boolean add(final long requestId, final int from, final long index)
    {
        if (size() >= CAPACITY)
        {
            return false;
        }
        lastSequence++;
        confirming.addLast(new PendingRead(lastSequence, requestId, from, index));
        acked[selfSlot] = lastSequence;
        return true;
    }

    /** Holds a read until the leader has committed an entry of its term; returns false when the queue is full. */
    boolean addWaiting(final long requestId, final int from)
    {
        if (size() >= CAPACITY)
        {
            return false;
        }
        awaitingCommit.addLast(new PendingRead(0, requestId, from, 0));
        return true;
    }

    /** The leader committed in its term at {@code commitIndex}: registers waiting reads; returns whether any were. */
    boolean startWaiting(final long commitIndex)
    {
        final boolean any = !awaitingCommit.isEmpty();
        while (!awaitingCommit.isEmpty())
        {
            final PendingRead read = awaitingCommit.pollFirst();
            lastSequence++;
            confirming.addLast(new PendingRead(lastSequence, read.requestId(), read.from(), commitIndex));
        }
        acked[selfSlot] = lastSequence;
        return any;
    }

    /** A heartbeat response from voter {@code slot} echoing {@code sequence}. */
    void ack(final int slot, final long sequence)
    {
        // Responses may arrive out of order; an older echo proves less, never more.
        acked[slot] = Math.max(acked[slot], Math.min(sequence, lastSequence));
    }

    /** The next read confirmed by a majority, removed from the queue, or null. */
    PendingRead pollConfirmed()
    {
        final PendingRead head = confirming.peekFirst();
        if (head == null)
        {
            return null;
        }
        System.arraycopy(acked, 0, ackScratch, 0, acked.length);
        Arrays.sort(ackScratch);
        final long majorityAcked = ackScratch[ackScratch.length - quorum];
        return head.sequence() <= majorityAcked ? confirming.pollFirst() : null;
    }

    /** The context for the next heartbeat: the newest registered read's sequence. */
    long lastSequence()
    {
        return lastSequence;
    }

    int size()
    {
        return confirming.size() + awaitingCommit.size();
    }

    /** Leadership ended or began: every pending read is dropped (callers retry) and no echo counts any more. */
    void reset()
    {
        confirming.clear();
        awaitingCommit.clear();
        Arrays.fill(acked, 0);
    }
}
