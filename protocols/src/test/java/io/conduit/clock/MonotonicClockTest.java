package io.conduit.clock;

import io.conduit.clock.system.SystemMonotonicClock;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MonotonicClockTest
{
    @Test
    void manualClockMovesOnlyWhenTold()
    {
        final ManualClock clock = new ManualClock(100);
        assertEquals(100, clock.nanoTime());
        assertEquals(150, clock.advance(50));
        assertEquals(150, clock.advance(0));
        clock.set(150);
        clock.set(1_000);
        assertEquals(1_000, clock.nanoTime());
        assertEquals(0, new ManualClock().nanoTime());
    }

    @Test
    void manualClockNeverGoesBackwards()
    {
        final ManualClock clock = new ManualClock(1_000);
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> clock.set(999));
        assertEquals("a monotonic clock cannot go backwards: set to 999 ns from 1000 ns", error.getMessage());
        assertThrows(IllegalArgumentException.class, () -> clock.advance(-1));
        assertEquals(1_000, clock.nanoTime());
    }

    @Test
    void manualClockWrapsLikeNanoTimeSoWrapSafeCodeCanBeTested()
    {
        // System.nanoTime may wrap; differences, not absolute values, are what the engines compare.
        final ManualClock clock = new ManualClock(Long.MAX_VALUE - 10);
        final long beforeNs = clock.nanoTime();
        clock.advance(20);
        assertEquals(Long.MIN_VALUE + 9, clock.nanoTime());
        assertEquals(20, clock.nanoTime() - beforeNs);
        clock.set(Long.MIN_VALUE + 10);
        // Half the range or more ahead reads as behind, wrap-safely.
        assertThrows(IllegalArgumentException.class, () -> clock.set(clock.nanoTime() + Long.MIN_VALUE));
    }

    @Test
    void systemClockIsAMonotonicClock()
    {
        final MonotonicClock clock = SystemMonotonicClock.INSTANCE;
        final long firstNs = clock.nanoTime();
        final long secondNs = clock.nanoTime();
        assertTrue(secondNs - firstNs >= 0, () -> firstNs + " then " + secondNs);
    }
}
