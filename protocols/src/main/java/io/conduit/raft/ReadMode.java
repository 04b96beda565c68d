package io.conduit.raft;

/**
 * How a leader confirms a linearizable read ({@link RaftNode#readIndex(long)}), as etcd's {@code ReadOnlyOption}.
 */
public enum ReadMode
{
    /**
     * Thesis §6.4: every read waits for a heartbeat round, sent after it was registered, that a majority echoes. No
     * assumption about clocks.
     */
    SAFE,
    /**
     * Thesis §6.4.1: while the leader's lease holds, it answers at once from its commit index; otherwise as
     * {@link #SAFE}. The lease holds for {@code electionTicks - leaseMarginTicks} of the leader's ticks from the
     * sending of the newest heartbeat round a majority echoed, because each voter that echoed it ignores vote requests
     * for {@code electionTicks} of its own ticks after receiving it (check-quorum's rule, which this mode therefore
     * requires). <b>Clock assumption:</b> every member's tick rate stays within the margin of every other's over an
     * election timeout (bounded drift), and after a stall the edge delivers the ticks owed (at least an election
     * timeout's worth) before it hands the node a read. A leader whose ticks run slow (a paused process, a stalled
     * VM) can serve a stale read after a new leader committed a write.
     */
    LEASE
}
