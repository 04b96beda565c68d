package io.conduit.raft.codec;

import java.util.ArrayList;
import java.util.List;

import io.conduit.raft.LogEntry;
import io.conduit.raft.MessageType;
import io.conduit.raft.RaftMessage;
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
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Round trips of arbitrary valid messages, and the decoder against truncated, mutated and random bytes. Every decode
 * runs over an {@link UnsafeBuffer} that wraps exactly the slice, so a read outside it would throw
 * {@code IndexOutOfBoundsException} and fail the property.
 */
class RaftMessageCodecProperties
{
    private static final int MAX_ENTRIES = 8;
    private static final int MAX_ENTRY_LENGTH = 64;
    private static final int MAX_CHUNK_BYTES = 48;

    private final RaftMessageCodec codec = new RaftMessageCodec(MAX_ENTRIES, MAX_ENTRY_LENGTH, MAX_CHUNK_BYTES);

    /** What a snapshot chunk or response carries besides the header; used only on those types. */
    private record SnapshotFields(int[] voters, int[] learners, byte[] data, long before, long after)
    {
    }

    @Provide
    Arbitrary<RaftMessage> messages()
    {
        final Arbitrary<MessageType> types = Arbitraries.of(MessageType.class);
        final Arbitrary<Integer> ids = Arbitraries.integers().between(1, Integer.MAX_VALUE);
        final Arbitrary<Long> numbers = Arbitraries.oneOf(Arbitraries.longs().between(0, 1_000),
            Arbitraries.longs().between(0, Long.MAX_VALUE / 2));
        final Arbitrary<Long> contexts = Arbitraries.longs();
        final Arbitrary<List<byte[]>> payloads = Arbitraries.bytes().array(byte[].class).ofMaxSize(MAX_ENTRY_LENGTH)
            .list().ofMaxSize(MAX_ENTRIES);
        final Arbitrary<List<Integer>> termSteps = Arbitraries.integers().between(0, 2).list().ofSize(MAX_ENTRIES);
        final Arbitrary<Long> offsets = Arbitraries.oneOf(Arbitraries.longs().between(0, 1_000),
            Arbitraries.longs().between(0, Long.MAX_VALUE / 4));
        final Arbitrary<SnapshotFields> snapshots = Combinators.combine(
            ids.array(int[].class).ofMinSize(1).ofMaxSize(7), ids.array(int[].class).ofMaxSize(3),
            Arbitraries.bytes().array(byte[].class).ofMaxSize(MAX_CHUNK_BYTES), offsets, offsets)
            .as(SnapshotFields::new);
        // Headers and bodies are drawn independently and joined with map, not flatMap: much faster to generate.
        final Arbitrary<RaftMessage> headers = Combinators.combine(types, ids, ids, numbers, numbers, numbers,
            numbers, numbers).as((type, from, to, term, logTerm, index, commit, hint) ->
                new RaftMessage(type, from, from.equals(to) ? (to == 1 ? 2 : to - 1) : to, term)
                    .logTerm(logTerm).index(index).commit(commit).rejectHint(hint));
        return Combinators.combine(headers, contexts, Arbitraries.of(true, false), Arbitraries.of(true, false),
            payloads, termSteps, snapshots).as((m, context, reject, transfer, bodies, steps, snapshot) ->
                withSnapshot(withEntries(copy(m).context(context).reject(reject).leaderTransfer(transfer), bodies,
                    steps), snapshot));
    }

    /** A fresh copy of a generated header: jqwik may hand the same generated object to several combinations. */
    private static RaftMessage copy(final RaftMessage m)
    {
        return new RaftMessage(m.type(), m.from(), m.to(), m.term()).logTerm(m.logTerm()).index(m.index())
            .commit(m.commit()).rejectHint(m.rejectHint());
    }

    /**
     * A snapshot chunk as a leader sends it (index and term positive, the term at most the message's, at least one
     * voter, the chunk inside the snapshot), or a response with its next offset; other types unchanged.
     */
    private static RaftMessage withSnapshot(final RaftMessage m, final SnapshotFields fields)
    {
        if (m.type() == MessageType.INSTALL_SNAPSHOT_RESPONSE)
        {
            return m.snapshotOffset(fields.before());
        }
        if (m.type() != MessageType.INSTALL_SNAPSHOT)
        {
            return m;
        }
        final long term = Math.max(1, Math.max(m.term(), m.logTerm()));
        return new RaftMessage(m.type(), m.from(), m.to(), term).index(Math.max(1, m.index()))
            .logTerm(Math.max(1, m.logTerm())).commit(m.commit()).rejectHint(m.rejectHint()).context(m.context())
            .reject(m.reject()).leaderTransfer(m.leaderTransfer()).voters(fields.voters()).learners(fields.learners())
            .snapshotOffset(fields.before()).snapshotSizeBytes(fields.before() + fields.data().length + fields.after())
            .data(fields.data());
    }

