package io.conduit.transport.codec;

import org.agrona.MutableDirectBuffer;

import static io.conduit.transport.codec.PacketLayout.*;

/**
 * Writes one datagram in place. Usage, in this order (the layout puts SACK blocks, then the cookie, then payload):
 * {@code wrap} &rarr; header setters &rarr; {@code sack(..)} blocks &rarr; {@code cookieIndex()} to write a cookie
 * &rarr; {@code payloadIndex()} to write payload &rarr; {@link #seal(int)}, which stores the payload length and the
 * CRC32C and returns the datagram's length. {@link #wrapCompact} starts a compact DATA datagram instead, which takes
 * only the setters of the fields it has (the others throw). One instance per thread.
 */
public final class PacketEncoder
{
    private final Crc32c crc32c = new Crc32c();
    private MutableDirectBuffer buffer;
    private int offset;
    private boolean compact;
    private boolean continuation;

    /** Starts a datagram at {@code offset}: magic and version written, every other header field zeroed. */
    public PacketEncoder wrap(final MutableDirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.compact = false;
        this.continuation = false;
        buffer.setMemory(offset, HEADER_LENGTH, (byte)0);
        buffer.putShort(offset + MAGIC_OFFSET, MAGIC, BYTE_ORDER);
        buffer.putByte(offset + VERSION_OFFSET, (byte)VERSION);
        return this;
    }

    /**
     * Starts a compact DATA datagram at {@code offset}: marker written, every other header field zeroed. It has no
     * source id, acknowledgement, window, timestamp echo, SACK or cookie; see {@link PacketLayout}.
     */
    public PacketEncoder wrapCompact(final MutableDirectBuffer buffer, final int offset)
    {
        return startCompact(buffer, offset, false);
    }

    /**
     * Starts a continuation at {@code offset}: a compact DATA datagram that also has no message length or fragment
     * offset, for a fragment in the middle of its message; see {@link PacketLayout}.
     */
    public PacketEncoder wrapContinuation(final MutableDirectBuffer buffer, final int offset)
    {
        return startCompact(buffer, offset, true);
    }

