package io.conduit.failure;

/** Settings of a {@link FixedTimeoutDetector}; fluent setters, checked by {@link #validate()}. */
public final class FixedTimeoutConfig
{
    /**
     * Default 500 ms: five default heartbeat intervals, so four heartbeats in a row can be lost (a 1-in-160,000
     * event per heartbeat at 5% loss) before a live peer is declared dead, while a crash is found within half a
     * second.
     */
    public static final long DEFAULT_TIMEOUT_NS = 500_000_000L;

    private long timeoutNs = DEFAULT_TIMEOUT_NS;

    public long timeoutNs()
    {
        return timeoutNs;
    }

    /** Silence after which the peer is declared unavailable. */
    public FixedTimeoutConfig timeoutNs(final long timeoutNs)
    {
        this.timeoutNs = timeoutNs;
        return this;
    }

    /** Throws {@link IllegalArgumentException} with a one-line reason if a value is out of range. */
    public FixedTimeoutConfig validate()
    {
        if (timeoutNs <= 0)
        {
            throw new IllegalArgumentException("timeoutNs must be positive: " + timeoutNs);
        }
        return this;
    }

    public FixedTimeoutConfig copy()
    {
        return new FixedTimeoutConfig().timeoutNs(timeoutNs);
    }

    @Override
    public String toString()
    {
        return "FixedTimeoutConfig{timeoutNs=" + timeoutNs + '}';
    }
}
