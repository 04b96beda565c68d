package io.conduit.transport.sim;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimRandomTest
{
    @Test
    void sameSeedAndSameCallsGiveTheSameTree()
    {
        final SimRandom a = new SimRandom(123);
        final SimRandom b = new SimRandom(123);
        for (int i = 0; i < 100; i++)
        {
            assertEquals(a.nextLong(), b.nextLong());
        }
        final SimRandom childA = a.split();
        final SimRandom childB = b.split();
        for (int i = 0; i < 100; i++)
        {
            assertEquals(childA.nextInt(1_000), childB.nextInt(1_000));
            assertEquals(a.nextDouble(), b.nextDouble());
        }
        assertNotEquals(new SimRandom(1).nextLong(), new SimRandom(2).nextLong());
    }

    @Test
    void boundedDrawsStayInRange()
    {
        final SimRandom random = new SimRandom(5);
        boolean sawMax = false;
        for (int i = 0; i < 10_000; i++)
        {
            final long value = random.nextLongInclusive(3);
            assertTrue(value >= 0 && value <= 3);
            sawMax |= value == 3;
            final int between = random.nextInt(-5, 5);
            assertTrue(between >= -5 && between < 5);
            assertTrue(random.nextLongInclusive(Long.MAX_VALUE) >= 0);
        }
        assertTrue(sawMax, "the inclusive bound is reachable");
        assertEquals(0, random.nextLongInclusive(0));
        assertThrows(IllegalArgumentException.class, () -> random.nextLongInclusive(-1));
    }

    @Test
    void nextBooleanHonoursItsProbability()
    {
        final SimRandom random = new SimRandom(5);
        int hits = 0;
        for (int i = 0; i < 100_000; i++)
        {
            hits += random.nextBoolean(0.3) ? 1 : 0;
            assertFalse(random.nextBoolean(0.0));
            assertTrue(random.nextBoolean(1.0));
        }
        assertEquals(0.3, hits / 100_000.0, 0.005);
        assertThrows(IllegalArgumentException.class, () -> random.nextBoolean(1.5));
        assertThrows(IllegalArgumentException.class, () -> random.nextBoolean(Double.NaN));
    }

    @Test
    void nextBytesFillsExactlyTheRangeDeterministically()
    {
        final UnsafeBuffer first = new UnsafeBuffer(new byte[32]);
        final UnsafeBuffer second = new UnsafeBuffer(new byte[32]);
        new SimRandom(77).nextBytes(first, 3, 21);
        new SimRandom(77).nextBytes(second, 3, 21);
        assertArrayEquals(first.byteArray(), second.byteArray());
        for (int i = 0; i < 3; i++)
        {
            assertEquals(0, first.getByte(i));
        }
        for (int i = 24; i < 32; i++)
        {
            assertEquals(0, first.getByte(i));
        }
        int nonZero = 0;
        for (int i = 3; i < 24; i++)
        {
            nonZero += first.getByte(i) != 0 ? 1 : 0;
        }
        assertTrue(nonZero > 10, "the range is filled");
    }
}
