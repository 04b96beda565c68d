package io.conduit.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * The engine's view of the log, as etcd's {@code raftLog}: the stable prefix in {@link RaftStorage} and, after it, the
 * unstable entries not yet persisted (handed out through {@link Ready#entries()}). Tracks the commit and applied
 * indexes; the commit index never decreases.
 */
public final class RaftLog
{
    private final RaftStorage storage;
    /** Entries from {@link #unstableOffset} on, not yet in storage; may shadow a stale stable suffix. */
    private final ArrayList<LogEntry> unstable = new ArrayList<>();
    private long unstableOffset;
    private long committed;
    private long applied;

    /**
     * @param storage the stable log; its hard state's commit seeds {@link #committed()}.
     */
    public RaftLog(final RaftStorage storage)
    {
        this.storage = storage;
        this.unstableOffset = storage.lastIndex() + 1;
        this.committed = storage.hardState().commit();
        if (committed > storage.lastIndex())
        {
            throw new IllegalStateException("stored commit " + committed + " beyond the stored log " +
                storage.lastIndex());
        }
        this.applied = storage.firstIndex() - 1;
    }

    public long lastIndex()
    {
        return unstable.isEmpty() ? storage.lastIndex() : unstableOffset + unstable.size() - 1;
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

    /** The last index known to be persisted locally. */
    public long stableIndex()
    {
        return unstableOffset - 1;
    }

    /**
     * @return the term of the entry at {@code index}, 0 for index 0 or an index past the end.
     */
    public long term(final long index)
    {
        if (index > lastIndex() || index < storage.firstIndex() - 1)
        {
            return 0;
        }
        if (index >= unstableOffset)
        {
            return unstable.get((int)(index - unstableOffset)).term();
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
        for (int i = from; i < entries.size(); i++)
        {
            unstable.add(entries.get(i));
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
     */
    public void entries(final long fromIndex, final int maxCount, final long maxBytes, final List<LogEntry> out)
    {
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

    /** Whether committed entries are waiting to be applied (only locally persisted ones are applied). */
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
    }

    private long applyLimit()
    {
        return Math.min(committed, stableIndex());
    }

    /** A copy of the whole log, for tests and invariant checks. */
    public List<LogEntry> allEntries()
    {
        final List<LogEntry> out = new ArrayList<>();
        if (lastIndex() >= storage.firstIndex())
        {
            entries(storage.firstIndex(), Integer.MAX_VALUE, Long.MAX_VALUE, out);
        }
        return out;
    }
}
