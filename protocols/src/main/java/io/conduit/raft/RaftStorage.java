package io.conduit.raft;

import java.util.List;

/**
 * The persisted part of a node: its hard state and its stable log. The engine only reads it (etcd's
 * {@code Storage}); the edge writes {@link Ready#entries()} and {@link Ready#hardState()} into it before calling
 * {@link RaftNode#advance()}. The durable implementation lives in {@code io.conduit.raft.storage};
 * {@link MemoryRaftStorage} serves tests and the simulator.
 * <p>
 * Indexes start at 1 and are contiguous from {@link #firstIndex()} to {@link #lastIndex()}; an empty log has
 * {@code lastIndex() == firstIndex() - 1}. Log compaction (snapshots) is a later increment, so
 * {@code firstIndex()} is 1 for now.
 */
public interface RaftStorage
{
    /** The hard state last saved, {@link HardState#EMPTY} for a fresh node. */
    HardState hardState();

    /** Index of the first entry held (1 until snapshots compact the log). */
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
     * is replaced (a new leader's log wins, Raft §5.3).
     */
    void append(List<LogEntry> entries);

    /** Removes every entry at or after {@code fromIndex}. */
    void truncateSuffix(long fromIndex);

    /** Replaces the hard state; durable implementations make it crash-atomic. */
    void saveHardState(HardState state);
}
