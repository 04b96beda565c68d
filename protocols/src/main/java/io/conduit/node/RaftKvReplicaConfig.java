package io.conduit.node;

import io.conduit.kv.KvConfig;
import io.conduit.raft.RaftConfig;

/**
 * A replica's configuration. Every member of a cluster must use the same {@link KvConfig}, the same
 * {@code maxEntriesPerAppend} and the same {@code snapshotChunkBytes}: they bound what the Raft codec accepts from
 * peers.
 *
 * @param raft             the engine's identity (member id, voter ids), timing in ticks, batching and random source.
 * @param tickNs           the length of one Raft tick; {@link RaftKvReplica#onTick(long)} ticks once per elapsed
 *                         {@code tickNs}.
 * @param kv               the state machine's and the client protocol's limits.
 * @param maxPendingWrites proposals this replica remembers until they are applied (to answer their clients); when
 *                         full, further writes are answered RETRY.
 * @param maxPendingReads  reads waiting for a ReadIndex confirmation or for the applied index to catch up; when
 *                         full, further reads are answered RETRY.
 * @param readTimeoutNs    how long a read may wait before it is answered RETRY (a ReadIndex answer can be lost, a
 *                         follower can stay behind a sequential client's minIndex).
 * @param snapshotEveryEntries once this many entries have been applied since the latest snapshot, the replica
 *                         snapshots its state machine and compacts the log (Raft §7); 0 never snapshots, so the log
 *                         grows without bound and a restart re-applies all of it.
 * @param entriesRetainedBehindSnapshot log entries kept at and below a new snapshot's index, so a follower only
 *                         that far behind is caught up from the log rather than by a whole snapshot transfer.
 */
public record RaftKvReplicaConfig(
    RaftConfig raft,
    long tickNs,
    KvConfig kv,
    int maxPendingWrites,
    int maxPendingReads,
    long readTimeoutNs,
    long snapshotEveryEntries,
    long entriesRetainedBehindSnapshot)
{
    /** Pending writes by default: far above what one leader commits between two applies at full speed. */
    public static final int DEFAULT_MAX_PENDING_WRITES = 4096;
    /** Pending reads by default: the engine's own ReadIndex queue holds 1024 per leader. */
    public static final int DEFAULT_MAX_PENDING_READS = 1024;
    /**
     * Snapshot every 10,000 entries by default: a restart re-applies at most that many, and writing the snapshot
     * (a file write and an fsync with the durable storage) stays rare next to the per-batch log fsyncs.
     */
    public static final long DEFAULT_SNAPSHOT_EVERY_ENTRIES = 10_000;
    /** Entries kept behind a snapshot by default: a follower a second or so behind catches up from the log. */
    public static final long DEFAULT_ENTRIES_RETAINED_BEHIND_SNAPSHOT = 1_000;

    public RaftKvReplicaConfig
    {
        if (raft == null || kv == null)
        {
            throw new IllegalArgumentException("raft and kv configurations must be given");
        }
        if (tickNs < 1 || readTimeoutNs < 1)
        {
            throw new IllegalArgumentException("tickNs and readTimeoutNs must be positive: " + tickNs + ", " +
                readTimeoutNs);
        }
        if (maxPendingWrites < 1 || maxPendingReads < 1)
        {
            throw new IllegalArgumentException("pending tables need room: writes=" + maxPendingWrites + " reads=" +
                maxPendingReads);
        }
        if (snapshotEveryEntries < 0 || entriesRetainedBehindSnapshot < 0)
        {
            throw new IllegalArgumentException("snapshotEveryEntries and entriesRetainedBehindSnapshot must not be " +
                "negative: " + snapshotEveryEntries + ", " + entriesRetainedBehindSnapshot);
        }
    }

    /**
     * Default table sizes and snapshot policy; reads wait at most two election timeouts, enough for one
     * re-election.
     */
    public static RaftKvReplicaConfig defaults(final RaftConfig raft, final long tickNs, final KvConfig kv)
    {
        return new RaftKvReplicaConfig(raft, tickNs, kv, DEFAULT_MAX_PENDING_WRITES, DEFAULT_MAX_PENDING_READS,
            2L * raft.electionTicks() * tickNs, DEFAULT_SNAPSHOT_EVERY_ENTRIES,
            DEFAULT_ENTRIES_RETAINED_BEHIND_SNAPSHOT);
    }

    public RaftKvReplicaConfig withPending(final int writes, final int reads, final long timeoutNs)
    {
        return new RaftKvReplicaConfig(raft, tickNs, kv, writes, reads, timeoutNs, snapshotEveryEntries,
            entriesRetainedBehindSnapshot);
    }

    /** Snapshot every {@code everyEntries} applied entries (0 never), keeping {@code retainedEntries} behind. */
    public RaftKvReplicaConfig withSnapshots(final long everyEntries, final long retainedEntries)
    {
        return new RaftKvReplicaConfig(raft, tickNs, kv, maxPendingWrites, maxPendingReads, readTimeoutNs,
            everyEntries, retainedEntries);
    }
}
