package io.conduit.raft.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

import io.conduit.raft.EntryKind;
import io.conduit.raft.LogEntry;
import io.conduit.raft.RaftStorage;
import io.conduit.raft.SnapshotMetadata;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@link RaftStorage} on disk: entries in a {@link SegmentedLog}, the hard state in a {@link HardStateFile}, the
 * latest snapshot in a {@link SnapshotStore}, all under one data directory (layout in the package documentation).
 * <h2>Durability and the Ready contract</h2>
 * {@link #append} and {@link #saveHardState} only stage: appends sit in the log's write buffer and the hard state in
 * memory, and every read ({@link #term}, {@link #entries}, {@link #hardState()}) already sees them. {@link #persist()}
 * makes everything staged durable with one log fdatasync and at most one hard state save, so the node's loop handles
 * each {@code Ready} as:
 * <pre>
 *  send(ready.messages());
 *  if (ready.snapshot() != null) storage.applySnapshot(..);   // durable on return
 *  storage.append(ready.entries());
 *  if (ready.hardState() != null) storage.saveHardState(ready.hardState());
 *  storage.persist();                          // group commit: the only fsyncs of this Ready
 *  send(ready.messagesAfterPersist());
 *  if (ready.snapshot() != null) stateMachine.restore(ready.snapshot().data());
 *  apply(ready.committedEntries());
 *  node.advance();
 *  // now and then, at the state machine's applied index:
 *  storage.createSnapshot(applied, voters, learners, stateMachineBytes); storage.compact(applied - keep);
 * </pre>
 * {@code persist()} syncs the entries <em>before</em> it saves the hard state: the hard state's commit index may
 * cover entries of the same Ready (a follower learns the commit with the entries), and a saved commit beyond the
 * durable log would make the node refuse to restart. A crash between the two leaves new entries with the old hard
 * state, which is safe: the entries were never acknowledged and the old term and vote still hold.
 * {@link #truncateSuffix} (and an {@link #append} that overwrites a suffix) is durable at once, together with
 * every staged entry before it, so conflicting entries can never reappear behind newer ones.
 * <p>
 * Indexes: {@link #firstIndex()} is the log's compaction point + 1 (1 for a log never compacted), and {@link #term}
 * answers for {@code firstIndex() - 1} from the persisted compaction point. Entries the log still holds behind it
 * (compaction deletes whole segments) are not offered to the engine.
 * <h2>Snapshots and crash safety</h2>
 * {@link #createSnapshot} and {@link #applySnapshot} are durable on return, and the snapshot file is always durable
 * before anything it replaces is deleted: {@link #compact} refuses to pass the latest snapshot, and
 * {@link #applySnapshot} commits the snapshot file before it resets the log. On {@link #open}, a log compacted past
 * the latest snapshot (or with no snapshot at all) is refused as corrupt; a snapshot newer than the compaction point
 * whose last entry the log does not hold with the same term is an interrupted {@code applySnapshot}, finished by
 * resetting the log to it. The snapshot file's data starts with the configuration (voters, learners) and then holds
 * the state machine's bytes; {@link #snapshotChunk} serves the latter.
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
    private static final byte[] NO_BYTES = new byte[0];
    /** Most voters or learners a snapshot file may name; a larger count means a damaged file. */
    private static final int MAX_MEMBERS = 4096;

    private final SegmentedLog log;
    private final HardStateFile hardStateFile;
    private final SnapshotStore snapshots;
    private final UnsafeBuffer payloadView = new UnsafeBuffer(NO_BYTES);
    private final EntryCollector collector = new EntryCollector();
    private io.conduit.raft.HardState hardState;
    private io.conduit.raft.HardState durableHardState;
    /** The latest snapshot, open for chunk reads, or null; with its metadata. */
    private SnapshotStore.SnapshotReader snapshotReader;
    private SnapshotMetadata snapshotMetadata;
    /** Where the state machine's bytes start in the snapshot file's data, after the configuration. */
    private int snapshotDataOffset;
    private boolean failed;
    private boolean closed;

    private DurableRaftStorage(
        final SegmentedLog log,
        final HardStateFile hardStateFile,
        final SnapshotStore snapshots,
        final SnapshotStore.SnapshotReader snapshotReader,
        final SnapshotMetadata snapshotMetadata,
        final io.conduit.raft.HardState hardState)
    {
        this.log = log;
        this.hardStateFile = hardStateFile;
        this.snapshots = snapshots;
        this.snapshotReader = snapshotReader;
        this.snapshotMetadata = snapshotMetadata;
        this.snapshotDataOffset = snapshotReader == null ? 0 : membershipBytes(snapshotMetadata);
        this.hardState = hardState;
        this.durableHardState = hardState;
    }

    /**
     * Opens (creating if needed) the storage in {@code dataDirectory}, recovers the log (see
     * {@link SegmentedLog#open}) and the latest snapshot, and finishes an interrupted {@link #applySnapshot}.
     *
     * @throws CorruptLogException if the log, hard state or latest snapshot fails verification, the log is compacted
     *                             past the latest snapshot, or the saved commit index lies beyond the recovered log
     *                             (entries that were synced have been lost).
     */
    public static DurableRaftStorage open(final Path dataDirectory, final SegmentedLogConfig config) throws IOException
    {
        final HardStateFile hardStateFile = HardStateFile.open(dataDirectory);
        SegmentedLog log = null;
        SnapshotStore.SnapshotReader reader = null;
        try
        {
            final HardState saved = hardStateFile.load();
            log = SegmentedLog.open(dataDirectory, config);
            final SnapshotStore snapshots = SnapshotStore.open(dataDirectory);
            reader = snapshots.openLatest();
            final SnapshotMetadata metadata = reader == null ? SnapshotMetadata.EMPTY : readMetadata(reader);
            reconcile(log, metadata, dataDirectory);
            if (saved.commitIndex() > log.lastIndex())
            {
                throw new CorruptLogException("hard state commit index " + saved.commitIndex() +
                    " is beyond the last log index " + log.lastIndex() + " in " + dataDirectory +
                    ": synced entries are missing");
            }
            return new DurableRaftStorage(log, hardStateFile, snapshots, reader, metadata, toRaft(saved));
        }
        catch (final IOException | RuntimeException ex)
        {
            if (reader != null)
            {
                reader.close();
            }
            closeQuietly(log, hardStateFile);
            throw ex;
        }
    }

    /**
     * The log's compaction point may trail the latest snapshot (the edge keeps entries behind it) but never pass it.
     * A snapshot beyond the compaction point that the log does not hold (same index, same term) can only be one
     * {@link #applySnapshot} committed before a crash stopped it from resetting the log: reset now.
     */
    private static void reconcile(final SegmentedLog log, final SnapshotMetadata snapshot, final Path dataDirectory)
        throws IOException
    {
        if (snapshot.index() < log.snapshotIndex())
        {
            throw new CorruptLogException("the log in " + dataDirectory + " is compacted through " +
                log.snapshotIndex() + " but the latest snapshot covers only " + snapshot.index() +
                ": the state in between is lost");
        }
        if (snapshot.index() > log.snapshotIndex() &&
            (snapshot.index() > log.lastIndex() || log.term(snapshot.index()) != snapshot.term()))
        {
            log.reset(snapshot.index(), snapshot.term());
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

    /** The log's compaction point + 1; at most the latest snapshot's index + 1. */
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
        if (first < firstIndex() || first <= snapshotMetadata.index() || first > lastIndex() + 1)
        {
            throw new IllegalArgumentException("append at " + first + " outside [" +
                Math.max(firstIndex(), snapshotMetadata.index() + 1) + ", " + (lastIndex() + 1) +
                "]: it would leave a gap or overwrite the snapshot");
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
                log.append(entry.index(), entry.term(), entry.kind().code(), payloadView, 0, entry.sizeBytes());
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
        if (fromIndex < firstIndex() || fromIndex <= snapshotMetadata.index())
        {
            throw new IllegalArgumentException("truncate from " + fromIndex + " below the first index " +
                firstIndex() + " or at or below the snapshot index " + snapshotMetadata.index() +
                ": entries in the snapshot are committed");
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

    // ------------------------------------------------------------------------------------------ snapshots

    @Override
    public SnapshotMetadata snapshotMetadata()
    {
        return snapshotMetadata;
    }

    @Override
    public long snapshotSizeBytes()
    {
        return snapshotReader == null ? 0 : snapshotReader.length() - snapshotDataOffset;
    }

    /** Reads from the snapshot file (the state machine's part, after the configuration). */
    @Override
    public byte[] snapshotChunk(final long offset, final int maxBytes)
    {
        ensureUsable();
        final long size = snapshotSizeBytes();
        if (offset < 0 || offset > size || maxBytes < 1)
        {
            throw new IllegalArgumentException("chunk at " + offset + " (max " + maxBytes + " bytes) outside the " +
                size + " bytes of the snapshot");
        }
        final byte[] chunk = new byte[(int)Math.min(maxBytes, size - offset)];
        if (chunk.length > 0)
        {
            try
            {
                payloadView.wrap(chunk);
                snapshotReader.readChunk(snapshotDataOffset + offset, payloadView, 0, chunk.length);
            }
            catch (final IOException ex)
            {
                throw fail("snapshot read", ex);
            }
            finally
            {
                payloadView.wrap(NO_BYTES);
            }
        }
        return chunk;
    }

    /** Durable on return: the snapshot file is written, fsynced and renamed into place; older ones are deleted. */
    @Override
    public void createSnapshot(final long index, final int[] voters, final int[] learners, final byte[] data)
    {
        ensureUsable();
        if (index <= snapshotMetadata.index() || index < firstIndex() - 1 || index > lastIndex() ||
            index > hardState.commit())
        {
            throw new IllegalArgumentException("snapshot at " + index + " must lie above the snapshot index " +
                snapshotMetadata.index() + ", within the log [" + (firstIndex() - 1) + ", " + lastIndex() +
                "] and at most the commit index " + hardState.commit());
        }
        final SnapshotMetadata metadata = new SnapshotMetadata(index, term(index), voters, learners);
        try
        {
            writeSnapshotFile(snapshots, metadata, data);
            reopenSnapshot(metadata);
        }
        catch (final IOException ex)
        {
            throw fail("snapshot", ex);
        }
    }

    /**
     * Durable on return. Only entries covered by the latest snapshot may go, and it is already durable; the log
     * records the compaction point before it deletes whole segments behind it ({@link SegmentedLog#compactPrefix}).
     */
    @Override
    public void compact(final long index)
    {
        ensureUsable();
        if (index > snapshotMetadata.index())
        {
            throw new IllegalArgumentException("compact through " + index + " beyond the snapshot index " +
                snapshotMetadata.index() + " would lose committed state");
        }
        if (index <= log.snapshotIndex())
        {
            return;
        }
        try
        {
            log.compactPrefix(index);
        }
        catch (final IOException ex)
        {
            throw fail("compact", ex);
        }
    }

    /**
     * Durable on return, except the raised commit index, which is staged like {@link #saveHardState} (losing it is
     * safe: the snapshot's index is committed, and {@code RaftLog} starts at least there). The snapshot file is made
     * durable first, then the log is reset behind it; {@link #open} finishes a reset a crash interrupted.
     */
    @Override
    public void applySnapshot(final SnapshotMetadata metadata, final byte[] data)
    {
        ensureUsable();
        if (metadata.index() <= snapshotMetadata.index())
        {
            throw new IllegalArgumentException("snapshot " + metadata + " is not newer than " + snapshotMetadata);
        }
        try
        {
            writeSnapshotFile(snapshots, metadata, data);
            log.reset(metadata.index(), metadata.term());
            reopenSnapshot(metadata);
        }
        catch (final IOException ex)
        {
            throw fail("snapshot install", ex);
        }
        if (hardState.commit() < metadata.index())
        {
            hardState = new io.conduit.raft.HardState(hardState.term(), hardState.vote(), metadata.index());
        }
    }

    /**
     * Writes and commits one snapshot file: the configuration (voter count, voters, learner count, learners, as
     * little-endian int32s), then the state machine's data. Package-private so tests can stage a crash.
     */
    static void writeSnapshotFile(final SnapshotStore store, final SnapshotMetadata metadata, final byte[] data)
        throws IOException
    {
        final int[] voters = metadata.voters();
        final int[] learners = metadata.learners();
        final UnsafeBuffer membership = new UnsafeBuffer(new byte[membershipBytes(metadata)]);
        int at = 0;
        membership.putInt(at, voters.length, RecordLayout.ORDER);
        at += Integer.BYTES;
        for (final int voter : voters)
        {
            membership.putInt(at, voter, RecordLayout.ORDER);
            at += Integer.BYTES;
        }
        membership.putInt(at, learners.length, RecordLayout.ORDER);
        at += Integer.BYTES;
        for (final int learner : learners)
        {
            membership.putInt(at, learner, RecordLayout.ORDER);
            at += Integer.BYTES;
        }
        try (SnapshotStore.SnapshotWriter writer = store.create(metadata.index(), metadata.term()))
        {
            writer.write(membership, 0, membership.capacity());
            writer.write(new UnsafeBuffer(data), 0, data.length);
            writer.commit();
        }
    }

    private static int membershipBytes(final SnapshotMetadata metadata)
    {
        return Integer.BYTES * (2 + metadata.voters().length + metadata.learners().length);
    }

    private static SnapshotMetadata readMetadata(final SnapshotStore.SnapshotReader reader) throws IOException
    {
        final UnsafeBuffer word = new UnsafeBuffer(new byte[Integer.BYTES]);
        long at = 0;
        final int[][] members = new int[2][];
        for (int list = 0; list < 2; list++)
        {
            if (at + Integer.BYTES > reader.length())
            {
                throw new CorruptLogException("snapshot " + reader.index() + " too short for its configuration");
            }
            reader.readChunk(at, word, 0, Integer.BYTES);
            at += Integer.BYTES;
            final int count = word.getInt(0, RecordLayout.ORDER);
            if (count < 0 || count > MAX_MEMBERS || at + (long)count * Integer.BYTES > reader.length())
            {
                throw new CorruptLogException("snapshot " + reader.index() + " names " + count + " members");
            }
            members[list] = new int[count];
            for (int i = 0; i < count; i++)
            {
                reader.readChunk(at, word, 0, Integer.BYTES);
                at += Integer.BYTES;
                members[list][i] = word.getInt(0, RecordLayout.ORDER);
            }
        }
        return new SnapshotMetadata(reader.index(), reader.term(), members[0], members[1]);
    }

    private void reopenSnapshot(final SnapshotMetadata metadata) throws IOException
    {
        if (snapshotReader != null)
        {
            snapshotReader.close();
            snapshotReader = null;
        }
        snapshotReader = snapshots.openLatest();
        if (snapshotReader == null || snapshotReader.index() != metadata.index())
        {
            throw new CorruptLogException("snapshot " + metadata + " not found after it was committed");
        }
        snapshotMetadata = metadata;
        snapshotDataOffset = membershipBytes(metadata);
    }

    /**
     * Persists what is staged (unless a write already failed) and closes the files.
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
                closeSnapshotReader();
                hardStateFile.close();
            }
        }
    }

    private void closeSnapshotReader() throws IOException
    {
        if (snapshotReader != null)
        {
            snapshotReader.close();
            snapshotReader = null;
        }
    }

    /**
     * Closes without persisting, as a crash would: staged appends and the staged hard state are lost. For tests.
     */
    void abandon() throws IOException
    {
        closed = true;
        log.abandon();
        closeSnapshotReader();
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
            return onEntry(index, term, EntryKind.NORMAL.code(), buffer, offset, length);
        }

        @Override
        public boolean onEntry(final long index, final long term, final int kind, final DirectBuffer buffer,
            final int offset, final int length)
        {
            bytes += length;
            if (!first && bytes > maxBytes)
            {
                return false;
            }
            first = false;
            final byte[] payload = new byte[length];
            buffer.getBytes(offset, payload);
            out.add(new LogEntry(term, index, EntryKind.fromCode(kind), payload));
            return true;
        }
    }
}
