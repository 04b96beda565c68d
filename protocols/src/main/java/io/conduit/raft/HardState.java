package io.conduit.raft;

/**
 * The state Raft must persist before answering anyone (Raft Figure 2): the current term, the vote cast in it, and the
 * commit index (persisted so a restarted node need not re-learn it; losing it is safe, only slower).
 *
 * @param term   current term, 0 before any election.
 * @param vote   the node voted for in {@code term}, or {@link RaftNode#NONE}.
 * @param commit highest index known committed.
 */
public record HardState(long term, int vote, long commit)
{
    /** The state of a node that has never run. */
    public static final HardState EMPTY = new HardState(0, RaftNode.NONE, 0);

    public HardState
    {
        if (term < 0 || commit < 0)
        {
            throw new IllegalArgumentException("term and commit must not be negative: " + term + ", " + commit);
        }
    }
}
