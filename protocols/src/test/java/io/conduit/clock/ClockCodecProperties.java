package io.conduit.clock;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Encoding properties: every clock round-trips, writes only its own bytes and is refused when cut short; and the
 * decoders, fed random and mutated bytes, never throw, return either a known error code or a length within the
 * input, read nothing outside [offset, offset + length), leave the target unchanged on error, and accept only
 * canonical encodings (a decoded vector re-encodes to exactly the bytes it was read from).
 */
class ClockCodecProperties
{
    private static final byte GUARD = 0x5A;
    private static final int MAX_FUZZ_PROCESSES = 4;

    @Provide
    Arbitrary<long[]> counters()
    {
        // Small counters are the common case and the one-byte boundary; large ones reach the nine-byte limit.
        final Arbitrary<Long> counter = Arbitraries.oneOf(
            Arbitraries.longs().between(0, 300),
            Arbitraries.longs().between(0, Long.MAX_VALUE),
            Arbitraries.of(127L, 128L, 16_383L, 16_384L, (1L << 56) - 1, 1L << 56, Long.MAX_VALUE));
        return counter.list().ofMinSize(1).ofMaxSize(8)
            .map((list) -> list.stream().mapToLong(Long::longValue).toArray());
    }

    @Property(tries = 500)
    void vectorRoundTripsAndWritesOnlyItsBytes(
        @ForAll("counters") final long[] counters, @ForAll @IntRange(max = 16) final int offset)
    {
        final VectorClock clock = VectorClock.of(counters);
        final int length = clock.encodedLength();
        final byte[] array = new byte[offset + length + 4];
        Arrays.fill(array, GUARD);
        final UnsafeBuffer buffer = new UnsafeBuffer(array);

        assertEquals(length, clock.encode(buffer, offset));
        assertGuarded(array, 0, offset);
        assertGuarded(array, offset + length, array.length);

        final VectorClock decoded = new VectorClock(counters.length);
        assertEquals(length, VectorClock.decode(buffer, offset, array.length - offset, decoded));
        assertEquals(clock, decoded);
    }

