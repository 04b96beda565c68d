package io.conduit.raft;

/**
 * The leader's view of one follower (etcd's {@code Progress}). In {@link State#PROBE} the leader sends one
 * AppendEntries per heartbeat interval until it finds where the logs match; in {@link State#REPLICATE} it streams
 * optimistically, up to the {@link Inflights} window.
 */
public final class Progress
{
    /** How the leader sends to this follower. */
    public enum State
    {
        PROBE,
        REPLICATE
    }

    private final int id;
    private final Inflights inflights;
    private State state = State.PROBE;
    private long match;
    private long next = 1;
    private boolean probeSent;
    private boolean recentActive;

    Progress(final int id, final int maxInflight)
    {
        this.id = id;
        this.inflights = new Inflights(maxInflight);
    }

    void reset(final long nextIndex)
    {
        state = State.PROBE;
        match = 0;
        next = nextIndex;
        probeSent = false;
        recentActive = false;
        inflights.reset();
    }

    public int id()
    {
        return id;
    }

    public State state()
    {
        return state;
    }

    public long match()
    {
        return match;
    }

    public long next()
    {
        return next;
    }

    public int inflightCount()
    {
        return inflights.count();
    }

    boolean recentActive()
    {
        return recentActive;
    }

    void recentActive(final boolean active)
    {
        recentActive = active;
    }

    /** Whether the leader must hold back: a probe is outstanding, or the pipeline window is full. */
    boolean isPaused()
    {
        return state == State.PROBE ? probeSent : inflights.isFull();
    }

    /** Called after sending entries up to {@code lastIndex} (or a probe with none). */
    void sent(final long lastIndex, final int entryCount)
    {
        if (state == State.REPLICATE && entryCount > 0)
        {
            next = lastIndex + 1;
            inflights.add(lastIndex);
        }
        else
        {
            probeSent = true;
        }
    }

    /** A successful response up to {@code index}; returns whether it told us anything new. */
    boolean maybeUpdate(final long index)
    {
        boolean updated = false;
        if (index > match)
        {
            match = index;
            updated = true;
            probeSent = false;
        }
        next = Math.max(next, index + 1);
        inflights.freeTo(index);
        return updated;
    }

    /**
     * A rejection of the AppendEntries after {@code rejected}; {@code hintMatch} is the highest index that may still
     * match. Returns false for a stale rejection (already matched, or not the probe we sent).
     */
    boolean maybeDecreaseTo(final long rejected, final long hintMatch)
    {
        if (state == State.REPLICATE)
        {
            if (rejected <= match)
            {
                return false;
            }
            next = match + 1;
            return true;
        }
        if (next - 1 != rejected)
        {
            return false;
        }
        next = Math.max(Math.min(rejected, hintMatch + 1), match + 1);
        probeSent = false;
        return true;
    }

    void becomeProbe()
    {
        state = State.PROBE;
        next = match + 1;
        probeSent = false;
        inflights.reset();
    }

    void becomeReplicate()
    {
        state = State.REPLICATE;
        next = match + 1;
        probeSent = false;
        inflights.reset();
    }

    /** A heartbeat response proves the follower is alive: allow a probe, and free a slot in case acks were lost. */
    void heartbeatAnswered()
    {
        probeSent = false;
        if (state == State.REPLICATE && inflights.isFull())
        {
            inflights.freeFirst();
        }
    }

    @Override
    public String toString()
    {
        return "Progress{id=" + id + " " + state + " match=" + match + " next=" + next + " inflight=" +
            inflights.count() + (probeSent ? " probeSent" : "") + '}';
    }
}
