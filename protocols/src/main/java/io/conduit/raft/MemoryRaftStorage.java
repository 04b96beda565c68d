package io.conduit.raft;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@link RaftStorage} in memory: what the simulator keeps across a simulated crash, snapshots included. Entries after
 * the compaction point are held in a list; the compaction point's term is kept so {@code term(firstIndex() - 1)}
 * still answers (etcd's MemoryStorage keeps a dummy entry for the same reason). Not thread-safe.
 */
public final class MemoryRaftStorage implements RaftStorage
{
    private static final byte[] NO_BYTES = new byte[0];

    /** Entries {@code compactedIndex + 1 ..}, in order. */
    private final ArrayList<LogEntry> log = new ArrayList<>();
    private HardState hardState = HardState.EMPTY;
    private long compactedIndex;
    private long compactedTerm;
    private SnapshotMetadata snapshot = SnapshotMetadata.EMPTY;
    private byte[] snapshotData = NO_BYTES;

    @Override
    public HardState hardState()
    {
        return hardState;
    }

    @Override
    public long firstIndex()
    {
        return compactedIndex + 1;
    }

    @Override
    public long lastIndex()
    {
        return compactedIndex + log.size();
    }

    @Override
    public long term(final long index)
    {
        if (index == compactedIndex)
        {
            return compactedTerm;
        }
        checkRange(index);
        return entryAt(index).term();
    }

    @Override
    public void entries(
        final long fromIndex, final long toIndexExclusive, final long maxBytes, final List<LogEntry> out)
    {
        long bytes = 0;
        for (long i = fromIndex; i < toIndexExclusive; i++)
        {
            checkRange(i);
            final LogEntry entry = entryAt(i);
            bytes += entry.sizeBytes();
            if (i > fromIndex && bytes > maxBytes)
            {
                return;
            }
            out.add(entry);
        }
    }

    @Override
    public void append(final List<LogEntry> entries)
    {
        if (entries.isEmpty())
        {
            return;
        }
        final long first = entries.get(0).index();
        if (first <= snapshot.index() || first < firstIndex() || first > lastIndex() + 1)
        {
            throw new IllegalArgumentException("append at " + first + " outside [" +
                Math.max(firstIndex(), snapshot.index() + 1) + ", " + (lastIndex() + 1) +
                "]: it would leave a gap or overwrite snapshotted entries");
        }
        truncateSuffix(first);
        long expected = first;
        for (final LogEntry entry : entries)
        {
            if (entry.index() != expected++)
            {
                throw new IllegalArgumentException("entries not consecutive at " + entry);
            }
            log.add(entry);
        }
    }

    @Override
    public void truncateSuffix(final long fromIndex)
    {
        if (fromIndex > lastIndex())
        {
            return;
        }
        if (fromIndex <= snapshot.index() || fromIndex < firstIndex())
        {
            throw new IllegalArgumentException("truncate from " + fromIndex + " at or below the snapshot index " +
                snapshot.index() + " or the first index " + firstIndex() + ": those entries are committed");
        }
        log.subList((int)(fromIndex - firstIndex()), log.size()).clear();
    }

    @Override
    public void saveHardState(final HardState state)
    {
        this.hardState = state;
    }

    // ------------------------------------------------------------------------------------------ snapshots

    @Override
    public SnapshotMetadata snapshotMetadata()
    {
        return snapshot;
    }

    @Override
    public long snapshotSizeBytes()
    {
        return snapshotData.length;
    }

    @Override
    public byte[] snapshotChunk(final long offset, final int maxBytes)
    {
        if (offset < 0 || offset > snapshotData.length || maxBytes < 1)
        {
            throw new IllegalArgumentException("chunk at " + offset + " (max " + maxBytes + " bytes) outside the " +
                snapshotData.length + " bytes of the snapshot");
        }
        final int from = (int)offset;
        return Arrays.copyOfRange(snapshotData, from, from + Math.min(maxBytes, snapshotData.length - from));
    }

    @Override
    public void createSnapshot(final long index, final int[] voters, final int[] learners, final byte[] data)
    {
        if (index <= snapshot.index() || index < compactedIndex || index > lastIndex() || index > hardState.commit())
        {
            throw new IllegalArgumentException("snapshot at " + index + " must lie above the snapshot index " +
                snapshot.index() + ", within the log [" + compactedIndex + ", " + lastIndex() +
                "] and at most the commit index " + hardState.commit());
        }
        snapshot = new SnapshotMetadata(index, term(index), voters, learners);
        snapshotData = data.clone();
    }

    @Override
    public void compact(final long index)
    {
        if (index > snapshot.index())
        {
            throw new IllegalArgumentException("compact through " + index + " beyond the snapshot index " +
                snapshot.index() + " would lose committed state");
        }
        if (index <= compactedIndex)
        {
            return;
        }
        final long term = term(index);
        log.subList(0, (int)(index - compactedIndex)).clear();
        compactedIndex = index;
        compactedTerm = term;
    }

    @Override
    public void applySnapshot(final SnapshotMetadata metadata, final byte[] data)
    {
        if (metadata.index() <= snapshot.index())
        {
            throw new IllegalArgumentException("snapshot " + metadata + " is not newer than " + snapshot);
        }
        log.clear();
        compactedIndex = metadata.index();
        compactedTerm = metadata.term();
        snapshot = metadata;
        snapshotData = data.clone();
        if (hardState.commit() < metadata.index())
        {
            hardState = new HardState(hardState.term(), hardState.vote(), metadata.index());
        }
    }

    private LogEntry entryAt(final long index)
    {
        return log.get((int)(index - compactedIndex - 1));
    }

    private void checkRange(final long index)
    {
        if (index < firstIndex() || index > lastIndex())
        {
            throw new IllegalArgumentException("index " + index + " outside [" + firstIndex() + ", " + lastIndex() +
                "]");
        }
    }
}