    private PacketEncoder startCompact(final MutableDirectBuffer buffer, final int offset, final boolean continuation)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.compact = true;
        this.continuation = continuation;
        buffer.setMemory(offset, compactHeaderLength(), (byte)0);
        buffer.putByte(offset + COMPACT_MARKER_OFFSET, (byte)(continuation ? CONTINUATION_MARKER : COMPACT_MARKER));
        return this;
    }

    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    public PacketEncoder type(final int type)
    {
        if (compact)
        {
            requireFull(type == PacketType.DATA, "type other than DATA");
            return this;
        }
        buffer.putByte(offset + TYPE_OFFSET, (byte)type);
        return this;
    }

    public PacketEncoder flags(final int flags)
    {
        buffer.putByte(offset + flagsOffset(), (byte)flags);
        return this;
    }

    public PacketEncoder destinationId(final int id)
    {
        buffer.putInt(offset + (compact ? COMPACT_DESTINATION_ID_OFFSET : DESTINATION_ID_OFFSET), id, BYTE_ORDER);
        return this;
    }

    public PacketEncoder sourceId(final int id)
    {
        requireFull(!compact, "source id");
        buffer.putInt(offset + SOURCE_ID_OFFSET, id, BYTE_ORDER);
        return this;
    }

    public PacketEncoder seq(final int seq)
    {
        buffer.putInt(offset + (compact ? COMPACT_SEQUENCE_OFFSET : SEQUENCE_OFFSET), seq, BYTE_ORDER);
        return this;
    }

    public PacketEncoder ack(final int ack)
    {
        requireFull(!compact, "acknowledgement");
        buffer.putInt(offset + ACK_OFFSET, ack, BYTE_ORDER);
        return this;
    }

    public PacketEncoder window(final int window)
    {
        requireFull(!compact, "window");
        buffer.putInt(offset + WINDOW_OFFSET, window, BYTE_ORDER);
        return this;
    }

    public PacketEncoder timestamp(final int timestampUs)
    {
        buffer.putInt(offset + (compact ? COMPACT_TIMESTAMP_OFFSET : TIMESTAMP_OFFSET), timestampUs, BYTE_ORDER);
        return this;
    }

    public PacketEncoder timestampEcho(final int timestampUs)
    {
        requireFull(!compact, "timestamp echo");
        buffer.putInt(offset + TIMESTAMP_ECHO_OFFSET, timestampUs, BYTE_ORDER);
        return this;
    }

    public PacketEncoder messageLength(final int length)
    {
        requireFull(!continuation, "message length");
        buffer.putInt(offset + (compact ? COMPACT_MESSAGE_LENGTH_OFFSET : MESSAGE_LENGTH_OFFSET), length, BYTE_ORDER);
        return this;
    }

    /** PROBE and probe-acknowledging ACK: the probe id (shares the message length field). */
    public PacketEncoder probeId(final int probeId)
    {
        requireFull(!compact, "probe id");
        buffer.putInt(offset + PROBE_ID_OFFSET, probeId, BYTE_ORDER);
        return this;
    }

    public PacketEncoder fragmentOffset(final int fragmentOffset)
    {
        requireFull(!continuation, "fragment offset");
        buffer.putInt(offset + (compact ? COMPACT_FRAGMENT_OFFSET_OFFSET : FRAGMENT_OFFSET_OFFSET), fragmentOffset,
            BYTE_ORDER);
        return this;
    }

    /** Appends SACK block number {@code index} (blocks must be written 0, 1, ...) and updates the count. */
    public PacketEncoder sack(final int index, final int start, final int end)
    {
        if (index < 0 || index >= MAX_SACK_BLOCKS)
        {
            throw new IllegalArgumentException("SACK block index " + index);
        }
        requireFull(!compact, "SACK block");
        final int at = offset + HEADER_LENGTH + index * SACK_BLOCK_LENGTH;
        buffer.putInt(at, start, BYTE_ORDER);
        buffer.putInt(at + 4, end, BYTE_ORDER);
        buffer.putByte(offset + SACK_COUNT_OFFSET, (byte)(index + 1));
        return this;
    }

    public int sackCount()
    {
        return compact ? 0 : buffer.getByte(offset + SACK_COUNT_OFFSET) & 0xFF;
    }

    public int cookieIndex()
    {
        requireFull(!compact, "cookie");
        return offset + cookieOffset(sackCount());
    }

    public int payloadIndex()
    {
        return offset + (compact ? compactHeaderLength() :
            payloadOffset(buffer.getByte(offset + FLAGS_OFFSET) & 0xFF, sackCount()));
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
        final int flags = buffer.getByte(offset + flagsOffset()) & 0xFF;
        final int length = (compact ? compactHeaderLength() : payloadOffset(flags, sackCount())) + payloadLength +
            ((flags & FLAG_AUTH) != 0 ? AUTH_TAG_LENGTH : 0);
        if (length > MAX_DATAGRAM_LENGTH || length > buffer.capacity() - offset)
        {
            throw new IllegalArgumentException("datagram of " + length + " bytes at offset " + offset +
                " exceeds the UDP limit or the buffer's capacity " + buffer.capacity());
        }
        final int checksumOffset = compact ? COMPACT_CHECKSUM_OFFSET : CHECKSUM_OFFSET;
        buffer.putShort(offset + (compact ? COMPACT_PAYLOAD_LENGTH_OFFSET : PAYLOAD_LENGTH_OFFSET), (short)payloadLength,
            BYTE_ORDER);
        buffer.putInt(offset + checksumOffset, crc32c.checksum(buffer, offset, length, checksumOffset), BYTE_ORDER);
        return length;
    }

    private int compactHeaderLength()
    {
        return continuation ? CONTINUATION_HEADER_LENGTH : COMPACT_HEADER_LENGTH;
    }

    private int flagsOffset()
    {
        return compact ? COMPACT_FLAGS_OFFSET : FLAGS_OFFSET;
    }

    private static void requireFull(final boolean allowed, final String field)
    {
        if (!allowed)
        {
            throw new IllegalStateException("a compact DATA datagram or continuation has no " + field);
        }
    }
}
