package io.conduit.transport.codec;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import static io.conduit.transport.codec.PacketLayout.COMPACT_HEADER_LENGTH;
import static io.conduit.transport.codec.PacketLayout.FLAG_ACK_NOW;
import static io.conduit.transport.codec.PacketLayout.FLAG_AUTH;
import static io.conduit.transport.codec.PacketLayout.FLAG_BATCH;
import static io.conduit.transport.codec.PacketLayout.FLAG_COOKIE;
import static io.conduit.transport.codec.PacketLayout.FLAG_PROBE_ACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compact DATA form (docs/wire-format.md): 28 header bytes told apart by the first byte 0xD2; the encoder writes
 * the documented layout, the decoder reads it back and applies the DATA rules of the full form.
 */
class CompactDataPacketTest
{
    private final PacketEncoder encoder = new PacketEncoder();
    private final PacketDecoder decoder = new PacketDecoder();

    @Property(tries = 1000)
    void compactDataRoundTripsWithTheDocumentedLayout(
        @ForAll final int destinationId,
        @ForAll final int seq,
        @ForAll final int timestampUs,
        @ForAll @IntRange(min = 1, max = 9000) final int payloadLength,
        @ForAll @IntRange(max = 100_000) final int bytesBefore,
        @ForAll final boolean ackNow,
        @ForAll final BufferKind kind,
        @ForAll @IntRange(max = 300) final int offset,
        @ForAll final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final byte[] payload = PacketSpec.filled(payloadLength, seed);
        final int fragmentOffset = bytesBefore;
        final int messageLength = fragmentOffset + payloadLength + random.nextInt(100_000);
        final int flags = ackNow ? FLAG_ACK_NOW : 0;
        final int capacity = offset + COMPACT_HEADER_LENGTH + payloadLength + 16;
        final byte[] surroundings = PacketSpec.filled(capacity, ~seed);
        final UnsafeBuffer buffer = kind.copyOf(surroundings);

        encoder.wrapCompact(buffer, offset).flags(flags).destinationId(destinationId).seq(seq).timestamp(timestampUs)
            .messageLength(messageLength).fragmentOffset(fragmentOffset);
        buffer.putBytes(encoder.payloadIndex(), payload);
        final int length = encoder.seal(payloadLength);

        assertEquals(COMPACT_HEADER_LENGTH + payloadLength, length);
        final byte[] datagram = new byte[length];
        buffer.getBytes(offset, datagram);
        final ByteBuffer bytes = CompactLayout.assertPrefixAndPayload(datagram, 0xD2, flags, destinationId, seq,
            timestampUs, payload, 28);
        assertEquals(messageLength, bytes.getInt(20), "messageLength");
        assertEquals(fragmentOffset, bytes.getInt(24), "fragmentOffset");
        CompactLayout.assertUntouchedOutside(surroundings, buffer, offset, length);

        assertEquals(RejectReason.NONE, RejectReason.of(decoder.wrap(buffer, offset, length)));
        assertTrue(decoder.isCompact());
        assertEquals(PacketType.DATA, decoder.type());
        assertEquals(flags, decoder.flags());
        assertEquals(0, decoder.sackCount());
        assertEquals(payloadLength, decoder.payloadLength());
        assertEquals(destinationId, decoder.destinationId());
        assertEquals(seq, decoder.seq());
        assertEquals(timestampUs, decoder.timestamp());
        assertEquals(messageLength, decoder.messageLength());
        assertEquals(fragmentOffset, decoder.fragmentOffset());
        assertEquals(offset + COMPACT_HEADER_LENGTH, decoder.payloadIndex());
        AcceptedDatagram.assertWellFormed(decoder, offset, length);
        assertEquals(RejectReason.NONE, RejectReason.of(decoder.wrap(kind.copyOf(datagram), 0, length)),
            "alone in a buffer of exactly its length");
    }

    @Test
    void aBatchOfWholeMessagesMayTravelCompact()
    {
        final byte[] payload = {3, 0, 'a', 'b', 'c', 1, 0, 'd'};
        final UnsafeBuffer buffer = compact(FLAG_BATCH, payload, 2, 0);

        assertEquals(RejectReason.NONE, RejectReason.of(decoder.wrap(buffer, 0, buffer.capacity())));
        assertTrue(decoder.hasFlag(FLAG_BATCH));
        assertEquals(2, decoder.messageLength());
    }

    @Test
    void aDecoderLeftOnACompactDatagramReadsTheFullFormAgainAfterTheNextWrap()
    {
        final UnsafeBuffer compact = compact(0, new byte[]{1, 2, 3}, 3, 0);
        final byte[] full = PacketSpec.validOf(PacketType.ACK).toBytes();
        assertEquals(RejectReason.NONE, RejectReason.of(decoder.wrap(compact, 0, compact.capacity())));

        assertEquals(RejectReason.NONE, RejectReason.of(decoder.wrap(new UnsafeBuffer(full), 0, full.length)));

        assertEquals(PacketType.ACK, decoder.type());
        assertEquals(2000, decoder.ack());
        assertEquals(false, decoder.isCompact());
    }

