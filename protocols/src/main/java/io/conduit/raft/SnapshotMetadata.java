package io.conduit.raft;

import java.util.Arrays;

/**
 * What a snapshot covers (etcd's {@code SnapshotMetadata}): the last log index folded into it, that entry's term,
 * and the configuration as of that index, so a node restored from the snapshot alone knows its voters (and, once
 * membership changes exist, its learners).
 *
 * @param index    the last log index the snapshot covers; 0 for "no snapshot".
 * @param term     the term of the entry at {@code index}; 0 exactly when {@code index} is 0.
 * @param voters   voter ids as of {@code index}; copied on the way in and out.
 * @param learners learner ids as of {@code index}; empty until membership changes add learners.
 */
public record SnapshotMetadata(long index, long term, int[] voters, int[] learners)
{
    /** No snapshot: the log starts at index 1. */
    public static final SnapshotMetadata EMPTY = new SnapshotMetadata(0, 0, new int[0], new int[0]);

    public SnapshotMetadata
    {
        if (index < 0 || term < 0 || (index == 0) != (term == 0))
        {
            throw new IllegalArgumentException("snapshot index and term must both be positive, or both 0: index=" +
                index + " term=" + term);
        }
        voters = voters.clone();
        learners = learners.clone();
    }

    @Override
    public int[] voters()
    {
        return voters.clone();
    }

    @Override
    public int[] learners()
    {
        return learners.clone();
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof SnapshotMetadata that && index == that.index && term == that.term &&
            Arrays.equals(voters, that.voters) && Arrays.equals(learners, that.learners);
    }

    @Override
    public int hashCode()
    {
        return 31 * (31 * Long.hashCode(index) + Long.hashCode(term)) + Arrays.hashCode(voters) +
            Arrays.hashCode(learners);
    }

    @Override
    public String toString()
    {
        return "SnapshotMetadata{index=" + index + " term=" + term + " voters=" + Arrays.toString(voters) +
            " learners=" + Arrays.toString(learners) + '}';
    }
}
