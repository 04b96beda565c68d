package io.conduit.clock;

import java.util.Arrays;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static io.conduit.clock.ClockCodec.BYTE_ORDER;
import static io.conduit.clock.ClockCodec.COUNT_MISMATCH;
import static io.conduit.clock.ClockCodec.TRUNCATED;

/**
 * A vector clock (Fidge 1988, Mattern 1988) for a fixed group of n processes: one counter per process, indexed
 * 0..n-1. Indices are dense positions, not member ids: the group's configuration fixes the mapping (for example
 * members sorted by id), and every member must use the same one. The rules:
 * <ul>
 * <li>VC1: before each local event and each send, a process increments its own counter ({@link #increment});
 * a send carries a copy of the whole vector;</li>
 * <li>VC2: on receive, the process takes the pointwise maximum with the message's vector, then increments its own
 * counter ({@link #onReceive}).</li>
 * </ul>
 * Then a happened before b exactly when V(a) &lt; V(b): V(a) ≤ V(b) pointwise and V(a) ≠ V(b) ({@link #compare}).
 * Unlike a Lamport clock this also identifies concurrent events.
 * <p>
 * Backed by one {@code long[]} allocated at construction; increment, merge, compare, copy and the codec allocate
 * nothing. Counters start at 0 and never wrap: an increment past {@link Long#MAX_VALUE} throws. Operations between
 * two clocks require the same process count and throw {@link IllegalArgumentException} otherwise.
 * <p>
 * Encoding: a little-endian unsigned 16-bit count, then each counter as an unsigned LEB128 varint (7 bits per byte,
 * least significant group first, top bit set on every byte but the last; shortest form only), so a counter under
 * 128 takes one byte:
 * <pre>
 *  0                   1                   2
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 ...
 * +-------------------------------+---------------+---------------
 * |       count (processes)       | counter[0], 1 to 9 bytes    ...
 * +-------------------------------+---------------+---------------
 * |  ...  counter[count - 1], 1 to 9 bytes        |
 * +-----------------------------------------------+
 * </pre>
 * Not thread-safe: the owning process's thread drives it.
 */
public final class VectorClock
{
    public static final int COUNT_OFFSET = 0;
    public static final int COUNT_LENGTH = 2;
    public static final int COUNTERS_OFFSET = COUNT_OFFSET + COUNT_LENGTH;
    /** The count is an unsigned 16-bit field. */
    public static final int MAX_PROCESSES = 0xFFFF;

    private final long[] counters;

    /**
     * A clock with every counter at 0.
     *
     * @param processCount processes in the group, 1 to {@link #MAX_PROCESSES}.
     */
    public VectorClock(final int processCount)
    {
        if (processCount < 1 || processCount > MAX_PROCESSES)
        {
            throw new IllegalArgumentException(
                "a vector clock needs 1 to " + MAX_PROCESSES + " processes, not " + processCount);
        }
        counters = new long[processCount];
    }

    /**
     * @param counters one per process, each at least 0; copied.
     * @return a clock holding them, e.g. a timestamp written out in a test.
     */
    public static VectorClock of(final long... counters)
    {
        final VectorClock clock = new VectorClock(counters.length);
        for (int i = 0; i < counters.length; i++)
        {
            if (counters[i] < 0)
            {
                throw new IllegalArgumentException("counter " + i + " is negative: " + counters[i]);
            }
            clock.counters[i] = counters[i];
        }
        return clock;
    }

    /**
     * @return n, the number of processes.
     */
    public int processCount()
    {
        return counters.length;
    }

    /**
     * @param process index 0..n-1.
     * @return how many events of that process this clock has seen.
     */
    public long counter(final int process)
    {
        return counters[checkProcess(process)];
    }

    /**
     * VC1: call before each local event and each send of {@code process}.
     *
     * @param process the index of the process whose event this is.
     * @return its new counter.
     * @throws IllegalStateException if the counter would pass {@link Long#MAX_VALUE}.
     */
    public long increment(final int process)
    {
        checkProcess(process);
        checkIncrementable(counters[process], process);
        return ++counters[process];
    }

    /**
     * Pointwise maximum: afterwards this clock has seen everything either clock had seen.
     *
     * @param other a clock of the same group; unchanged.
     */
    public void merge(final VectorClock other)
    {
        checkSameGroup(other);
        final long[] theirs = other.counters;
        for (int i = 0; i < counters.length; i++)
        {
            if (theirs[i] > counters[i])
            {
                counters[i] = theirs[i];
            }
        }
    }

    /**
     * VC2: the receive event of a message carrying {@code remote}: merge, then increment {@code self}.
     *
     * @param self   the index of the receiving process.
     * @param remote the vector the message carried; unchanged.
     * @throws IllegalStateException if the receiver's counter would pass {@link Long#MAX_VALUE}; this clock is then
     *                               unchanged.
     */
    public void onReceive(final int self, final VectorClock remote)
    {
        checkProcess(self);
        checkSameGroup(remote);
        // Check before merging so a refused receive leaves the clock as it was.
        checkIncrementable(Math.max(counters[self], remote.counters[self]), self);
        merge(remote);
        counters[self]++;
    }

