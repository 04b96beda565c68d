package io.conduit.clock;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static io.conduit.clock.Ordering.AFTER;
import static io.conduit.clock.Ordering.BEFORE;
import static io.conduit.clock.Ordering.CONCURRENT;
import static io.conduit.clock.Ordering.EQUAL;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Spec tests for {@link VectorClock}: the update rules and the ordering of Fidge 1988 / Mattern 1988 ("Virtual Time
 * and Global States of Distributed Systems", §5), and the encoding byte by byte.
 */
class VectorClockTest
{
    @Test
    void startsAtZero()
    {
        final VectorClock clock = new VectorClock(3);
        assertEquals(VectorClock.of(0, 0, 0), clock);
        assertEquals(3, clock.processCount());
    }

    @Test
    void localEventIncrementsOnlyTheOwnCounter()
    {
        // Mattern 1988 §5 rule 1 (VC1): before an event Pi increments its own component.
        final VectorClock clock = new VectorClock(3);
        assertEquals(1, clock.increment(1));
        assertEquals(2, clock.increment(1));
        assertEquals(VectorClock.of(0, 2, 0), clock);
    }

    @Test
    void mergeTakesThePointwiseMaximum()
    {
        final VectorClock clock = VectorClock.of(4, 0, 2);
        final VectorClock other = VectorClock.of(1, 3, 2);
        clock.merge(other);
        assertEquals(VectorClock.of(4, 3, 2), clock);
        assertEquals(VectorClock.of(1, 3, 2), other, "merge leaves its argument unchanged");
    }

    @Test
    void receiveMergesThenIncrementsSelf()
    {
        // Mattern 1988 §5 rule 2 (VC2): on receipt of timestamp t, Pi sets V := sup(V, t), then applies rule 1.
        final VectorClock receiver = VectorClock.of(0, 1, 0);
        receiver.onReceive(1, VectorClock.of(2, 5, 1));
        assertEquals(VectorClock.of(2, 6, 1), receiver);
    }

    @Test
    void comparisonFollowsThePointwiseOrder()
    {
        // Mattern 1988 §5: u ≤ v iff u[i] ≤ v[i] for all i; u < v iff u ≤ v and u ≠ v; u ∥ v iff neither
        // u < v nor v < u. The theorem: e → e' iff V(e) < V(e').
        assertEquals(BEFORE, VectorClock.of(1, 2, 0).compare(VectorClock.of(1, 3, 0)));
        assertEquals(AFTER, VectorClock.of(2, 3, 1).compare(VectorClock.of(1, 3, 0)));
        assertEquals(EQUAL, VectorClock.of(1, 3, 0).compare(VectorClock.of(1, 3, 0)));
        assertEquals(CONCURRENT, VectorClock.of(2, 0, 0).compare(VectorClock.of(0, 1, 0)));
        // Concurrency found only at the last component still counts.
        assertEquals(CONCURRENT, VectorClock.of(1, 1, 0).compare(VectorClock.of(0, 1, 1)));

        assertTrue(VectorClock.of(0, 1).happenedBefore(VectorClock.of(1, 1)));
        assertFalse(VectorClock.of(1, 1).happenedBefore(VectorClock.of(1, 1)));
        assertFalse(VectorClock.of(1, 0).happenedBefore(VectorClock.of(0, 1)));
        assertTrue(VectorClock.of(1, 0).concurrentWith(VectorClock.of(0, 1)));
    }

    @Test
    void messageExchangeOrdersSendBeforeReceiveAndLeavesIndependentEventsConcurrent()
    {
        final VectorClock p0 = new VectorClock(2);
        final VectorClock p1 = new VectorClock(2);
        p0.increment(0);
        final VectorClock sent = VectorClock.of(0, 0);
        sent.copyFrom(p0);
        p1.increment(1);
        final VectorClock p1BeforeReceive = VectorClock.of(0, 0);
        p1BeforeReceive.copyFrom(p1);
        assertEquals(CONCURRENT, sent.compare(p1BeforeReceive));

        p1.onReceive(1, sent);
        assertEquals(BEFORE, sent.compare(p1));
        assertEquals(BEFORE, p1BeforeReceive.compare(p1));
        assertEquals(AFTER, p1.compare(sent));
    }

    @Test
    void copyFromAndResetReuseTheClock()
    {
        final VectorClock scratch = new VectorClock(3);
        scratch.copyFrom(VectorClock.of(7, 8, 9));
        assertEquals(VectorClock.of(7, 8, 9), scratch);
        scratch.reset();
        assertEquals(new VectorClock(3), scratch);
    }

    @Test
    void equalsHashCodeAndToString()
    {
        assertEquals(VectorClock.of(1, 2), VectorClock.of(1, 2));
        assertEquals(VectorClock.of(1, 2).hashCode(), VectorClock.of(1, 2).hashCode());
        assertNotEquals(VectorClock.of(1, 2), VectorClock.of(2, 1));
        assertNotEquals(VectorClock.of(1, 2), VectorClock.of(1, 2, 0));
        assertEquals("VectorClock[1, 2, 0]", VectorClock.of(1, 2, 0).toString());
    }

    @Test
    void overflowThrowsInsteadOfWrapping()
    {
        final VectorClock clock = VectorClock.of(0, Long.MAX_VALUE);
        assertThrows(IllegalStateException.class, () -> clock.increment(1));
        assertEquals(VectorClock.of(0, Long.MAX_VALUE), clock);
    }

    @Test
    void receiveThatWouldOverflowLeavesTheClockUnchanged()
    {
        final VectorClock clock = VectorClock.of(1, 2);
        assertThrows(IllegalStateException.class, () -> clock.onReceive(0, VectorClock.of(Long.MAX_VALUE, 5)));
        assertEquals(VectorClock.of(1, 2), clock);
    }

    @Test
    void misuseIsRejectedWithClearErrors()
    {
        assertThrows(IllegalArgumentException.class, () -> new VectorClock(0));
        assertThrows(IllegalArgumentException.class, () -> new VectorClock(VectorClock.MAX_PROCESSES + 1));
        assertThrows(IllegalArgumentException.class, () -> VectorClock.of(1, -1));
        final VectorClock clock = new VectorClock(2);
        final IllegalArgumentException outside = assertThrows(IllegalArgumentException.class,
            () -> clock.increment(2));
        assertEquals("process index 2 outside 0..1", outside.getMessage());
        assertThrows(IllegalArgumentException.class, () -> clock.merge(new VectorClock(3)));
        assertThrows(IllegalArgumentException.class, () -> clock.compare(new VectorClock(1)));
        assertThrows(IllegalArgumentException.class, () -> clock.copyFrom(new VectorClock(3)));
        assertThrows(IllegalArgumentException.class, () -> clock.onReceive(0, new VectorClock(3)));
    }

    @Test
    void encodesCountThenVarints()
    {
        final VectorClock clock = VectorClock.of(0, 1, 127, 128, 300, Long.MAX_VALUE);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[32]);
        final int written = clock.encode(buffer, 1);
        final byte[] expected = {
            0,
            6, 0,                       // count, little-endian
            0x00,                       // 0
            0x01,                       // 1
            0x7F,                       // 127: the largest one-byte counter
            (byte)0x80, 0x01,           // 128 = 0 + 1 << 7
            (byte)0xAC, 0x02,           // 300 = 0x2C + 2 << 7
            -1, -1, -1, -1, -1, -1, -1, -1, 0x7F}; // 2^63 - 1: nine bytes, 63 bits
        assertEquals(expected.length - 1, written);
        assertEquals(written, clock.encodedLength());
        final byte[] actual = new byte[expected.length];
        buffer.getBytes(0, actual);
        assertArrayEquals(expected, actual);

        final VectorClock decoded = new VectorClock(6);
        assertEquals(written, VectorClock.decode(buffer, 1, 31, decoded));
        assertEquals(clock, decoded);
    }

    @Test
    void decodeRejectsEachKindOfBadInputAndLeavesTheTargetUnchanged()
    {
        final VectorClock into = VectorClock.of(5, 6);
        assertDecode(ClockCodec.TRUNCATED, into, 2);
        assertDecode(ClockCodec.TRUNCATED, into, 2, 0);
        assertDecode(ClockCodec.TRUNCATED, into, 2, 0, 1);
        assertDecode(ClockCodec.TRUNCATED, into, 2, 0, 1, 0x80);
        assertDecode(ClockCodec.COUNT_MISMATCH, into, 3, 0, 1, 1, 1);
        assertDecode(ClockCodec.COUNT_MISMATCH, into, 0xFF, 0xFF, 1, 1);
        assertDecode(ClockCodec.NON_CANONICAL, into, 2, 0, 0x80, 0x00, 1);
        assertDecode(ClockCodec.NON_CANONICAL, into, 2, 0, 1, 0x81, 0x80, 0x00);
        assertDecode(ClockCodec.OUT_OF_RANGE, into, 2, 0, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 1);
        assertEquals(VectorClock.of(5, 6), into);

        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4]);
        assertEquals(ClockCodec.BAD_RANGE, VectorClock.decode(buffer, 2, 3, into));
        assertEquals(ClockCodec.BAD_RANGE, VectorClock.decode(buffer, -1, 2, into));
        assertEquals(ClockCodec.BAD_RANGE, VectorClock.decode(buffer, 0, Integer.MIN_VALUE, into));
        assertEquals(ClockCodec.BAD_RANGE, VectorClock.decode(buffer, Integer.MAX_VALUE, Integer.MAX_VALUE, into));
    }

    @Test
    void decodeReadsOnlyWhatTheVectorTakes()
    {
        final UnsafeBuffer buffer = bytes(2, 0, 0x81, 0x01, 9, 0xEE, 0xEE);
        final VectorClock into = new VectorClock(2);
        assertEquals(5, VectorClock.decode(buffer, 0, 7, into));
        assertEquals(VectorClock.of(129, 9), into);
    }

    @Test
    void describeGivesOneLinePerCode()
    {
        for (int code = ClockCodec.BAD_RANGE; code <= ClockCodec.TRUNCATED; code++)
        {
            final String description = ClockCodec.describe(code);
            assertFalse(description.startsWith("unknown") || description.contains("\n"), description);
        }
    }

    private static void assertDecode(final int expected, final VectorClock into, final int... bytes)
    {
        assertEquals(expected, VectorClock.decode(bytes(bytes), 0, bytes.length, into), ClockCodec.describe(expected));
    }

    private static UnsafeBuffer bytes(final int... values)
    {
        final byte[] array = new byte[values.length];
        for (int i = 0; i < values.length; i++)
        {
            array[i] = (byte)values[i];
        }
        return new UnsafeBuffer(array);
    }
}
