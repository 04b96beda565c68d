package io.conduit.kv;

import java.util.Arrays;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Decoders fed random and mutated bytes never throw and never read outside their slice: each is handed an
 * {@link UnsafeBuffer} over exactly the slice, so any stray read would throw {@code IndexOutOfBoundsException}
 * and fail the property. Anything they accept is canonical: it re-encodes to the same bytes.
 */
class KvCodecProperties
{
    private static final KvConfig CONFIG = KvConfig.DEFAULT;

    @Provide
    Arbitrary<KvOperation> operations()
    {
        final Arbitrary<String> token = Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(12);
        final Arbitrary<Long> ttl = Arbitraries.longs().between(1, CONFIG.maxTtlMs());
        return Arbitraries.oneOf(
            Combinators.combine(token, token).as(KvOperation::put),
            token.map(KvOperation::get),
            Combinators.combine(token, token, token).as(KvOperation::cas),
            token.map(KvOperation::delete),
            Combinators.combine(token, token, ttl).as(KvOperation::lease));
    }

    @Property(tries = 300)
    void validOperationsRoundTrip(@ForAll("operations") final KvOperation operation)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[operation.encodedLength()]);
        final int length = KvRequestFlyweight.encode(buffer, 0, 5, 6, Consistency.LINEARIZABLE, 0, operation);
        final KvRequestFlyweight request = new KvRequestFlyweight().wrap(buffer, 0, length);
        assertEquals(length, request.validate(CONFIG));
        assertEquals(operation, request.operation());
    }

    @Property(tries = 1000)
    void randomBytesNeverBreakAnyDecoder(@ForAll @Size(max = 160) final byte[] bytes)
    {
        checkAllDecoders(bytes);
    }

    @Property(tries = 1000)
    void mutatedRequestsAreRefusedOrCanonical(
        @ForAll("operations") final KvOperation operation,
        @ForAll @Size(min = 1, max = 4) final List<@IntRange(max = 4095) Integer> positions,
        @ForAll @Size(min = 4, max = 4) final byte[] values,
        @ForAll @IntRange(max = 8) final int cut)
    {
        final byte[] bytes = new byte[operation.encodedLength()];
        KvRequestFlyweight.encode(new UnsafeBuffer(bytes), 0, 5, 6, Consistency.SEQUENTIAL, 3, operation);
        final byte[] mutated = mutate(bytes, positions, values, cut);

        final KvRequestFlyweight request = new KvRequestFlyweight().wrap(new UnsafeBuffer(mutated), 0, mutated.length);
        final int result = request.validate(CONFIG);
        assertKnown(result, mutated.length);
        if (result > 0)
        {
            final byte[] again = new byte[request.operation().encodedLength()];
            KvRequestFlyweight.encode(new UnsafeBuffer(again), 0, request.clientId(), request.sequence(),
                request.consistency(), request.minIndex(), request.operation());
            assertArrayEquals(mutated, again, "accepted bytes are the canonical encoding");
        }
        checkAllDecoders(mutated);
    }

    @Property(tries = 300)
    void mutatedSnapshotsAreRefusedOrCanonicalAndNeverPartlyApplied(
        @ForAll @Size(min = 1, max = 6) final List<@IntRange(max = 100_000) Integer> positions,
        @ForAll @Size(min = 6, max = 6) final byte[] values,
        @ForAll @IntRange(max = 8) final int cut)
    {
        final KvHarness source = new KvHarness();
        source.apply(1, 1, KvOperation.put("a", "1"));
        source.apply(2, 1, KvOperation.lease("l", "h", 10));
        source.apply(3, 1, KvOperation.put("b", "2"));
        final byte[] snapshot = source.snapshot();
        final byte[] mutated = mutate(snapshot, positions.stream().map((p) -> p % snapshot.length).toList(), values,
            cut);

        final KvHarness target = new KvHarness();
        final byte[] before = target.snapshot();
        final int result = target.machine.restoreSnapshot(new UnsafeBuffer(mutated), 0, mutated.length);
        assertTrue(result == 0 || KvCodecError.describe(result).indexOf("unknown error") < 0, () -> "" + result);
        assertArrayEquals(result == 0 ? mutated : before, target.snapshot());
    }

    @Property(tries = 500)
    void theStateMachineAnswersEveryGarbageCommandWithAValidResponse(@ForAll @Size(max = 120) final byte[] bytes)
    {
        final KvStateMachine machine = new KvStateMachine(CONFIG);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[machine.responseCapacity()]);
        final int length = machine.apply(1, 0, new UnsafeBuffer(bytes), 0, bytes.length, out, 0);
        if (bytes.length > 0)
        {
            assertEquals(length, new KvResponseFlyweight().wrap(out, 0, length).validate(CONFIG));
        }
        assertEquals(1, machine.appliedIndex());
    }

    @Property(tries = 500)
    void textLinesNeverThrowAndGoodOnesEncodeValidRequests(@ForAll final String line)
    {
        final KvTextProtocol.Parsed parsed = new KvTextProtocol(CONFIG).parse(line);
        if (parsed.isError())
        {
            assertTrue(parsed.errorLine().startsWith("error "));
            assertTrue(parsed.errorLine().chars().allMatch((c) -> c >= 0x20 && c < 0x7F), parsed.errorLine());
            return;
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[parsed.operation().encodedLength()]);
        final int length =
            KvRequestFlyweight.encode(buffer, 0, 1, 1, Consistency.LINEARIZABLE, 0, parsed.operation());
        assertEquals(length, new KvRequestFlyweight().wrap(buffer, 0, length).validate(CONFIG));
    }

    private static void checkAllDecoders(final byte[] bytes)
    {
        final byte[] padded = new byte[bytes.length + 16];
        System.arraycopy(bytes, 0, padded, 8, bytes.length);
        final UnsafeBuffer slice = new UnsafeBuffer(padded, 8, bytes.length);
        assertKnown(new KvRequestFlyweight().wrap(slice, 0, bytes.length).validate(CONFIG), bytes.length);
        assertKnown(new KvResponseFlyweight().wrap(slice, 0, bytes.length).validate(CONFIG), bytes.length);
        assertKnown(new KvCommandFlyweight().wrap(slice, 0, bytes.length).validate(CONFIG), bytes.length);
        final int restored = new KvStateMachine(CONFIG).restoreSnapshot(slice, 0, bytes.length);
        assertTrue(restored <= 0);
    }

    private static void assertKnown(final int result, final int length)
    {
        assertTrue(result == length || (result < 0 && !KvCodecError.describe(result).startsWith("unknown error")),
            () -> "result " + result + " for length " + length);
    }

    private static byte[] mutate(
        final byte[] bytes, final List<Integer> positions, final byte[] values, final int cut)
    {
        final byte[] mutated = Arrays.copyOf(bytes, Math.max(0, bytes.length - cut));
        for (int i = 0; i < positions.size() && mutated.length > 0; i++)
        {
            mutated[positions.get(i) % mutated.length] ^= values[i % values.length];
        }
        return mutated;
    }
}
