package io.conduit.transport.codec;

import org.agrona.MutableDirectBuffer;

import static io.conduit.transport.codec.PacketLayout.*;

/**
 * Writes one datagram in place. Usage, in this order (the layout puts SACK blocks, then the cookie, then payload):
 * {@code wrap} &rarr; header setters &rarr; {@code sack(..)} blocks &rarr; {@code cookieIndex()} to write a cookie
 * &rarr; {@code payloadIndex()} to write payload &rarr; {@link #seal(int)}, which stores the payload length and the
 * CRC32C and returns the datagram's length. One instance per thread.
 */
public final class PacketEncoder
{
    private final Crc32c crc32c = new Crc32c();
    private MutableDirectBuffer buffer;
    private int offset;

    /** Starts a datagram at {@code offset}: magic and version written, every other header field zeroed. */
    public PacketEncoder wrap(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        buffer.setMemory(offset, HEADER_LENGTH, (byte)0);
        buffer.putShort(offset + MAGIC_OFFSET, MAGIC, BYTE_ORDER);
        buffer.putByte(offset + VERSION_OFFSET, (byte)VERSION);
        return this;
    }

    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    public PacketEncoder type(final int type)
    {
        buffer.putByte(offset + TYPE_OFFSET, (byte)type);
        return this;
    }

    public PacketEncoder flags(final int flags)
    {
        buffer.putByte(offset + FLAGS_OFFSET, (byte)flags);
        return this;
    }

    public PacketEncoder destinationId(final int id)
    {
        buffer.putInt(offset + DESTINATION_ID_OFFSET, id, BYTE_ORDER);
        return this;
    }

    public PacketEncoder sourceId(final int id)
    {
        buffer.putInt(offset + SOURCE_ID_OFFSET, id, BYTE_ORDER);
        return this;
    }

    public PacketEncoder seq(final int seq)
    {
        buffer.putInt(offset + SEQUENCE_OFFSET, seq, BYTE_ORDER);
        return this;
    }

    public PacketEncoder ack(final int ack)
    {
        buffer.putInt(offset + ACK_OFFSET, ack, BYTE_ORDER);
        return this;
    }

    public PacketEncoder window(final int window)
    {
        buffer.putInt(offset + WINDOW_OFFSET, window, BYTE_ORDER);
        return this;
    }

    public PacketEncoder timestamp(final int timestampUs)
    {
        buffer.putInt(offset + TIMESTAMP_OFFSET, timestampUs, BYTE_ORDER);
        return this;
    }

    public PacketEncoder timestampEcho(final int timestampUs)
    {
        buffer.putInt(offset + TIMESTAMP_ECHO_OFFSET, timestampUs, BYTE_ORDER);
        return this;
    }

    public PacketEncoder messageLength(final int length)
    {
        buffer.putInt(offset + MESSAGE_LENGTH_OFFSET, length, BYTE_ORDER);
        return this;
    }

    /** PROBE and probe-acknowledging ACK: the probe id (shares the message length field). */
    public PacketEncoder probeId(final int probeId)
    {
        buffer.putInt(offset + PROBE_ID_OFFSET, probeId, BYTE_ORDER);
        return this;
    }

    public PacketEncoder fragmentOffset(final int fragmentOffset)
    {
        buffer.putInt(offset + FRAGMENT_OFFSET_OFFSET, fragmentOffset, BYTE_ORDER);
        return this;
    }

    /** Appends SACK block number {@code index} (blocks must be written 0, 1, ...) and updates the count. */
    public PacketEncoder sack(final int index, final int start, final int end)
    {
        if (index < 0 || index >= MAX_SACK_BLOCKS)
        {
            throw new IllegalArgumentException("SACK block index " + index);
        }
        final int at = offset + HEADER_LENGTH + index * SACK_BLOCK_LENGTH;
        buffer.putInt(at, start, BYTE_ORDER);
        buffer.putInt(at + 4, end, BYTE_ORDER);
        buffer.putByte(offset + SACK_COUNT_OFFSET, (byte)(index + 1));
        return this;
    }

    public int sackCount()
    {
        return buffer.getByte(offset + SACK_COUNT_OFFSET) & 0xFF;
    }

    public int cookieIndex()
    {
        return offset + cookieOffset(sackCount());
    }

    public int payloadIndex()
    {
        return offset + payloadOffset(buffer.getByte(offset + FLAGS_OFFSET) & 0xFF, sackCount());
    }

    /**
     * Records the payload length, computes the checksum, and returns the datagram's total length.
     *
     * @throws IllegalArgumentException if the payload length does not fit 16 bits, or the datagram would be longer
     *                                  than {@link PacketLayout#MAX_DATAGRAM_LENGTH} or run past the buffer's end.
     */
    public int seal(final int payloadLength)
    {
        if (payloadLength < 0 || payloadLength > 0xFFFF)
        {
            throw new IllegalArgumentException("payload length " + payloadLength);
        }
        final int flags = buffer.getByte(offset + FLAGS_OFFSET) & 0xFF;
        final int length = payloadOffset(flags, sackCount()) + payloadLength +
            ((flags & FLAG_AUTH) != 0 ? AUTH_TAG_LENGTH : 0);
        if (length > MAX_DATAGRAM_LENGTH || length > buffer.capacity() - offset)
        {
            throw new IllegalArgumentException("datagram of " + length + " bytes at offset " + offset +
                " exceeds the UDP limit or the buffer's capacity " + buffer.capacity());
        }
        buffer.putShort(offset + PAYLOAD_LENGTH_OFFSET, (short)payloadLength, BYTE_ORDER);
        buffer.putInt(offset + CHECKSUM_OFFSET, crc32c.checksum(buffer, offset, length), BYTE_ORDER);
        return length;
    }
}
