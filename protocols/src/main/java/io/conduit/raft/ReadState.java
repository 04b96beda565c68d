package io.conduit.raft;

/**
 * A linearizable read that may now be served (Raft thesis §6.4): once this node's applied index reaches
 * {@code index}, the state machine reflects every write that completed before the read was requested.
 *
 * @param requestId the caller's id given to {@link RaftNode#readIndex(long)}.
 * @param index     the leader's commit index when it registered the read; serve when applied index &gt;= index.
 */
public record ReadState(long requestId, long index)
{
}
