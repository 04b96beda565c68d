package io.conduit.member;

/** Which replication engine a member runs; both serve the same key-value client protocol. */
public enum ReplicationEngine
{
    /** Raft: a leader replicates a log to a majority (io.conduit.node.RaftKvReplica). */
    RAFT,
    /** Chain replication with a Raft-backed configuration manager on the same members (io.conduit.chain). */
    CHAIN
}
