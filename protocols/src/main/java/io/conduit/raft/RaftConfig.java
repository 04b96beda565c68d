package io.conduit.raft;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * A node's configuration. Times are in logical ticks: the edge calls {@link RaftNode#tick()} at a fixed period.
 *
 * @param id                 this node's id, positive.
 * @param voters             every voter's id including this node's, distinct and positive.
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
    RandomGenerator random)
{
    public RaftConfig
    {
        voters = voters.clone();
        if (id <= 0)
        {
            throw new IllegalArgumentException("id must be positive: " + id);
        }
        if (Arrays.stream(voters).noneMatch(v -> v == id))
        {
            throw new IllegalArgumentException("voters " + Arrays.toString(voters) + " must include id " + id);
        }
        if (Arrays.stream(voters).distinct().count() != voters.length || Arrays.stream(voters).anyMatch(v -> v <= 0))
        {
            throw new IllegalArgumentException("voters must be distinct positive ids: " + Arrays.toString(voters));
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
    }

    /** etcd's usual proportions: election 10 ticks, heartbeat 1, pre-vote and check-quorum on. */
    public static RaftConfig defaults(final int id, final int[] voters, final RandomGenerator random)
    {
        return new RaftConfig(id, voters, 10, 1, true, true, 64, 64, 1 << 20, random);
    }

    public RaftConfig withPreVote(final boolean enabled)
    {
        return new RaftConfig(id, voters, electionTicks, heartbeatTicks, enabled, checkQuorum, maxInflight,
            maxEntriesPerAppend, maxBytesPerAppend, random);
    }

    public RaftConfig withCheckQuorum(final boolean enabled)
    {
        return new RaftConfig(id, voters, electionTicks, heartbeatTicks, preVote, enabled, maxInflight,
            maxEntriesPerAppend, maxBytesPerAppend, random);
    }

    public RaftConfig withBatching(final int inflight, final int entriesPerAppend, final long bytesPerAppend)
    {
        return new RaftConfig(id, voters, electionTicks, heartbeatTicks, preVote, checkQuorum, inflight,
            entriesPerAppend, bytesPerAppend, random);
    }

    @Override
    public int[] voters()
    {
        return voters.clone();
    }
}
