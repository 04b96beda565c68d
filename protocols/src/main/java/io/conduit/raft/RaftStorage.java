package io.conduit.raft;

import java.util.List;

/**
 * The persisted part of a node: its hard state, its latest snapshot and its stable log. The engine only reads it
 * (etcd's {@code Storage}); the edge writes {@link Ready#snapshot()}, {@link Ready#entries()} and
 * {@link Ready#hardState()} into it before calling {@link RaftNode#advance()}, and compacts it behind snapshots of
 * its state machine. The durable implementation lives in {@code io.conduit.raft.storage}; {@link MemoryRaftStorage}
 * serves tests and the simulator.
 * <p>
 * Indexes start at 1 and are contiguous from {@link #firstIndex()} to {@link #lastIndex()}; an empty log has
 * {@code lastIndex() == firstIndex() - 1}. Entries up to the compaction point {@code firstIndex() - 1} are gone,
 * and only {@link #term} of that index is still known. The compaction point never passes the latest snapshot
 * ({@code firstIndex() - 1 <= snapshotMetadata().index() <= lastIndex()}), so everything discarded is in the snapshot
 * and a follower that needs discarded entries gets the snapshot instead (Raft §7).
 * <p>
 * The snapshot methods have defaults for a storage that never snapshots (no snapshot; creating or installing one is
 * unsupported), so implementations written before snapshots keep compiling.
 */
public interface RaftStorage
{
    /** The hard state last saved, {@link HardState#EMPTY} for a fresh node. */
    HardState hardState();

    /** Index of the first entry held: the compaction point + 1 (1 for a log never compacted). */
    long firstIndex();

    /** Index of the last entry held, {@code firstIndex() - 1} when empty. */
    long lastIndex();

    /**
     * @param index from {@code firstIndex() - 1} to {@code lastIndex()}.
     * @return the entry's term; 0 for index 0.
     * @throws IllegalArgumentException for an index outside that range.
     */
    long term(long index);

    /**
     * Adds entries in {@code [fromIndex, toIndexExclusive)} to {@code out}, stopping early once their payloads exceed
     * {@code maxBytes}; at least one entry is added when the range is not empty.
     */
    void entries(long fromIndex, long toIndexExclusive, long maxBytes, List<LogEntry> out);

    /**
     * Appends consecutive entries. The first may overwrite an existing index, in which case everything from there on
     * is replaced (a new leader's log wins, Raft §5.3); never one at or below the snapshot index.
     */
    void append(List<LogEntry> entries);

    /** Removes every entry at or after {@code fromIndex}, which must lie above the snapshot index. */
    void truncateSuffix(long fromIndex);

    /** Replaces the hard state; durable implementations make it crash-atomic. */
    void saveHardState(HardState state);

    // ------------------------------------------------------------------------------------------ snapshots

    /** The latest snapshot's metadata, {@link SnapshotMetadata#EMPTY} when there is none. */
    default SnapshotMetadata snapshotMetadata()
    {
        return SnapshotMetadata.EMPTY;
    }

    /** Size of the latest snapshot's data in bytes (0 when there is none). */
    default long snapshotSizeBytes()
    {
        return 0;
    }

    /**
     * Reads part of the latest snapshot's data, for InstallSnapshot chunks.
     *
     * @param offset   from 0 to {@link #snapshotSizeBytes()}.
     * @param maxBytes the most bytes to return, positive.
     * @return a new array of {@code min(maxBytes, snapshotSizeBytes() - offset)} bytes.
     * @throws IllegalArgumentException for an offset outside the data.
     */
    default byte[] snapshotChunk(final long offset, final int maxBytes)
    {
        if (offset != 0 || maxBytes < 1)
        {
            throw new IllegalArgumentException("no snapshot data at offset " + offset);
        }
        return new byte[0];
    }

    /**
     * The latest snapshot whole, for an edge restoring its state machine on start; null when there is none.
     *
     * @throws IllegalStateException if the data does not fit one array.
     */
    default Snapshot snapshot()
    {
        final SnapshotMetadata metadata = snapshotMetadata();
        if (metadata.index() == 0)
        {
            return null;
        }
        final long size = snapshotSizeBytes();
        if (size > Integer.MAX_VALUE - 8)
        {
            throw new IllegalStateException("snapshot of " + size + " bytes does not fit one array");
        }
        final byte[] data = new byte[(int)size];
        int done = 0;
        while (done < data.length)
        {
            final byte[] chunk = snapshotChunk(done, 1 << 20);
            System.arraycopy(chunk, 0, data, done, chunk.length);
            done += chunk.length;
        }
        return new Snapshot(metadata, data);
    }

    /**
     * The edge snapshotted its state machine at {@code index} (normally its applied index): keeps {@code data} as the
     * latest snapshot, with the term of {@code index} from the log. Entries stay until {@link #compact}.
     *
     * @param index    above the current snapshot index, held in the log, and at most the saved commit index (only
     *                 committed state may be snapshotted).
     * @param voters   the voters as of {@code index}.
     * @param learners the learners as of {@code index} (empty for now).
     * @param data     the state machine's bytes; owned by the storage from now on.
     * @throws IllegalArgumentException for an index breaking those rules.
     */
    default void createSnapshot(final long index, final int[] voters, final int[] learners, final byte[] data)
    {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not keep snapshots");
    }

    /**
     * Discards every entry at or below {@code index}; afterwards {@code firstIndex() == index + 1} and
     * {@code term(index)} is still known. An index at or below the compaction point changes nothing.
     *
     * @param index at most {@code snapshotMetadata().index()}: what is discarded must be in the snapshot. Keeping
     *              some entries behind the snapshot lets the leader feed a slightly lagging follower from the log.
     * @throws IllegalArgumentException for an index beyond the snapshot.
     */
    default void compact(final long index)
    {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not compact");
    }

    /**
     * Installs a snapshot received from the leader ({@link Ready#snapshot()}): it becomes the latest snapshot, the
     * whole log is discarded (the next entry is {@code metadata.index() + 1}) and the hard state's commit index is
     * raised to at least {@code metadata.index()}. Durable implementations make the snapshot durable before they
     * discard anything.
     *
     * @param metadata newer than the current snapshot.
     * @param data     the state machine's bytes; owned by the storage from now on.
     * @throws IllegalArgumentException for a snapshot not newer than the current one.
     */
    default void applySnapshot(final SnapshotMetadata metadata, final byte[] data)
    {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not install snapshots");
    }
}
