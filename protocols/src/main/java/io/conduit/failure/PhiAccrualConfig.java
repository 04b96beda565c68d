package io.conduit.failure;

/**
 * Settings of a {@link PhiAccrualDetector}; fluent setters, checked by {@link #validate()}. The defaults are tuned
 * for the default 100 ms heartbeat interval of {@link FailureDetectorConfig}; with them a crashed peer is declared
 * dead about 560 ms after its last heartbeat (mean 100 ms + pause 200 ms + 5.2 standard deviations of 50 ms).
 */
public final class PhiAccrualConfig
{
    /**
     * Phi 8 means the detector is wrong about one time in 10^8 if inter-arrival times really follow the fitted normal
     * distribution. Akka and Cassandra both use 8; real arrivals have heavier tails than a normal, which the minimum
     * standard deviation and the acceptable pause absorb.
     */
    public static final double DEFAULT_THRESHOLD = 8.0;
    /** Akka's window: 1000 samples is 100 s of history at 100 ms, long enough to forget a bad minute slowly. */
    public static final int DEFAULT_MAX_SAMPLE_SIZE = 1000;
    /**
     * 50 ms, half the interval. A perfectly regular link has a standard deviation near 0, and phi would then jump to
     * infinity a few milliseconds after a missed heartbeat; the floor keeps one or two lost heartbeats from being
     * fatal. (Akka: 100 ms at a 1 s interval; we scale less than linearly because 100 ms links jitter relatively more.)
     */
    public static final long DEFAULT_MIN_STD_DEV_NS = 50_000_000L;
    /**
     * 200 ms, two intervals, added to the mean: two heartbeats may be lost or late (a GC pause, a busy event loop)
     * before suspicion starts to rise steeply. Together with the floor above this tolerates four losses in a row.
     */
    public static final long DEFAULT_ACCEPTABLE_HEARTBEAT_PAUSE_NS = 200_000_000L;
    /**
     * The interval assumed before any sample: the default heartbeat interval, as Akka seeds its window with
     * {@code estimate +- estimate / 4}. Set it to the interval in use.
     */
    public static final long DEFAULT_FIRST_HEARTBEAT_ESTIMATE_NS = 100_000_000L;

    private double threshold = DEFAULT_THRESHOLD;
    private int maxSampleSize = DEFAULT_MAX_SAMPLE_SIZE;
    private long minStdDevNs = DEFAULT_MIN_STD_DEV_NS;
    private long acceptableHeartbeatPauseNs = DEFAULT_ACCEPTABLE_HEARTBEAT_PAUSE_NS;
    private long firstHeartbeatEstimateNs = DEFAULT_FIRST_HEARTBEAT_ESTIMATE_NS;

    public double threshold()
    {
        return threshold;
    }

    /** Phi at and above which the peer is declared unavailable. */
    public PhiAccrualConfig threshold(final double threshold)
    {
        this.threshold = threshold;
        return this;
    }

    public int maxSampleSize()
    {
        return maxSampleSize;
    }

    /** Capacity of the sliding window of inter-arrival times, preallocated. */
    public PhiAccrualConfig maxSampleSize(final int maxSampleSize)
    {
        this.maxSampleSize = maxSampleSize;
        return this;
    }

    public long minStdDevNs()
    {
        return minStdDevNs;
    }

    /** Floor for the standard deviation used in phi. */
    public PhiAccrualConfig minStdDevNs(final long minStdDevNs)
    {
        this.minStdDevNs = minStdDevNs;
        return this;
    }

    public long acceptableHeartbeatPauseNs()
    {
        return acceptableHeartbeatPauseNs;
    }

    /** Added to the mean inter-arrival time: a silence this much longer than usual costs nothing extra. */
    public PhiAccrualConfig acceptableHeartbeatPauseNs(final long acceptableHeartbeatPauseNs)
    {
        this.acceptableHeartbeatPauseNs = acceptableHeartbeatPauseNs;
        return this;
    }

    public long firstHeartbeatEstimateNs()
    {
        return firstHeartbeatEstimateNs;
    }

    /** The inter-arrival time assumed before any sample has been taken. */
    public PhiAccrualConfig firstHeartbeatEstimateNs(final long firstHeartbeatEstimateNs)
    {
        this.firstHeartbeatEstimateNs = firstHeartbeatEstimateNs;
        return this;
    }

    /** Throws {@link IllegalArgumentException} with a one-line reason if a value is out of range. */
    public PhiAccrualConfig validate()
    {
        if (!(threshold > 0.0) || Double.isInfinite(threshold))
        {
            throw new IllegalArgumentException("threshold must be positive and finite: " + threshold);
        }
        if (maxSampleSize < 2)
        {
            throw new IllegalArgumentException("maxSampleSize must be at least 2: " + maxSampleSize);
        }
        if (minStdDevNs <= 0)
        {
            throw new IllegalArgumentException("minStdDevNs must be positive: " + minStdDevNs);
        }
        if (acceptableHeartbeatPauseNs < 0)
        {
            throw new IllegalArgumentException("acceptableHeartbeatPauseNs must not be negative: " +
                acceptableHeartbeatPauseNs);
        }
        if (firstHeartbeatEstimateNs <= 0)
        {
            throw new IllegalArgumentException("firstHeartbeatEstimateNs must be positive: " +
                firstHeartbeatEstimateNs);
        }
        return this;
    }

    public PhiAccrualConfig copy()
    {
        return new PhiAccrualConfig()
            .threshold(threshold)
            .maxSampleSize(maxSampleSize)
            .minStdDevNs(minStdDevNs)
            .acceptableHeartbeatPauseNs(acceptableHeartbeatPauseNs)
            .firstHeartbeatEstimateNs(firstHeartbeatEstimateNs);
    }

    @Override
    public String toString()
    {
        return "PhiAccrualConfig{threshold=" + threshold + ", maxSampleSize=" + maxSampleSize + ", minStdDevNs=" +
            minStdDevNs + ", acceptableHeartbeatPauseNs=" + acceptableHeartbeatPauseNs +
            ", firstHeartbeatEstimateNs=" + firstHeartbeatEstimateNs + '}';
    }
}
