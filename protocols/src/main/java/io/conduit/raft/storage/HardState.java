package io.conduit.raft.storage;

/**
 * The Raft state a node must not forget across a crash (Raft Figure 2, "persistent state on all servers"), plus the
 * commit index so a restarted node can apply committed entries without waiting for the leader.
 *
 * @param currentTerm the latest term the node has seen.
 * @param votedFor    the candidate voted for in {@code currentTerm}, or {@link #NO_VOTE}.
 * @param commitIndex the highest index known committed.
 */
public record HardState(long currentTerm, int votedFor, long commitIndex)
{
    /** votedFor when the node has not voted in the current term; member ids start at 1. */
    public static final int NO_VOTE = 0;
    /** What a node that never saved anything starts from. */
    public static final HardState INITIAL = new HardState(0, NO_VOTE, 0);

    /**
     * Validates the fields.
     */
    public HardState
    {
        if (currentTerm < 0 || commitIndex < 0 || votedFor < 0)
        {
            throw new IllegalArgumentException("negative hard state: term " + currentTerm + ", votedFor " + votedFor +
                ", commitIndex " + commitIndex);
        }
    }
}
