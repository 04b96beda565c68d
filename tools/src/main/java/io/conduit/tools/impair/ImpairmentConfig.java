package io.conduit.tools.impair;

/**
 * What one direction of the relay does to datagrams. Fluent setters validate at once, so a bad value fails where it
 * is set. Defaults are zero: a perfect link with no delay and no rate limit.
 */
public final class ImpairmentConfig
{
    /** Extra time a reordered datagram is held when no later datagram overtakes it sooner. */
    public static final long DEFAULT_REORDER_HOLD_NS = 5_000_000L;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long BITS_PER_BYTE = 8;
    private static final long MIN_BURST_BYTES = 16 * 1024;
    private static final long MIN_QUEUE_LIMIT_BYTES = 64 * 1024;
    private static final long BURST_DIVISOR = 100;
    private static final long QUEUE_DIVISOR = 20;

    private double lossProbability;
    private double duplicateProbability;
    private double reorderProbability;
    private double corruptProbability;
    private long delayNs;
    private long jitterNs;
    private long reorderHoldNs = DEFAULT_REORDER_HOLD_NS;
    private long rateBitsPerSecond;
    private long burstBytes;
    private long queueLimitBytes;

    /** Probability that a datagram is dropped. */
    public ImpairmentConfig lossProbability(final double probability)
    {
        lossProbability = checkProbability("loss", probability);
        return this;
    }

    /** Probability that a datagram is sent twice; each copy gets its own delay. */
    public ImpairmentConfig duplicateProbability(final double probability)
    {
        duplicateProbability = checkProbability("dup", probability);
        return this;
    }

    /** Probability that a datagram is held back until the next one has gone (or {@link #reorderHoldNs()} passes). */
    public ImpairmentConfig reorderProbability(final double probability)
    {
        reorderProbability = checkProbability("reorder", probability);
        return this;
    }

    /** Probability that one random bit of a datagram is flipped. */
    public ImpairmentConfig corruptProbability(final double probability)
    {
        corruptProbability = checkProbability("corrupt", probability);
        return this;
    }

    /** Fixed one-way delay added after the rate limit. */
    public ImpairmentConfig delayNs(final long delayNs)
    {
        this.delayNs = checkNotNegative("delay", delayNs);
        return this;
    }

    /** Uniform variation of the delay in {@code [-jitterNs, +jitterNs]}, never below zero delay in total. */
    public ImpairmentConfig jitterNs(final long jitterNs)
    {
        this.jitterNs = checkNotNegative("jitter", jitterNs);
        return this;
    }

    public ImpairmentConfig reorderHoldNs(final long holdNs)
    {
        reorderHoldNs = checkNotNegative("reorder hold", holdNs);
        return this;
    }

    /**
     * Token-bucket rate limit; 0 turns it off. Also sets a burst of 10 ms at the rate (at least 16 KiB) and a queue
     * of 50 ms at the rate (at least 64 KiB), the same shape netlab gives tc tbf; set those afterwards to change them.
     */
    public ImpairmentConfig rateBitsPerSecond(final long bitsPerSecond)
    {
        rateBitsPerSecond = checkNotNegative("rate", bitsPerSecond);
        final long bytesPerSecond = bitsPerSecond / BITS_PER_BYTE;
        burstBytes = Math.max(MIN_BURST_BYTES, bytesPerSecond / BURST_DIVISOR);
        queueLimitBytes = Math.max(MIN_QUEUE_LIMIT_BYTES, bytesPerSecond / QUEUE_DIVISOR);
        return this;
    }

    /** Bucket depth: how many bytes may leave back to back after the link was idle. */
    public ImpairmentConfig burstBytes(final long bytes)
    {
        burstBytes = checkNotNegative("burst", bytes);
        return this;
    }

    /** Bytes that may wait for tokens; a datagram that would exceed it is dropped and counted. */
    public ImpairmentConfig queueLimitBytes(final long bytes)
    {
        queueLimitBytes = checkNotNegative("queue limit", bytes);
        return this;
    }

    public double lossProbability()
    {
        return lossProbability;
    }

    public double duplicateProbability()
    {
        return duplicateProbability;
    }

    public double reorderProbability()
    {
        return reorderProbability;
    }

    public double corruptProbability()
    {
        return corruptProbability;
    }

    public long delayNs()
    {
        return delayNs;
    }

    public long jitterNs()
    {
        return jitterNs;
    }

    public long reorderHoldNs()
    {
        return reorderHoldNs;
    }

    public long rateBitsPerSecond()
    {
        return rateBitsPerSecond;
    }

    public long burstBytes()
    {
        return burstBytes;
    }

    public long queueLimitBytes()
    {
        return queueLimitBytes;
    }

    /** Time to put {@code bytes} on the link at the configured rate; only meaningful when a rate is set. */
    long transmitNs(final long bytes)
    {
        return bytes * BITS_PER_BYTE * NANOS_PER_SECOND / rateBitsPerSecond;
    }

    private static double checkProbability(final String name, final double probability)
    {
        if (!(probability >= 0 && probability <= 1))
        {
            throw new IllegalArgumentException(name + " probability must be in [0, 1]: " + probability);
        }
        return probability;
    }

    private static long checkNotNegative(final String name, final long value)
    {
        if (value < 0)
        {
            throw new IllegalArgumentException(name + " must not be negative: " + value);
        }
        return value;
    }
}
