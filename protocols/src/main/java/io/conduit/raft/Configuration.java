package io.conduit.raft;

import java.util.Arrays;

/**
 * One cluster configuration: its voters and its learners, disjoint sets of positive ids. Immutable; arrays are copied
 * in and out. Voters keep their order, and a change appends at the end, so every node derives the same arrays from
 * the same log.
 */
final class Configuration
{
    private final int[] voters;
    private final int[] learners;

    Configuration(final int[] voters, final int[] learners)
    {
        this.voters = voters.clone();
        this.learners = learners.clone();
        for (final int learner : this.learners)
        {
            if (contains(this.voters, learner))
            {
                throw new IllegalArgumentException(learner + " is both voter and learner");
            }
        }
    }

    int[] voters()
    {
        return voters.clone();
    }

    int[] learners()
    {
        return learners.clone();
    }

    int voterCount()
    {
        return voters.length;
    }

    int voter(final int position)
    {
        return voters[position];
    }

    int learnerCount()
    {
        return learners.length;
    }

    int learner(final int position)
    {
        return learners[position];
    }

    boolean isVoter(final int id)
    {
        return contains(voters, id);
    }

    boolean isLearner(final int id)
    {
        return contains(learners, id);
    }

    boolean isMember(final int id)
    {
        return isVoter(id) || isLearner(id);
    }

    /** Whether {@code change} applies here: what it adds is not a member, what it removes or promotes is. */
    boolean canApply(final ConfChange change)
    {
        final int id = change.nodeId();
        return switch (change.type())
        {
            case ADD_VOTER, ADD_LEARNER -> !isMember(id);
            case REMOVE_VOTER -> isVoter(id) && voters.length > 1;
            case PROMOTE_LEARNER, REMOVE_LEARNER -> isLearner(id);
        };
    }

    /**
     * @return the configuration after {@code change}.
     * @throws IllegalStateException when it does not apply: every node derives its configuration from the same log,
     *                               and the leader checked the change against it, so this means the logs diverged.
     */
    Configuration apply(final ConfChange change)
    {
        if (!canApply(change))
        {
            throw new IllegalStateException(change + " does not apply to " + this);
        }
        final int id = change.nodeId();
        return switch (change.type())
        {
            case ADD_VOTER -> new Configuration(append(voters, id), learners);
            case REMOVE_VOTER -> new Configuration(without(voters, id), learners);
            case ADD_LEARNER -> new Configuration(voters, append(learners, id));
            case PROMOTE_LEARNER -> new Configuration(append(voters, id), without(learners, id));
            case REMOVE_LEARNER -> new Configuration(voters, without(learners, id));
        };
    }

    private static boolean contains(final int[] ids, final int id)
    {
        for (final int candidate : ids)
        {
            if (candidate == id)
            {
                return true;
            }
        }
        return false;
    }

    private static int[] append(final int[] ids, final int id)
    {
        final int[] out = Arrays.copyOf(ids, ids.length + 1);
        out[ids.length] = id;
        return out;
    }

    private static int[] without(final int[] ids, final int id)
    {
        return Arrays.stream(ids).filter(candidate -> candidate != id).toArray();
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof Configuration that && Arrays.equals(voters, that.voters) &&
            Arrays.equals(learners, that.learners);
    }

    @Override
    public int hashCode()
    {
        return 31 * Arrays.hashCode(voters) + Arrays.hashCode(learners);
    }

    @Override
    public String toString()
    {
        return "voters=" + Arrays.toString(voters) + " learners=" + Arrays.toString(learners);
    }
}
