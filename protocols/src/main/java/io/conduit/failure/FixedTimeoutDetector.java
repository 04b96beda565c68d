package io.conduit.failure;

/**
 * The simplest detector: the peer is unavailable once nothing has arrived from it for {@code timeoutNs} (at exactly
 * {@code timeoutNs} of silence it is already unavailable). Suspicion is elapsed / timeout, so 1.0 is the threshold.
 */
public final class FixedTimeoutDetector implements FailureDetector
{
    private final long timeoutNs;
    private boolean heard;
    private long lastArrivalNs;

    public FixedTimeoutDetector(final FixedTimeoutConfig config)
    {
        config.validate();
        this.timeoutNs = config.timeoutNs();
    }

    @Override
    public void heartbeat(final long nowNs)
    {
        // An arrival older than the last one (a caller's clock should not do this) must not move the deadline back.
        if (!heard || nowNs - lastArrivalNs > 0)
        {
            lastArrivalNs = nowNs;
        }
        heard = true;
    }

    @Override
    public boolean isAvailable(final long nowNs)
    {
        return !heard || nowNs - lastArrivalNs < timeoutNs;
    }

    @Override
    public double suspicion(final long nowNs)
    {
        if (!heard)
        {
            return 0.0;
        }
        return Math.max(0L, nowNs - lastArrivalNs) / (double)timeoutNs;
    }

    @Override
    public double threshold()
    {
        return 1.0;
    }

    @Override
    public long suspicionReachedNs(final double level)
    {
        if (!heard)
        {
            return Long.MAX_VALUE;
        }
        return lastArrivalNs + (long)Math.ceil(Math.max(0.0, level) * timeoutNs);
    }

    @Override
    public long nextCheckNs(final long nowNs)
    {
        return isAvailable(nowNs) && heard ? lastArrivalNs + timeoutNs : Long.MAX_VALUE;
    }

    @Override
    public void reset()
    {
        heard = false;
        lastArrivalNs = 0;
    }

    public long timeoutNs()
    {
        return timeoutNs;
    }

    @Override
    public String toString()
    {
        return "FixedTimeoutDetector{timeoutNs=" + timeoutNs + ", heard=" + heard + ", lastArrivalNs=" +
            lastArrivalNs + '}';
    }
}
