package io.conduit.transport.codec;

import org.agrona.DirectBuffer;

import static io.conduit.transport.codec.PacketLayout.AUTH_TAG_LENGTH;
import static io.conduit.transport.codec.PacketLayout.COOKIE_LENGTH;
import static io.conduit.transport.codec.PacketLayout.FLAG_AUTH;
import static io.conduit.transport.codec.PacketLayout.FLAG_COOKIE;
import static io.conduit.transport.codec.PacketLayout.HEADER_LENGTH;
import static io.conduit.transport.codec.PacketLayout.KNOWN_FLAGS;
import static io.conduit.transport.codec.PacketLayout.MAX_SACK_BLOCKS;
import static io.conduit.transport.codec.PacketLayout.SACK_BLOCK_LENGTH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a caller may rely on once {@link PacketDecoder#wrap} returned NONE: every section lies inside
 * {@code [offset, offset + length)}, the sections tile the datagram exactly, and the semantic rules of
 * {@code docs/wire-format.md} hold. Reading every getter and section also proves, on a buffer of exactly the
 * datagram's capacity, that none of them reaches outside it.
 */
final class AcceptedDatagram
{
    private AcceptedDatagram()
    {
    }

    static void assertWellFormed(final PacketDecoder decoder, final int offset, final int length)
    {
        final long end = (long)offset + length;
        assertEquals(offset, decoder.offset(), "offset");
        assertEquals(length, decoder.length(), "length");
        final boolean compact = decoder.isCompact();
        final boolean continuation = decoder.isContinuation();
        final int headerLength = continuation ? PacketLayout.CONTINUATION_HEADER_LENGTH :
            compact ? PacketLayout.COMPACT_HEADER_LENGTH : HEADER_LENGTH;
        assertTrue(length >= headerLength, "at least a header");
        final int first = decoder.buffer().getByte(offset) & 0xFF;
        assertEquals(compact, first == PacketLayout.COMPACT_MARKER || continuation, "form");
        assertEquals(continuation, first == PacketLayout.CONTINUATION_MARKER, "continuation");
        assertTrue(!continuation || compact, "a continuation is compact");

        final int type = decoder.type();
        final int flags = decoder.flags();
        final int sackCount = decoder.sackCount();
        final int payloadLength = decoder.payloadLength();
        assertTrue(PacketType.isValid(type), "type " + type);
        assertEquals(0, flags & ~KNOWN_FLAGS, "unknown flags");
        assertTrue(sackCount <= MAX_SACK_BLOCKS, "sackCount " + sackCount);
        assertTrue(sackCount == 0 || type == PacketType.ACK, "SACK only on ACK");
        if (compact)
        {
            assertEquals(PacketType.DATA, type, "the compact form is DATA only");
            assertEquals(0, flags & (FLAG_COOKIE | PacketLayout.FLAG_PROBE_ACK), "no cookie or probe in compact");
        }

        // Sections in order: header, SACK blocks, cookie, payload, tag; each starts where the previous ends.
        final int sacksEnd = offset + headerLength + sackCount * SACK_BLOCK_LENGTH;
        final boolean hasCookie = (flags & FLAG_COOKIE) != 0;
        if (hasCookie)
        {
            assertEquals(sacksEnd, decoder.cookieIndex(), "cookie follows SACK blocks");
        }
        final int payloadIndex = decoder.payloadIndex();
        assertEquals(sacksEnd + (hasCookie ? COOKIE_LENGTH : 0), payloadIndex, "payload follows cookie");
        final int tagLength = (flags & FLAG_AUTH) != 0 ? AUTH_TAG_LENGTH : 0;
        assertEquals(end, (long)payloadIndex + payloadLength + tagLength, "sections fill the datagram exactly");

        if (type == PacketType.SYN_ACK)
        {
            assertTrue(hasCookie, "SYN-ACK carries a cookie");
        }
        if (type == PacketType.SYN || type == PacketType.RST || type == PacketType.PING || type == PacketType.PROBE)
        {
            assertFalse(hasCookie, PacketType.name(type) + " carries no cookie");
        }
        if (continuation)
        {
            assertTrue(payloadLength > 0, "DATA carries payload");
            assertEquals(0, flags & PacketLayout.FLAG_BATCH, "a continuation is never a batch");
            assertEquals(0, flags & PacketLayout.FLAG_SPAN, "a continuation never ends a message");
            assertEquals(PacketLayout.CONTINUES, decoder.messageLength(), "no message length on the wire");
            assertEquals(PacketLayout.CONTINUES, decoder.fragmentOffset(), "no fragment offset on the wire");
        }
        else if (type == PacketType.DATA && (flags & PacketLayout.FLAG_BATCH) != 0)
        {
            assertTrue(payloadLength > 0, "DATA carries payload");
            assertEquals(0, decoder.fragmentOffset(), "a batch is never a fragment");
            assertEquals(decoder.messageLength(), frameCount(decoder.buffer(), payloadIndex, payloadLength),
                "frames tile the payload and match their count");
        }
        else if (type == PacketType.DATA && (flags & PacketLayout.FLAG_SPAN) != 0)
        {
            final long rest = (long)decoder.messageLength() - decoder.fragmentOffset();
            final long head = payloadLength - rest - PacketLayout.SPAN_LENGTH_FIELD_LENGTH;
            assertTrue(decoder.fragmentOffset() >= 0 && rest > 0, "a span ends its message");
            assertTrue(head >= 1, "a span begins the next message");
            final byte[] field = new byte[PacketLayout.SPAN_LENGTH_FIELD_LENGTH];
            decoder.buffer().getBytes(payloadIndex + (int)rest, field);
            final long next = (field[0] & 0xFF) | (field[1] & 0xFF) << 8 | (field[2] & 0xFF) << 16 |
                (long)field[3] << 24;
            assertTrue(next > head, "the next message is longer than its first fragment");
        }
        else if (type == PacketType.DATA)
        {
            assertTrue(payloadLength > 0, "DATA carries payload");
            assertTrue(decoder.messageLength() > 0, "messageLength");
            assertTrue(decoder.fragmentOffset() >= 0, "fragmentOffset");
            assertTrue((long)decoder.fragmentOffset() + payloadLength <= decoder.messageLength(), "fragment fits");
        }
        else if (type == PacketType.PROBE)
        {
            assertTrue(decoder.probeId() > 0, "probe id");
            assertEquals(0, decoder.fragmentOffset(), "PROBE has no fragment offset");
        }
        else
        {
            assertEquals(0, payloadLength, "payload only on DATA and PROBE");
        }
        if ((flags & PacketLayout.FLAG_PROBE_ACK) != 0)
        {
            assertEquals(PacketType.ACK, type, "only an ACK acknowledges a probe");
            assertTrue(decoder.probeId() > 0, "acknowledged probe id");
        }
        for (int i = 0; i < sackCount; i++)
        {
            final int spanSegments = decoder.sackEnd(i) - decoder.sackStart(i);
            assertTrue(spanSegments > 0 && spanSegments <= PacketDecoder.MAX_SACK_SPAN, "SACK span " + spanSegments);
        }
        assertEquals(ReferenceChecksum.of(decoder.buffer(), offset, length), decoder.checksum(), "checksum");

        // Touch the remaining getters and every byte of every section through the bounds-checked buffer.
        assertFalse(decoder.hasFlag(~KNOWN_FLAGS & 0xFF));
        decoder.destinationId();
        decoder.seq();
        decoder.timestamp();
        if (!compact)
        {
            decoder.sourceId();
            decoder.ack();
            decoder.window();
            decoder.timestampEcho();
        }
        final byte[] sections = new byte[length - headerLength];
        decoder.buffer().getBytes(offset + headerLength, sections);
    }

    /** Frames in a batch payload, walked over a copy (the decoder's own walk is what is under test); -1 if ragged. */
    static int frameCount(final DirectBuffer buffer, final int index, final int length)
    {
        final byte[] payload = new byte[length];
        buffer.getBytes(index, payload);
        int at = 0;
        int frames = 0;
        while (at + 2 <= length)
        {
            final int frameLength = (payload[at] & 0xFF) | (payload[at + 1] & 0xFF) << 8;
            if (frameLength == 0 || at + 2 + frameLength > length)
            {
                return -1;
            }
            at += 2 + frameLength;
            frames++;
        }
        return at == length ? frames : -1;
    }
}