    @Property(tries = 200)
    void truncatedVectorIsRefusedAndLeavesTheTargetUnchanged(@ForAll("counters") final long[] counters)
    {
        final VectorClock clock = VectorClock.of(counters);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[clock.encodedLength()]);
        final int length = clock.encode(buffer, 0);
        final VectorClock into = new VectorClock(counters.length);
        into.increment(0);
        for (int cut = 0; cut < length; cut++)
        {
            assertEquals(ClockCodec.TRUNCATED, VectorClock.decode(buffer, 0, cut, into), "cut at " + cut);
        }
        assertEquals(1, into.counter(0));
    }

    @Property(tries = 200)
    void lamportRoundTrips(
        @ForAll @LongRange(min = 0) final long time,
        @ForAll @IntRange(max = 16) final int offset)
    {
        final byte[] array = new byte[offset + LamportClock.ENCODED_LENGTH + 4];
        Arrays.fill(array, GUARD);
        final UnsafeBuffer buffer = new UnsafeBuffer(array);
        assertEquals(LamportClock.ENCODED_LENGTH, new LamportClock(time).encode(buffer, offset));
        assertGuarded(array, 0, offset);
        assertGuarded(array, offset + LamportClock.ENCODED_LENGTH, array.length);

        final LamportClock decoded = new LamportClock();
        assertEquals(LamportClock.ENCODED_LENGTH, LamportClock.decode(buffer, offset, array.length - offset, decoded));
        assertEquals(time, decoded.time());
        for (int cut = 0; cut < LamportClock.ENCODED_LENGTH; cut++)
        {
            assertEquals(ClockCodec.TRUNCATED, LamportClock.decode(buffer, offset, cut, decoded));
        }
    }

    @Property(tries = 2_000)
    void decodersNeverThrowAndReadOnlyTheirInput(@ForAll final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final int processCount = 1 + random.nextInt(MAX_FUZZ_PROCESSES);
        final byte[] input = fuzzInput(random, processCount);
        final int offset = random.nextInt(8);
        final byte[] array = new byte[offset + input.length + random.nextInt(8)];
        random.nextBytes(array);
        System.arraycopy(input, 0, array, offset, input.length);

        // The input alone, in a bounds-checked buffer of exactly its length: any read outside it throws.
        final UnsafeBuffer alone = new UnsafeBuffer(input);
        final UnsafeBuffer embedded = new UnsafeBuffer(array);
        checkVectorDecode(alone, embedded, offset, input, processCount);
        checkLamportDecode(alone, embedded, offset, input);
    }

    private static void checkVectorDecode(
        final UnsafeBuffer alone,
        final UnsafeBuffer embedded,
        final int offset,
        final byte[] input,
        final int processCount)
    {
        final VectorClock sentinel = new VectorClock(processCount);
        sentinel.increment(processCount - 1);
        final VectorClock into = new VectorClock(processCount);
        into.copyFrom(sentinel);
        final int result = VectorClock.decode(alone, 0, input.length, into);

        final VectorClock intoEmbedded = new VectorClock(processCount);
        intoEmbedded.copyFrom(sentinel);
        assertEquals(result, VectorClock.decode(embedded, offset, input.length, intoEmbedded),
            "same verdict inside a larger buffer");
        assertEquals(into, intoEmbedded);

        if (result < 0)
        {
            assertTrue(List.of(ClockCodec.TRUNCATED, ClockCodec.COUNT_MISMATCH, ClockCodec.OUT_OF_RANGE,
                ClockCodec.NON_CANONICAL).contains(result), () -> "unexpected code " + result);
            assertEquals(sentinel, into, "a failed decode leaves the target unchanged");
            return;
        }
        assertTrue(result > 0 && result <= input.length, () -> "read " + result + " of " + input.length);
        final UnsafeBuffer reencoded = new UnsafeBuffer(new byte[into.encodedLength()]);
        assertEquals(result, into.encode(reencoded, 0));
        assertArrayEquals(Arrays.copyOf(input, result), reencoded.byteArray(), "canonical encoding");
    }

    private static void checkLamportDecode(
        final UnsafeBuffer alone, final UnsafeBuffer embedded, final int offset, final byte[] input)
    {
        final LamportClock into = new LamportClock(42);
        final int result = LamportClock.decode(alone, 0, input.length, into);
        final LamportClock intoEmbedded = new LamportClock(42);
        assertEquals(result, LamportClock.decode(embedded, offset, input.length, intoEmbedded));
        assertEquals(into, intoEmbedded);
        if (input.length < LamportClock.ENCODED_LENGTH)
        {
            assertEquals(ClockCodec.TRUNCATED, result);
        }
        else if ((input[LamportClock.ENCODED_LENGTH - 1] & 0x80) != 0)
        {
            assertEquals(ClockCodec.OUT_OF_RANGE, result);
        }
        else
        {
            assertEquals(LamportClock.ENCODED_LENGTH, result);
        }
        if (result < 0)
        {
            assertEquals(42, into.time(), "a failed decode leaves the target unchanged");
        }
    }

    /** Random bytes, often behind a count that matches, or a valid encoding damaged in one place. */
    private static byte[] fuzzInput(final SplittableRandom random, final int processCount)
    {
        if (random.nextBoolean())
        {
            final byte[] input = new byte[random.nextInt(2 + processCount * ClockCodec.MAX_VARINT_LENGTH + 4)];
            random.nextBytes(input);
            if (input.length >= VectorClock.COUNT_LENGTH && random.nextInt(4) != 0)
            {
                input[0] = (byte)processCount;
                input[1] = 0;
            }
            return input;
        }
        final long[] counters = new long[processCount];
        for (int i = 0; i < processCount; i++)
        {
            counters[i] = random.nextBoolean() ? random.nextLong(300) : random.nextLong(Long.MAX_VALUE);
        }
        final VectorClock clock = VectorClock.of(counters);
        final byte[] valid = new byte[clock.encodedLength()];
        clock.encode(new UnsafeBuffer(valid), 0);
        return damage(random, valid);
    }

    private static byte[] damage(final SplittableRandom random, final byte[] valid)
    {
        final int position = random.nextInt(valid.length);
        switch (random.nextInt(4))
        {
            case 0:
                return Arrays.copyOf(valid, position);
            case 1:
                valid[position] ^= (byte)(1 << random.nextInt(8));
                return valid;
            case 2:
                final byte[] longer = Arrays.copyOf(valid, valid.length + 1 + random.nextInt(4));
                for (int i = valid.length; i < longer.length; i++)
                {
                    longer[i] = (byte)random.nextInt(256);
                }
                return longer;
            default:
                return valid;
        }
    }

    private static void assertGuarded(final byte[] array, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            assertEquals(GUARD, array[i], "byte " + i + " outside the encoding was written");
        }
    }
}