    /**
     * @param other a clock of the same group.
     * @return how this clock relates to {@code other}: {@link Ordering#BEFORE} if this happened before it.
     */
    public Ordering compare(final VectorClock other)
    {
        checkSameGroup(other);
        final long[] theirs = other.counters;
        boolean someLess = false;
        boolean someGreater = false;
        for (int i = 0; i < counters.length; i++)
        {
            if (counters[i] < theirs[i])
            {
                someLess = true;
            }
            else if (counters[i] > theirs[i])
            {
                someGreater = true;
            }
            if (someLess && someGreater)
            {
                return Ordering.CONCURRENT;
            }
        }
        return someLess ? Ordering.BEFORE : someGreater ? Ordering.AFTER : Ordering.EQUAL;
    }

    /**
     * @param other a clock of the same group.
     * @return true if this clock's event happened before {@code other}'s (strictly).
     */
    public boolean happenedBefore(final VectorClock other)
    {
        return compare(other) == Ordering.BEFORE;
    }

    /**
     * @param other a clock of the same group.
     * @return true if neither happened before the other and they differ.
     */
    public boolean concurrentWith(final VectorClock other)
    {
        return compare(other) == Ordering.CONCURRENT;
    }

    /**
     * Overwrites this clock with another's counters, without allocating; e.g. to snapshot a clock into a message.
     *
     * @param other a clock of the same group.
     */
    public void copyFrom(final VectorClock other)
    {
        checkSameGroup(other);
        System.arraycopy(other.counters, 0, counters, 0, counters.length);
    }

    /** Sets every counter back to 0, for reusing a scratch clock. */
    public void reset()
    {
        Arrays.fill(counters, 0);
    }

    /**
     * @return bytes {@link #encode} will write: the count plus each counter's varint.
     */
    public int encodedLength()
    {
        int length = COUNT_LENGTH;
        for (final long counter : counters)
        {
            length += ClockCodec.varintLength(counter);
        }
        return length;
    }

    /**
     * @param buffer where to write.
     * @param offset where the encoding starts.
     * @return bytes written, {@link #encodedLength()}.
     * @throws IllegalArgumentException if the buffer is too small.
     */
    public int encode(final MutableDirectBuffer buffer, final int offset)
    {
        final int length = encodedLength();
        ClockCodec.checkCapacity(buffer, offset, length);
        buffer.putShort(offset + COUNT_OFFSET, (short)counters.length, BYTE_ORDER);
        int index = offset + COUNTERS_OFFSET;
        for (final long counter : counters)
        {
            index = ClockCodec.writeVarint(buffer, index, counter);
        }
        return length;
    }

    /**
     * Reads a vector into {@code into}, typically a scratch clock then passed to {@link #onReceive}. Never throws on
     * bad input and reads nothing outside [{@code offset}, {@code offset + length}); it validates the whole encoding
     * before writing, so on an error {@code into} is unchanged.
     *
     * @param buffer holds the encoding.
     * @param offset where it starts.
     * @param length bytes available from {@code offset}; more than needed is fine.
     * @param into   a clock of the group the vector belongs to; overwritten.
     * @return bytes read, or {@link ClockCodec#TRUNCATED}, {@link ClockCodec#COUNT_MISMATCH},
     * {@link ClockCodec#OUT_OF_RANGE}, {@link ClockCodec#NON_CANONICAL} or {@link ClockCodec#BAD_RANGE}.
     */
    public static int decode(final DirectBuffer buffer, final int offset, final int length, final VectorClock into)
    {
        final int rangeCheck = ClockCodec.checkRange(buffer, offset, length);
        if (rangeCheck < 0)
        {
            return rangeCheck;
        }
        if (length < COUNT_LENGTH)
        {
            return TRUNCATED;
        }
        final int count = buffer.getShort(offset + COUNT_OFFSET, BYTE_ORDER) & 0xFFFF;
        if (count != into.counters.length)
        {
            return COUNT_MISMATCH;
        }

        final int limit = offset + length;
        int index = offset + COUNTERS_OFFSET;
        for (int i = 0; i < count; i++)
        {
            index = ClockCodec.skipVarint(buffer, index, limit);
            if (index < 0)
            {
                return index;
            }
        }

        index = offset + COUNTERS_OFFSET;
        for (int i = 0; i < count; i++)
        {
            final long counter = ClockCodec.readVarint(buffer, index);
            into.counters[i] = counter;
            index += ClockCodec.varintLength(counter);
        }
        return index - offset;
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof VectorClock && Arrays.equals(counters, ((VectorClock)other).counters);
    }

    @Override
    public int hashCode()
    {
        return Arrays.hashCode(counters);
    }

    @Override
    public String toString()
    {
        return "VectorClock" + Arrays.toString(counters);
    }

    private int checkProcess(final int process)
    {
        if (process < 0 || process >= counters.length)
        {
            throw new IllegalArgumentException(
                "process index " + process + " outside 0.." + (counters.length - 1));
        }
        return process;
    }

    private void checkSameGroup(final VectorClock other)
    {
        if (other.counters.length != counters.length)
        {
            throw new IllegalArgumentException("vector clocks of different groups: " + counters.length +
                " and " + other.counters.length + " processes");
        }
    }

    private static void checkIncrementable(final long counter, final int process)
    {
        if (counter == Long.MAX_VALUE)
        {
            throw new IllegalStateException(
                "vector clock overflow: counter " + process + " cannot advance past " + Long.MAX_VALUE);
        }
    }
}
