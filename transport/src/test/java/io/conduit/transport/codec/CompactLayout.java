package io.conduit.transport.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The first 20 bytes that the compact DATA form and the continuation share (docs/wire-format.md), checked byte by
 * byte against what was encoded, and the rule that an encoder writes nothing outside its datagram.
 */
final class CompactLayout
{
    private CompactLayout()
    {
    }

    /** Asserts the shared prefix and the payload at {@code payloadAt}; returns the datagram as little-endian bytes. */
    static ByteBuffer assertPrefixAndPayload(final byte[] datagram, final int marker, final int flags,
        final int destinationId, final int seq, final int timestampUs, final byte[] payload, final int payloadAt)
    {
        final ByteBuffer bytes = ByteBuffer.wrap(datagram).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(marker, bytes.get(0) & 0xFF, "marker");
        assertEquals(flags, bytes.get(1), "flags");
        assertEquals(payload.length, bytes.getShort(2) & 0xFFFF, "payloadLength");
        assertEquals(ReferenceChecksum.of(datagram, datagram.length), bytes.getInt(4), "checksum, bytes 4..7 skipped");
        assertEquals(destinationId, bytes.getInt(8), "destinationId");
        assertEquals(seq, bytes.getInt(12), "seq");
        assertEquals(timestampUs, bytes.getInt(16), "timestamp");
        final byte[] written = new byte[payload.length];
        System.arraycopy(datagram, payloadAt, written, 0, payload.length);
        assertArrayEquals(payload, written, "payload at " + payloadAt);
        return bytes;
    }

    /** Asserts that every byte of {@code buffer} outside {@code [offset, offset + length)} is still as it was. */
    static void assertUntouchedOutside(final byte[] before, final DirectBuffer buffer, final int offset,
        final int length)
    {
        for (int i = 0; i < before.length; i++)
        {
            if (i < offset || i >= offset + length)
            {
                assertEquals(before[i], buffer.getByte(i), "encoder wrote outside the datagram at " + i);
            }
        }
    }

    /** Every single-bit flip after the marker and the length fields: only the checksum can see it. */
    static void assertEveryBitFlipFailsTheChecksum(final PacketDecoder decoder, final DirectBuffer datagram,
        final int length)
    {
        for (int index = PacketLayout.COMPACT_CHECKSUM_OFFSET; index < length; index++)
        {
            for (int bit = 0; bit < 8; bit++)
            {
                final UnsafeBuffer damaged = new UnsafeBuffer(new byte[length]);
                damaged.putBytes(0, datagram, 0, length);
                damaged.putByte(index, (byte)(damaged.getByte(index) ^ (1 << bit)));
                assertEquals(RejectReason.BAD_CHECKSUM, RejectReason.of(decoder.wrap(damaged, 0, length)),
                    "byte " + index + " bit " + bit);
            }
        }
    }
}
