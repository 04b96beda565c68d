package io.conduit.transport.codec;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import static io.conduit.transport.codec.PacketLayout.CONTINUATION_HEADER_LENGTH;
import static io.conduit.transport.codec.PacketLayout.CONTINUES;
import static io.conduit.transport.codec.PacketLayout.FLAG_ACK_NOW;
import static io.conduit.transport.codec.PacketLayout.FLAG_AUTH;
import static io.conduit.transport.codec.PacketLayout.FLAG_BATCH;
import static io.conduit.transport.codec.PacketLayout.FLAG_COOKIE;
import static io.conduit.transport.codec.PacketLayout.FLAG_PROBE_ACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The continuation (docs/wire-format.md): a compact DATA segment from the middle of a fragmented message, 20 header
 * bytes told apart by the first byte 0xD3, with no message length or fragment offset on the wire.
 */
class ContinuationPacketTest
{
    private final PacketEncoder encoder = new PacketEncoder();
    private final PacketDecoder decoder = new PacketDecoder();

    @Property(tries = 500)
    void aContinuationRoundTripsWithTheDocumentedLayout(
        @ForAll final int destinationId,
        @ForAll final int seq,
        @ForAll final int timestampUs,
        @ForAll @IntRange(min = 1, max = 9000) final int payloadLength,
        @ForAll final boolean ackNow,
        @ForAll final BufferKind kind,
        @ForAll @IntRange(max = 300) final int offset,
        @ForAll final long seed)
    {
        final byte[] payload = PacketSpec.filled(payloadLength, seed);
        final int flags = ackNow ? FLAG_ACK_NOW : 0;
        final int capacity = offset + CONTINUATION_HEADER_LENGTH + payloadLength + 16;
        final byte[] surroundings = PacketSpec.filled(capacity, ~seed);
        final UnsafeBuffer buffer = kind.copyOf(surroundings);

        encoder.wrapContinuation(buffer, offset).flags(flags).destinationId(destinationId).seq(seq)
            .timestamp(timestampUs);
        buffer.putBytes(encoder.payloadIndex(), payload);
        final int length = encoder.seal(payloadLength);

        assertEquals(CONTINUATION_HEADER_LENGTH + payloadLength, length);
        final byte[] datagram = new byte[length];
        buffer.getBytes(offset, datagram);
        CompactLayout.assertPrefixAndPayload(datagram, 0xD3, flags, destinationId, seq, timestampUs, payload, 20);
        CompactLayout.assertUntouchedOutside(surroundings, buffer, offset, length);

        assertEquals(RejectReason.NONE, RejectReason.of(decoder.wrap(buffer, offset, length)));
        assertTrue(decoder.isCompact(), "a continuation is compact: no acknowledgement fields");
        assertTrue(decoder.isContinuation());
        assertEquals(PacketType.DATA, decoder.type());
        assertEquals(flags, decoder.flags());
        assertEquals(payloadLength, decoder.payloadLength());
        assertEquals(destinationId, decoder.destinationId());
        assertEquals(seq, decoder.seq());
        assertEquals(timestampUs, decoder.timestamp());
        assertEquals(CONTINUES, decoder.messageLength(), "not on the wire");
        assertEquals(CONTINUES, decoder.fragmentOffset(), "not on the wire");
        assertEquals(offset + CONTINUATION_HEADER_LENGTH, decoder.payloadIndex());
        AcceptedDatagram.assertWellFormed(decoder, offset, length);
    }

    @Test
    void theNextWrapForgetsThatTheLastDatagramWasAContinuation()
    {
        final UnsafeBuffer continuation = continuation(0, new byte[]{1, 2, 3});
        final byte[] full = PacketSpec.validOf(PacketType.DATA).toBytes();
        assertEquals(RejectReason.NONE, RejectReason.of(decoder.wrap(continuation, 0, continuation.capacity())));

        assertEquals(RejectReason.NONE, RejectReason.of(decoder.wrap(new UnsafeBuffer(full), 0, full.length)));

        assertEquals(false, decoder.isContinuation());
        assertEquals(false, decoder.isCompact());
        assertTrue(decoder.messageLength() > 0, "the full form's own fragment fields again");
    }