    @Test
    void everyLengthShorterThanTheCompactHeaderIsTruncated()
    {
        final UnsafeBuffer buffer = compact(0, new byte[]{9}, 1, 0);
        for (int length = 1; length < COMPACT_HEADER_LENGTH; length++)
        {
            assertEquals(RejectReason.TRUNCATED, RejectReason.of(decoder.wrap(buffer, 0, length)), "length " + length);
        }
        assertEquals(RejectReason.TRUNCATED, RejectReason.of(decoder.wrap(buffer, 0, 0)));
    }

    @Test
    void eachRuleOfTheFullFormsDataAppliesToTheCompactForm()
    {
        final byte[] one = {7};
        assertEquals(RejectReason.BAD_FLAGS, verdictOf(compact(0x40, one, 1, 0)));
        assertEquals(RejectReason.AUTH_UNSUPPORTED, verdictOf(compact(FLAG_AUTH, one, 1, 0)));
        assertEquals(RejectReason.NONE, RejectReason.of(new PacketDecoder(true).wrap(
            compact(FLAG_AUTH, one, 1, 0), 0, COMPACT_HEADER_LENGTH + 1 + PacketLayout.AUTH_TAG_LENGTH)),
            "an authenticated link frames the tag after the payload");
        assertEquals(RejectReason.BAD_COOKIE_PLACEMENT, verdictOf(compact(FLAG_COOKIE, one, 1, 0)),
            "the handshake's cookie echo needs the full header");
        assertEquals(RejectReason.BAD_PROBE, verdictOf(compact(FLAG_PROBE_ACK, one, 1, 0)));
        assertEquals(RejectReason.BAD_PAYLOAD, verdictOf(compact(0, new byte[0], 1, 0)));
        assertEquals(RejectReason.BAD_FRAGMENT, verdictOf(compact(0, one, 1, 1)), "past the message's end");
        assertEquals(RejectReason.BAD_FRAGMENT, verdictOf(compact(0, one, 0, 0)), "empty message");
        assertEquals(RejectReason.BAD_FRAGMENT, verdictOf(compact(0, one, 5, -1)), "negative offset");
        assertEquals(RejectReason.BAD_BATCH, verdictOf(compact(FLAG_BATCH, new byte[]{5, 0, 1}, 1, 0)));
    }

    @Test
    void aLengthThatDisagreesWithThePayloadLengthOrADamagedByteIsRefused()
    {
        final UnsafeBuffer buffer = compact(0, new byte[]{1, 2, 3, 4}, 4, 0);
        final int length = buffer.capacity();
        assertEquals(RejectReason.LENGTH_MISMATCH, RejectReason.of(decoder.wrap(buffer, 0, length - 1)));
        final UnsafeBuffer longer = new UnsafeBuffer(new byte[length + 1]);
        longer.putBytes(0, buffer, 0, length);
        assertEquals(RejectReason.LENGTH_MISMATCH, RejectReason.of(decoder.wrap(longer, 0, length + 1)));
        CompactLayout.assertEveryBitFlipFailsTheChecksum(decoder, buffer, length);
    }

    @Test
    void theEncoderRefusesFieldsTheCompactFormDoesNotHave()
    {
        encoder.wrapCompact(new UnsafeBuffer(new byte[64]), 0);
        assertThrows(IllegalStateException.class, () -> encoder.sourceId(1));
        assertThrows(IllegalStateException.class, () -> encoder.ack(1));
        assertThrows(IllegalStateException.class, () -> encoder.window(1));
        assertThrows(IllegalStateException.class, () -> encoder.timestampEcho(1));
        assertThrows(IllegalStateException.class, () -> encoder.probeId(1));
        assertThrows(IllegalStateException.class, () -> encoder.sack(0, 1, 2));
        assertThrows(IllegalStateException.class, encoder::cookieIndex);
        assertThrows(IllegalStateException.class, () -> encoder.type(PacketType.ACK));
        encoder.type(PacketType.DATA);
        assertEquals(COMPACT_HEADER_LENGTH, encoder.payloadIndex());
    }

    @Test
    void theFullFormStillStartsWithTheMagicsLowByte()
    {
        assertNotEquals(PacketLayout.COMPACT_MARKER, PacketLayout.MAGIC & 0xFF);
    }

    private RejectReason verdictOf(final UnsafeBuffer datagram)
    {
        return RejectReason.of(decoder.wrap(datagram, 0, datagram.capacity()));
    }

    /** A sealed compact DATA datagram in a buffer of exactly its length (the tag, when flagged, left zero). */
    static UnsafeBuffer compact(final int flags, final byte[] payload, final int messageLength,
        final int fragmentOffset)
    {
        final int tag = (flags & FLAG_AUTH) != 0 ? PacketLayout.AUTH_TAG_LENGTH : 0;
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[COMPACT_HEADER_LENGTH + payload.length + tag]);
        final PacketEncoder encoder = new PacketEncoder();
        encoder.wrapCompact(buffer, 0).flags(flags).destinationId(77).seq(5).timestamp(1234)
            .messageLength(messageLength).fragmentOffset(fragmentOffset);
        buffer.putBytes(encoder.payloadIndex(), payload);
        encoder.seal(payload.length);
        return buffer;
    }
}
