package io.conduit.raft;

/**
 * A follower's snapshot under transfer: INSTALL_SNAPSHOT chunks are accepted strictly in order into one buffer of the
 * announced size, so memory is bounded by the configured limit and a lost, duplicated or reordered chunk only makes
 * the follower report the offset it still expects. One transfer at a time, keyed by the snapshot's index, term and
 * size; the node resets it on every role change, so a transfer never mixes chunks of two leaders.
 */
final class SnapshotReceiver
{
    /** What one chunk did. */
    enum Outcome
    {
        /** More chunks are needed; answer with {@link #expectedOffset()}. */
        PARTIAL,
        /** The last chunk arrived: {@link #take()} the snapshot. */
        COMPLETE,
        /** The snapshot is larger than this node accepts (or names no index). */
        REFUSED
    }

    private boolean active;
    private long index;
    private long term;
    private int[] voters;
    private int[] learners;
    private byte[] data;
    private long expectedOffset;

    /**
     * Takes one chunk. A chunk of another snapshot starts that one over if it is the first chunk, and is otherwise
     * answered with offset 0, so the leader starts again from the beginning.
     */
    Outcome offer(final RaftMessage chunk, final long maxSnapshotBytes)
    {
        if (!isOf(chunk))
        {
            reset();
            if (chunk.snapshotOffset() != 0)
            {
                return Outcome.PARTIAL;
            }
            if (chunk.snapshotSizeBytes() < 0 || chunk.snapshotSizeBytes() > maxSnapshotBytes || chunk.index() < 1 ||
                chunk.logTerm() < 1)
            {
                return Outcome.REFUSED;
            }
            start(chunk);
        }
        final byte[] bytes = chunk.data();
        if (chunk.snapshotOffset() == expectedOffset && expectedOffset + bytes.length <= data.length)
        {
            System.arraycopy(bytes, 0, data, (int)expectedOffset, bytes.length);
            expectedOffset += bytes.length;
        }
        return expectedOffset == data.length ? Outcome.COMPLETE : Outcome.PARTIAL;
    }

    /** The next offset this node expects of the snapshot being received (0 when none is). */
    long expectedOffset()
    {
        return active ? expectedOffset : 0;
    }

    /** The completed snapshot; the receiver is idle again afterwards. */
    Snapshot take()
    {
        if (!active || expectedOffset != data.length)
        {
            throw new IllegalStateException("no complete snapshot to take");
        }
        final Snapshot snapshot = new Snapshot(new SnapshotMetadata(index, term, voters, learners), data);
        reset();
        return snapshot;
    }

    /**
     * Drops a partial snapshot the commit index already covers: the leader went back to the log (it got an earlier
     * acknowledgement), so the buffer would otherwise be held until the next role change.
     */
    void dropIfCovered(final long commitIndex)
    {
        if (active && index <= commitIndex)
        {
            reset();
        }
    }

    /** Drops any partial snapshot and its buffer. */
    void reset()
    {
        active = false;
        data = null;
        voters = null;
        learners = null;
        expectedOffset = 0;
    }

    private boolean isOf(final RaftMessage chunk)
    {
        return active && chunk.index() == index && chunk.logTerm() == term &&
            chunk.snapshotSizeBytes() == data.length;
    }

    private void start(final RaftMessage chunk)
    {
        active = true;
        index = chunk.index();
        term = chunk.logTerm();
        voters = chunk.voters();
        learners = chunk.learners();
        data = new byte[(int)chunk.snapshotSizeBytes()];
        expectedOffset = 0;
    }
}
