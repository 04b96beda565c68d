package io.conduit.transport.engine;

import java.util.List;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RttEstimatorPropertyTest
{
    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000 * MS;

    @Property(tries = 500)
    void fixedPointStateTracksTheRealValuedFormulas(
        @ForAll @Size(min = 1, max = 200) final List<@LongRange(min = 0, max = 10 * SECOND) Long> samplesNs)
    {
        // RFC 6298 §2.2/§2.3 evaluated in doubles; the scaled integers may only differ by truncation, a few ns.
        final RttEstimator rtt = new RttEstimator(SECOND, 1, Long.MAX_VALUE, 0);
        double srtt = 0;
        double rttVar = 0;
        boolean first = true;

        for (final long sampleNs : samplesNs)
        {
            rtt.onSample(sampleNs);
            if (first)
            {
                srtt = sampleNs;
                rttVar = sampleNs / 2.0;
                first = false;
            }
            else
            {
                rttVar = 0.75 * rttVar + 0.25 * Math.abs(srtt - sampleNs);
                srtt = 0.875 * srtt + 0.125 * sampleNs;
            }

            assertEquals(srtt, rtt.srttNs(), 4.0, rtt.toString());
            assertEquals(rttVar, rtt.rttVarNs(), 4.0, rtt.toString());
            assertEquals(Math.max(1.0, srtt + 4 * rttVar), rtt.rtoNs(), 20.0, rtt.toString());
        }
    }

    @Property(tries = 500)
    void rtoStaysWithinTheConfiguredBoundsWhateverHappens(
        @ForAll @Size(max = 200) final List<@LongRange(min = -1, max = 100 * SECOND) Long> events,
        @ForAll @LongRange(min = 1, max = SECOND) final long minRtoNs,
        @ForAll @LongRange(min = 0, max = 59 * SECOND) final long extraMaxNs,
        @ForAll @LongRange(min = 0, max = SECOND) final long granularityNs)
    {
        // RFC 6298 §2.4/§2.5/§5.5: whatever the mix of samples and backoffs, min <= RTO <= max.
        // An event of -1 stands for a timer expiry, anything else for a sample.
        final long maxRtoNs = minRtoNs + extraMaxNs;
        final RttEstimator rtt = new RttEstimator(maxRtoNs, minRtoNs, maxRtoNs, granularityNs);

        for (final long event : events)
        {
            if (event < 0)
            {
                rtt.backoff();
            }
            else
            {
                rtt.onSample(event);
                assertEquals(0, rtt.backoffCount());
            }
            assertTrue(rtt.rtoNs() >= minRtoNs && rtt.rtoNs() <= maxRtoNs, rtt.toString());
            assertTrue(rtt.minRttNs() <= rtt.latestRttNs(), rtt.toString());
        }
    }
}
