package io.conduit.failure;

/**
 * The phi-accrual failure detector (Hayashibara, Défago, Yared, Katayama, "The phi accrual failure detector",
 * SRDS 2004) as Akka and Cassandra implement it. Inter-arrival times go into a bounded, preallocated sliding window;
 * their mean (plus an acceptable pause) and standard deviation (floored) describe a normal distribution, and
 *
 * <pre>
 *     phi(t) = -log10(1 - F(t - lastArrival))
 * </pre>
 *
 * is how unlikely a silence this long would be for a live peer: phi 8 means a 10^-8 chance. F is the normal CDF in
 * the logistic approximation Akka uses (Bowling et al. 2009, error below 1.4e-4), which has a closed-form inverse,
 * so {@link #suspicionReachedNs} is exact rather than searched.
 *
 * <p>As in Akka, an arrival after the peer was already unavailable does not enter the window: the long silence of a
 * crash and restart is not a sample of the live peer's behaviour and would inflate the mean and deviation.
 */
public final class PhiAccrualDetector implements FailureDetector
{
    // Bowling, Khasawneh, Kaewkuekool, Cho 2009: F(y) ~ 1 / (1 + exp(-y (1.5976 + 0.070566 y^2))).
    private static final double LOGISTIC_A = 0.070566;
    private static final double LOGISTIC_B = 1.5976;
    private static final double LN_10 = Math.log(10.0);

    private final double threshold;
    private final long minStdDevNs;
    private final long acceptableHeartbeatPauseNs;
    private final long firstHeartbeatEstimateNs;
    private final long[] intervalsNs;
    private int sampleCount;
    private int nextSampleIndex;
    private long intervalSumNs;
    private double intervalSquaresSum;
    private boolean heard;
    private long lastArrivalNs;

    public PhiAccrualDetector(final PhiAccrualConfig config)
    {
        config.validate();
        this.threshold = config.threshold();
        this.minStdDevNs = config.minStdDevNs();
        this.acceptableHeartbeatPauseNs = config.acceptableHeartbeatPauseNs();
        this.firstHeartbeatEstimateNs = config.firstHeartbeatEstimateNs();
        this.intervalsNs = new long[config.maxSampleSize()];
        reset();
    }

    @Override
    public void heartbeat(final long nowNs)
    {
        if (!heard)
        {
            heard = true;
            lastArrivalNs = nowNs;
            return;
        }
        final long intervalNs = nowNs - lastArrivalNs;
        if (intervalNs <= 0)
        {
            // Same instant or out of order: no timing information, and the deadline must not move back.
            return;
        }
        if (isAvailable(nowNs))
        {
            addSample(intervalNs);
        }
        lastArrivalNs = nowNs;
    }

    @Override
    public boolean isAvailable(final long nowNs)
    {
        return phi(nowNs) < threshold;
    }

    @Override
    public double suspicion(final long nowNs)
    {
        return phi(nowNs);
    }

    @Override
    public double threshold()
    {
        return threshold;
    }

    /** Phi at {@code nowNs}; 0 before the first arrival. */
    public double phi(final long nowNs)
    {
        if (!heard)
        {
            return 0.0;
        }
        return phi(Math.max(0L, nowNs - lastArrivalNs), effectiveMeanNs(), effectiveStdDevNs());
    }

    /**
     * Phi of a silence of {@code elapsed} for inter-arrival times with this mean and standard deviation (any one
     * time unit), exactly as Akka's {@code PhiAccrualFailureDetector.phi}.
     */
    public static double phi(final double elapsed, final double mean, final double stdDev)
    {
        final double y = (elapsed - mean) / stdDev;
        final double e = Math.exp(-y * (LOGISTIC_B + LOGISTIC_A * y * y));
        // Two algebraically equal forms, each precise on its own side of the mean (as in Akka).
        return elapsed > mean ? -Math.log10(e / (1.0 + e)) : -Math.log10(1.0 - 1.0 / (1.0 + e));
    }

