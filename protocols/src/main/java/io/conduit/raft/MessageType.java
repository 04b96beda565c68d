package io.conduit.raft;

/**
 * The Raft messages exchanged between peers (Raft §5, thesis §9.6 for pre-vote, §6.4 for ReadIndex, Raft §7 for
 * snapshots). New types are added at the end, so the ordinals of existing ones never change.
 */
public enum MessageType
{
    /** "Would you vote for me at term {@code term}?" without anyone changing state (thesis §9.6). */
    PRE_VOTE,
    PRE_VOTE_RESPONSE,
    /** RequestVote (Raft §5.2). */
    VOTE,
    VOTE_RESPONSE,
    /** AppendEntries carrying entries, or none when probing (Raft §5.3). */
    APPEND,
    APPEND_RESPONSE,
    /** The leader's periodic liveness message carrying a commit index safe for that follower (as etcd). */
    HEARTBEAT,
    HEARTBEAT_RESPONSE,
    /** A follower forwards a read to its leader; {@code context} is the follower's request id (thesis §6.4). */
    READ_INDEX,
    /** The leader's answer once its leadership is confirmed: {@code index} is the read index; context echoed. */
    READ_INDEX_RESP,
    /** The leader hands over (thesis §3.10): the caught-up recipient campaigns at once, skipping pre-vote. */
    TIMEOUT_NOW,
    /**
     * One chunk of the leader's snapshot for a follower that needs compacted entries (Raft §7); chunks are sent in
     * order, a bounded number in flight.
     */
    INSTALL_SNAPSHOT,
    /**
     * The follower's answer to a chunk: the offset it expects next, or a refusal. The last chunk is answered with an
     * APPEND_RESPONSE instead, after the snapshot is persisted.
     */
    INSTALL_SNAPSHOT_RESPONSE;

    /** Whether this is a reply to a vote or pre-vote request. */
    public boolean isVoteResponse()
    {
        return this == PRE_VOTE_RESPONSE || this == VOTE_RESPONSE;
    }
}
