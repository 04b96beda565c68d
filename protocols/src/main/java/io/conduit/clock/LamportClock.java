package io.conduit.clock;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static io.conduit.clock.ClockCodec.BYTE_ORDER;
import static io.conduit.clock.ClockCodec.OUT_OF_RANGE;
import static io.conduit.clock.ClockCodec.TRUNCATED;

/**
 * A Lamport clock (Lamport 1978, "Time, Clocks, and the Ordering of Events in a Distributed System"): one counter per
 * process, following the implementation rules
 * <ul>
 * <li>IR1: each process increments its clock between any two successive events ({@link #tick()} before each local
 * event and before each send, whose message carries the new time);</li>
 * <li>IR2: on receiving a message with timestamp Tm, the receiver sets its clock to more than both its own and Tm
 * ({@link #onReceive(long)}: max(local, Tm) + 1).</li>
 * </ul>
 * Together they give the Clock Condition: if a happened before b then L(a) &lt; L(b). The converse does not hold;
 * {@link VectorClock} detects concurrency. Ties between processes are broken by process id for a total order.
 * <p>
 * Times start at 0 and never wrap: an increment past {@link Long#MAX_VALUE} throws. A peer that sends a time near
 * that limit can make {@link #onReceive(long)} throw, so times from untrusted peers deserve a sanity bound.
 * <p>
 * Encoding, 8 bytes, little-endian:
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                 time, low 32 bits                             |  0
 * +---------------------------------------------------------------+
 * |                 time, high 32 bits (top bit 0)                |  4
 * +---------------------------------------------------------------+
 * </pre>
 * Not thread-safe: the owning process's thread drives it.
 */
public final class LamportClock
{
    public static final int TIME_OFFSET = 0;
    public static final int ENCODED_LENGTH = 8;

    private long time;

    /** A clock at time 0, as every process starts. */
    public LamportClock()
    {
    }

    /**
     * @param time the starting time, e.g. restored from a persisted state; at least 0.
     */
    public LamportClock(final long time)
    {
        this.time = checkTime(time);
    }

    /**
     * @return the time of the latest event, 0 before any.
     */
    public long time()
    {
        return time;
    }

    /**
     * IR1: call before each local event and before each send.
     *
     * @return the new time, the event's timestamp (and the one a send carries).
     * @throws IllegalStateException if the time would pass {@link Long#MAX_VALUE}.
     */
    public long tick()
    {
        time = next(time);
        return time;
    }

    /**
     * IR2: the receive event of a message stamped {@code remoteTime}.
     *
     * @param remoteTime the sender's time carried in the message; at least 0.
     * @return the new time, max(local, remote) + 1, the receive event's timestamp.
     * @throws IllegalArgumentException if {@code remoteTime} is negative.
     * @throws IllegalStateException    if the time would pass {@link Long#MAX_VALUE}; the clock is then unchanged.
     */
    public long onReceive(final long remoteTime)
    {
        time = next(Math.max(time, checkTime(remoteTime)));
        return time;
    }

    /**
     * Overwrites this clock with another's time, without allocating.
     *
     * @param other the clock to copy.
     */
    public void copyFrom(final LamportClock other)
    {
        time = other.time;
    }

    /**
     * @return {@link #ENCODED_LENGTH}.
     */
    public int encodedLength()
    {
        return ENCODED_LENGTH;
    }

    /**
     * Writes {@link #time()}.
     *
     * @param buffer where to write.
     * @param offset where the encoding starts.
     * @return bytes written, {@link #ENCODED_LENGTH}.
     * @throws IllegalArgumentException if the buffer is too small.
     */
    public int encode(final MutableDirectBuffer buffer, final int offset)
    {
        ClockCodec.checkCapacity(buffer, offset, ENCODED_LENGTH);
        buffer.putLong(offset + TIME_OFFSET, time, BYTE_ORDER);
        return ENCODED_LENGTH;
    }

    /**
     * Reads a time into {@code into}, typically a scratch clock whose {@link #time()} is then passed to
     * {@link #onReceive(long)}. Never throws on bad input and reads nothing outside
     * [{@code offset}, {@code offset + length}); on an error {@code into} is unchanged.
     *
     * @param buffer holds the encoding.
     * @param offset where it starts.
     * @param length bytes available from {@code offset}; more than needed is fine.
     * @param into   set to the decoded time.
     * @return bytes read ({@link #ENCODED_LENGTH}), or {@link ClockCodec#TRUNCATED},
     * {@link ClockCodec#OUT_OF_RANGE} (top bit set) or {@link ClockCodec#BAD_RANGE}.
     */
    public static int decode(final DirectBuffer buffer, final int offset, final int length, final LamportClock into)
    {
        final int rangeCheck = ClockCodec.checkRange(buffer, offset, length);
        if (rangeCheck < 0)
        {
            return rangeCheck;
        }
        if (length < ENCODED_LENGTH)
        {
            return TRUNCATED;
        }
        final long decoded = buffer.getLong(offset + TIME_OFFSET, BYTE_ORDER);
        if (decoded < 0)
        {
            return OUT_OF_RANGE;
        }
        into.time = decoded;
        return ENCODED_LENGTH;
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof LamportClock && ((LamportClock)other).time == time;
    }

    @Override
    public int hashCode()
    {
        return Long.hashCode(time);
    }

    @Override
    public String toString()
    {
        return "LamportClock[" + time + "]";
    }

    private static long next(final long time)
    {
        if (time == Long.MAX_VALUE)
        {
            throw new IllegalStateException("Lamport clock overflow: cannot advance past " + Long.MAX_VALUE);
        }
        return time + 1;
    }

    private static long checkTime(final long time)
    {
        if (time < 0)
        {
            throw new IllegalArgumentException("a Lamport time cannot be negative: " + time);
        }
        return time;
    }
}
