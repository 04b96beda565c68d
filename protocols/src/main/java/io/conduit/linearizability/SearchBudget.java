package io.conduit.linearizability;

import java.util.function.LongSupplier;

/**
 * Bounds a check by steps and, optionally, by time on a clock the caller injects (this package reads no clock).
 * The clock is read only every {@link #CLOCK_INTERVAL_STEPS} steps so that a real clock costs nothing noticeable.
 */
final class SearchBudget
{
    static final int CLOCK_INTERVAL_STEPS = 4096;

    private final long maxSteps;
    private final LongSupplier nanoClock;
    private final long deadlineNs;
    private long steps;
    private String exhaustedReason;

    SearchBudget(final long maxSteps, final LongSupplier nanoClock, final long timeoutNs)
    {
        if (maxSteps <= 0)
        {
            throw new IllegalArgumentException("step budget must be positive, was " + maxSteps);
        }
        if (nanoClock != null && timeoutNs <= 0)
        {
            throw new IllegalArgumentException("timeout must be positive, was " + timeoutNs + " ns");
        }
        this.maxSteps = maxSteps;
        this.nanoClock = nanoClock;
        this.deadlineNs = nanoClock == null ? 0 : nanoClock.getAsLong() + timeoutNs;
    }

    /**
     * Counts one step.
     *
     * @return true while the budget lasts.
     */
    boolean step()
    {
        steps++;
        if (steps > maxSteps)
        {
            exhaustedReason = "step budget of " + maxSteps + " exhausted";
            return false;
        }
        if (nanoClock != null && (steps % CLOCK_INTERVAL_STEPS) == 0 && deadlineNs - nanoClock.getAsLong() <= 0)
        {
            exhaustedReason = "timed out";
            return false;
        }
        return true;
    }

    long steps()
    {
        return steps;
    }

    String exhaustedReason()
    {
        return exhaustedReason;
    }
}
