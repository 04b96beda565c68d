package io.conduit.transport.codec;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

import org.agrona.DirectBuffer;

/**
 * CRC32C over a datagram in an Agrona buffer, skipping the 4-byte checksum field itself, without copying: the JDK's
 * {@link CRC32C} is an intrinsic (SSE4.2 / ARMv8 CRC instructions) on both heap arrays and direct buffers.
 * Not thread safe: one instance per thread.
 */
public final class Crc32c
{
    private final CRC32C crc = new CRC32C();
    private byte[] scratch = new byte[0];

    /**
     * Checksum of {@code length} bytes at {@code offset}, treating the checksum field as absent.
     *
     * @throws IllegalArgumentException if the range does not lie inside the buffer or cannot hold the checksum field.
     */
    public int checksum(final DirectBuffer buffer, final int offset, final int length)
    {
        // The heap and direct paths below address the backing array or ByteBuffer, which may extend beyond a view's
        // capacity, so Agrona's own bounds checks never see these reads: check the range here.
        if (offset < 0 || length < PacketLayout.CHECKSUM_OFFSET + 4 || length > buffer.capacity() - offset)
        {
            throw new IllegalArgumentException(
                "checksum range [" + offset + ", " + offset + " + " + length + ") vs capacity " + buffer.capacity());
        }
        crc.reset();
        update(buffer, offset, PacketLayout.CHECKSUM_OFFSET);
        final int afterChecksum = PacketLayout.CHECKSUM_OFFSET + 4;
        update(buffer, offset + afterChecksum, length - afterChecksum);
        return (int)crc.getValue();
    }

    private void update(final DirectBuffer buffer, final int index, final int length)
    {
        final byte[] array = buffer.byteArray();
        if (array != null)
        {
            crc.update(array, buffer.wrapAdjustment() + index, length);
            return;
        }
        final ByteBuffer byteBuffer = buffer.byteBuffer();
        if (byteBuffer != null)
        {
            // Restore position/limit so the caller's ByteBuffer view is unaffected.
            final int position = byteBuffer.position();
            final int limit = byteBuffer.limit();
            final int start = buffer.wrapAdjustment() + index;
            byteBuffer.limit(start + length).position(start);
            crc.update(byteBuffer);
            byteBuffer.limit(limit).position(position);
            return;
        }
        // A buffer wrapping a raw address: copy through a scratch array that grows once to the largest datagram.
        if (scratch.length < length)
        {
            scratch = new byte[Math.max(length, PacketLayout.MAX_HEADER_LENGTH + 1500)];
        }
        buffer.getBytes(index, scratch, 0, length);
        crc.update(scratch, 0, length);
    }
}
