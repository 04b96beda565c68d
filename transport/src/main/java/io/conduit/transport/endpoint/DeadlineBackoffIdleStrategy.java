package io.conduit.transport.endpoint;

import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;

/**
 * Agrona's {@code BackoffIdleStrategy} (spin, then yield, then park for doubling periods up to a maximum) with one
 * difference: a park never runs past the endpoint's next timer deadline, so a paced sender wakes when its next
 * packet is due instead of up to a whole maximum park later.
 * <p>
 * Why: a pacer's burst allowance is about a millisecond, and a 1 ms maximum park plus the kernel's timer slack
 * (~0.1 ms here) is just over it, so a paced sender that had backed off to its longest park lost time at every
 * wait. (On the lab's two shared cores most lateness came from the yields before parking, not the parks; the pacer
 * makes that up, see {@code Pacer}.) Work found resets the backoff, as in Agrona.
 * <p>
 * {@link Endpoint#launch} binds an instance to its endpoint's timers; until then (or for another caller) it is a
 * plain backoff. One instance per endpoint: like every Agrona idle strategy it is single-threaded, and it follows
 * the timers of the endpoint that bound it last.
 */
public final class DeadlineBackoffIdleStrategy implements IdleStrategy
{
    /** The endpoint's default: Agrona's backoff shape with a 1 ms maximum park. */
    public static final int DEFAULT_MAX_SPINS = 100;
    public static final int DEFAULT_MAX_YIELDS = 10;
    public static final long DEFAULT_MIN_PARK_NS = 1_000L;
    public static final long DEFAULT_MAX_PARK_NS = 1_000_000L;

    private static final int NOT_IDLE = 0;
    private static final int SPINNING = 1;
    private static final int YIELDING = 2;
    private static final int PARKING = 3;

    private final long maxSpins;
    private final long maxYields;
    private final long minParkNs;
    private final long maxParkNs;

    private NanoClock clock;
    private LongSupplier deadlineNs;

    private int state = NOT_IDLE;
    private long spins;
    private long yields;
    private long parkPeriodNs;

    public DeadlineBackoffIdleStrategy()
    {
        this(DEFAULT_MAX_SPINS, DEFAULT_MAX_YIELDS, DEFAULT_MIN_PARK_NS, DEFAULT_MAX_PARK_NS);
    }

    /**
     * @param maxSpins  busy spins before yielding, at least 0.
     * @param maxYields yields before parking, at least 0.
     * @param minParkNs first park, positive.
     * @param maxParkNs longest park, at least {@code minParkNs}.
     */
    public DeadlineBackoffIdleStrategy(final long maxSpins, final long maxYields, final long minParkNs,
        final long maxParkNs)
    {
        if (maxSpins < 0 || maxYields < 0 || minParkNs <= 0 || maxParkNs < minParkNs)
        {
            throw new IllegalArgumentException("need maxSpins >= 0, maxYields >= 0, 0 < minParkNs <= maxParkNs: " +
                maxSpins + ", " + maxYields + ", " + minParkNs + ", " + maxParkNs);
        }
        this.maxSpins = maxSpins;
        this.maxYields = maxYields;
        this.minParkNs = minParkNs;
        this.maxParkNs = maxParkNs;
        this.parkPeriodNs = minParkNs;
    }

    /**
     * Parks from now on end no later than {@code deadlineNs}, read on {@code clock}'s time line.
     *
     * @param clock      the clock the deadlines are on.
     * @param deadlineNs the next deadline; {@code Long.MAX_VALUE} for none. Called on the idling thread.
     */
    public void bind(final NanoClock clock, final LongSupplier deadlineNs)
    {
        this.clock = clock;
        this.deadlineNs = deadlineNs;
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            reset();
        }
        else
        {
            idle();
        }
    }

    @Override
    public void idle()
    {
        switch (state)
        {
            case NOT_IDLE:
                state = SPINNING;
                spins++;
                break;
            case SPINNING:
                Thread.onSpinWait();
                if (++spins > maxSpins)
                {
                    state = YIELDING;
                    yields = 0;
                }
                break;
            case YIELDING:
                if (++yields > maxYields)
                {
                    state = PARKING;
                    parkPeriodNs = minParkNs;
                }
                else
                {
                    Thread.yield();
                }
                break;
            default:
                park();
                break;
        }
    }

    private void park()
    {
        LockSupport.parkNanos(nextParkNs());
        parkPeriodNs = Math.min(parkPeriodNs << 1, maxParkNs);
    }

    /** The next park: the backoff's period, cut at the bound deadline; a due deadline gets the shortest park. */
    long nextParkNs()
    {
        if (deadlineNs == null)
        {
            return parkPeriodNs;
        }
        final long untilDeadlineNs = deadlineNs.getAsLong() - clock.nanoTime();
        // A timer already due gets the shortest park, not none: a deadline the duty cycle cannot move on must not
        // turn idling into spinning.
        return Math.max(Math.min(parkPeriodNs, untilDeadlineNs), minParkNs);
    }

    /** Whether the next {@link #idle()} parks (spins and yields are used up). */
    boolean parking()
    {
        return state == PARKING;
    }

    @Override
    public void reset()
    {
        spins = 0;
        yields = 0;
        parkPeriodNs = minParkNs;
        state = NOT_IDLE;
    }

    @Override
    public String alias()
    {
        return "deadline-backoff";
    }

    @Override
    public String toString()
    {
        return "DeadlineBackoffIdleStrategy{maxSpins=" + maxSpins + ", maxYields=" + maxYields + ", minParkNs=" +
            minParkNs + ", maxParkNs=" + maxParkNs + ", bound=" + (deadlineNs != null) + '}';
    }
}
