package io.conduit.node;

import io.conduit.kv.KvConfig;
import io.conduit.raft.RaftConfig;

/**
 * A replica's configuration. Every member of a cluster must use the same {@link KvConfig} and the same
 * {@code maxEntriesPerAppend}: they bound what the Raft codec accepts from peers.
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
 */
public record RaftKvReplicaConfig(
    RaftConfig raft,
    long tickNs,
    KvConfig kv,
    int maxPendingWrites,
    int maxPendingReads,
    long readTimeoutNs)
{
    /** Pending writes by default: far above what one leader commits between two applies at full speed. */
    public static final int DEFAULT_MAX_PENDING_WRITES = 4096;
    /** Pending reads by default: the engine's own ReadIndex queue holds 1024 per leader. */
    public static final int DEFAULT_MAX_PENDING_READS = 1024;

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
    }

    /** Default table sizes; reads wait at most two election timeouts, enough for one re-election. */
    public static RaftKvReplicaConfig defaults(final RaftConfig raft, final long tickNs, final KvConfig kv)
    {
        return new RaftKvReplicaConfig(raft, tickNs, kv, DEFAULT_MAX_PENDING_WRITES, DEFAULT_MAX_PENDING_READS,
            2L * raft.electionTicks() * tickNs);
    }

    public RaftKvReplicaConfig withPending(final int writes, final int reads, final long timeoutNs)
    {
        return new RaftKvReplicaConfig(raft, tickNs, kv, writes, reads, timeoutNs);
    }
}
