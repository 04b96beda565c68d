package io.conduit.raft;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * The leader's pending ReadIndex requests (Raft thesis §6.4, etcd's {@code read_only.go}) and the heartbeat echoes
 * that confirm them.
 * <p>
 * Every heartbeat round carries a context that rises for the node's whole life (the leader makes it from its tick
 * count, see {@link RaftNode}), and followers echo it, so an echo of {@code c} proves that follower still took this
 * node for its leader when the round {@code c} was sent. A read registered after round {@code c0} was sent needs the
 * echo of a later round from a majority of the voters (counting the leader, when it is one); confirmed reads are
 * always a prefix of the queue. The same echoes give the leader's lease ({@link #quorumAckedContext()}).
 * <p>
 * Reads waiting for the leader's first commit in its term (thesis §6.4 step 1) are held apart without an index
 * until {@link #startWaiting(long)}. Bounded: {@link #CAPACITY} reads in all; more are refused. The voters are
 * those of the leader's current configuration ({@link #reconfigure(int[])}); echoes of other nodes count for nothing.
 */
final class ReadIndexQueue
{
    /** Most reads a leader holds at once; beyond that it refuses them and callers retry. */
    static final int CAPACITY = 1024;

    /** One read: {@code from} is the requesting node (the leader itself for local reads). */
    record PendingRead(long minContext, long requestId, int from, long index)
    {
    }

    private final ArrayDeque<PendingRead> confirming = new ArrayDeque<>();
    private final ArrayDeque<PendingRead> awaitingCommit = new ArrayDeque<>();
    private final int self;
    private int[] voters;
    private long[] acked;
    private long[] ackScratch;
    private long lastSentContext;

    ReadIndexQueue(final int[] voters, final int self)
    {
        this.self = self;
        reconfigure(voters);
    }

    /** The voters changed (thesis §4.1): echoes of those who stay are kept, newcomers start with none. */
    void reconfigure(final int[] newVoters)
    {
        final long[] newAcked = new long[newVoters.length];
        for (int i = 0; i < newVoters.length; i++)
        {
            newAcked[i] = newVoters[i] == self ? Long.MAX_VALUE : ackedBy(newVoters[i]);
        }
        voters = newVoters.clone();
        acked = newAcked;
        ackScratch = new long[newVoters.length];
    }

    /** Registers a read at {@code index}, to be confirmed by a round sent after now; false when the queue is full. */
    boolean add(final long requestId, final int from, final long index)
    {
        if (size() >= CAPACITY)
        {
            return false;
        }
        confirming.addLast(new PendingRead(lastSentContext + 1, requestId, from, index));
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
            confirming.addLast(new PendingRead(lastSentContext + 1, read.requestId(), read.from(), commitIndex));
        }
        return any;
    }

    /** A heartbeat round with {@code context} is leaving; contexts only rise. */
    void sent(final long context)
    {
        if (context <= lastSentContext)
        {
            throw new IllegalStateException("heartbeat context went back from " + lastSentContext + " to " + context);
        }
        lastSentContext = context;
    }

    /** The context of the latest round sent (0 before any). */
    long lastSentContext()
    {
        return lastSentContext;
    }

    /** A heartbeat response from {@code nodeId} echoing {@code context}; ignored unless it is a voter. */
    void ack(final int nodeId, final long context)
    {
        for (int i = 0; i < voters.length; i++)
        {
            if (voters[i] == nodeId && voters[i] != self)
            {
                // Responses may arrive out of order; an older echo proves less, never more. Nothing sent is echoed.
                acked[i] = Math.max(acked[i], Math.min(context, lastSentContext));
            }
        }
    }

    /**
     * The highest context echoed by a majority of the voters (the leader counts as echoing everything): every round
     * up to it reached a majority. {@link Long#MAX_VALUE} when the leader alone is a majority; 0 when nothing is.
     */
    long quorumAckedContext()
    {
        if (voters.length == 0)
        {
            return 0;
        }
        System.arraycopy(acked, 0, ackScratch, 0, acked.length);
        Arrays.sort(ackScratch);
        return ackScratch[ackScratch.length - (voters.length / 2 + 1)];
    }

    /** The next read confirmed by a majority, removed from the queue, or null. */
    PendingRead pollConfirmed()
    {
        final PendingRead head = confirming.peekFirst();
        if (head == null)
        {
            return null;
        }
        return head.minContext() <= quorumAckedContext() ? confirming.pollFirst() : null;
    }

    /** The next read with an index, confirmed or not (a valid lease confirms them all), or null. */
    PendingRead pollIndexed()
    {
        return confirming.pollFirst();
    }

    /** Whether a read with an index waits for a heartbeat round not yet sent. */
    boolean needsRound()
    {
        return !confirming.isEmpty() && confirming.peekLast().minContext() > lastSentContext;
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
        for (int i = 0; i < voters.length; i++)
        {
            acked[i] = voters[i] == self ? Long.MAX_VALUE : 0;
        }
    }

    private long ackedBy(final int nodeId)
    {
        if (voters == null)
        {
            return 0;
        }
        for (int i = 0; i < voters.length; i++)
        {
            if (voters[i] == nodeId)
            {
                return acked[i];
            }
        }
        return 0;
    }
}
