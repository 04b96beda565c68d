package io.conduit.transport.codec;

import java.nio.ByteOrder;
import java.util.zip.CRC32C;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The checksum rule of {@code docs/wire-format.md} written independently of {@link Crc32c}: copy the datagram to an
 * array and run the JDK CRC32C over it with bytes 8..11 skipped. Tests use it as the oracle and to re-seal datagrams
 * they tamper with, so semantic checks behind the checksum are reachable.
 */
final class ReferenceChecksum
{
    private static final int CHECKSUM_AT = 8;
    private static final int AFTER_CHECKSUM = 12;

    private ReferenceChecksum()
    {
    }

    static int of(final byte[] datagram, final int length)
    {
        final CRC32C crc = new CRC32C();
        crc.update(datagram, 0, CHECKSUM_AT);
        crc.update(datagram, AFTER_CHECKSUM, length - AFTER_CHECKSUM);
        return (int)crc.getValue();
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
        buffer.putInt(offset + CHECKSUM_AT, of(buffer, offset, length), ByteOrder.LITTLE_ENDIAN);
    }

    /** As {@link #reseal(MutableDirectBuffer, int, int)} on an array; a no-op below the checksum field's end. */
    static void reseal(final byte[] datagram, final int length)
    {
        if (length < AFTER_CHECKSUM)
        {
            return;
        }
        final int checksum = of(datagram, length);
        for (int i = 0; i < 4; i++)
        {
            datagram[CHECKSUM_AT + i] = (byte)(checksum >>> (8 * i));
        }
    }
}
