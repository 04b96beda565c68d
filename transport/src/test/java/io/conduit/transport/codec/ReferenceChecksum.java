package io.conduit.transport.codec;

import java.nio.ByteOrder;
import java.util.zip.CRC32C;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The checksum rule of {@code docs/wire-format.md} written independently of {@link Crc32c}: copy the datagram to an
 * array and run the JDK CRC32C over it with the checksum field skipped: bytes 8..11, or 4..7 in a compact DATA
 * datagram or continuation (first byte 0xD2 or 0xD3). Tests use it as the oracle and to re-seal datagrams they tamper with, so semantic checks
 * behind the checksum are reachable.
 */
final class ReferenceChecksum
{
    private static final int CHECKSUM_AT = 8;
    private static final int COMPACT_CHECKSUM_AT = 4;
    private static final int COMPACT_MARKER = 0xD2;
    private static final int CONTINUATION_MARKER = 0xD3;

    private ReferenceChecksum()
    {
    }

    static int of(final byte[] datagram, final int length)
    {
        final int checksumAt = checksumAt(datagram, length);
        final CRC32C crc = new CRC32C();
        crc.update(datagram, 0, checksumAt);
        crc.update(datagram, checksumAt + 4, length - checksumAt - 4);
        return (int)crc.getValue();
    }

    private static int checksumAt(final byte[] datagram, final int length)
    {
        return length > 0 && isCompact(datagram[0]) ? COMPACT_CHECKSUM_AT : CHECKSUM_AT;
    }

    private static boolean isCompact(final byte first)
    {
        return (first & 0xFF) == COMPACT_MARKER || (first & 0xFF) == CONTINUATION_MARKER;
    }

    static int of(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] copy = new byte[length];
        buffer.getBytes(offset, copy);
        return of(copy, length);
    }

    /** Stores a correct checksum for {@code length} bytes at {@code offset}, whatever the header claims. */
    static void reseal(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        final int checksumAt = isCompact(buffer.getByte(offset)) ? COMPACT_CHECKSUM_AT : CHECKSUM_AT;
        buffer.putInt(offset + checksumAt, of(buffer, offset, length), ByteOrder.LITTLE_ENDIAN);
    }

    /** As {@link #reseal(MutableDirectBuffer, int, int)} on an array; a no-op below the checksum field's end. */
    static void reseal(final byte[] datagram, final int length)
    {
        final int checksumAt = checksumAt(datagram, length);
        if (length < checksumAt + 4)
        {
            return;
        }
        final int checksum = of(datagram, length);
        for (int i = 0; i < 4; i++)
        {
            datagram[checksumAt + i] = (byte)(checksum >>> (8 * i));
        }
    }
}
