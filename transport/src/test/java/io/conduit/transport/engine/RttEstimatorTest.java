package io.conduit.transport.engine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RttEstimatorTest
{
    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000 * MS;

    // Small min and granularity so they do not hide the RFC 6298 §2 arithmetic; tests about them set their own.
    private static RttEstimator estimator()
    {
        return new RttEstimator(SECOND, MS, 60 * SECOND, 1_000);
    }

    @Test
    void rtoBeforeAnySampleIsTheInitialRto()
    {
        // RFC 6298 §2.1: until a measurement is made, RTO = initial (1 s).
        final RttEstimator rtt = estimator();

        assertFalse(rtt.hasSample());
        assertEquals(SECOND, rtt.rtoNs());
        assertEquals(0, rtt.srttNs());
        assertEquals(0, rtt.rttVarNs());
        assertEquals(0, rtt.latestRttNs());
        assertEquals(0, rtt.minRttNs());
        assertEquals(0, rtt.backoffCount());
    }

    @Test
    void firstSampleSetsSrttToRAndRttvarToHalfR()
    {
        // RFC 6298 §2.2: SRTT = R, RTTVAR = R/2, RTO = SRTT + max(G, 4*RTTVAR) = 80 + 160 ms.
        final RttEstimator rtt = estimator();

        rtt.onSample(80 * MS);

        assertTrue(rtt.hasSample());
        assertEquals(80 * MS, rtt.srttNs());
        assertEquals(40 * MS, rtt.rttVarNs());
        assertEquals(240 * MS, rtt.rtoNs());
    }

    @Test
    void laterSamplesUpdateRttvarBeforeSrtt()
    {
        // RFC 6298 §2.3, alpha = 1/8, beta = 1/4, RTTVAR computed against the old SRTT:
        // R' = 160: RTTVAR = 3/4*40 + 1/4*|80-160| = 50, SRTT = 7/8*80 + 1/8*160 = 90, RTO = 90 + 200 = 290 ms.
        // (Updating SRTT first would give RTTVAR = 3/4*40 + 1/4*|90-160| = 47.5.)
        final RttEstimator rtt = estimator();
        rtt.onSample(80 * MS);

        rtt.onSample(160 * MS);

        assertEquals(90 * MS, rtt.srttNs());
        assertEquals(50 * MS, rtt.rttVarNs());
        assertEquals(290 * MS, rtt.rtoNs());

        // R' = 50: RTTVAR = 3/4*50 + 1/4*|90-50| = 47.5, SRTT = 7/8*90 + 1/8*50 = 85, RTO = 85 + 190 = 275 ms.
        rtt.onSample(50 * MS);

        assertEquals(85 * MS, rtt.srttNs());
        assertEquals(47_500_000L, rtt.rttVarNs());
        assertEquals(275 * MS, rtt.rtoNs());
    }

    @Test
    void latestAndMinimumSamplesAreTracked()
    {
        final RttEstimator rtt = estimator();

        rtt.onSample(80 * MS);
        rtt.onSample(30 * MS);
        rtt.onSample(120 * MS);

        assertEquals(120 * MS, rtt.latestRttNs());
        assertEquals(30 * MS, rtt.minRttNs());
    }

    @Test
    void clockGranularityFloorsTheVarianceTerm()
    {
        // RFC 6298 §2.2: RTO = SRTT + max(G, K*RTTVAR); here 4*RTTVAR = 16 ms < G = 100 ms.
        final RttEstimator rtt = new RttEstimator(SECOND, MS, 60 * SECOND, 100 * MS);

        rtt.onSample(8 * MS);

        assertEquals(108 * MS, rtt.rtoNs());
    }

    @Test
    void steadySamplesConvergeToSrttPlusGranularity()
    {
        // RFC 6298 §2.3: identical samples decay RTTVAR by 3/4 each time, leaving SRTT + G once 4*RTTVAR < G.
        final RttEstimator rtt = new RttEstimator(SECOND, MS, 60 * SECOND, 10 * MS);

        for (int i = 0; i < 100; i++)
        {
            rtt.onSample(40 * MS);
        }

        assertEquals(40 * MS, rtt.srttNs());
        assertEquals(50 * MS, rtt.rtoNs());
    }

    @Test
    void rtoIsRaisedToTheConfiguredMinimum()
    {
        // RFC 6298 §2.4 asks for a 1 s minimum; the minimum is configurable and a lower one is honoured:
        // 10 + 4*5 = 30 ms is raised to 200 ms.
        final RttEstimator rtt = new RttEstimator(SECOND, 200 * MS, 60 * SECOND, 0);

        rtt.onSample(10 * MS);

        assertEquals(200 * MS, rtt.rtoNs());
        assertEquals(10 * MS, rtt.srttNs());
    }

    @Test
    void rtoIsCappedAtTheConfiguredMaximum()
    {
        // RFC 6298 §2.5: an upper bound may be placed on RTO; 1 s + 4*0.5 s = 3 s is capped at 2 s.
        final RttEstimator rtt = new RttEstimator(SECOND, MS, 2 * SECOND, 0);

        rtt.onSample(SECOND);

        assertEquals(2 * SECOND, rtt.rtoNs());
    }

    @Test
    void backoffDoublesTheRtoUpToTheMaximum()
    {
        // RFC 6298 §5.5: RTO = RTO * 2 on each expiry, bounded by the §2.5 maximum.
        final RttEstimator rtt = new RttEstimator(SECOND, MS, 60 * SECOND, 0);
        final long[] expectedNs = { 2 * SECOND, 4 * SECOND, 8 * SECOND, 16 * SECOND, 32 * SECOND, 60 * SECOND,
            60 * SECOND };

        for (int i = 0; i < expectedNs.length; i++)
        {
            rtt.backoff();
            assertEquals(expectedNs[i], rtt.rtoNs(), "after backoff " + (i + 1));
            assertEquals(i + 1, rtt.backoffCount());
        }
    }

    @Test
    void backoffStartsFromTheMeasuredRto()
    {
        // RFC 6298 §5.5 applies to whatever the current RTO is: 240 ms -> 480 -> 960.
        final RttEstimator rtt = estimator();
        rtt.onSample(80 * MS);

        rtt.backoff();
        rtt.backoff();

        assertEquals(960 * MS, rtt.rtoNs());
        assertEquals(2, rtt.backoffCount());
    }

    @Test
    void backoffNearTheLongLimitDoesNotOverflow()
    {
        final RttEstimator rtt = new RttEstimator(Long.MAX_VALUE / 2 + 1, 1, Long.MAX_VALUE, 0);

        rtt.backoff();

        assertEquals(Long.MAX_VALUE, rtt.rtoNs());
    }

    @Test
    void newSampleCollapsesTheBackoff()
    {
        // RFC 6298 §5, note after rule 5.7: a new measurement recomputes RTO from §2, undoing the backoff.
        // Second sample 80: RTTVAR = 3/4*40 + 0 = 30, SRTT = 80, RTO = 80 + 120 = 200 ms.
        final RttEstimator rtt = estimator();
        rtt.onSample(80 * MS);
        rtt.backoff();
        rtt.backoff();

        rtt.onSample(80 * MS);

        assertEquals(200 * MS, rtt.rtoNs());
        assertEquals(0, rtt.backoffCount());
    }

    @Test
    void zeroSampleIsAcceptedAndTheMinimumApplies()
    {
        // A zero-delay simulated link acknowledges in the same tick: SRTT = RTTVAR = 0, RTO = max(G, 0) -> min.
        final RttEstimator rtt = new RttEstimator(SECOND, 5 * MS, 60 * SECOND, 0);

        rtt.onSample(0);

        assertTrue(rtt.hasSample());
        assertEquals(0, rtt.srttNs());
        assertEquals(5 * MS, rtt.rtoNs());
    }

    @Test
    void negativeSampleIsRejected()
    {
        final RttEstimator rtt = estimator();

        assertThrows(IllegalArgumentException.class, () -> rtt.onSample(-1));
        assertFalse(rtt.hasSample());
    }

    @Test
    void hugeSampleIsClampedWithoutOverflow()
    {
        final RttEstimator rtt = new RttEstimator(SECOND, MS, Long.MAX_VALUE, 0);

        rtt.onSample(Long.MAX_VALUE);
        rtt.onSample(Long.MAX_VALUE);

        assertEquals(RttEstimator.MAX_SAMPLE_NS, rtt.latestRttNs());
        assertEquals(RttEstimator.MAX_SAMPLE_NS, rtt.srttNs());
        assertTrue(rtt.rtoNs() > rtt.srttNs(), rtt.toString());

        // A swing from the clamp to zero is the largest error the scaled state can see: still no overflow.
        rtt.onSample(0);

        assertEquals(7 * RttEstimator.MAX_SAMPLE_NS / 8, rtt.srttNs()); // RFC 6298 §2.3: 7/8*SRTT + 1/8*0
        assertTrue(rtt.rttVarNs() > 0 && rtt.rtoNs() > rtt.srttNs(), rtt.toString());
    }

    @Test
    void resetReturnsToTheInitialState()
    {
        final RttEstimator rtt = estimator();
        rtt.onSample(80 * MS);
        rtt.backoff();

        rtt.reset();

        assertFalse(rtt.hasSample());
        assertEquals(SECOND, rtt.rtoNs());
        assertEquals(0, rtt.srttNs());
        assertEquals(0, rtt.rttVarNs());
        assertEquals(0, rtt.minRttNs());
        assertEquals(0, rtt.latestRttNs());
        assertEquals(0, rtt.backoffCount());

        // The next sample is a first sample again (RFC 6298 §2.2), not a §2.3 update.
        rtt.onSample(160 * MS);
        assertEquals(160 * MS, rtt.srttNs());
        assertEquals(80 * MS, rtt.rttVarNs());
    }

    @Test
    void inconsistentConfigurationIsRejected()
    {
        assertThrows(IllegalArgumentException.class, () -> new RttEstimator(SECOND, 0, 60 * SECOND, 0));
        assertThrows(IllegalArgumentException.class, () -> new RttEstimator(SECOND, SECOND, MS, 0));
        assertThrows(IllegalArgumentException.class, () -> new RttEstimator(MS / 2, MS, 60 * SECOND, 0));
        assertThrows(IllegalArgumentException.class, () -> new RttEstimator(61 * SECOND, MS, 60 * SECOND, 0));
        assertThrows(IllegalArgumentException.class, () -> new RttEstimator(SECOND, MS, 60 * SECOND, -1));
    }
}
