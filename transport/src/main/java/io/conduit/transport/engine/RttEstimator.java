package io.conduit.transport.engine;

/**
 * Round-trip time estimation and retransmission timeout of RFC 6298, with the exponential backoff of §5.5.
 * <p>
 * SRTT and RTTVAR are kept in Jacobson/Karels fixed point (SRTT times 8, RTTVAR times 4), as BSD and Linux do, so the
 * gains alpha = 1/8 and beta = 1/4 are shifts and the fractions survive from one sample to the next; the accessors
 * truncate to whole nanoseconds. Nothing allocates and nothing reads a clock: samples are measured by the caller.
 * <p>
 * The caller applies Karn's algorithm (RFC 6298 §3): no sample from a retransmitted packet unless the transport can
 * tell which transmission was acknowledged.
 * <p>
 * Sample domain: zero is accepted as a genuine measurement, because a simulated link without delay can acknowledge
 * in the same tick; a negative sample can only come from timestamps that went backwards, so it is rejected with an
 * {@link IllegalArgumentException} rather than silently repaired. Samples above {@link #MAX_SAMPLE_NS} (about 18
 * years) are clamped to it so the scaled arithmetic cannot overflow.
 */
public final class RttEstimator
{
    /**
     * Largest sample used as given; larger ones are clamped. Sixteen times this still fits in a long, which covers
     * the eight-times SRTT plus a sample and the four-times RTTVAR plus an error.
     */
    public static final long MAX_SAMPLE_NS = Long.MAX_VALUE >> 4;

    private static final int SRTT_SHIFT = 3;   // alpha = 1/8, RFC 6298 §2.3
    private static final int RTTVAR_SHIFT = 2; // beta = 1/4, RFC 6298 §2.3

    private final long initialRtoNs;
    private final long minRtoNs;
    private final long maxRtoNs;
    private final long clockGranularityNs;

    private boolean hasSample;
    private long srttX8;
    private long rttVarX4;
    private long latestRttNs;
    private long minRttNs;
    private long rtoNs;
    private int backoffCount;

    /**
     * @param initialRtoNs       RTO before the first sample (RFC 6298 §2.1 says 1 s); within [min, max].
     * @param minRtoNs           lower clamp of the RTO, positive. RFC 6298 §2.4 asks for 1 s; datacentre and
     *                           simulated links configure less.
     * @param maxRtoNs           upper clamp of the RTO and of its backoff (RFC 6298 §2.5 allows one of at least 60 s).
     * @param clockGranularityNs G of RFC 6298 §2, the floor of the variance term; zero or more.
     */
    public RttEstimator(
        final long initialRtoNs, final long minRtoNs, final long maxRtoNs, final long clockGranularityNs)
    {
        if (minRtoNs <= 0)
        {
            throw new IllegalArgumentException("minRtoNs must be positive: " + minRtoNs);
        }
        if (maxRtoNs < minRtoNs)
        {
            throw new IllegalArgumentException("maxRtoNs " + maxRtoNs + " is below minRtoNs " + minRtoNs);
        }
        if (initialRtoNs < minRtoNs || initialRtoNs > maxRtoNs)
        {
            throw new IllegalArgumentException(
                "initialRtoNs " + initialRtoNs + " is outside [" + minRtoNs + ", " + maxRtoNs + "]");
        }
        if (clockGranularityNs < 0)
        {
            throw new IllegalArgumentException("clockGranularityNs must not be negative: " + clockGranularityNs);
        }

        this.initialRtoNs = initialRtoNs;
        this.minRtoNs = minRtoNs;
        this.maxRtoNs = maxRtoNs;
        this.clockGranularityNs = clockGranularityNs;
        reset();
    }