    @Override
    public long suspicionReachedNs(final double level)
    {
        if (!heard)
        {
            return Long.MAX_VALUE;
        }
        if (level <= 0.0)
        {
            return lastArrivalNs;
        }
        // phi = log10(1 + exp(g(y))) with g(y) = y (B + A y^2), so g(y) = ln(10^phi - 1), written to survive large phi.
        final double g = level * LN_10 + Math.log1p(-Math.pow(10.0, -level));
        final double y = solveLogisticExponent(g);
        final double elapsedNs = Math.max(0.0, effectiveMeanNs() + y * effectiveStdDevNs());
        if (elapsedNs >= Long.MAX_VALUE / 2.0)
        {
            return Long.MAX_VALUE;
        }
        long reachedNs = lastArrivalNs + (long)Math.ceil(elapsedNs);
        // Rounding may leave phi a hair below the level; step forward so a timer set here sees the level reached.
        long stepNs = 1;
        while (phi(reachedNs) < level && stepNs < 1_000_000L)
        {
            reachedNs += stepNs;
            stepNs <<= 1;
        }
        return reachedNs;
    }

    @Override
    public long nextCheckNs(final long nowNs)
    {
        return heard && isAvailable(nowNs) ? suspicionReachedNs(threshold) : Long.MAX_VALUE;
    }

    @Override
    public void reset()
    {
        heard = false;
        lastArrivalNs = 0;
        sampleCount = 0;
        nextSampleIndex = 0;
        intervalSumNs = 0;
        intervalSquaresSum = 0.0;
        // Akka's first-heartbeat estimate: two samples at estimate -+ estimate/4 give that mean and a plausible spread.
        final long stdDevNs = firstHeartbeatEstimateNs / 4;
        addSample(firstHeartbeatEstimateNs - stdDevNs);
        addSample(firstHeartbeatEstimateNs + stdDevNs);
    }

    /** Mean of the sampled inter-arrival times, without the acceptable pause. */
    public double meanIntervalNs()
    {
        return intervalSumNs / (double)sampleCount;
    }

    /** Standard deviation of the sampled inter-arrival times, before the minimum is applied. */
    public double stdDevIntervalNs()
    {
        final double mean = meanIntervalNs();
        return Math.sqrt(Math.max(0.0, intervalSquaresSum / sampleCount - mean * mean));
    }

    /** How many inter-arrival times the window holds, including the two first-heartbeat estimates until displaced. */
    public int sampleCount()
    {
        return sampleCount;
    }

    private double effectiveMeanNs()
    {
        return meanIntervalNs() + acceptableHeartbeatPauseNs;
    }

    private double effectiveStdDevNs()
    {
        return Math.max(stdDevIntervalNs(), minStdDevNs);
    }

    private void addSample(final long intervalNs)
    {
        final int capacity = intervalsNs.length;
        if (sampleCount == capacity)
        {
            final long evictedNs = intervalsNs[nextSampleIndex];
            intervalSumNs -= evictedNs;
            intervalSquaresSum -= (double)evictedNs * evictedNs;
        }
        else
        {
            sampleCount++;
        }
        intervalsNs[nextSampleIndex] = intervalNs;
        intervalSumNs += intervalNs;
        intervalSquaresSum += (double)intervalNs * intervalNs;
        nextSampleIndex++;
        if (nextSampleIndex == capacity)
        {
            nextSampleIndex = 0;
            // Once per lap, recompute the squares from the window so floating-point drift never accumulates.
            double exact = 0.0;
            for (int i = 0; i < sampleCount; i++)
            {
                exact += (double)intervalsNs[i] * intervalsNs[i];
            }
            intervalSquaresSum = exact;
        }
    }

    /** The one real root y of A y^3 + B y - g = 0 (Cardano; one root because A and B are positive). */
    private static double solveLogisticExponent(final double g)
    {
        final double p = LOGISTIC_B / LOGISTIC_A;
        final double q = -g / LOGISTIC_A;
        final double sqrtDiscriminant = Math.sqrt(q * q / 4.0 + p * p * p / 27.0);
        return Math.cbrt(-q / 2.0 + sqrtDiscriminant) + Math.cbrt(-q / 2.0 - sqrtDiscriminant);
    }

    @Override
    public String toString()
    {
        return "PhiAccrualDetector{threshold=" + threshold + ", samples=" + sampleCount + ", meanNs=" +
            (long)meanIntervalNs() + ", stdDevNs=" + (long)stdDevIntervalNs() + ", heard=" + heard + '}';
    }
}
