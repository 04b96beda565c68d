package io.conduit.transport.codec;

import org.junit.jupiter.api.Test;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import static io.conduit.transport.codec.SerialNumber.distance;
import static io.conduit.transport.codec.SerialNumber.greaterThan;
import static io.conduit.transport.codec.SerialNumber.greaterThanOrEqual;
import static io.conduit.transport.codec.SerialNumber.inRange;
import static io.conduit.transport.codec.SerialNumber.lessThan;
import static io.conduit.transport.codec.SerialNumber.lessThanOrEqual;
import static io.conduit.transport.codec.SerialNumber.max;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RFC 1982 serial-number arithmetic with SERIAL_BITS = 32, especially across the wrap from 2^32 - 1 to 0. */
class SerialNumberTest
{
    @Test
    void orderHoldsAcrossTheSignedBoundary()
    {
        assertTrue(lessThan(0x7FFF_FFFF, 0x8000_0000));
        assertFalse(lessThan(0x8000_0000, 0x7FFF_FFFF));
        assertTrue(greaterThan(0x8000_0000, 0x7FFF_FFFF));
    }

    @Test
    void orderHoldsAcrossTheWrapToZero()
    {
        assertTrue(lessThan(-1, 0));
        assertTrue(lessThan(0xFFFF_FFF0, 5));
        assertFalse(lessThan(5, 0xFFFF_FFF0));
        assertTrue(greaterThan(5, 0xFFFF_FFF0));
        assertTrue(lessThanOrEqual(0xFFFF_FFF0, 5));
        assertTrue(greaterThanOrEqual(0, -1));
    }

    @Test
    void equalNumbersAreNeitherLessNorGreater()
    {
        for (final int n : new int[]{0, -1, 0x7FFF_FFFF, 0x8000_0000, 12345})
        {
            assertFalse(lessThan(n, n));
            assertFalse(greaterThan(n, n));
            assertTrue(lessThanOrEqual(n, n));
            assertTrue(greaterThanOrEqual(n, n));
        }
    }

    @Test
    void distanceIsSignedAcrossTheWrap()
    {
        assertEquals(21, distance(0xFFFF_FFF0, 5));
        assertEquals(-21, distance(5, 0xFFFF_FFF0));
        assertEquals(1, distance(-1, 0));
        assertEquals(1, distance(0x7FFF_FFFF, 0x8000_0000));
        assertEquals(0, distance(42, 42));
    }

    @Test
    void inRangeIsHalfOpenAndWrapsAround()
    {
        final int start = 0xFFFF_FFF0;
        final int end = 5;
        assertTrue(inRange(start, start, end), "start included");
        assertTrue(inRange(-1, start, end));
        assertTrue(inRange(0, start, end));
        assertTrue(inRange(4, start, end));
        assertFalse(inRange(end, start, end), "end excluded");
        assertFalse(inRange(start - 1, start, end));
        assertFalse(inRange(1000, start, end));
        assertFalse(inRange(7, 7, 7), "an empty range holds nothing");
    }

    @Test
    void maxPicksTheLaterNumberAcrossTheWrap()
    {
        assertEquals(5, max(0xFFFF_FFF0, 5));
        assertEquals(5, max(5, 0xFFFF_FFF0));
        assertEquals(0x8000_0000, max(0x7FFF_FFFF, 0x8000_0000));
    }

    /** RFC 1982 §3.2: for 0 < d < 2^31, a < a + d (mod 2^32) and not the other way round. */
    @Property(tries = 2000)
    void anythingLessThanHalfTheSpaceAheadIsGreater(
        @ForAll final int a,
        @ForAll @IntRange(min = 1, max = Integer.MAX_VALUE) final int d)
    {
        final int b = a + d;
        assertTrue(lessThan(a, b));
        assertFalse(lessThan(b, a));
        assertTrue(greaterThan(b, a));
        assertFalse(greaterThan(a, b));
        assertTrue(lessThanOrEqual(a, b));
        assertFalse(greaterThanOrEqual(a, b));
        assertEquals(d, distance(a, b));
        assertEquals(-d, distance(b, a));
        assertEquals(b, max(a, b));
        assertEquals(b, max(b, a));
        assertTrue(inRange(a, a, b));
        assertFalse(inRange(b, a, b));
    }
}
