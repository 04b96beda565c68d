package io.conduit.raft;

/**
 * The leader's view of one follower (etcd's {@code Progress}). In {@link State#PROBE} the leader sends one
 * AppendEntries per heartbeat interval until it finds where the logs match; in {@link State#REPLICATE} it streams
 * optimistically, up to the {@link Inflights} window; in {@link State#SNAPSHOT} the follower needs entries the leader
 * has compacted, so it streams the snapshot in chunks, a bounded number of bytes in flight, and goes back to
 * replicating once the follower acknowledges an index from which the log can serve it (Raft §7).
 */
public final class Progress
{
    /** How the leader sends to this follower. */
    public enum State
    {
        PROBE,
        REPLICATE,
        SNAPSHOT
    }

    private final int id;
    private final Inflights inflights;
    private State state = State.PROBE;
    private long match;
    private long next = 1;
    private boolean probeSent;
    private boolean recentActive;
    /** SNAPSHOT state: the index of the snapshot being sent, and the chunk stream's position. */
    private long pendingSnapshot;
    private long snapshotSentOffset;
    private long snapshotAckedOffset;
    private boolean snapshotSentAll;
    private int snapshotStallTicks;
    /** The offset last gone back to on a repeated report, so one loss costs one resend, not one per report. */
    private long snapshotResentFrom;

    Progress(final int id, final int maxInflight)
    {
        this.id = id;
        this.inflights = new Inflights(maxInflight);
    }

    void reset(final long nextIndex)
    {
        state = State.PROBE;
        match = 0;
        next = nextIndex;
        probeSent = false;
        recentActive = false;
        inflights.reset();
        pendingSnapshot = 0;
    }

    public int id()
    {
        return id;
    }

    public State state()
    {
        return state;
    }

    public long match()
    {
        return match;
    }

    public long next()
    {
        return next;
    }

    public int inflightCount()
    {
        return inflights.count();
    }

    boolean recentActive()
    {
        return recentActive;
    }

    void recentActive(final boolean active)
    {
        recentActive = active;
    }

    /** The index of the snapshot being sent in {@link State#SNAPSHOT}, else 0. */
    public long pendingSnapshot()
    {
        return pendingSnapshot;
    }

    /**
     * Whether the leader must hold back appends: a probe is outstanding, the pipeline window is full, or a snapshot
     * is being sent (its chunks have their own window).
     */
    boolean isPaused()
    {
        return switch (state)
        {
            case PROBE -> probeSent;
            case REPLICATE -> inflights.isFull();
            case SNAPSHOT -> true;
        };
    }

    /** Called after sending entries up to {@code lastIndex} (or a probe with none). */
    void sent(final long lastIndex, final int entryCount)
    {
        if (state == State.REPLICATE && entryCount > 0)
        {
            next = lastIndex + 1;
            inflights.add(lastIndex);
        }
        else
        {
            probeSent = true;
        }
    }

    /** A successful response up to {@code index}; returns whether it told us anything new. */
    boolean maybeUpdate(final long index)
    {
        boolean updated = false;
        if (index > match)
        {
            match = index;
            updated = true;
            probeSent = false;
        }
        next = Math.max(next, index + 1);
        inflights.freeTo(index);
        return updated;
    }

    /**
     * A rejection of the AppendEntries after {@code rejected}; {@code hintMatch} is the highest index that may still
     * match. Returns false for a stale rejection (already matched, or not the probe we sent).
     */
    boolean maybeDecreaseTo(final long rejected, final long hintMatch)
    {
        if (state == State.SNAPSHOT)
        {
            return false; // the snapshot, not a probe, finds where the follower stands
        }
        if (state == State.REPLICATE)
        {
            if (rejected <= match)
            {
                return false;
            }
            next = match + 1;
            return true;
        }
        if (next - 1 != rejected)
        {
            return false;
        }
        next = Math.max(Math.min(rejected, hintMatch + 1), match + 1);
        probeSent = false;
        return true;
    }

    void becomeProbe()
    {
        state = State.PROBE;
        next = match + 1;
        probeSent = false;
        inflights.reset();
        pendingSnapshot = 0;
    }

