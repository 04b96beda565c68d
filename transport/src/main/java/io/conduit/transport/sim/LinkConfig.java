package io.conduit.transport.sim;

/**
 * The fault and capacity model of one directed link. Mutable with fluent setters so a test can change a link in the
 * middle of a run; {@link SimNetwork} reads it when a datagram is sent, so a change affects datagrams sent after it
 * and never those already in flight. All defaults are zero: a perfect link with no delay.
 */
public final class LinkConfig
{
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private double lossProbability;
    private double duplicateProbability;
    private double reorderProbability;
    private long reorderDelayNs;
    private long delayNs;
    private long jitterNs;
    private long bandwidthBytesPerSecond;
    private long queueLimitBytes;
    private double corruptProbability;
    private int maxDatagramBytes;

    /** A new config with the same values; the two are independent afterwards. */
    public LinkConfig copy()
    {
        return new LinkConfig().copyFrom(this);
    }

    /** Overwrites every value of this config with {@code other}'s. */
    public LinkConfig copyFrom(final LinkConfig other)
    {
        lossProbability = other.lossProbability;
        duplicateProbability = other.duplicateProbability;
        reorderProbability = other.reorderProbability;
        reorderDelayNs = other.reorderDelayNs;
        delayNs = other.delayNs;
        jitterNs = other.jitterNs;
        bandwidthBytesPerSecond = other.bandwidthBytesPerSecond;
        queueLimitBytes = other.queueLimitBytes;
        corruptProbability = other.corruptProbability;
        maxDatagramBytes = other.maxDatagramBytes;
        return this;
    }

    /** Probability that a datagram which reached the wire is lost. */
    public LinkConfig lossProbability(final double probability)
    {
        lossProbability = checkProbability("lossProbability", probability);
        return this;
    }

    /** Probability that a surviving datagram is delivered twice; the second copy has independent delay and faults. */
    public LinkConfig duplicateProbability(final double probability)
    {
        duplicateProbability = checkProbability("duplicateProbability", probability);
        return this;
    }

    /** Probability that a copy gets an extra delay in {@code [0, reorderDelayNs]} so later datagrams overtake it. */
    public LinkConfig reorderProbability(final double probability)
    {
        reorderProbability = checkProbability("reorderProbability", probability);
        return this;
    }

    public LinkConfig reorderDelayNs(final long delayNs)
    {
        reorderDelayNs = checkNotNegative("reorderDelayNs", delayNs);
        return this;
    }

    /** Base one-way propagation delay, added after the datagram has been serialized onto the link. */
    public LinkConfig delayNs(final long delayNs)
    {
        this.delayNs = checkNotNegative("delayNs", delayNs);
        return this;
    }

    /** Uniform extra delay in {@code [0, jitterNs]}; the link stays FIFO, so jitter alone never reorders. */
    public LinkConfig jitterNs(final long jitterNs)
    {
        this.jitterNs = checkNotNegative("jitterNs", jitterNs);
        return this;
    }

    /** Serialization rate; 0 means unlimited. Datagrams queue FIFO behind each other at this rate. */
    public LinkConfig bandwidthBytesPerSecond(final long bytesPerSecond)
    {
        bandwidthBytesPerSecond = checkNotNegative("bandwidthBytesPerSecond", bytesPerSecond);
        return this;
    }

    /**
     * Drop-tail limit on the bytes waiting to be serialized; 0 means unlimited. Only meaningful with a bandwidth
     * limit, since an unlimited link never has a backlog.
     */
    public LinkConfig queueLimitBytes(final long limitBytes)
    {
        queueLimitBytes = checkNotNegative("queueLimitBytes", limitBytes);
        return this;
    }

    /** Probability that a delivered copy has 1 to 3 distinct bits flipped; the sender's buffer is never touched. */
    public LinkConfig corruptProbability(final double probability)
    {
        corruptProbability = checkProbability("corruptProbability", probability);
        return this;
    }

    /**
     * The link's MTU as the largest datagram it carries; 0 means unlimited. A larger datagram is dropped, as a router
     * drops a packet with Don't Fragment set (no ICMP is modelled: RFC 8899 discovery must not need one).
     */
    public LinkConfig maxDatagramBytes(final int maxBytes)
    {
        if (maxBytes < 0)
        {
            throw new IllegalArgumentException("maxDatagramBytes must not be negative: " + maxBytes);
        }
        maxDatagramBytes = maxBytes;
        return this;
    }

    public int maxDatagramBytes()
    {
        return maxDatagramBytes;
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

    public long reorderDelayNs()
    {
        return reorderDelayNs;
    }

    public long delayNs()
    {
        return delayNs;
    }

    public long jitterNs()
    {
        return jitterNs;
    }

    public long bandwidthBytesPerSecond()
    {
        return bandwidthBytesPerSecond;
    }

    public long queueLimitBytes()
    {
        return queueLimitBytes;
    }

    public double corruptProbability()
    {
        return corruptProbability;
    }

    /** Time to put {@code lengthBytes} on the wire at the configured bandwidth, rounded up; 0 when unlimited. */
    public long serializationNs(final int lengthBytes)
    {
        if (bandwidthBytesPerSecond == 0)
        {
            return 0;
        }
        // lengthBytes <= 65,535, so the product stays far below Long.MAX_VALUE.
        return ceilDiv(lengthBytes * NANOS_PER_SECOND, bandwidthBytesPerSecond);
    }

    /** Bytes still to be serialized when the link is busy for another {@code busyNs}, rounded up; saturates. */
    long backlogBytes(final long busyNs)
    {
        if (bandwidthBytesPerSecond == 0 || busyNs <= 0)
        {
            return 0;
        }
        if (busyNs > Long.MAX_VALUE / bandwidthBytesPerSecond)
        {
            return Long.MAX_VALUE;
        }
        return ceilDiv(busyNs * bandwidthBytesPerSecond, NANOS_PER_SECOND);
    }

    public String toString()
    {
        return "LinkConfig{" +
            "loss=" + lossProbability +
            ", duplicate=" + duplicateProbability +
            ", reorder=" + reorderProbability +
            ", reorderDelayNs=" + reorderDelayNs +
            ", delayNs=" + delayNs +
            ", jitterNs=" + jitterNs +
            ", bandwidthBytesPerSecond=" + bandwidthBytesPerSecond +
            ", queueLimitBytes=" + queueLimitBytes +
            ", corrupt=" + corruptProbability +
            ", maxDatagramBytes=" + maxDatagramBytes +
            '}';
    }

    private static long ceilDiv(final long dividend, final long divisor)
    {
        // Written without dividend + divisor - 1, which overflows for large bandwidths.
        final long quotient = dividend / divisor;
        return quotient * divisor == dividend ? quotient : quotient + 1;
    }

    private static double checkProbability(final String name, final double probability)
    {
        if (!(probability >= 0.0 && probability <= 1.0))
        {
            throw new IllegalArgumentException(name + " must be in [0, 1]: " + probability);
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
