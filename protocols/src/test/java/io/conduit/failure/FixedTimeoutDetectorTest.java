package io.conduit.failure;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FixedTimeoutDetectorTest
{
    private static final long TIMEOUT_NS = 500_000_000L;

    private final FixedTimeoutDetector detector =
        new FixedTimeoutDetector(new FixedTimeoutConfig().timeoutNs(TIMEOUT_NS));

    @Test
    void availableWithNoOpinionBeforeTheFirstArrival()
    {
        assertTrue(detector.isAvailable(123));
        assertEquals(0.0, detector.suspicion(123));
        assertEquals(Long.MAX_VALUE, detector.nextCheckNs(123));
        assertEquals(Long.MAX_VALUE, detector.suspicionReachedNs(0.5));
    }

    @Test
    void deadExactlyWhenNothingHeardForTheTimeout()
    {
        detector.heartbeat(1_000);
        assertTrue(detector.isAvailable(1_000 + TIMEOUT_NS - 1));
        assertFalse(detector.isAvailable(1_000 + TIMEOUT_NS));
        assertEquals(1_000 + TIMEOUT_NS, detector.nextCheckNs(1_000));
        assertEquals(Long.MAX_VALUE, detector.nextCheckNs(1_000 + TIMEOUT_NS));
    }

    @Test
    void suspicionIsElapsedOverTimeoutAndMonotonicInSilence()
    {
        detector.heartbeat(0);
        assertEquals(0.0, detector.suspicion(0));
        assertEquals(0.5, detector.suspicion(TIMEOUT_NS / 2), 1e-12);
        assertEquals(2.0, detector.suspicion(2 * TIMEOUT_NS), 1e-12);
        double previous = -1;
        for (long t = 0; t < 3 * TIMEOUT_NS; t += 7_000_000L)
        {
            final double suspicion = detector.suspicion(t);
            assertTrue(suspicion >= previous, "suspicion fell at " + t);
            previous = suspicion;
        }
        assertEquals(TIMEOUT_NS / 2, detector.suspicionReachedNs(0.5));
        assertEquals(1.0, detector.threshold());
    }

    @Test
    void anArrivalRestartsTheTimeoutAndALateOneNeverMovesItBack()
    {
        detector.heartbeat(0);
        assertFalse(detector.isAvailable(TIMEOUT_NS));
        detector.heartbeat(TIMEOUT_NS + 10);
        assertTrue(detector.isAvailable(TIMEOUT_NS + 10));
        detector.heartbeat(5);
        assertTrue(detector.isAvailable(2 * TIMEOUT_NS + 9));
    }

    @Test
    void comparesWrapSafelyAcrossTheEndOfTheClock()
    {
        final long lastNs = Long.MAX_VALUE - 10;
        detector.heartbeat(lastNs);
        assertTrue(detector.isAvailable(lastNs + TIMEOUT_NS - 1));
        assertFalse(detector.isAvailable(lastNs + TIMEOUT_NS));
    }

    @Test
    void resetForgetsTheLastArrival()
    {
        detector.heartbeat(0);
        detector.reset();
        assertTrue(detector.isAvailable(10 * TIMEOUT_NS));
        assertEquals(0.0, detector.suspicion(10 * TIMEOUT_NS));
    }

    @Test
    void configRejectsANonPositiveTimeout()
    {
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> new FixedTimeoutConfig().timeoutNs(0).validate());
        assertTrue(error.getMessage().contains("timeoutNs"));
    }
}