    void becomeReplicate()
    {
        state = State.REPLICATE;
        next = match + 1;
        probeSent = false;
        inflights.reset();
        pendingSnapshot = 0;
    }

    /** Starts sending the snapshot at {@code snapshotIndex} from its first byte. */
    void becomeSnapshot(final long snapshotIndex)
    {
        if (snapshotIndex < 1)
        {
            throw new IllegalStateException("follower " + id + " needs compacted entries but there is no snapshot");
        }
        state = State.SNAPSHOT;
        probeSent = false;
        inflights.reset();
        pendingSnapshot = snapshotIndex;
        snapshotSentOffset = 0;
        snapshotAckedOffset = 0;
        snapshotSentAll = false;
        snapshotStallTicks = 0;
        snapshotResentFrom = -1;
    }

    /** Offset of the next snapshot chunk to send. */
    long snapshotSentOffset()
    {
        return snapshotSentOffset;
    }

    /** Whether another chunk may leave: not all sent, and fewer than {@code windowBytes} unacknowledged. */
    boolean canSendSnapshotChunk(final long windowBytes)
    {
        return state == State.SNAPSHOT && !snapshotSentAll && snapshotSentOffset - snapshotAckedOffset < windowBytes;
    }

    void snapshotChunkSent(final long endOffset, final long sizeBytes)
    {
        snapshotSentOffset = endOffset;
        snapshotSentAll = endOffset >= sizeBytes;
    }

    /**
     * The follower expects {@code expectedOffset} next. Forward: acknowledged. The same again while later chunks are
     * out: the chunk there was lost (or is late), so go back to it once (fast retransmit). Backward: the follower lost
     * what it had (a restart) or this report is older than one already seen. Going back is always safe: the follower
     * ignores chunks it does not expect and reports its position again.
     */
    void snapshotReported(final long expectedOffset)
    {
        if (expectedOffset > snapshotAckedOffset)
        {
            snapshotAckedOffset = expectedOffset;
            snapshotSentOffset = Math.max(snapshotSentOffset, expectedOffset);
            snapshotStallTicks = 0;
        }
        else if (expectedOffset < snapshotAckedOffset ||
            (expectedOffset < snapshotSentOffset && expectedOffset != snapshotResentFrom))
        {
            snapshotAckedOffset = expectedOffset;
            snapshotSentOffset = expectedOffset;
            snapshotSentAll = false;
            snapshotResentFrom = expectedOffset;
        }
    }

    /** The follower refused the snapshot (too large for it): send nothing until the stall timer retries. */
    void snapshotRefused()
    {
        snapshotSentOffset = 0;
        snapshotAckedOffset = 0;
        snapshotSentAll = true;
        snapshotStallTicks = 0;
    }

    /**
     * One leader tick in {@link State#SNAPSHOT}: after {@code stallLimitTicks} without progress, chunks (or the
     * final acknowledgement) were lost: go back to the last acknowledged offset. Returns whether it went back.
     */
    boolean snapshotStalled(final int stallLimitTicks)
    {
        if (++snapshotStallTicks < stallLimitTicks)
        {
            return false;
        }
        snapshotStallTicks = 0;
        snapshotSentOffset = snapshotAckedOffset;
        snapshotSentAll = false;
        snapshotResentFrom = snapshotAckedOffset;
        return true;
    }

    /** A heartbeat response proves the follower is alive: allow a probe, and free a slot in case acks were lost. */
    void heartbeatAnswered()
    {
        probeSent = false;
        if (state == State.REPLICATE && inflights.isFull())
        {
            inflights.freeFirst();
        }
    }

    @Override
    public String toString()
    {
        return "Progress{id=" + id + " " + state + " match=" + match + " next=" + next + " inflight=" +
            inflights.count() + (probeSent ? " probeSent" : "") + (state == State.SNAPSHOT ? " snapshot=" +
            pendingSnapshot + " sent=" + snapshotSentOffset + " acked=" + snapshotAckedOffset : "") + '}';
    }
}
