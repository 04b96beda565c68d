package io.conduit.raft;

/**
 * A node's role. {@link #PRE_CANDIDATE} is the pre-vote phase (Raft thesis §9.6): the node asks whether it could win
 * before bumping its term, so a node that cannot win never disrupts the cluster.
 */
public enum RaftRole
{
    FOLLOWER,
    PRE_CANDIDATE,
    CANDIDATE,
    LEADER;

    /**
     * Whether a node in this role may move to {@code next}. Leaders only ever step down; nothing becomes leader
     * without first being a candidate.
     *
     * @param next the role to move to.
     * @return true when the move is in the role diagram.
     */
    public boolean canMoveTo(final RaftRole next)
    {
        switch (this)
        {
            case FOLLOWER:
                return next != LEADER;
            case PRE_CANDIDATE:
                return next != LEADER;
            case CANDIDATE:
                return true;
            case LEADER:
                return next == FOLLOWER;
            default:
                throw new IllegalStateException("unknown role " + this);
        }
    }
}
