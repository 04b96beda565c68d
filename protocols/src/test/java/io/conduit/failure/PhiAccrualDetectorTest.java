package io.conduit.failure;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PhiAccrualDetectorTest
{
    private static final long MS = 1_000_000L;
    private static final long INTERVAL_NS = 100 * MS;

    private static PhiAccrualDetector regular(final PhiAccrualConfig config, final int beats, final long intervalNs)
    {
        final PhiAccrualDetector detector = new PhiAccrualDetector(config);
        for (int i = 0; i <= beats; i++)
        {
            detector.heartbeat(i * intervalNs);
        }
        return detector;
    }

    @Test
    void phiMatchesAkkasReferenceValues()
    {
        // Akka PhiAccrualFailureDetectorSpec "return realistic phi values": mean 1000, std dev 100, within 0.1.
        final long[] elapsed = {0, 500, 1000, 1200, 1400, 1600, 1700};
        final double[] expected = {0.0, 0.1, 0.3, 1.6, 4.7, 10.8, 15.3};
        for (int i = 0; i < elapsed.length; i++)
        {
            assertEquals(expected[i], PhiAccrualDetector.phi(elapsed[i], 1000.0, 100.0), 0.1, "at " + elapsed[i]);
        }
    }

    @Test
    void firstHeartbeatEstimateSeedsTheWindow()
    {
        // Akka: estimate -+ estimate/4 as the first two samples.
        final PhiAccrualDetector detector = new PhiAccrualDetector(new PhiAccrualConfig().firstHeartbeatEstimateNs(
            200 * MS));
        assertEquals(2, detector.sampleCount());
        assertEquals(200 * MS, detector.meanIntervalNs(), 1.0);
        assertEquals(50 * MS, detector.stdDevIntervalNs(), 1.0);
        assertEquals(0.0, detector.suspicion(5_000 * MS));
        detector.heartbeat(0);
        assertTrue(detector.isAvailable(200 * MS));
        assertFalse(detector.isAvailable(5_000 * MS));
    }

    @Test
    void phiIsAboutZeroRightAfterAHeartbeat()
    {
        final PhiAccrualDetector detector = regular(new PhiAccrualConfig(), 100, INTERVAL_NS);
        assertTrue(detector.phi(100 * INTERVAL_NS) < 1e-3, () -> "phi " + detector.phi(100 * INTERVAL_NS));
    }

    @Test
    void phiGrowsWithSilenceAndCrossesTheThreshold()
    {
        final PhiAccrualDetector detector = regular(new PhiAccrualConfig(), 100, INTERVAL_NS);
        final long lastNs = 100 * INTERVAL_NS;
        double previous = -1;
        for (long t = lastNs; t < lastNs + 2_000 * MS; t += MS)
        {
            final double phi = detector.phi(t);
            assertTrue(phi >= previous, "phi fell at " + (t - lastNs));
            previous = phi;
        }
        assertTrue(detector.phi(lastNs + 300 * MS) > detector.phi(lastNs + 200 * MS));
        assertTrue(detector.isAvailable(lastNs + 400 * MS));
        assertFalse(detector.isAvailable(lastNs + 1_000 * MS));
    }

    @Test
    void regularHeartbeatsWithJitterStayBelowTheThreshold()
    {
        final SplittableRandom random = new SplittableRandom(7);
        final PhiAccrualDetector detector = new PhiAccrualDetector(new PhiAccrualConfig());
        long nowNs = 0;
        double maxPhi = 0;
        for (int i = 0; i < 20_000; i++)
        {
            nowNs += INTERVAL_NS - 10 * MS + random.nextLong(20 * MS + 1);
            maxPhi = Math.max(maxPhi, detector.phi(nowNs));
            assertTrue(detector.isAvailable(nowNs), "unavailable at beat " + i);
            detector.heartbeat(nowNs);
        }
        assertTrue(maxPhi < 1.0, "max phi " + maxPhi);
        assertEquals(1_000, detector.sampleCount());
    }

    @Test
    void minimumStdDevIsUsedWhenArrivalsArePerfectlyRegular()
    {
        final PhiAccrualConfig config = new PhiAccrualConfig().acceptableHeartbeatPauseNs(0).minStdDevNs(50 * MS);
        final PhiAccrualDetector detector = regular(config, 1_500, INTERVAL_NS);
        final long lastNs = 1_500 * INTERVAL_NS;
        assertEquals(0.0, detector.stdDevIntervalNs(), 1.0);
        for (long elapsed = 0; elapsed < 1_000 * MS; elapsed += 10 * MS)
        {
            assertEquals(PhiAccrualDetector.phi(elapsed, INTERVAL_NS, 50 * MS), detector.phi(lastNs + elapsed), 1e-9);
        }
        final PhiAccrualDetector tighter = regular(config.copy().minStdDevNs(10 * MS), 1_500, INTERVAL_NS);
        assertTrue(tighter.suspicionReachedNs(8.0) < detector.suspicionReachedNs(8.0));
    }

    @Test
    void acceptablePauseShiftsPhiByExactlyThePause()
    {
        final PhiAccrualConfig base = new PhiAccrualConfig().acceptableHeartbeatPauseNs(0);
        final PhiAccrualDetector without = regular(base, 200, INTERVAL_NS);
        final PhiAccrualDetector with = regular(base.copy().acceptableHeartbeatPauseNs(300 * MS), 200, INTERVAL_NS);
        final long lastNs = 200 * INTERVAL_NS;
        for (long elapsed = 0; elapsed < 1_000 * MS; elapsed += 10 * MS)
        {
            assertEquals(without.phi(lastNs + elapsed), with.phi(lastNs + elapsed + 300 * MS), 1e-9);
        }
        assertEquals(without.suspicionReachedNs(8.0) + 300 * MS, with.suspicionReachedNs(8.0), 2.0);
    }

    @Test
    void suspicionReachedNsInvertsPhi()
    {
        final PhiAccrualDetector detector = regular(new PhiAccrualConfig(), 300, INTERVAL_NS);
        for (double level = 0.5; level <= 20.0; level += 0.25)
        {
            final long reachedNs = detector.suspicionReachedNs(level);
            assertTrue(detector.phi(reachedNs) >= level, "level " + level);
            assertTrue(detector.phi(reachedNs - 1_000) < level, "level " + level + " reached too late");
        }
        final long checkNs = detector.nextCheckNs(300 * INTERVAL_NS);
        assertTrue(detector.isAvailable(checkNs - 1_000));
        assertFalse(detector.isAvailable(checkNs));
        assertEquals(Long.MAX_VALUE, detector.nextCheckNs(checkNs));
    }

    @Test
    void windowIsBoundedAndForgetsTheOldestSamples()
    {
        final PhiAccrualConfig config = new PhiAccrualConfig().maxSampleSize(100);
        final PhiAccrualDetector detector = regular(config, 500, INTERVAL_NS);
        final long lastNs = 500 * INTERVAL_NS;
        for (int i = 1; i <= 100; i++)
        {
            detector.heartbeat(lastNs + i * 2 * INTERVAL_NS);
        }
        assertEquals(100, detector.sampleCount());
        assertEquals(2 * INTERVAL_NS, detector.meanIntervalNs(), 1.0);
        assertEquals(0.0, detector.stdDevIntervalNs(), 1.0);
    }

    @Test
    void anArrivalAfterThePeerWasDeclaredDeadIsNotASample()
    {
        // Akka: "don't use the first heartbeat after failure for the history, since a long pause will skew the stats".
        final PhiAccrualDetector detector = regular(new PhiAccrualConfig(), 50, INTERVAL_NS);
        final int samples = detector.sampleCount();
        final double mean = detector.meanIntervalNs();
        final long returnNs = 50 * INTERVAL_NS + 60_000 * MS;
        assertFalse(detector.isAvailable(returnNs));
        detector.heartbeat(returnNs);
        assertEquals(samples, detector.sampleCount());
        assertEquals(mean, detector.meanIntervalNs());
        assertTrue(detector.isAvailable(returnNs));
        assertTrue(detector.phi(returnNs) < 1e-3);
    }

    @Test
    void resetReturnsToTheFirstHeartbeatEstimate()
    {
        final PhiAccrualDetector detector = regular(new PhiAccrualConfig(), 50, 3 * INTERVAL_NS);
        detector.reset();
        assertEquals(2, detector.sampleCount());
        assertEquals(INTERVAL_NS, detector.meanIntervalNs(), 1.0);
        assertEquals(0.0, detector.suspicion(Long.MAX_VALUE));
    }

    @Test
    void configRejectsOutOfRangeValuesWithTheirName()
    {
        assertThrows(IllegalArgumentException.class, () -> new PhiAccrualConfig().threshold(0).validate());
        assertThrows(IllegalArgumentException.class, () -> new PhiAccrualConfig().maxSampleSize(1).validate());
        assertThrows(IllegalArgumentException.class, () -> new PhiAccrualConfig().minStdDevNs(0).validate());
        assertThrows(IllegalArgumentException.class,
            () -> new PhiAccrualConfig().acceptableHeartbeatPauseNs(-1).validate());
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> new PhiAccrualDetector(new PhiAccrualConfig().firstHeartbeatEstimateNs(0)));
        assertTrue(error.getMessage().startsWith("firstHeartbeatEstimateNs"));
    }
}
