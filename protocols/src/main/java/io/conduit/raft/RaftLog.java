package io.conduit.raft;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The engine's view of the log, as etcd's {@code raftLog}: the latest snapshot and the stable entries after it in
 * {@link RaftStorage}, then the unstable entries not yet persisted (handed out through {@link Ready#entries()}), and a
 * snapshot received from the leader but not yet persisted (handed out through {@link Ready#snapshot()}), which
 * replaces everything before it. Tracks the commit and applied indexes, and the configurations the log implies
 * (thesis §4.1: a configuration is in effect once its entry is in the log; see {@link ConfigurationHistory}).
 * <p>
 * Invariants, checked on every {@link RaftNode#advance()}: the commit index never decreases; the snapshot index
 * never decreases; commit and applied never lie below the snapshot index; the storage never compacts past its
 * snapshot.
 */
public final class RaftLog
{
    private final RaftStorage storage;
    /** Entries from {@link #unstableOffset} on, not yet in storage; may shadow a stale stable suffix. */
    private final ArrayList<LogEntry> unstable = new ArrayList<>();
    private long unstableOffset;
    private long committed;
    private long applied;
    /** A snapshot from the leader that replaces the log up to its index once the edge persists it; else null. */
    private Snapshot pendingSnapshot;
    /** The highest snapshot index seen in storage, so a snapshot going backwards is caught. */
    private long snapshotIndexSeen;
    /** The bootstrap voters, for a log never snapshotted (or a snapshot that records no configuration). */
    private final int[] bootstrapVoters;
    private final ConfigurationHistory configurations;

    /**
     * A log whose configuration before any change is the snapshot's, or empty.
     *
     * @param storage the stable log; its hard state's commit and its snapshot seed {@link #committed()}, and the
     *                snapshot's index seeds {@link #applied()}: the edge restores its state machine from
     *                {@link RaftStorage#snapshot()} before it drives the node.
     */
    public RaftLog(final RaftStorage storage)
    {
        this(storage, new int[0]);
    }

    /**
     * @param storage         as above.
     * @param bootstrapVoters the configuration before any change in the log, when there is no snapshot (or one that
     *                        records no voters); the configuration is then derived by applying every conf change
     *                        entry held after the snapshot.
     */
    RaftLog(final RaftStorage storage, final int[] bootstrapVoters)
    {
        this.storage = storage;
        this.bootstrapVoters = bootstrapVoters.clone();
        this.unstableOffset = storage.lastIndex() + 1;
        final long snapshotIndex = storage.snapshotMetadata().index();
        this.committed = Math.max(storage.hardState().commit(), snapshotIndex);
        if (committed > storage.lastIndex())
        {
            throw new IllegalStateException("stored commit " + committed + " beyond the stored log " +
                storage.lastIndex());
        }
        this.applied = Math.max(storage.firstIndex() - 1, snapshotIndex);
        checkSnapshotInvariants();
        this.configurations = new ConfigurationHistory(snapshotIndex, configurationOf(storage.snapshotMetadata()));
        replayConfChanges(snapshotIndex + 1);
        configurations.foldTo(applied);
    }

    /** Restart: derives the configuration from the changes in the stored log, read in bounded batches. */
    private void replayConfChanges(final long fromIndex)
    {
        final ArrayList<LogEntry> batch = new ArrayList<>();
        long next = Math.max(fromIndex, storage.firstIndex());
        while (next <= storage.lastIndex())
        {
            batch.clear();
            storage.entries(next, storage.lastIndex() + 1, 1 << 20, batch);
            for (final LogEntry entry : batch)
            {
                configurations.appended(entry);
            }
            next += batch.size();
        }
    }

    private Configuration configurationOf(final SnapshotMetadata snapshot)
    {
        // A snapshot written without a configuration (none of ours) falls back to the bootstrap voters.
        return snapshot.voters().length == 0 ? new Configuration(bootstrapVoters, new int[0]) :
            new Configuration(snapshot.voters(), snapshot.learners());
    }

    /** The first index held: after a pending snapshot, else the storage's. Entries before it are compacted. */
    public long firstIndex()
    {
        return pendingSnapshot != null ? pendingSnapshot.metadata().index() + 1 : storage.firstIndex();
    }

    public long lastIndex()
    {
        if (!unstable.isEmpty())
        {
            return unstableOffset + unstable.size() - 1;
        }
        return pendingSnapshot != null ? pendingSnapshot.metadata().index() : storage.lastIndex();
    }

    public long lastTerm()
    {
        return term(lastIndex());
    }

    public long committed()
    {
        return committed;
    }

    public long applied()
    {
        return applied;
    }

    /**
     * The last index known to be persisted locally. While a received snapshot waits to be persisted, nothing counts
     * as persisted: the storage still holds the log the snapshot replaces.
     */
    public long stableIndex()
    {
        return pendingSnapshot != null ? 0 : unstableOffset - 1;
    }

    /**
     * @return the term of the entry at {@code index}, 0 for index 0, an index past the end, or one compacted away
     *         (below {@code firstIndex() - 1}, whose term is the snapshot's).
     */
    public long term(final long index)
    {
        if (index > lastIndex() || index < firstIndex() - 1)
        {
            return 0;
        }
        if (index >= unstableOffset)
        {
            return unstable.get((int)(index - unstableOffset)).term();
        }
        if (pendingSnapshot != null)
        {
            return pendingSnapshot.metadata().term(); // index == firstIndex() - 1, the snapshot's own index
        }
        return storage.term(index);
    }

    public boolean matchTerm(final long index, final long term)
    {
        return index <= lastIndex() && term(index) == term;
    }

    /** Raft §5.4.1: a candidate's log is at least as up to date by last term, then last index. */
    public boolean isUpToDate(final long candidateLastIndex, final long candidateLastTerm)
    {
        final long lastTerm = lastTerm();
        return candidateLastTerm > lastTerm || (candidateLastTerm == lastTerm && candidateLastIndex >= lastIndex());
    }

    /** The leader's own append; returns the new last index. */
    long append(final LogEntry entry)
    {
        if (entry.index() != lastIndex() + 1)
        {
            throw new IllegalStateException("leader append at " + entry.index() + " after " + lastIndex());
        }
        if (unstable.isEmpty())
        {
            unstableOffset = entry.index();
        }
        unstable.add(entry);
        configurations.appended(entry);
        return entry.index();
    }

    /**
     * A follower's AppendEntries (Raft §5.3): if the entry before {@code entries} matches, drops any conflicting
     * suffix, appends what is new, and advances the commit index to at most the last new entry.
     *
     * @return the index of the last entry of the message, or -1 when the consistency check failed.
     */
    long maybeAppend(final long prevIndex, final long prevTerm, final long leaderCommit,
        final List<LogEntry> entries)
    {
        if (!matchTerm(prevIndex, prevTerm))
        {
            return -1;
        }
        final long lastNewIndex = prevIndex + entries.size();
        final int conflict = firstConflict(entries);
        if (conflict >= 0)
        {
            final long conflictIndex = entries.get(conflict).index();
            if (conflictIndex <= committed)
            {
                throw new IllegalStateException("entry " + conflictIndex + " conflicts with committed " + committed);
            }
            truncateAndAppend(entries, conflict);
        }
        commitTo(Math.min(leaderCommit, lastNewIndex));
        return lastNewIndex;
    }

    /** Position in {@code entries} of the first entry that is new or whose term differs from ours; -1 for none. */
    private int firstConflict(final List<LogEntry> entries)
    {
        for (int i = 0; i < entries.size(); i++)
        {
            final LogEntry entry = entries.get(i);
            if (!matchTerm(entry.index(), entry.term()))
            {
                return i;
            }
        }
        return -1;
    }

    private void truncateAndAppend(final List<LogEntry> entries, final int from)
    {
        final long first = entries.get(from).index();
        if (first > lastIndex() + 1)
        {
            throw new IllegalStateException("append at " + first + " would leave a gap after " + lastIndex());
        }
        if (first <= unstableOffset)
        {
            // Everything unstable is replaced; the stale stable suffix from `first` on is shadowed until persisted.
            unstable.clear();
            unstableOffset = first;
        }
        else
        {
            final int keep = (int)(first - unstableOffset);
            while (unstable.size() > keep)
            {
                unstable.remove(unstable.size() - 1);
            }
        }
        configurations.truncatedFrom(first);
        for (int i = from; i < entries.size(); i++)
        {
            unstable.add(entries.get(i));
            configurations.appended(entries.get(i));
        }
    }

    /**
     * For fast backtracking (etcd {@code findConflictByTerm}): the largest index at or below {@code index} whose term
     * is at most {@code term}. Walks back one entry at a time, but each rejection
     * round trip then skips a whole term, so round trips are bounded by terms, not entries.
     */
    public long conflictIndexByTerm(final long index, final long term)
    {
        long i = Math.min(index, lastIndex());
        while (i > 0 && term(i) > term)
        {
            i--;
        }
        return i;
    }

    /** Moves the commit index forward; a smaller value is ignored, one beyond the log is a protocol violation. */
    void commitTo(final long index)
    {
        if (index <= committed)
        {
            return;
        }
        if (index > lastIndex())
        {
            throw new IllegalStateException("commit " + index + " beyond the last index " + lastIndex());
        }
        committed = index;
    }

    /**
     * Adds entries in {@code [fromIndex, lastIndex()]} to {@code out}, at most {@code maxCount} and about
     * {@code maxBytes} of payload (always at least one).
     *
     * @throws IllegalArgumentException when {@code fromIndex} is compacted (below {@link #firstIndex()}).
     */
    public void entries(final long fromIndex, final int maxCount, final long maxBytes, final List<LogEntry> out)
    {
        if (fromIndex < firstIndex())
        {
            throw new IllegalArgumentException("entries from " + fromIndex + " are compacted; the log starts at " +
                firstIndex());
        }
        final long end = Math.min(lastIndex() + 1, fromIndex + maxCount);
        final int sizeBefore = out.size();
        if (fromIndex < unstableOffset)
        {
            storage.entries(fromIndex, Math.min(end, unstableOffset), maxBytes, out);
        }
        long bytes = 0;
        for (int i = sizeBefore; i < out.size(); i++)
        {
            bytes += out.get(i).sizeBytes();
        }
        for (long i = Math.max(fromIndex, unstableOffset); i < end; i++)
        {
            if (out.size() > sizeBefore && (out.get(out.size() - 1).index() != i - 1))
            {
                return; // storage stopped early on the byte limit
            }
            final LogEntry entry = unstable.get((int)(i - unstableOffset));
            bytes += entry.sizeBytes();
            if (out.size() > sizeBefore && bytes > maxBytes)
            {
                return;
            }
            out.add(entry);
        }
    }

    /** Unstable entries to hand to the edge for persisting. */
    void unstableEntries(final List<LogEntry> out)
    {
        out.addAll(unstable);
    }

    public boolean hasUnstable()
    {
        return !unstable.isEmpty();
    }

    /** The edge persisted everything up to {@code index} (of {@code term}); drop it from the unstable part. */
    void stableTo(final long index, final long term)
    {
        if (index < unstableOffset || term(index) != term)
        {
            return; // already stable, or overwritten since it was handed out
        }
        final int count = (int)(index - unstableOffset + 1);
        unstable.subList(0, count).clear();
        unstableOffset = index + 1;
    }

    /**
     * Whether committed entries are waiting to be applied (only locally persisted ones are applied, and none while a
     * received snapshot waits: the entries after it are applied once the state machine is restored from it).
     */
    public boolean hasEntriesToApply()
    {
        return applyLimit() > applied;
    }

    /** Committed, locally persisted entries not yet applied, bounded by {@code maxBytes}. */
    void entriesToApply(final long maxBytes, final List<LogEntry> out)
    {
        final long limit = applyLimit();
        if (limit > applied)
        {
            entries(applied + 1, (int)Math.min(Integer.MAX_VALUE, limit - applied), maxBytes, out);
        }
    }

    void appliedTo(final long index)
    {
        if (index < applied || index > committed)
        {
            throw new IllegalStateException("applied " + index + " outside [" + applied + ", " + committed + "]");
        }
        applied = index;
        configurations.foldTo(applied);
    }

    private long applyLimit()
    {
        return pendingSnapshot != null ? 0 : Math.min(committed, stableIndex());
    }

    // ------------------------------------------------------------------------------------------ snapshots

    /** The latest snapshot's metadata: a pending received one, else the storage's. */
    public SnapshotMetadata snapshotMetadata()
    {
        return pendingSnapshot != null ? pendingSnapshot.metadata() : storage.snapshotMetadata();
    }

    /** Length of the latest snapshot's data. */
    long snapshotSizeBytes()
    {
        return pendingSnapshot != null ? pendingSnapshot.data().length : storage.snapshotSizeBytes();
    }

    /** Up to {@code maxBytes} of the latest snapshot's data from {@code offset}, in a new array. */
    byte[] snapshotChunk(final long offset, final int maxBytes)
    {
        if (pendingSnapshot == null)
        {
            return storage.snapshotChunk(offset, maxBytes);
        }
        final byte[] data = pendingSnapshot.data();
        return Arrays.copyOfRange(data, (int)offset, (int)Math.min(data.length, offset + maxBytes));
    }

    /** The received snapshot waiting to be persisted, or null. */
    Snapshot pendingSnapshot()
    {
        return pendingSnapshot;
    }

    /**
     * Raft §7: a snapshot from the leader replaces the whole log (etcd discards even matching entries after it, as
     * the caller first checks the log does not already hold the snapshot's entry). The commit index jumps to the
     * snapshot's index; nothing is applied until the edge persisted the snapshot and restored its state machine.
     */
    void restore(final Snapshot snapshot)
    {
        final long index = snapshot.metadata().index();
        if (index <= committed)
        {
            throw new IllegalStateException("restoring snapshot " + snapshot.metadata() +
                " at or below the commit index " + committed);
        }
        unstable.clear();
        unstableOffset = index + 1;
        pendingSnapshot = snapshot;
        committed = index;
        configurations.reset(index, configurationOf(snapshot.metadata()));
    }

    /** The edge persisted {@code snapshot} and restored its state machine from it: applied jumps to its index. */
    void snapshotPersisted(final Snapshot snapshot)
    {
        final SnapshotMetadata stored = storage.snapshotMetadata();
        if (stored.index() < snapshot.metadata().index() || storage.firstIndex() - 1 < snapshot.metadata().index())
        {
            throw new IllegalStateException("the edge did not install " + snapshot.metadata() +
                " in storage before advance(): storage holds " + stored + " and starts at " + storage.firstIndex());
        }
        if (pendingSnapshot == snapshot)
        {
            pendingSnapshot = null;
        }
        applied = Math.max(applied, snapshot.metadata().index());
        configurations.foldTo(applied);
    }

    // ------------------------------------------------------------------------------------- configuration

    /** Thesis §4.1: the configuration in effect, the newest in the log whether committed or not. */
    Configuration configuration()
    {
        return configurations.current();
    }

    /** The configuration as of the applied index: what a snapshot at the applied index records. */
    Configuration appliedConfiguration()
    {
        return configurations.at(applied);
    }

    /** Index of the newest conf change entry in the log (or an index at most the applied one when none is newer). */
    long lastConfChangeIndex()
    {
        return configurations.lastChangeIndex();
    }

    /** Raft §7 safety, checked loudly: a snapshot only ever covers committed, applied state, and never goes back. */
    void checkSnapshotInvariants()
    {
        final SnapshotMetadata stored = storage.snapshotMetadata();
        if (stored.index() < snapshotIndexSeen)
        {
            throw new IllegalStateException("storage snapshot index went back from " + snapshotIndexSeen + " to " +
                stored.index());
        }
        snapshotIndexSeen = stored.index();
        if (storage.firstIndex() - 1 > stored.index())
        {
            throw new IllegalStateException("storage compacted through " + (storage.firstIndex() - 1) +
                ", past its snapshot at " + stored.index());
        }
        if (committed < stored.index() || applied < stored.index())
        {
            throw new IllegalStateException("commit " + committed + " or applied " + applied +
                " below the snapshot index " + stored.index());
        }
    }

    /** A copy of the log from {@link #firstIndex()} on, for tests and invariant checks. */
    public List<LogEntry> allEntries()
    {
        final List<LogEntry> out = new ArrayList<>();
        if (lastIndex() >= firstIndex())
        {
            entries(firstIndex(), Integer.MAX_VALUE, Long.MAX_VALUE, out);
        }
        return out;
    }
}
