package io.conduit.raft;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * A node's configuration. Times are in logical ticks: the edge calls {@link RaftNode#tick()} at a fixed period.
 *
 * @param id                 this node's id, positive.
 * @param voters             the bootstrap configuration: every voter's id, distinct and positive, before any
 *                           membership change. The configuration in effect is derived from the log (and the
 *                           snapshot, which records it) on top of this (thesis §4.1). It includes this node's id,
 *                           except on a node that joins a running cluster: that one is started with the cluster's
 *                           bootstrap voters, is no voter, so never campaigns, and learns its membership from the
 *                           leader's log or snapshot.
 * @param electionTicks      base election timeout; each timeout is drawn from
 *                           {@code [electionTicks, 2 * electionTicks)}. Must exceed {@code heartbeatTicks}.
 * @param heartbeatTicks     the leader's heartbeat interval.
 * @param preVote            ask before campaigning (thesis §9.6), so a node that cannot win bumps no terms.
 * @param checkQuorum        a leader steps down when it has not heard from a majority within an election timeout, and
 *                           a follower that heard from a leader within one ignores vote requests (thesis §6.2).
 * @param maxInflight        most AppendEntries in flight per follower while replicating.
 * @param maxEntriesPerAppend most entries in one AppendEntries.
 * @param maxBytesPerAppend  payload bytes per AppendEntries (at least one entry is always sent).
 * @param random             election jitter; seeded in tests.
 * @param snapshotChunkBytes most snapshot bytes in one INSTALL_SNAPSHOT message.
 * @param maxSnapshotChunksInflight most INSTALL_SNAPSHOT chunks in flight per follower.
 * @param maxSnapshotBytes   the largest snapshot a follower accepts: it buffers a snapshot in memory while it
 *                           arrives, so a larger one is refused (and counted) rather than risking the heap.
 * @param readMode           how the leader confirms reads: {@link ReadMode#SAFE} (a heartbeat round per batch of
 *                           reads) or {@link ReadMode#LEASE} (thesis §6.4.1; read its clock assumption), which needs
 *                           {@code checkQuorum}.
 * @param leaseMarginTicks   {@link ReadMode#LEASE}: how much shorter than an election timeout the lease is, to absorb
 *                           clock drift between members; in {@code [0, electionTicks)}.
 * @param maxPromotionLagEntries thesis §4.2.1: a learner is promoted only once its match index is at most this many
 *                           entries behind the leader's last index, so the new voter does not stall commits while it
 *                           catches up.
 */
public record RaftConfig(
    int id,
    int[] voters,
    int electionTicks,
    int heartbeatTicks,
    boolean preVote,
    boolean checkQuorum,
    int maxInflight,
    int maxEntriesPerAppend,
    long maxBytesPerAppend,
    RandomGenerator random,
    int snapshotChunkBytes,
    int maxSnapshotChunksInflight,
    long maxSnapshotBytes,
    ReadMode readMode,
    int leaseMarginTicks,
    long maxPromotionLagEntries)
{
    /** Default {@link #snapshotChunkBytes()}: 64 KiB. */
    public static final int DEFAULT_SNAPSHOT_CHUNK_BYTES = 64 * 1024;
    /** Default {@link #maxSnapshotChunksInflight()}. */
    public static final int DEFAULT_SNAPSHOT_CHUNKS_INFLIGHT = 4;
    /** Default {@link #maxSnapshotBytes()}: 512 MiB. */
    public static final long DEFAULT_MAX_SNAPSHOT_BYTES = 512L * 1024 * 1024;
    /** The most a follower can buffer: one Java array. */
    public static final long MAX_SNAPSHOT_BYTES_LIMIT = Integer.MAX_VALUE - 8;
    /** Default {@link #maxPromotionLagEntries()}. */
    public static final long DEFAULT_MAX_PROMOTION_LAG_ENTRIES = 256;

    public RaftConfig
    {
        voters = voters.clone();
        if (id <= 0)
        {
            throw new IllegalArgumentException("id must be positive: " + id);
        }
        if (voters.length == 0 || Arrays.stream(voters).distinct().count() != voters.length ||
            Arrays.stream(voters).anyMatch(v -> v <= 0))
        {
            throw new IllegalArgumentException("voters must be at least one distinct positive id: " +
                Arrays.toString(voters));
        }
        if (heartbeatTicks < 1 || electionTicks <= heartbeatTicks)
        {
            throw new IllegalArgumentException("need 1 <= heartbeatTicks < electionTicks: heartbeatTicks=" +
                heartbeatTicks + " electionTicks=" + electionTicks);
        }
        if (maxInflight < 1 || maxEntriesPerAppend < 1 || maxBytesPerAppend < 1)
        {
            throw new IllegalArgumentException(
                "maxInflight, maxEntriesPerAppend and maxBytesPerAppend must be positive");
        }
        if (random == null)
        {
            throw new IllegalArgumentException("random must be given (seeded in tests)");
        }
        if (snapshotChunkBytes < 1 || maxSnapshotChunksInflight < 1 || maxSnapshotBytes < 0 ||
            maxSnapshotBytes > MAX_SNAPSHOT_BYTES_LIMIT)
        {
            throw new IllegalArgumentException("need snapshotChunkBytes >= 1, maxSnapshotChunksInflight >= 1 and " +
                "0 <= maxSnapshotBytes <= " + MAX_SNAPSHOT_BYTES_LIMIT + ": " + snapshotChunkBytes + ", " +
                maxSnapshotChunksInflight + ", " + maxSnapshotBytes);
        }
        if (readMode == null || leaseMarginTicks < 0 || leaseMarginTicks >= electionTicks ||
            maxPromotionLagEntries < 0)
        {
            throw new IllegalArgumentException("need a readMode, 0 <= leaseMarginTicks < electionTicks and " +
                "maxPromotionLagEntries >= 0: " + readMode + ", " + leaseMarginTicks + ", " + maxPromotionLagEntries);
        }
        if (readMode == ReadMode.LEASE && !checkQuorum)
        {
            // Thesis §6.4.1: the lease rests on voters ignoring vote requests while they hear from a leader.
            throw new IllegalArgumentException("ReadMode.LEASE needs checkQuorum");
        }
    }

    /** The configuration before membership changes and lease reads: SAFE reads, the default promotion lag. */
    public RaftConfig(
        final int id,
        final int[] voters,
        final int electionTicks,
        final int heartbeatTicks,
        final boolean preVote,
        final boolean checkQuorum,
        final int maxInflight,
        final int maxEntriesPerAppend,
        final long maxBytesPerAppend,
        final RandomGenerator random,
        final int snapshotChunkBytes,
        final int maxSnapshotChunksInflight,
        final long maxSnapshotBytes)
    {
        this(id, voters, electionTicks, heartbeatTicks, preVote, checkQuorum, maxInflight, maxEntriesPerAppend,
            maxBytesPerAppend, random, snapshotChunkBytes, maxSnapshotChunksInflight, maxSnapshotBytes,
            ReadMode.SAFE, electionTicks / 5, DEFAULT_MAX_PROMOTION_LAG_ENTRIES);
    }

    /** The configuration before snapshots, with the default snapshot transfer settings. */
    public RaftConfig(
        final int id,
        final int[] voters,
        final int electionTicks,
        final int heartbeatTicks,
        final boolean preVote,
        final boolean checkQuorum,
        final int maxInflight,
        final int maxEntriesPerAppend,
        final long maxBytesPerAppend,
        final RandomGenerator random)
    {
        this(id, voters, electionTicks, heartbeatTicks, preVote, checkQuorum, maxInflight, maxEntriesPerAppend,
            maxBytesPerAppend, random, DEFAULT_SNAPSHOT_CHUNK_BYTES, DEFAULT_SNAPSHOT_CHUNKS_INFLIGHT,
            DEFAULT_MAX_SNAPSHOT_BYTES);
    }

    /** etcd's usual proportions: election 10 ticks, heartbeat 1, pre-vote and check-quorum on. */
    public static RaftConfig defaults(final int id, final int[] voters, final RandomGenerator random)
    {
        return new RaftConfig(id, voters, 10, 1, true, true, 64, 64, 1 << 20, random);
    }

    public RaftConfig withPreVote(final boolean enabled)
    {
        return new RaftConfig(id, voters, electionTicks, heartbeatTicks, enabled, checkQuorum, maxInflight,
            maxEntriesPerAppend, maxBytesPerAppend, random, snapshotChunkBytes, maxSnapshotChunksInflight,
            maxSnapshotBytes, readMode, leaseMarginTicks, maxPromotionLagEntries);
    }

    public RaftConfig withCheckQuorum(final boolean enabled)
    {
        return new RaftConfig(id, voters, electionTicks, heartbeatTicks, preVote, enabled, maxInflight,
            maxEntriesPerAppend, maxBytesPerAppend, random, snapshotChunkBytes, maxSnapshotChunksInflight,
            maxSnapshotBytes, readMode, leaseMarginTicks, maxPromotionLagEntries);
    }

    public RaftConfig withBatching(final int inflight, final int entriesPerAppend, final long bytesPerAppend)
    {
        return new RaftConfig(id, voters, electionTicks, heartbeatTicks, preVote, checkQuorum, inflight,
            entriesPerAppend, bytesPerAppend, random, snapshotChunkBytes, maxSnapshotChunksInflight,
            maxSnapshotBytes, readMode, leaseMarginTicks, maxPromotionLagEntries);
    }

    /** Chunk size and window of InstallSnapshot, and the largest snapshot this node accepts. */
    public RaftConfig withSnapshotTransfer(final int chunkBytes, final int chunksInflight, final long maxBytes)
    {
        return new RaftConfig(id, voters, electionTicks, heartbeatTicks, preVote, checkQuorum, maxInflight,
            maxEntriesPerAppend, maxBytesPerAppend, random, chunkBytes, chunksInflight, maxBytes, readMode,
            leaseMarginTicks, maxPromotionLagEntries);
    }

    /**
     * How reads are confirmed; {@link ReadMode#LEASE} needs check-quorum and assumes bounded clock drift (see there).
     *
     * @param mode        SAFE or LEASE.
     * @param marginTicks how much shorter than an election timeout the lease is, in {@code [0, electionTicks)}.
     */
    public RaftConfig withReadMode(final ReadMode mode, final int marginTicks)
    {
        return new RaftConfig(id, voters, electionTicks, heartbeatTicks, preVote, checkQuorum, maxInflight,
            maxEntriesPerAppend, maxBytesPerAppend, random, snapshotChunkBytes, maxSnapshotChunksInflight,
            maxSnapshotBytes, mode, marginTicks, maxPromotionLagEntries);
    }

    /** Thesis §4.2.1: how far behind the leader's last index a learner may be when it is promoted. */
    public RaftConfig withMaxPromotionLag(final long entries)
    {
        return new RaftConfig(id, voters, electionTicks, heartbeatTicks, preVote, checkQuorum, maxInflight,
            maxEntriesPerAppend, maxBytesPerAppend, random, snapshotChunkBytes, maxSnapshotChunksInflight,
            maxSnapshotBytes, readMode, leaseMarginTicks, entries);
    }

    @Override
    public int[] voters()
    {
        return voters.clone();
    }
}
