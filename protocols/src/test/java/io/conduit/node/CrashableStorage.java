package io.conduit.node;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.conduit.raft.HardState;
import io.conduit.raft.LogEntry;
import io.conduit.raft.MemoryRaftStorage;
import io.conduit.raft.RaftStorage;
import io.conduit.raft.SnapshotMetadata;

/**
 * Storage with the durable storage's staging semantics: log and hard-state writes are visible at once but survive a
 * crash only after {@link #persist()}, the replica's persist hook. {@link #crash()} forgets everything staged since,
 * as a machine that lost power between the write and the fsync would. Snapshot creation, compaction and snapshot
 * installation are durable on return, as {@code DurableRaftStorage} makes them.
 * <p>
 * What survives is kept as the list of durable writes, replayed onto a fresh {@link MemoryRaftStorage} after a crash:
 * simple, exact, and cheap at the simulator's sizes. A {@link Listener} hears of snapshot and compaction calls
 * before they run, so a checker can read the entries that are about to go.
 */
final class CrashableStorage implements RaftStorage
{
    /** Told before the storage discards entries or takes a snapshot. */
    interface Listener
    {
        /** Before {@link #createSnapshot}: the member's state machine snapshot at {@code index}. */
        void beforeSnapshot(long index, byte[] data);

        /** Before {@link #compact}: entries up to {@code index} are about to go. */
        void beforeCompact(long index);

        /** Before {@link #applySnapshot}: the leader's snapshot is about to replace the whole log. */
        void beforeInstall(SnapshotMetadata metadata, byte[] data);
    }

    private static final Listener NO_LISTENER = new Listener()
    {
        @Override
        public void beforeSnapshot(final long index, final byte[] data)
        {
        }

        @Override
        public void beforeCompact(final long index)
        {
        }

        @Override
        public void beforeInstall(final SnapshotMetadata metadata, final byte[] data)
        {
        }
    };

    private final List<Consumer<MemoryRaftStorage>> durable = new ArrayList<>();
    private final List<Consumer<MemoryRaftStorage>> staged = new ArrayList<>();
    private MemoryRaftStorage working = new MemoryRaftStorage();
    private Listener listener = NO_LISTENER;

    void listener(final Listener listener)
    {
        this.listener = listener;
    }

    /** Makes every staged write durable. */
    void persist()
    {
        durable.addAll(staged);
        staged.clear();
    }

    /** Loses the staged writes: what a restarted member finds is what was persisted. */
    void crash()
    {
        staged.clear();
        working = new MemoryRaftStorage();
        for (final Consumer<MemoryRaftStorage> write : durable)
        {
            write.accept(working);
        }
    }

    private void stage(final Consumer<MemoryRaftStorage> write)
    {
        write.accept(working);
        staged.add(write);
    }

    private void writeDurably(final Consumer<MemoryRaftStorage> write)
    {
        // The replica makes these calls between Readies or before a Ready's log writes, when nothing is staged; a
        // durable write overtaking staged ones would survive a crash that they do not.
        if (!staged.isEmpty())
        {
            throw new IllegalStateException("a durable snapshot write with " + staged.size() + " writes staged");
        }
        write.accept(working);
        durable.add(write);
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
        final List<LogEntry> copy = List.copyOf(entries);
        stage(storage -> storage.append(copy));
    }

    @Override
    public void truncateSuffix(final long fromIndex)
    {
        stage(storage -> storage.truncateSuffix(fromIndex));
    }

    @Override
    public void saveHardState(final HardState state)
    {
        stage(storage -> storage.saveHardState(state));
    }

    @Override
    public SnapshotMetadata snapshotMetadata()
    {
        return working.snapshotMetadata();
    }

    @Override
    public long snapshotSizeBytes()
    {
        return working.snapshotSizeBytes();
    }

    @Override
    public byte[] snapshotChunk(final long offset, final int maxBytes)
    {
        return working.snapshotChunk(offset, maxBytes);
    }

    @Override
    public void createSnapshot(final long index, final int[] voters, final int[] learners, final byte[] data)
    {
        listener.beforeSnapshot(index, data);
        final int[] votersCopy = voters.clone();
        final int[] learnersCopy = learners.clone();
        writeDurably(storage -> storage.createSnapshot(index, votersCopy, learnersCopy, data));
    }

    @Override
    public void compact(final long index)
    {
        listener.beforeCompact(index);
        writeDurably(storage -> storage.compact(index));
    }

    @Override
    public void applySnapshot(final SnapshotMetadata metadata, final byte[] data)
    {
        listener.beforeInstall(metadata, data);
        writeDurably(storage -> storage.applySnapshot(metadata, data));
    }
}