    @Test
    void everyLengthShorterThanTheContinuationHeaderIsTruncated()
    {
        final UnsafeBuffer buffer = continuation(0, new byte[]{9});
        for (int length = 1; length < CONTINUATION_HEADER_LENGTH; length++)
        {
            assertEquals(RejectReason.TRUNCATED, RejectReason.of(decoder.wrap(buffer, 0, length)), "length " + length);
        }
    }

    @Test
    void theDataRulesApplyAndAContinuationIsNeverABatch()
    {
        final byte[] one = {7};
        assertEquals(RejectReason.BAD_FLAGS, verdictOf(continuation(0x40, one)));
        assertEquals(RejectReason.AUTH_UNSUPPORTED, verdictOf(continuation(FLAG_AUTH, one)));
        assertEquals(RejectReason.NONE, RejectReason.of(new PacketDecoder(true).wrap(
            continuation(FLAG_AUTH, one), 0, CONTINUATION_HEADER_LENGTH + 1 + PacketLayout.AUTH_TAG_LENGTH)),
            "an authenticated link frames the tag after the payload");
        assertEquals(RejectReason.BAD_COOKIE_PLACEMENT, verdictOf(continuation(FLAG_COOKIE, one)));
        assertEquals(RejectReason.BAD_PROBE, verdictOf(continuation(FLAG_PROBE_ACK, one)));
        assertEquals(RejectReason.BAD_PAYLOAD, verdictOf(continuation(0, new byte[0])));
        assertEquals(RejectReason.BAD_FRAGMENT, verdictOf(continuation(FLAG_BATCH, new byte[]{1, 0, 1})),
            "a batch holds whole messages, a continuation a message's middle");
        assertEquals(RejectReason.BAD_FRAGMENT,
            verdictOf(continuation(PacketLayout.FLAG_SPAN, new byte[]{1, 9, 0, 0, 0, 1})),
            "a span ends a message, a continuation never does");
    }

    @Test
    void aLengthThatDisagreesWithThePayloadLengthOrADamagedByteIsRefused()
    {
        final UnsafeBuffer buffer = continuation(0, new byte[]{1, 2, 3, 4});
        final int length = buffer.capacity();
        assertEquals(RejectReason.LENGTH_MISMATCH, RejectReason.of(decoder.wrap(buffer, 0, length - 1)));
        CompactLayout.assertEveryBitFlipFailsTheChecksum(decoder, buffer, length);
    }

    @Test
    void theEncoderRefusesTheFragmentFieldsAContinuationDoesNotHave()
    {
        encoder.wrapContinuation(new UnsafeBuffer(new byte[64]), 0);
        assertThrows(IllegalStateException.class, () -> encoder.messageLength(10));
        assertThrows(IllegalStateException.class, () -> encoder.fragmentOffset(5));
        assertThrows(IllegalStateException.class, () -> encoder.ack(1));
        assertThrows(IllegalStateException.class, encoder::cookieIndex);
        assertEquals(CONTINUATION_HEADER_LENGTH, encoder.payloadIndex());
        encoder.wrapCompact(new UnsafeBuffer(new byte[64]), 0).messageLength(10).fragmentOffset(5);
        assertEquals(PacketLayout.COMPACT_HEADER_LENGTH, encoder.payloadIndex(), "the next wrap is compact again");
    }

    private RejectReason verdictOf(final UnsafeBuffer datagram)
    {
        return RejectReason.of(decoder.wrap(datagram, 0, datagram.capacity()));
    }

    /** A sealed continuation in a buffer of exactly its length (the tag, when flagged, left zero). */
    private static UnsafeBuffer continuation(final int flags, final byte[] payload)
    {
        final int tag = (flags & FLAG_AUTH) != 0 ? PacketLayout.AUTH_TAG_LENGTH : 0;
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[CONTINUATION_HEADER_LENGTH + payload.length + tag]);
        final PacketEncoder encoder = new PacketEncoder();
        encoder.wrapContinuation(buffer, 0).flags(flags).destinationId(77).seq(5).timestamp(1234);
        buffer.putBytes(encoder.payloadIndex(), payload);
        encoder.seal(payload.length);
        return buffer;
    }
}
