package io.conduit.transport.codec;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.statistics.Statistics;

import static io.conduit.transport.codec.PacketLayout.AUTH_TAG_LENGTH;
import static io.conduit.transport.codec.PacketLayout.BYTE_ORDER;
import static io.conduit.transport.codec.PacketLayout.FLAG_AUTH;
import static io.conduit.transport.codec.PacketLayout.KNOWN_FLAGS;
import static io.conduit.transport.codec.PacketLayout.MAGIC;
import static io.conduit.transport.codec.RejectReason.AUTH_UNSUPPORTED;
import static io.conduit.transport.codec.RejectReason.BAD_BATCH;
import static io.conduit.transport.codec.RejectReason.BAD_CHECKSUM;
import static io.conduit.transport.codec.RejectReason.BAD_COOKIE_PLACEMENT;
import static io.conduit.transport.codec.RejectReason.BAD_FLAGS;
import static io.conduit.transport.codec.RejectReason.BAD_FRAGMENT;
import static io.conduit.transport.codec.RejectReason.BAD_MAGIC;
import static io.conduit.transport.codec.RejectReason.BAD_PAYLOAD;
import static io.conduit.transport.codec.RejectReason.BAD_PROBE;
import static io.conduit.transport.codec.RejectReason.BAD_SACK_BLOCK;
import static io.conduit.transport.codec.RejectReason.BAD_SACK_COUNT;
import static io.conduit.transport.codec.RejectReason.BAD_TYPE;
import static io.conduit.transport.codec.RejectReason.BAD_VERSION;
import static io.conduit.transport.codec.RejectReason.LENGTH_MISMATCH;
import static io.conduit.transport.codec.RejectReason.NONE;
import static io.conduit.transport.codec.RejectReason.TRUNCATED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile input for {@link PacketDecoder#wrap}: random bytes, random content behind a plausible header, valid
 * datagrams damaged in every way, and valid datagrams with spliced fields that are re-framed and re-sealed so the
 * semantic checks, not the CRC, must catch them. For every input: wrap never throws; the code is a valid
 * {@link RejectReason}; an accepted datagram satisfies {@link AcceptedDatagram}; and the verdict is the same whether
 * the datagram sits alone in a bounds-checked buffer of exactly its length or inside a larger buffer whose other
 * bytes are random, then inverted, which shows the decoder reads nothing outside the datagram. jqwik's edge-case
 * mixing is off: boundary values are built into the generators, and the combinations cost more than the tries.
 */
class PacketDecoderFuzzTest
{
    private static final int TRIES = 5000;
    private static final String VERDICT = "verdict";

    private final PacketDecoder decoder = new PacketDecoder();
    private final PacketDecoder authDecoder = new PacketDecoder(true);

    // jqwik runs all tries of a property on one instance, so these count verdicts across the whole property.
    private final int[] verdictCounts = new int[RejectReason.COUNT];
    private Set<RejectReason> mustReach = EnumSet.noneOf(RejectReason.class);

    /** How a mutated datagram is finished before decoding. */
    enum Finish
    {
        AS_IS,
        RESEAL,
        REFRAME_AND_RESEAL;

        byte[] apply(final byte[] datagram)
        {
            switch (this)
            {
                case RESEAL:
                    return new DatagramMutation.Reseal().apply(datagram);
                case REFRAME_AND_RESEAL:
                    return new DatagramMutation.Reseal().apply(new DatagramMutation.FixLength().apply(datagram));
                default:
                    return datagram;
            }
        }
    }

    @Provide
    Arbitrary<PacketSpec> packets()
    {
        return PacketArbitraries.packets(4000, true);
    }

    @Provide
    Arbitrary<List<DatagramMutation>> damage()
    {
        return DatagramMutation.damage().list().ofMinSize(1).ofMaxSize(4);
    }

    @Provide
    Arbitrary<List<DatagramMutation>> semanticSplices()
    {
        return DatagramMutation.semanticSplice().list().ofMinSize(1).ofMaxSize(3);
    }

    @Property(tries = TRIES, edgeCases = EdgeCasesMode.NONE)
    void randomBytesAreRejectedSafely(
        @ForAll @IntRange(max = 2000) final int length,
        @ForAll final long contentSeed,
        @ForAll final BufferKind kind,
        @ForAll @IntRange(max = 512) final int offset,
        @ForAll final boolean authEnabled)
    {
        mustReach = EnumSet.of(TRUNCATED, BAD_MAGIC);
        final byte[] datagram = PacketSpec.filled(length, contentSeed);
        tally(assertJudgedSafely(datagram, kind, offset, ~contentSeed, authEnabled));
    }

    /**
     * Random content behind a header that passes magic, version and type, framed and sealed: only the flag and
     * semantic checks can object. Half the time the header also has the shape its type allows (SACK count only on
     * ACK, payload only on DATA), and half the time SACK spans and fragment fields are made plausible, so that one
     * remaining defect (five SACK blocks, a stray cookie, ...) is all that stands between the datagram and NONE.
     */
    @Property(tries = TRIES, edgeCases = EdgeCasesMode.NONE)
    void randomContentBehindAPlausibleHeaderIsJudgedSafely(
        @ForAll @IntRange(min = PacketType.MIN, max = PacketType.MAX) final int type,
        @ForAll @IntRange(max = KNOWN_FLAGS) final int flags,
        @ForAll @IntRange(max = PacketLayout.MAX_SACK_BLOCKS + 1) final int sackCount,
        @ForAll @IntRange(max = 2000) final int payloadLength,
        @ForAll final boolean shapedForType,
        @ForAll final boolean plausibleSections,
        @ForAll final long contentSeed,
        @ForAll final BufferKind kind,
        @ForAll @IntRange(max = 512) final int offset,
        @ForAll final boolean authEnabled)
    {
        mustReach = EnumSet.of(NONE, AUTH_UNSUPPORTED, BAD_SACK_COUNT, BAD_SACK_BLOCK, BAD_PAYLOAD, BAD_FRAGMENT,
            BAD_COOKIE_PLACEMENT);
        final int sacks = shapedForType && type != PacketType.ACK ? 0 : sackCount;
        final int payload = !shapedForType ? payloadLength :
            type == PacketType.DATA ? Math.max(1, payloadLength) : 0;
        final int flagBits = shapedForType && !authEnabled ? flags & ~FLAG_AUTH : flags;
        final int length = PacketLayout.payloadOffset(flagBits, sacks) + payload +
            ((flagBits & FLAG_AUTH) != 0 ? AUTH_TAG_LENGTH : 0);

        final UnsafeBuffer datagram = new UnsafeBuffer(PacketSpec.filled(length, contentSeed));
        datagram.putShort(PacketLayout.MAGIC_OFFSET, MAGIC, BYTE_ORDER);
        datagram.putByte(PacketLayout.VERSION_OFFSET, (byte)PacketLayout.VERSION);
        datagram.putByte(PacketLayout.TYPE_OFFSET, (byte)type);
        datagram.putByte(PacketLayout.FLAGS_OFFSET, (byte)flagBits);
        datagram.putByte(PacketLayout.SACK_COUNT_OFFSET, (byte)sacks);
        datagram.putShort(PacketLayout.PAYLOAD_LENGTH_OFFSET, (short)payload, BYTE_ORDER);
        if (plausibleSections)
        {
            final SplittableRandom random = new SplittableRandom(contentSeed).split();
            for (int i = 0; i < sacks; i++)
            {
                final int blockIndex = PacketLayout.HEADER_LENGTH + i * PacketLayout.SACK_BLOCK_LENGTH;
                final int start = datagram.getInt(blockIndex, BYTE_ORDER);
                datagram.putInt(blockIndex + 4, start + 1 + random.nextInt(PacketDecoder.MAX_SACK_SPAN), BYTE_ORDER);
            }
            putPlausibleFragment(datagram, random, payload, PacketLayout.MESSAGE_LENGTH_OFFSET,
                PacketLayout.FRAGMENT_OFFSET_OFFSET);
        }
        ReferenceChecksum.reseal(datagram, 0, length);

        tally(assertJudgedSafely(datagram.byteArray(), kind, offset, ~contentSeed, authEnabled));
    }

    /**
     * Random content behind the compact DATA marker, framed and sealed: flags, fragment fields and payload decide.
     * Half the time the fragment fields are made plausible, so every other defect stands alone.
     */
    @Property(tries = TRIES, edgeCases = EdgeCasesMode.NONE)
    void randomContentBehindACompactHeaderIsJudgedSafely(
        @ForAll @IntRange(max = 0xFF) final int flags,
        @ForAll @IntRange(max = 2000) final int payloadLength,
        @ForAll final boolean plausibleFragment,
        @ForAll final boolean framed,
        @ForAll final long contentSeed,
        @ForAll final BufferKind kind,
        @ForAll @IntRange(max = 512) final int offset,
        @ForAll final boolean authEnabled)
    {
        mustReach = EnumSet.of(NONE, TRUNCATED, BAD_FLAGS, AUTH_UNSUPPORTED, LENGTH_MISMATCH, BAD_PAYLOAD,
            BAD_FRAGMENT, BAD_COOKIE_PLACEMENT, BAD_PROBE, BAD_BATCH);
        final SplittableRandom random = new SplittableRandom(contentSeed).split();
        final UnsafeBuffer datagram = compactContent(PacketLayout.COMPACT_MARKER, PacketLayout.COMPACT_HEADER_LENGTH,
            flags, payloadLength, framed, contentSeed, random);
        if (datagram.capacity() >= PacketLayout.COMPACT_HEADER_LENGTH)
        {
            if (plausibleFragment)
            {
                putPlausibleFragment(datagram, random, Math.max(1, payloadLength),
                    PacketLayout.COMPACT_MESSAGE_LENGTH_OFFSET, PacketLayout.COMPACT_FRAGMENT_OFFSET_OFFSET);
            }
            ReferenceChecksum.reseal(datagram, 0, datagram.capacity());
        }

        tally(assertJudgedSafely(datagram.byteArray(), kind, offset, ~contentSeed, authEnabled));
    }

    /** Random content behind the continuation marker, framed and sealed: only flags and payload decide. */
    @Property(tries = TRIES, edgeCases = EdgeCasesMode.NONE)
    void randomContentBehindAContinuationIsJudgedSafely(
        @ForAll @IntRange(max = 0xFF) final int flags,
        @ForAll @IntRange(max = 2000) final int payloadLength,
        @ForAll final boolean framed,
        @ForAll final long contentSeed,
        @ForAll final BufferKind kind,
        @ForAll @IntRange(max = 512) final int offset,
        @ForAll final boolean authEnabled)
    {
        mustReach = EnumSet.of(NONE, TRUNCATED, BAD_FLAGS, AUTH_UNSUPPORTED, LENGTH_MISMATCH, BAD_PAYLOAD,
            BAD_FRAGMENT, BAD_COOKIE_PLACEMENT, BAD_PROBE);
        final UnsafeBuffer datagram = compactContent(PacketLayout.CONTINUATION_MARKER,
            PacketLayout.CONTINUATION_HEADER_LENGTH, flags, payloadLength, framed, contentSeed,
            new SplittableRandom(contentSeed).split());
        if (datagram.capacity() >= PacketLayout.CONTINUATION_HEADER_LENGTH)
        {
            ReferenceChecksum.reseal(datagram, 0, datagram.capacity());
        }

        tally(assertJudgedSafely(datagram.byteArray(), kind, offset, ~contentSeed, authEnabled));
    }

    @Property(tries = TRIES, edgeCases = EdgeCasesMode.NONE)
    void damagedDatagramsAreJudgedSafely(
        @ForAll("packets") final PacketSpec spec,
        @ForAll("damage") final List<DatagramMutation> damage,
        @ForAll final Finish finish,
        @ForAll final BufferKind kind,
        @ForAll @IntRange(max = 512) final int offset,
        @ForAll final long surroundingsSeed,
        @ForAll final boolean authEnabled)
    {
        mustReach = EnumSet.of(NONE, TRUNCATED, BAD_MAGIC, BAD_VERSION, BAD_TYPE, BAD_FLAGS, AUTH_UNSUPPORTED,
            BAD_SACK_COUNT, LENGTH_MISMATCH, BAD_CHECKSUM, BAD_PAYLOAD);
        byte[] datagram = spec.toBytes();
        for (final DatagramMutation mutation : damage)
        {
            datagram = mutation.apply(datagram);
        }
        datagram = finish.apply(datagram);
        tally(assertJudgedSafely(datagram, kind, offset, surroundingsSeed, authEnabled));
    }

    /** Splices chosen values (random payloadLength, sackCount, fragment fields, ...) behind a valid frame and CRC. */
    @Property(tries = TRIES, edgeCases = EdgeCasesMode.NONE)
    void splicedFieldsBehindAValidChecksumAreJudgedSafely(
        @ForAll("packets") final PacketSpec spec,
        @ForAll("semanticSplices") final List<DatagramMutation> splices,
        @ForAll final BufferKind kind,
        @ForAll @IntRange(max = 512) final int offset,
        @ForAll final long surroundingsSeed,
        @ForAll final boolean authEnabled)
    {
        mustReach = EnumSet.of(NONE, BAD_SACK_COUNT, BAD_SACK_BLOCK, BAD_PAYLOAD, BAD_FRAGMENT, BAD_COOKIE_PLACEMENT);
        byte[] datagram = spec.toBytes();
        for (final DatagramMutation splice : splices)
        {
            datagram = splice.apply(datagram);
        }
        datagram = Finish.REFRAME_AND_RESEAL.apply(datagram);
        tally(assertJudgedSafely(datagram, kind, offset, surroundingsSeed, authEnabled));
    }

    @Property(tries = TRIES, edgeCases = EdgeCasesMode.NONE)
    void arbitraryRangesNeverThrow(
        @ForAll @IntRange(max = 200) final int capacity,
        @ForAll final long contentSeed,
        @ForAll final int offset,
        @ForAll final int length)
    {
        final int code = decoder.wrap(new UnsafeBuffer(PacketSpec.filled(capacity, contentSeed)), offset, length);
        final byte[] content = PacketSpec.filled(capacity, contentSeed);
        final boolean inside = offset >= 0 && length >= 1 && (long)offset + length <= capacity;
        final int first = inside ? content[offset] & 0xFF : 0;
        final int headerLength = first == PacketLayout.COMPACT_MARKER ? PacketLayout.COMPACT_HEADER_LENGTH :
            first == PacketLayout.CONTINUATION_MARKER ? PacketLayout.CONTINUATION_HEADER_LENGTH :
            PacketLayout.HEADER_LENGTH;
        if (!inside || length < headerLength)
        {
            assertEquals(TRUNCATED.code(), code);
        }
        else
        {
            assertTrue(code >= 0 && code < RejectReason.COUNT, "code " + code);
        }
    }

    /**
     * Random content behind a compact form's marker: framed to the length its header implies, or cut anywhere short
     * of it; when the header fits, its flags (unknown bits only if flag bit 7 was drawn) and payload length are set.
     * Not yet sealed, so a caller can set more fields first.
     */
    private static UnsafeBuffer compactContent(final int marker, final int headerLength, final int flags,
        final int payloadLength, final boolean framed, final long contentSeed, final SplittableRandom random)
    {
        final int flagBits = (flags & 0x80) != 0 ? flags : flags & KNOWN_FLAGS;
        final int tag = (flagBits & FLAG_AUTH) != 0 ? AUTH_TAG_LENGTH : 0;
        final int length = framed ? headerLength + payloadLength + tag :
            1 + random.nextInt(headerLength + payloadLength + tag + 1);
        final UnsafeBuffer datagram = new UnsafeBuffer(PacketSpec.filled(length, contentSeed));
        datagram.putByte(PacketLayout.COMPACT_MARKER_OFFSET, (byte)marker);
        if (length >= headerLength)
        {
            datagram.putByte(PacketLayout.COMPACT_FLAGS_OFFSET, (byte)flagBits);
            datagram.putShort(PacketLayout.COMPACT_PAYLOAD_LENGTH_OFFSET, (short)payloadLength, BYTE_ORDER);
        }
        return datagram;
    }

    /** A message length of at least {@code payload} and a fragment offset that fits the payload inside it. */
    private static void putPlausibleFragment(final UnsafeBuffer datagram, final SplittableRandom random,
        final int payload, final int messageLengthAt, final int fragmentOffsetAt)
    {
        final int messageLength = payload + random.nextInt(Integer.MAX_VALUE - payload);
        datagram.putInt(messageLengthAt, messageLength, BYTE_ORDER);
        datagram.putInt(fragmentOffsetAt, random.nextInt(messageLength - payload + 1), BYTE_ORDER);
    }

    private void tally(final RejectReason verdict)
    {
        verdictCounts[verdict.code()]++;
        Statistics.label(VERDICT).collect(verdict);
    }

    /** A fuzzer that never reaches a check does not test it: each property names the checks it exists to reach. */
    @AfterProperty
    void everyTargetedCheckWasReached()
    {
        for (final RejectReason target : mustReach)
        {
            assertTrue(verdictCounts[target.code()] > 0, "no input reached " + target);
        }
    }

    private RejectReason assertJudgedSafely(
        final byte[] datagram,
        final BufferKind kind,
        final int offset,
        final long surroundingsSeed,
        final boolean authEnabled)
    {
        final PacketDecoder decoder = authEnabled ? authDecoder : this.decoder;
        final int length = datagram.length;

        // Alone: Agrona's bounds checks turn any read outside the datagram into an exception.
        final int exactCode = decoder.wrap(kind.copyOf(datagram), 0, length);
        assertTrue(exactCode >= 0 && exactCode < RejectReason.COUNT, "code " + exactCode);
        if (exactCode == NONE.code())
        {
            AcceptedDatagram.assertWellFormed(decoder, 0, length);
        }

        // Embedded between random bytes, then between their complements: the verdict must not change.
        final byte[] surroundings = PacketSpec.filled(offset + length + 32, surroundingsSeed);
        for (int pass = 0; pass < 2; pass++)
        {
            if (pass == 1)
            {
                for (int i = 0; i < surroundings.length; i++)
                {
                    surroundings[i] = (byte)~surroundings[i];
                }
            }
            System.arraycopy(datagram, 0, surroundings, offset, length);
            final UnsafeBuffer buffer = kind.copyOf(surroundings);
            assertEquals(exactCode, decoder.wrap(buffer, offset, length), "verdict depends on bytes outside");
            if (exactCode == NONE.code())
            {
                AcceptedDatagram.assertWellFormed(decoder, offset, length);
            }
            final byte[] after = new byte[surroundings.length];
            buffer.getBytes(0, after);
            assertArrayEquals(surroundings, after, "the decoder must not write");
        }
        return RejectReason.of(exactCode);
    }
}
