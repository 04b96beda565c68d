package io.conduit.transport.codec;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static io.conduit.transport.codec.PacketLayout.AUTH_TAG_LENGTH;
import static io.conduit.transport.codec.PacketLayout.COOKIE_LENGTH;
import static io.conduit.transport.codec.PacketLayout.FLAG_ACK_NOW;
import static io.conduit.transport.codec.PacketLayout.FLAG_AUTH;
import static io.conduit.transport.codec.PacketLayout.FLAG_COOKIE;
import static io.conduit.transport.codec.PacketLayout.FLAG_PROBE_ACK;
import static io.conduit.transport.codec.PacketLayout.HEADER_LENGTH;
import static io.conduit.transport.codec.PacketLayout.SACK_BLOCK_LENGTH;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every field of one packet as plain values: the model tests encode, then compare the decoder's view against.
 * Mutable and fluent so tests can start from {@link #validOf(int)} and change one thing.
 */
final class PacketSpec
{
    int type;
    boolean ackNow;
    boolean batch;
    boolean auth;
    /** ACK only: answers the probe whose id is in {@link #messageLength}. */
    boolean probeAck;
    int destinationId;
    int sourceId;
    int seq;
    int ack;
    int window;
    int timestampUs;
    int timestampEchoUs;
    int messageLength;
    int fragmentOffset;
    int[] sackStarts = new int[0];
    int[] sackEnds = new int[0];
    /** Null when FLAG_COOKIE is clear. */
    byte[] cookie;
    byte[] payload = new byte[0];
    /** Written after the payload when {@link #auth} is set. */
    byte[] authTag = new byte[AUTH_TAG_LENGTH];

    /** The smallest packet of {@code type} the decoder accepts, with distinctive non-zero header values. */
    static PacketSpec validOf(final int type)
    {
        final PacketSpec spec = new PacketSpec();
        spec.type = type;
        spec.destinationId = 0x0A0B0C0D;
        spec.sourceId = 0x01020304;
        spec.seq = 1000;
        spec.ack = 2000;
        spec.window = 64;
        spec.timestampUs = 123_456;
        spec.timestampEchoUs = 654_321;
        if (type == PacketType.SYN_ACK)
        {
            spec.cookie = filled(COOKIE_LENGTH, 7);
        }
        if (type == PacketType.DATA)
        {
            spec.payload(filled(1, 11), 1, 0);
        }
        if (type == PacketType.PROBE)
        {
            spec.payload(new byte[0], 1, 0);
        }
        return spec;
    }

    /** A DATA batch carrying {@code messages} as frames, as docs/wire-format.md describes. */
    static PacketSpec batchOf(final byte[]... messages)
    {
        int length = 0;
        for (final byte[] message : messages)
        {
            length += PacketLayout.BATCH_FRAME_HEADER_LENGTH + message.length;
        }
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[length]);
        int at = 0;
        for (final byte[] message : messages)
        {
            payload.putShort(at, (short)message.length, PacketLayout.BYTE_ORDER);
            payload.putBytes(at + PacketLayout.BATCH_FRAME_HEADER_LENGTH, message);
            at += PacketLayout.BATCH_FRAME_HEADER_LENGTH + message.length;
        }
        final PacketSpec spec = validOf(PacketType.DATA).payload(payload.byteArray(), messages.length, 0);
        spec.batch = true;
        return spec;
    }

    static byte[] filled(final int length, final long seed)
    {
        final byte[] bytes = new byte[length];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    PacketSpec payload(final byte[] payload, final int messageLength, final int fragmentOffset)
    {
        this.payload = payload;
        this.messageLength = messageLength;
        this.fragmentOffset = fragmentOffset;
        return this;
    }

    PacketSpec sacks(final int[] starts, final int[] ends)
    {
        this.sackStarts = starts;
        this.sackEnds = ends;
        return this;
    }

    PacketSpec cookie(final byte[] cookie)
    {
        this.cookie = cookie;
        return this;
    }

    int flags()
    {
        return (cookie != null ? FLAG_COOKIE : 0) | (auth ? FLAG_AUTH : 0) | (ackNow ? FLAG_ACK_NOW : 0) |
            (probeAck ? FLAG_PROBE_ACK : 0) | (batch ? PacketLayout.FLAG_BATCH : 0);
    }

    int sackCount()
    {
        return sackStarts.length;
    }

    int encodedLength()
    {
        return HEADER_LENGTH + sackCount() * SACK_BLOCK_LENGTH + (cookie != null ? COOKIE_LENGTH : 0) +
            payload.length + (auth ? AUTH_TAG_LENGTH : 0);
    }

    /** Encodes at {@code offset} in the documented order and returns the datagram's length. */
    int encode(final PacketEncoder encoder, final MutableDirectBuffer buffer, final int offset)
    {
        encoder.wrap(buffer, offset)
            .type(type)
            .flags(flags())
            .destinationId(destinationId)
            .sourceId(sourceId)
            .seq(seq)
            .ack(ack)
            .window(window)
            .timestamp(timestampUs)
            .timestampEcho(timestampEchoUs)
            .messageLength(messageLength)
            .fragmentOffset(fragmentOffset);
        for (int i = 0; i < sackCount(); i++)
        {
            encoder.sack(i, sackStarts[i], sackEnds[i]);
        }
        if (cookie != null)
        {
            buffer.putBytes(encoder.cookieIndex(), cookie);
        }
        final int payloadIndex = encoder.payloadIndex();
        buffer.putBytes(payloadIndex, payload);
        if (auth)
        {
            buffer.putBytes(payloadIndex + payload.length, authTag);
        }
        return encoder.seal(payload.length);
    }

    /** The encoded datagram alone, in an array of exactly its length. */
    byte[] toBytes()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[encodedLength()]);
        final int length = encode(new PacketEncoder(), buffer, 0);
        assertEquals(buffer.capacity(), length, "encoded length");
        return buffer.byteArray();
    }

    /** Asserts that a decoder which accepted the datagram reports exactly this packet. */
    void assertDecodedBy(final PacketDecoder decoder)
    {
        assertEquals(type, decoder.type(), "type");
        assertEquals(flags(), decoder.flags(), "flags");
        assertEquals(sackCount(), decoder.sackCount(), "sackCount");
        assertEquals(payload.length, decoder.payloadLength(), "payloadLength");
        assertEquals(destinationId, decoder.destinationId(), "destinationId");
        assertEquals(sourceId, decoder.sourceId(), "sourceId");
        assertEquals(seq, decoder.seq(), "seq");
        assertEquals(ack, decoder.ack(), "ack");
        assertEquals(window, decoder.window(), "window");
        assertEquals(timestampUs, decoder.timestamp(), "timestamp");
        assertEquals(timestampEchoUs, decoder.timestampEcho(), "timestampEcho");
        assertEquals(messageLength, decoder.messageLength(), "messageLength");
        assertEquals(fragmentOffset, decoder.fragmentOffset(), "fragmentOffset");
        for (int i = 0; i < sackCount(); i++)
        {
            assertEquals(sackStarts[i], decoder.sackStart(i), "sackStart " + i);
            assertEquals(sackEnds[i], decoder.sackEnd(i), "sackEnd " + i);
        }
        if (cookie != null)
        {
            final byte[] decodedCookie = new byte[COOKIE_LENGTH];
            decoder.buffer().getBytes(decoder.cookieIndex(), decodedCookie);
            assertArrayEquals(cookie, decodedCookie, "cookie");
        }
        final byte[] decodedPayload = new byte[decoder.payloadLength()];
        decoder.buffer().getBytes(decoder.payloadIndex(), decodedPayload);
        assertArrayEquals(payload, decodedPayload, "payload");
        if (auth)
        {
            final byte[] decodedTag = new byte[AUTH_TAG_LENGTH];
            decoder.buffer().getBytes(decoder.payloadIndex() + decoder.payloadLength(), decodedTag);
            assertArrayEquals(authTag, decodedTag, "auth tag");
        }
    }

    @Override
    public String toString()
    {
        return PacketType.name(type) + "{flags=0x" + Integer.toHexString(flags()) +
            ", dst=" + destinationId + ", src=" + sourceId + ", seq=" + seq + ", ack=" + ack + ", window=" + window +
            ", ts=" + timestampUs + ", tsEcho=" + timestampEchoUs + ", messageLength=" + messageLength +
            ", fragmentOffset=" + fragmentOffset + ", sackStarts=" + Arrays.toString(sackStarts) +
            ", sackEnds=" + Arrays.toString(sackEnds) + ", payloadLength=" + payload.length + "}";
    }
}
