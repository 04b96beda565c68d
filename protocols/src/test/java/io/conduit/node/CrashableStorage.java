package io.conduit.node;

import java.util.ArrayList;
import java.util.List;

import io.conduit.raft.HardState;
import io.conduit.raft.LogEntry;
import io.conduit.raft.MemoryRaftStorage;
import io.conduit.raft.RaftStorage;

/**
 * Storage with the durable storage's staging semantics: writes are visible at once but survive a crash only after
 * {@link #persist()}, the replica's persist hook. {@link #crash()} forgets everything staged since, as a machine
 * that lost power between the write and the fsync would.
 */
final class CrashableStorage implements RaftStorage
{
    private final MemoryRaftStorage durable = new MemoryRaftStorage();
    private MemoryRaftStorage working = new MemoryRaftStorage();
    private final List<Runnable> staged = new ArrayList<>();

    /** Makes every staged write durable. */
    void persist()
    {
        for (final Runnable write : staged)
        {
            write.run();
        }
        staged.clear();
    }

    /** Loses the staged writes: what a restarted member finds is what was persisted. */
    void crash()
    {
        staged.clear();
        final MemoryRaftStorage copy = new MemoryRaftStorage();
        final List<LogEntry> entries = new ArrayList<>();
        if (durable.lastIndex() >= durable.firstIndex())
        {
            durable.entries(durable.firstIndex(), durable.lastIndex() + 1, Long.MAX_VALUE, entries);
            copy.append(entries);
        }
        copy.saveHardState(durable.hardState());
        working = copy;
    }

    @Override
    public HardState hardState()
    {
        return working.hardState();
    }

    @Override
    public long firstIndex()
    {
        return working.firstIndex();
    }

    @Override
    public long lastIndex()
    {
        return working.lastIndex();
    }

    @Override
    public long term(final long index)
    {
        return working.term(index);
    }

    @Override
    public void entries(final long fromIndex, final long toIndexExclusive, final long maxBytes,
        final List<LogEntry> out)
    {
        working.entries(fromIndex, toIndexExclusive, maxBytes, out);
    }

    @Override
    public void append(final List<LogEntry> entries)
    {
        working.append(entries);
        final List<LogEntry> copy = List.copyOf(entries);
        staged.add(() -> durable.append(copy));
    }

    @Override
    public void truncateSuffix(final long fromIndex)
    {
        working.truncateSuffix(fromIndex);
        staged.add(() -> durable.truncateSuffix(fromIndex));
    }

    @Override
    public void saveHardState(final HardState state)
    {
        working.saveHardState(state);
        staged.add(() -> durable.saveHardState(state));
    }
}
