package io.conduit.raft.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

import io.conduit.raft.LogEntry;
import io.conduit.raft.RaftStorage;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@link RaftStorage} on disk: entries in a {@link SegmentedLog}, the hard state in a {@link HardStateFile}, both
 * under one data directory (layout in the package documentation).
 * <h2>Durability and the Ready contract</h2>
 * {@link #append} and {@link #saveHardState} only stage: appends sit in the log's write buffer and the hard state in
 * memory, and every read ({@link #term}, {@link #entries}, {@link #hardState()}) already sees them. {@link #persist()}
 * makes everything staged durable with one log fdatasync and at most one hard state save, so the node's loop handles
 * each {@code Ready} as:
 * <pre>
 *  send(ready.messages());
 *  storage.append(ready.entries());
 *  if (ready.hardState() != null) storage.saveHardState(ready.hardState());
 *  storage.persist();                          // group commit: the only fsyncs of this Ready
 *  send(ready.messagesAfterPersist());
 *  apply(ready.committedEntries());
 *  node.advance();
 * </pre>
 * {@code persist()} syncs the entries <em>before</em> it saves the hard state: the hard state's commit index may
 * cover entries of the same Ready (a follower learns the commit with the entries), and a saved commit beyond the
 * durable log would make the node refuse to restart. A crash between the two leaves new entries with the old hard
 * state, which is safe: the entries were never acknowledged and the old term and vote still hold.
 * {@link #truncateSuffix} (and an {@link #append} that overwrites a suffix) is durable at once, together with
 * every staged entry before it, so conflicting entries can never reappear behind newer ones.
 * <p>
 * Indexes: {@link #firstIndex()} is the log's snapshot index + 1 (1 without a snapshot), and {@link #term} answers
 * for {@code firstIndex() - 1} from the persisted snapshot point. Entries the log still holds behind its snapshot
 * (compaction deletes whole segments) are not offered to the engine.
 * <p>
 * Errors: the {@link RaftStorage} methods cannot throw {@link IOException}, so a failed write or fsync surfaces as an
 * {@link UncheckedIOException}, after which this storage refuses all further use: after a failed fsync the state of
 * the page cache is unknown, and retrying could report lost data as durable. The node must stop and restart from
 * disk.
 * <p>
 * Allocation: {@link #entries} creates a {@link LogEntry} and a payload copy per entry read from disk, because the
 * engine's log is a list of immutable objects; appends and term lookups do not allocate. Not thread safe: one
 * thread (the node's loop) owns it.
 */
public final class DurableRaftStorage implements RaftStorage, AutoCloseable
{
    private final SegmentedLog log;
    private final HardStateFile hardStateFile;
    private static final byte[] NO_BYTES = new byte[0];

    private final UnsafeBuffer payloadView = new UnsafeBuffer(NO_BYTES);
    private final EntryCollector collector = new EntryCollector();
    private io.conduit.raft.HardState hardState;
    private io.conduit.raft.HardState durableHardState;
    private boolean failed;
    private boolean closed;

    private DurableRaftStorage(
        final SegmentedLog log, final HardStateFile hardStateFile, final io.conduit.raft.HardState hardState)
    {
        this.log = log;
        this.hardStateFile = hardStateFile;
        this.hardState = hardState;
        this.durableHardState = hardState;
    }

    /**
     * Opens (creating if needed) the storage in {@code dataDirectory} and recovers the log (see
     * {@link SegmentedLog#open}).
     *
     * @throws CorruptLogException if the log or hard state fails verification, or the saved commit index lies beyond
     *                             the recovered log (entries that were synced have been lost).
     */
    public static DurableRaftStorage open(final Path dataDirectory, final SegmentedLogConfig config) throws IOException
    {
        final HardStateFile hardStateFile = HardStateFile.open(dataDirectory);
        SegmentedLog log = null;
        try
        {
            final HardState saved = hardStateFile.load();
            log = SegmentedLog.open(dataDirectory, config);
            if (saved.commitIndex() > log.lastIndex())
            {
                throw new CorruptLogException("hard state commit index " + saved.commitIndex() +
                    " is beyond the last log index " + log.lastIndex() + " in " + dataDirectory +
                    ": synced entries are missing");
            }
            return new DurableRaftStorage(log, hardStateFile, toRaft(saved));
        }
        catch (final IOException | RuntimeException ex)
        {
            closeQuietly(log, hardStateFile);
            throw ex;
        }
    }

    /**
     * Makes everything staged since the last call durable: the log first (one fdatasync for all appends), then the
     * hard state if it changed. Call once per {@code Ready}, before sending its {@code messagesAfterPersist}.
     */
    public void persist()
    {
        ensureUsable();
        try
        {
            log.sync();
            if (!hardState.equals(durableHardState))
            {
                hardStateFile.save(hardState.term(), hardState.vote(), hardState.commit());
                durableHardState = hardState;
            }
        }
        catch (final IOException ex)
        {
            throw fail("persist", ex);
        }
    }

    /**
     * @return the index through which entries are durable.
     */
    public long lastSyncedIndex()
    {
        return log.lastSyncedIndex();
    }

    /**
     * @return the hard state as last made durable by {@link #persist()} (or loaded on open).
     */
    public io.conduit.raft.HardState durableHardState()
    {
        return durableHardState;
    }

    /**
     * @return what recovery of the log found on open (e.g. a torn tail it truncated).
     */
    public RecoveryReport recoveryReport()
    {
        return log.recoveryReport();
    }

    /** The staged hard state: what {@link #saveHardState} last received, durable after {@link #persist()}. */
    @Override
    public io.conduit.raft.HardState hardState()
    {
        return hardState;
    }

    @Override
    public long firstIndex()
    {
        return log.snapshotIndex() + 1;
    }

    @Override
    public long lastIndex()
    {
        return log.lastIndex();
    }

    @Override
    public long term(final long index)
    {
        if (index < firstIndex() - 1 || index > lastIndex())
        {
            throw new IllegalArgumentException(
                "index " + index + " outside [" + (firstIndex() - 1) + ", " + lastIndex() + "]");
        }
        return index == 0 ? 0 : log.term(index);
    }

    /** Reads from disk (or the write buffer, flushed first) and copies each payload into a new {@link LogEntry}. */
    @Override
    public void entries(
        final long fromIndex, final long toIndexExclusive, final long maxBytes, final List<LogEntry> out)
    {
        ensureUsable();
        if (fromIndex >= toIndexExclusive)
        {
            return;
        }
        if (fromIndex < firstIndex() || toIndexExclusive - 1 > lastIndex())
        {
            throw new IllegalArgumentException("entries [" + fromIndex + ", " + toIndexExclusive + ") outside [" +
                firstIndex() + ", " + lastIndex() + "]");
        }
        collector.start(out, maxBytes);
        try
        {
            log.forEach(fromIndex, toIndexExclusive - 1, collector);
        }
        catch (final IOException ex)
        {
            throw fail("read", ex);
        }
        finally
        {
            collector.out = null;
        }
    }

    /** Stages the entries; an overwritten suffix is first truncated durably. */
    @Override
    public void append(final List<LogEntry> entries)
    {
        ensureUsable();
        if (entries.isEmpty())
        {
            return;
        }
        final long first = entries.get(0).index();
        if (first < firstIndex() || first > lastIndex() + 1)
        {
            throw new IllegalArgumentException("append at " + first + " outside [" + firstIndex() + ", " +
                (lastIndex() + 1) + "]: it would leave a gap or overwrite the snapshot");
        }
        long expected = first;
        for (final LogEntry entry : entries)
        {
            if (entry.index() != expected++)
            {
                throw new IllegalArgumentException("entries not consecutive at " + entry);
            }
        }
        try
        {
            if (first <= lastIndex())
            {
                log.truncateSuffix(first);
            }
            for (final LogEntry entry : entries)
            {
                payloadView.wrap(entry.payload());
                log.append(entry.index(), entry.term(), payloadView, 0, entry.sizeBytes());
            }
        }
        catch (final IOException ex)
        {
            throw fail("append", ex);
        }
        finally
        {
            // Let go of the caller's payload array.
            payloadView.wrap(NO_BYTES);
        }
    }

    /** Durable on return, with every staged entry before {@code fromIndex}. */
    @Override
    public void truncateSuffix(final long fromIndex)
    {
        ensureUsable();
        if (fromIndex > lastIndex())
        {
            return;
        }
        if (fromIndex < firstIndex())
        {
            throw new IllegalArgumentException("truncate from " + fromIndex + " below the first index " +
                firstIndex() + ": entries in the snapshot are committed");
        }
        try
        {
            log.truncateSuffix(fromIndex);
        }
        catch (final IOException ex)
        {
            throw fail("truncate", ex);
        }
    }

    /** Stages the state; {@link #persist()} saves it, after syncing the log. */
    @Override
    public void saveHardState(final io.conduit.raft.HardState state)
    {
        ensureUsable();
        if (state.vote() < 0)
        {
            throw new IllegalArgumentException("vote must not be negative: " + state);
        }
        hardState = state;
    }

    /**
     * Persists what is staged (unless a write already failed) and closes both files.
     */
    @Override
    public void close() throws IOException
    {
        if (closed)
        {
            return;
        }
        try
        {
            if (!failed)
            {
                persist();
            }
        }
        finally
        {
            closed = true;
            try
            {
                if (failed)
                {
                    log.abandon(); // a sync after a failed one proves nothing; leave recovery to the next open
                }
                else
                {
                    log.close();
                }
            }
            finally
            {
                hardStateFile.close();
            }
        }
    }

    /**
     * Closes without persisting, as a crash would: staged appends and the staged hard state are lost. For tests.
     */
    void abandon() throws IOException
    {
        closed = true;
        log.abandon();
        hardStateFile.close();
    }

    private static io.conduit.raft.HardState toRaft(final HardState state)
    {
        return new io.conduit.raft.HardState(state.currentTerm(), state.votedFor(), state.commitIndex());
    }

    private UncheckedIOException fail(final String operation, final IOException cause)
    {
        failed = true;
        return new UncheckedIOException("raft storage " + operation + " failed; the node must restart from disk",
            cause);
    }

    private void ensureUsable()
    {
        if (closed)
        {
            throw new IllegalStateException("raft storage is closed");
        }
        if (failed)
        {
            throw new IllegalStateException("raft storage failed an earlier write; the node must restart from disk");
        }
    }

    private static void closeQuietly(final SegmentedLog log, final HardStateFile hardStateFile)
    {
        try
        {
            if (log != null)
            {
                log.abandon();
            }
            hardStateFile.close();
        }
        catch (final IOException ignored)
        {
            // Opening already failed; that error is the one to report.
        }
    }

    /** Copies entries out of the log's read buffer, stopping before the one that would pass the byte limit. */
    private static final class EntryCollector implements EntryHandler
    {
        private List<LogEntry> out;
        private long maxBytes;
        private long bytes;
        private boolean first;

        void start(final List<LogEntry> out, final long maxBytes)
        {
            this.out = out;
            this.maxBytes = maxBytes;
            this.bytes = 0;
            this.first = true;
        }

        @Override
        public boolean onEntry(
            final long index, final long term, final DirectBuffer buffer, final int offset, final int length)
        {
            bytes += length;
            if (!first && bytes > maxBytes)
            {
                return false;
            }
            first = false;
            final byte[] payload = new byte[length];
            buffer.getBytes(offset, payload);
            out.add(new LogEntry(term, index, payload));
            return true;
        }
    }
}
