package io.conduit.clock;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Spec tests for {@link LamportClock}, one per rule of Lamport 1978 ("Time, Clocks, and the Ordering of Events in
 * a Distributed System", §2) and per encoding case.
 */
class LamportClockTest
{
    @Test
    void startsAtZero()
    {
        // Design notes §8.2: the counter is initialised with 0.
        assertEquals(0, new LamportClock().time());
    }

    @Test
    void tickIncrementsBetweenSuccessiveEvents()
    {
        // Lamport 1978 IR1: each process increments Ci between any two successive events.
        final LamportClock clock = new LamportClock();
        assertEquals(1, clock.tick());
        assertEquals(2, clock.tick());
        assertEquals(2, clock.time());
    }

    @Test
    void receiveFromAheadJumpsPastTheSender()
    {
        // Lamport 1978 IR2(b): on receipt of Tm, Cj is set greater than or equal to its present value and greater
        // than Tm; design notes §8.2: max of the two, then +1.
        final LamportClock clock = new LamportClock(3);
        assertEquals(11, clock.onReceive(10));
        assertEquals(11, clock.time());
    }

    @Test
    void receiveFromBehindStillAdvances()
    {
        // Lamport 1978 IR2(b): greater than or equal to its present value; the receive is itself an event (IR1).
        final LamportClock clock = new LamportClock(7);
        assertEquals(8, clock.onReceive(2));
        assertEquals(9, clock.onReceive(8));
    }

    @Test
    void sendThenReceiveSatisfiesTheClockCondition()
    {
        // Lamport 1978 C2: if a is the sending of a message by Pi and b its receipt by Pj, then Ci(a) < Cj(b).
        final LamportClock sender = new LamportClock(5);
        final LamportClock receiver = new LamportClock(1);
        final long sendTime = sender.tick();
        final long receiveTime = receiver.onReceive(sendTime);
        assertTrue(sendTime < receiveTime, () -> sendTime + " !< " + receiveTime);
    }

    @Test
    void overflowThrowsInsteadOfWrapping()
    {
        final LamportClock clock = new LamportClock(Long.MAX_VALUE - 1);
        assertEquals(Long.MAX_VALUE, clock.tick());
        assertThrows(IllegalStateException.class, clock::tick);
        assertEquals(Long.MAX_VALUE, clock.time());
    }

    @Test
    void receiveOfTheLargestTimeThrowsAndLeavesTheClockUnchanged()
    {
        final LamportClock clock = new LamportClock(4);
        assertThrows(IllegalStateException.class, () -> clock.onReceive(Long.MAX_VALUE));
        assertEquals(4, clock.time());
    }

    @Test
    void negativeTimesAreRejected()
    {
        assertThrows(IllegalArgumentException.class, () -> new LamportClock(-1));
        final LamportClock clock = new LamportClock();
        assertThrows(IllegalArgumentException.class, () -> clock.onReceive(-5));
        assertEquals(0, clock.time());
    }

    @Test
    void copyFromAndEquality()
    {
        final LamportClock a = new LamportClock(9);
        final LamportClock b = new LamportClock();
        assertNotEquals(a, b);
        b.copyFrom(a);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals("LamportClock[9]", b.toString());
    }

    @Test
    void encodesEightLittleEndianBytes()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[12]);
        final int written = new LamportClock(0x0102030405060708L).encode(buffer, 2);
        assertEquals(LamportClock.ENCODED_LENGTH, written);
        assertArrayEquals(new byte[]{0, 0, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0}, buffer.byteArray());

        final LamportClock decoded = new LamportClock();
        assertEquals(8, LamportClock.decode(buffer, 2, 10, decoded));
        assertEquals(0x0102030405060708L, decoded.time());
    }

    @Test
    void decodeRejectsTruncatedNegativeAndOutOfBufferInput()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8]);
        final LamportClock into = new LamportClock(3);
        assertEquals(ClockCodec.TRUNCATED, LamportClock.decode(buffer, 0, 7, into));
        assertEquals(ClockCodec.BAD_RANGE, LamportClock.decode(buffer, 1, 8, into));
        assertEquals(ClockCodec.BAD_RANGE, LamportClock.decode(buffer, -1, 8, into));
        assertEquals(ClockCodec.BAD_RANGE, LamportClock.decode(buffer, 0, -1, into));
        buffer.putLong(0, -1L, ClockCodec.BYTE_ORDER);
        assertEquals(ClockCodec.OUT_OF_RANGE, LamportClock.decode(buffer, 0, 8, into));
        assertEquals(3, into.time(), "a failed decode leaves the target unchanged");
    }

    @Test
    void encodeIntoTooSmallABufferIsAClearError()
    {
        final IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
            () -> new LamportClock(1).encode(new UnsafeBuffer(new byte[8]), 1));
        assertTrue(error.getMessage().contains("needs 8 bytes"), error.getMessage());
    }
}
