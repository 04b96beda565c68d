package io.conduit.chain;

/**
 * A replica's place in its current configuration. Moves go through {@link ChainReplica}'s one transition method,
 * which allows {@link #UNCONFIGURED} to anything, member roles to each other or {@link #RETIRED}, and nothing out
 * of {@link #RETIRED}: a member removed from the chain may hold updates nobody else has, so it never rejoins with
 * that state; it comes back as a fresh replica that is sent a snapshot.
 */
public enum ChainRole
{
    /** No configuration yet: answers nothing but redirects, processes no chain message. */
    UNCONFIGURED(false, false),
    /** First of several: sequences writes. */
    HEAD(true, false),
    /** Between head and tail: applies and forwards. */
    MIDDLE(false, false),
    /** Last of several: commits and serves reads. */
    TAIL(false, true),
    /** The only member: head and tail at once. */
    SOLE(true, true),
    /** Removed from the chain; terminal. */
    RETIRED(false, false);

    private final boolean head;
    private final boolean tail;

    ChainRole(final boolean head, final boolean tail)
    {
        this.head = head;
        this.tail = tail;
    }

    public boolean isHead()
    {
        return head;
    }

    public boolean isTail()
    {
        return tail;
    }

    public boolean isMember()
    {
        return this != UNCONFIGURED && this != RETIRED;
    }

    /** The role of {@code memberId} in {@code configuration}. */
    static ChainRole of(final ChainConfiguration configuration, final int memberId)
    {
        final int position = configuration.positionOf(memberId);
        if (position < 0)
        {
            return RETIRED;
        }
        if (configuration.size() == 1)
        {
            return SOLE;
        }
        if (position == 0)
        {
            return HEAD;
        }
        return position == configuration.size() - 1 ? TAIL : MIDDLE;
    }

    /** Whether the replica may move from this role to {@code next}. */
    boolean canMoveTo(final ChainRole next)
    {
        if (this == RETIRED || next == UNCONFIGURED)
        {
            return false;
        }
        return this != next;
    }
}