    /** Entries only on APPEND, consecutive from index + 1, terms rising from logTerm and capped at the term. */
    private static RaftMessage withEntries(final RaftMessage m, final List<byte[]> bodies, final List<Integer> steps)
    {
        if (m.type() != MessageType.APPEND || bodies.isEmpty())
        {
            return m;
        }
        final long term = Math.max(1, Math.max(m.term(), m.logTerm()));
        final RaftMessage append = new RaftMessage(MessageType.APPEND, m.from(), m.to(), term)
            .logTerm(m.logTerm()).index(m.index()).commit(m.commit()).rejectHint(m.rejectHint())
            .context(m.context()).reject(m.reject()).leaderTransfer(m.leaderTransfer());
        final List<LogEntry> entries = new ArrayList<>();
        long entryTerm = Math.max(1, m.logTerm());
        for (int i = 0; i < bodies.size(); i++)
        {
            entryTerm = Math.min(term, entryTerm + steps.get(i));
            // Every third entry a membership change, so the kind byte round-trips both ways.
            entries.add(new LogEntry(entryTerm, m.index() + 1 + i,
                i % 3 == 2 ? io.conduit.raft.EntryKind.CONF_CHANGE : io.conduit.raft.EntryKind.NORMAL, bodies.get(i)));
        }
        return append.entries(entries);
    }

    @Property(tries = 500)
    void everyValidMessageRoundTrips(
        @ForAll("messages") final RaftMessage m, @ForAll @IntRange(max = 7) final int offset)
    {
        final int length = (int)RaftMessageCodec.encodedLength(m);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[offset + length]);
        assertEquals(length, codec.encode(m, buffer, offset));

        final UnsafeBuffer exact = new UnsafeBuffer(buffer.byteArray(), offset, length);
        assertEquals(length, codec.decode(exact, 0, length), () -> RaftCodecError.describe(codec.decode(exact, 0,
            length)) + " for " + m);
        assertSameMessage(m, codec.message());
    }

    @Property(tries = 200)
    void everyTruncationIsRefused(@ForAll("messages") final RaftMessage m)
    {
        final byte[] bytes = encode(m);
        for (int cut = 0; cut < bytes.length; cut++)
        {
            final UnsafeBuffer shorter = new UnsafeBuffer(bytes, 0, cut);
            final int result = codec.decode(shorter, 0, cut);
            assertTrue(result < 0, "a prefix of " + cut + " of " + bytes.length + " bytes was accepted: " + m);
            assertNull(codec.message());
        }
    }

    @Property(tries = 2000)
    void randomBytesNeverThrow(@ForAll @Size(max = 200) final byte[] bytes)
    {
        decodeExactly(bytes);
    }

    @Property(tries = 1000)
    void validHeadersWithRandomBodiesNeverThrow(
        @ForAll("messages") final RaftMessage m, @ForAll @Size(max = 200) final byte[] body)
    {
        final byte[] valid = encode(m);
        final byte[] bytes = new byte[RaftMessageCodec.HEADER_LENGTH + body.length];
        System.arraycopy(valid, 0, bytes, 0, RaftMessageCodec.HEADER_LENGTH);
        System.arraycopy(body, 0, bytes, RaftMessageCodec.HEADER_LENGTH, body.length);
        decodeExactly(bytes);
    }

    @Property(tries = 1000)
    void mutatedMessagesAreRefusedOrReencodeToTheSameBytes(
        @ForAll("messages") final RaftMessage m,
        @ForAll @IntRange(max = 10_000) final int position,
        @ForAll final byte value)
    {
        final byte[] bytes = encode(m);
        bytes[position % bytes.length] = value;
        final int result = decodeExactly(bytes);
        if (result >= 0)
        {
            // Whatever the decoder accepts is exactly what the encoder writes for the decoded message.
            assertArrayEquals(bytes, encode(codec.message()));
        }
    }

    private int decodeExactly(final byte[] bytes)
    {
        final UnsafeBuffer exact = new UnsafeBuffer(bytes);
        final int result = codec.decode(exact, 0, bytes.length);
        if (result >= 0)
        {
            assertEquals(bytes.length, result);
            assertNotNull(codec.message());
        }
        else
        {
            assertNull(codec.message());
            assertTrue(!RaftCodecError.describe(result).startsWith("unknown error"), "undocumented code " + result);
        }
        return result;
    }

    private byte[] encode(final RaftMessage m)
    {
        final byte[] bytes = new byte[(int)RaftMessageCodec.encodedLength(m)];
        assertEquals(bytes.length, codec.encode(m, new UnsafeBuffer(bytes), 0));
        return bytes;
    }

    static void assertSameMessage(final RaftMessage expected, final RaftMessage actual)
    {
        assertNotNull(actual);
        assertEquals(expected.toString(), actual.toString());
        assertEquals(expected.type(), actual.type());
        assertEquals(expected.from(), actual.from());
        assertEquals(expected.to(), actual.to());
        assertEquals(expected.term(), actual.term());
        assertEquals(expected.logTerm(), actual.logTerm());
        assertEquals(expected.index(), actual.index());
        assertEquals(expected.commit(), actual.commit());
        assertEquals(expected.reject(), actual.reject());
        assertEquals(expected.rejectHint(), actual.rejectHint());
        assertEquals(expected.context(), actual.context());
        assertEquals(expected.leaderTransfer(), actual.leaderTransfer());
        assertEquals(expected.entries().size(), actual.entries().size());
        for (int i = 0; i < expected.entries().size(); i++)
        {
            final LogEntry e = expected.entries().get(i);
            final LogEntry a = actual.entries().get(i);
            assertEquals(e.term(), a.term());
            assertEquals(e.index(), a.index());
            assertArrayEquals(e.payload(), a.payload());
            assertEquals(e.kind(), a.kind());
        }
        assertEquals(expected.snapshotOffset(), actual.snapshotOffset());
        assertEquals(expected.snapshotSizeBytes(), actual.snapshotSizeBytes());
        assertArrayEquals(expected.voters(), actual.voters());
        assertArrayEquals(expected.learners(), actual.learners());
        assertArrayEquals(expected.data(), actual.data());
    }
}
