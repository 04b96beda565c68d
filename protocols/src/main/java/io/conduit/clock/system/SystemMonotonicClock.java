package io.conduit.clock.system;

import io.conduit.clock.MonotonicClock;

/**
 * {@link MonotonicClock} over {@code System.nanoTime}, for the edges (agents, command line). This is the only clock
 * class that reads real time; pure engines never see it, only the {@code nowNs} the edge reads from it. It is not a
 * wall clock and is never used to order events across nodes.
 */
public final class SystemMonotonicClock implements MonotonicClock
{
    /** Stateless, so one instance serves every thread. */
    public static final SystemMonotonicClock INSTANCE = new SystemMonotonicClock();

    private SystemMonotonicClock()
    {
    }

    @Override
    public long nanoTime()
    {
        return System.nanoTime();
    }

    @Override
    public String toString()
    {
        return "SystemMonotonicClock";
    }
}