    /**
     * Feed one RTT measurement. Recomputes the RTO from SRTT and RTTVAR, which also drops any backoff.
     *
     * @param rttNs the measured round trip, zero or more.
     */
    public void onSample(final long rttNs)
    {
        if (rttNs < 0)
        {
            throw new IllegalArgumentException("RTT sample must not be negative: " + rttNs);
        }
        final long sampleNs = Math.min(rttNs, MAX_SAMPLE_NS);

        if (!hasSample)
        {
            // RFC 6298 §2.2: SRTT <- R, RTTVAR <- R/2, so 8*SRTT = 8R and 4*RTTVAR = 2R.
            srttX8 = sampleNs << SRTT_SHIFT;
            rttVarX4 = sampleNs << 1;
            minRttNs = sampleNs;
            hasSample = true;
        }
        else
        {
            // RFC 6298 §2.3: RTTVAR is updated first, against the SRTT from before this sample.
            final long errorNs = Math.abs((srttX8 >> SRTT_SHIFT) - sampleNs);
            rttVarX4 += errorNs - (rttVarX4 >> RTTVAR_SHIFT);   // 4*RTTVAR' = 3*RTTVAR + |SRTT - R'|
            srttX8 += sampleNs - (srttX8 >> SRTT_SHIFT);        // 8*SRTT' = 7*SRTT + R'
            minRttNs = Math.min(minRttNs, sampleNs);
        }
        latestRttNs = sampleNs;

        // RFC 6298 §5, note after rule 5.7: a new measurement recomputes the RTO, collapsing the backoff.
        rtoNs = computeRtoNs();
        backoffCount = 0;
    }

    /**
     * @return whether at least one sample arrived since construction or {@link #reset()}.
     */
    public boolean hasSample()
    {
        return hasSample;
    }

    /**
     * @return SRTT, or 0 before the first sample.
     */
    public long srttNs()
    {
        return srttX8 >> SRTT_SHIFT;
    }

    /**
     * @return RTTVAR, or 0 before the first sample.
     */
    public long rttVarNs()
    {
        return rttVarX4 >> RTTVAR_SHIFT;
    }

    /**
     * @return the most recent sample, or 0 before the first sample.
     */
    public long latestRttNs()
    {
        return latestRttNs;
    }

    /**
     * @return the smallest sample seen, or 0 before the first sample.
     */
    public long minRttNs()
    {
        return minRttNs;
    }

    /**
     * @return the RTO to arm the retransmission timer with, backoff included, within [min, max].
     */
    public long rtoNs()
    {
        return rtoNs;
    }

    /**
     * The retransmission timer expired: RFC 6298 §5.5, RTO <- RTO * 2, bounded by the maximum (§2.5).
     * The count keeps rising once the cap is reached so the caller can still give up after N expiries.
     */
    public void backoff()
    {
        rtoNs = rtoNs > maxRtoNs - rtoNs ? maxRtoNs : rtoNs << 1;
        if (backoffCount < Integer.MAX_VALUE)
        {
            backoffCount++;
        }
    }

    /**
     * @return consecutive {@link #backoff()} calls since the last sample or {@link #reset()}.
     */
    public int backoffCount()
    {
        return backoffCount;
    }

    /**
     * Back to the state right after construction, for a connection object taken from a pool.
     */
    public void reset()
    {
        hasSample = false;
        srttX8 = 0;
        rttVarX4 = 0;
        latestRttNs = 0;
        minRttNs = 0;
        rtoNs = initialRtoNs; // RFC 6298 §2.1
        backoffCount = 0;
    }

    private long computeRtoNs()
    {
        // RFC 6298 §2.2/§2.3: RTO = SRTT + max(G, K*RTTVAR) with K = 4, and 4*RTTVAR is exactly rttVarX4.
        // §2.4/§2.5: clamp to [min, max]; the comparison is arranged so the sum never overflows.
        final long srttNs = srttX8 >> SRTT_SHIFT;
        final long spreadNs = Math.max(clockGranularityNs, rttVarX4);
        if (spreadNs > maxRtoNs - srttNs)
        {
            return maxRtoNs;
        }
        return Math.max(minRtoNs, srttNs + spreadNs);
    }

    @Override
    public String toString()
    {
        return "RttEstimator{srttNs=" + srttNs() + ", rttVarNs=" + rttVarNs() + ", rtoNs=" + rtoNs +
            ", backoffCount=" + backoffCount + '}';
    }
}
