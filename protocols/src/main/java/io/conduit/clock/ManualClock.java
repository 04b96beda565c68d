package io.conduit.clock;

/**
 * A {@link MonotonicClock} that moves only when told, for tests and the simulator's virtual time. Like
 * {@code System.nanoTime} it may start anywhere and may wrap past {@link Long#MAX_VALUE}, which lets tests exercise
 * the engines' wrap-safe comparisons. "Never backwards" is therefore judged wrap-safely: {@link #set} refuses a
 * reading that is behind, which includes one 2^63 ns or more ahead. Not thread-safe: the driving thread owns it.
 */
public final class ManualClock implements MonotonicClock
{
    private long nowNs;

    /** A clock reading 0. */
    public ManualClock()
    {
        this(0);
    }

    /**
     * @param startNs the first reading; any value, including one close to wrapping.
     */
    public ManualClock(final long startNs)
    {
        this.nowNs = startNs;
    }

    @Override
    public long nanoTime()
    {
        return nowNs;
    }

    /**
     * Moves the clock forward.
     *
     * @param durationNs how far; zero is allowed.
     * @return the new reading.
     * @throws IllegalArgumentException if {@code durationNs} is negative.
     */
    public long advance(final long durationNs)
    {
        if (durationNs < 0)
        {
            throw new IllegalArgumentException(
                "a monotonic clock cannot go backwards: advance by " + durationNs + " ns");
        }
        nowNs += durationNs;
        return nowNs;
    }

    /**
     * Sets the reading, e.g. to the earliest deadline when a harness jumps virtual time.
     *
     * @param nowNs the new reading; equal to the current one or later, compared wrap-safely.
     * @throws IllegalArgumentException if {@code nowNs} is before the current reading.
     */
    public void set(final long nowNs)
    {
        if (nowNs - this.nowNs < 0)
        {
            throw new IllegalArgumentException(
                "a monotonic clock cannot go backwards: set to " + nowNs + " ns from " + this.nowNs + " ns");
        }
        this.nowNs = nowNs;
    }

    @Override
    public String toString()
    {
        return "ManualClock[" + nowNs + " ns]";
    }
}
