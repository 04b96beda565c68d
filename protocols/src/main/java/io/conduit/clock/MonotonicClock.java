package io.conduit.clock;

/**
 * A source of monotonic time in nanoseconds, read by an edge once per duty cycle and passed to the pure engines as
 * {@code nowNs}. The origin is arbitrary, so a value means something only relative to another value from the same
 * clock on the same node; compare wrap-safely ({@code deadlineNs - nowNs <= 0}), as with {@code System.nanoTime}.
 * <p>
 * It measures elapsed time; it never orders events across processes. Wall clocks are never used for ordering
 * either: use {@link LamportClock} or {@link VectorClock}.
 */
@FunctionalInterface
public interface MonotonicClock
{
    /**
     * @return the current time in nanoseconds since an arbitrary origin; never less, wrap-safely, than an
     * earlier reading.
     */
    long nanoTime();
}
