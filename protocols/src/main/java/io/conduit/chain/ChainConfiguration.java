package io.conduit.chain;

import java.util.Arrays;

/**
 * One epoch of the chain's membership: an epoch number, strictly increasing from {@link #FIRST_EPOCH}, and the
 * members in chain order, head first, tail last. The configuration manager issues them; replicas only obey.
 * <p>
 * What the manager must keep true from one configuration to the next (checked by {@link #followsFrom}): the
 * epoch grows, the members that stay keep their relative order, and new members are appended at the tail, so that
 * every member's state stays a prefix of its predecessor's (chain replication, van Renesse and Schneider §3).
 */
public final class ChainConfiguration
{
    /** The epoch of the chain's first configuration, whose members all start empty and in sync. */
    public static final long FIRST_EPOCH = 1;

    private final long epoch;
    private final int[] members;

    /**
     * @param epoch   at least {@link #FIRST_EPOCH}.
     * @param members member ids in chain order (head first); positive, distinct, at least one.
     */
    public ChainConfiguration(final long epoch, final int... members)
    {
        if (epoch < FIRST_EPOCH)
        {
            throw new IllegalArgumentException("epoch must be >= " + FIRST_EPOCH + ", was " + epoch);
        }
        if (members.length == 0)
        {
            throw new IllegalArgumentException("a chain needs at least one member");
        }
        for (int i = 0; i < members.length; i++)
        {
            if (members[i] <= 0)
            {
                throw new IllegalArgumentException("member ids must be positive (0 means unknown): " + members[i]);
            }
            for (int j = 0; j < i; j++)
            {
                if (members[j] == members[i])
                {
                    throw new IllegalArgumentException("member " + members[i] + " appears twice");
                }
            }
        }
        this.epoch = epoch;
        this.members = members.clone();
    }

    public long epoch()
    {
        return epoch;
    }

    public int size()
    {
        return members.length;
    }

    /** The member at {@code position} (0 is the head). */
    public int member(final int position)
    {
        return members[position];
    }

    /** A copy of the members in chain order. */
    public int[] members()
    {
        return members.clone();
    }

    public int head()
    {
        return members[0];
    }

    public int tail()
    {
        return members[members.length - 1];
    }

    /** The position of {@code memberId} (0 is the head), or -1 when it is not a member. */
    public int positionOf(final int memberId)
    {
        for (int i = 0; i < members.length; i++)
        {
            if (members[i] == memberId)
            {
                return i;
            }
        }
        return -1;
    }

    public boolean contains(final int memberId)
    {
        return positionOf(memberId) >= 0;
    }

    /** The member before {@code memberId}, or 0 for the head (or a non-member). */
    public int predecessorOf(final int memberId)
    {
        final int position = positionOf(memberId);
        return position > 0 ? members[position - 1] : 0;
    }

    /** The member after {@code memberId}, or 0 for the tail (or a non-member). */
    public int successorOf(final int memberId)
    {
        final int position = positionOf(memberId);
        return position >= 0 && position < members.length - 1 ? members[position + 1] : 0;
    }

    /** A configuration of the next epoch without {@code memberId} (which must be a member, not the only one). */
    public ChainConfiguration without(final int memberId)
    {
        if (!contains(memberId) || members.length == 1)
        {
            throw new IllegalArgumentException("cannot remove " + memberId + " from " + this);
        }
        return new ChainConfiguration(epoch + 1, Arrays.stream(members).filter(m -> m != memberId).toArray());
    }

    /** A configuration of the next epoch with {@code memberId} appended as the new tail. */
    public ChainConfiguration withTail(final int memberId)
    {
        final int[] next = Arrays.copyOf(members, members.length + 1);
        next[members.length] = memberId;
        return new ChainConfiguration(epoch + 1, next);
    }

    /**
     * Whether this configuration may follow {@code previous}, directly or after configurations in between that the
     * caller did not see: a higher epoch, surviving members in their old relative order, and every new member
     * after every surviving one. Each allowed step keeps this property, so a skipped epoch does not hide a violation.
     */
    public boolean followsFrom(final ChainConfiguration previous)
    {
        if (epoch <= previous.epoch)
        {
            return false;
        }
        int lastSurvivorPosition = -1;
        boolean sawNewMember = false;
        for (final int member : members)
        {
            final int oldPosition = previous.positionOf(member);
            if (oldPosition < 0)
            {
                sawNewMember = true;
            }
            else if (sawNewMember || oldPosition < lastSurvivorPosition)
            {
                return false;
            }
            else
            {
                lastSurvivorPosition = oldPosition;
            }
        }
        return true;
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof ChainConfiguration that && epoch == that.epoch && Arrays.equals(members, that.members);
    }

    @Override
    public int hashCode()
    {
        return 31 * Long.hashCode(epoch) + Arrays.hashCode(members);
    }

    @Override
    public String toString()
    {
        return "epoch " + epoch + " " + Arrays.toString(members);
    }
}
