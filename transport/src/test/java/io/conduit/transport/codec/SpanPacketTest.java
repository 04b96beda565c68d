package io.conduit.transport.codec;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static io.conduit.transport.codec.PacketLayout.BYTE_ORDER;
import static io.conduit.transport.codec.PacketLayout.FLAG_BATCH;
import static io.conduit.transport.codec.PacketLayout.FLAG_SPAN;
import static io.conduit.transport.codec.PacketLayout.SPAN_LENGTH_FIELD_LENGTH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A span (FLAG_SPAN, docs/wire-format.md) ends the message its fragment fields describe and begins the next: the
 * decoder accepts one whose parts fit exactly and rejects every way they can fail to, so the receiver can split it
 * without further checks.
 */
class SpanPacketTest
{
    private final PacketDecoder decoder = new PacketDecoder();

    @Test
    void aSpanEndsOneMessageAndBeginsTheNextInEitherForm()
    {
        for (final boolean compact : new boolean[] {false, true})
        {
            // The last 3 bytes of a 10-byte message, then the first 2 of a 9-byte one.
            final UnsafeBuffer datagram = span(compact, FLAG_SPAN, 10, 7, 3, 9, 2);

            assertEquals(RejectReason.NONE, verdictOf(datagram), compact ? "compact" : "full");
            assertTrue(decoder.hasFlag(FLAG_SPAN));
            assertEquals(10, decoder.messageLength());
            assertEquals(7, decoder.fragmentOffset());
            assertEquals(3 + SPAN_LENGTH_FIELD_LENGTH + 2, decoder.payloadLength());
            assertEquals(9, decoder.spanNextMessageLength());
            assertEquals(2, decoder.spanNextPartLength());
        }
    }

    @Test
    void aWholeMessageMayBeEitherPart()
    {
        assertEquals(RejectReason.NONE, verdictOf(span(true, FLAG_SPAN, 4, 0, 4, 100, 50)), "first");
        assertEquals(RejectReason.NONE, verdictOf(span(true, FLAG_SPAN, 10, 7, 3, 2, 2)), "second");
    }

    @Test
    void partsThatDoNotFitAreRejected()
    {
        assertEquals(RejectReason.BAD_FRAGMENT, verdictOf(span(true, FLAG_SPAN, 10, 7, 3, 9, 0)),
            "no first fragment of the next message");
        assertEquals(RejectReason.BAD_FRAGMENT, verdictOf(span(true, FLAG_SPAN, 10, 7, 3, 1, 2)),
            "more of the next message than it has");
        assertEquals(RejectReason.BAD_FRAGMENT, verdictOf(span(true, FLAG_SPAN, 10, 7, 3, -5, 2)),
            "a negative next length");
        assertEquals(RejectReason.BAD_FRAGMENT, verdictOf(span(true, FLAG_SPAN, 10, 10, 0, 9, 2)),
            "the offset at the message's end: nothing of it left to end");
        assertEquals(RejectReason.BAD_FRAGMENT, verdictOf(span(true, FLAG_SPAN, 10, -1, 3, 9, 2)),
            "a negative offset");
        assertEquals(RejectReason.BAD_FRAGMENT, verdictOf(span(false, FLAG_SPAN, 0, 0, 0, 9, 2)),
            "an empty message");
        // The message's end reaches past the payload: its last byte and the length field do not both fit.
        assertEquals(RejectReason.BAD_FRAGMENT, verdictOf(spanWithPayload(FLAG_SPAN, 100, 0, new byte[8])));
    }

    @Test
    void aSpanIsNeverABatchAndNeverOffData()
    {
        assertEquals(RejectReason.BAD_FRAGMENT, verdictOf(span(true, FLAG_SPAN | FLAG_BATCH, 10, 7, 3, 9, 2)),
            "span and batch together");
        final UnsafeBuffer ack = new UnsafeBuffer(new byte[PacketLayout.HEADER_LENGTH]);
        new PacketEncoder().wrap(ack, 0).type(PacketType.ACK).flags(FLAG_SPAN).destinationId(1).sourceId(2)
            .seq(1).ack(1).window(8).seal(0);
        assertEquals(RejectReason.BAD_FRAGMENT, verdictOf(ack));
    }

    private RejectReason verdictOf(final UnsafeBuffer datagram)
    {
        return RejectReason.of(decoder.wrap(datagram, 0, datagram.capacity()));
    }

    /** A sealed DATA datagram ending a message with {@code end} bytes of 0x11 and beginning the next with 0x22s. */
    private static UnsafeBuffer span(final boolean compact, final int flags, final int messageLength,
        final int fragmentOffset, final int end, final int nextLength, final int head)
    {
        final byte[] payload = new byte[end + SPAN_LENGTH_FIELD_LENGTH + head];
        final UnsafeBuffer view = new UnsafeBuffer(payload);
        view.setMemory(0, end, (byte)0x11);
        view.putInt(end, nextLength, BYTE_ORDER);
        view.setMemory(end + SPAN_LENGTH_FIELD_LENGTH, head, (byte)0x22);
        return compact ? spanWithPayload(flags, messageLength, fragmentOffset, payload) :
            fullWithPayload(flags, messageLength, fragmentOffset, payload);
    }

    private static UnsafeBuffer spanWithPayload(final int flags, final int messageLength, final int fragmentOffset,
        final byte[] payload)
    {
        return CompactDataPacketTest.compact(flags, payload, messageLength, fragmentOffset);
    }

    private static UnsafeBuffer fullWithPayload(final int flags, final int messageLength, final int fragmentOffset,
        final byte[] payload)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[PacketLayout.HEADER_LENGTH + payload.length]);
        final PacketEncoder encoder = new PacketEncoder();
        encoder.wrap(buffer, 0).type(PacketType.DATA).flags(flags).destinationId(77).sourceId(78).seq(5).ack(9)
            .window(16).timestamp(1234).messageLength(messageLength).fragmentOffset(fragmentOffset);
        buffer.putBytes(encoder.payloadIndex(), payload);
        encoder.seal(payload.length);
        return buffer;
    }
}
