package io.conduit.transport.codec;

import org.agrona.DirectBuffer;

import static io.conduit.transport.codec.PacketLayout.*;

/**
 * Validating reader over one received datagram. {@link #wrap} checks everything a later reader relies on (length,
 * magic, version, type, flags, SACK count and blocks, fragment fields, batch frames, checksum) and returns a
 * {@link RejectReason} code; getters may be used only after it returned {@link RejectReason#NONE}. It never throws for any input and never
 * reads outside {@code [offset, offset + length)}. One instance per thread; it holds no per-packet state beyond the
 * current wrap.
 */
public final class PacketDecoder
{
    /** A SACK block can never span more segments than this (a generous bound above any receive window). */
    public static final int MAX_SACK_SPAN = 1 << 30;

    private final Crc32c crc32c = new Crc32c();
    private final boolean authEnabled;
    private DirectBuffer buffer;
    private int offset;
    private int length;
    private boolean compact;
    private boolean continuation;

    public PacketDecoder()
    {
        this(false);
    }

    public PacketDecoder(final boolean authEnabled)
    {
        this.authEnabled = authEnabled;
    }

    /**
     * Validates the datagram and, when valid, makes its fields readable.
     *
     * @return a {@link RejectReason} code, {@code RejectReason.NONE.code()} (0) when the datagram is well formed.
     */
    public int wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        this.compact = false;
        this.continuation = false;
        if (length < 1 || offset < 0 || length > buffer.capacity() - offset)
        {
            return RejectReason.TRUNCATED.code();
        }
        final int marker = buffer.getByte(offset + COMPACT_MARKER_OFFSET) & 0xFF;
        if (marker == COMPACT_MARKER || marker == CONTINUATION_MARKER)
        {
            compact = true;
            continuation = marker == CONTINUATION_MARKER;
            return wrapCompact(length);
        }
        if (length < HEADER_LENGTH)
        {
            return RejectReason.TRUNCATED.code();
        }
        if (buffer.getShort(offset + MAGIC_OFFSET, BYTE_ORDER) != MAGIC)
        {
            return RejectReason.BAD_MAGIC.code();
        }
        if ((buffer.getByte(offset + VERSION_OFFSET) & 0xFF) != VERSION)
        {
            return RejectReason.BAD_VERSION.code();
        }
        final int type = type();
        if (!PacketType.isValid(type))
        {
            return RejectReason.BAD_TYPE.code();
        }
        final int flags = flags();
        final int flagsVerdict = checkFlags(flags);
        if (flagsVerdict != RejectReason.NONE.code())
        {
            return flagsVerdict;
        }
        final int sackCount = sackCount();
        if (sackCount > MAX_SACK_BLOCKS || (sackCount > 0 && type != PacketType.ACK))
        {
            return RejectReason.BAD_SACK_COUNT.code();
        }
        if (payloadOffset(flags, sackCount) + payloadLength() + authTagLength(flags) != length)
        {
            return RejectReason.LENGTH_MISMATCH.code();
        }
        if (crc32c.checksum(buffer, offset, length) != checksum())
        {
            return RejectReason.BAD_CHECKSUM.code();
        }
        return validateSemantics(type, flags, sackCount);
    }

    /**
     * The compact form and the continuation are DATA only, with no SACK and no cookie; the DATA rules of the full form
     * then apply. A continuation is a middle fragment, so it can be no batch (a batch holds whole messages).
     */
    private int wrapCompact(final int length)
    {
        if (length < compactHeaderLength())
        {
            return RejectReason.TRUNCATED.code();
        }
        final int flags = flags();
        final int flagsVerdict = checkFlags(flags);
        if (flagsVerdict != RejectReason.NONE.code())
        {
            return flagsVerdict;
        }
        if (compactHeaderLength() + payloadLength() + authTagLength(flags) != length)
        {
            return RejectReason.LENGTH_MISMATCH.code();
        }
        if (crc32c.checksum(buffer, offset, length, COMPACT_CHECKSUM_OFFSET) != checksum())
        {
            return RejectReason.BAD_CHECKSUM.code();
        }
        if ((flags & FLAG_COOKIE) != 0)
        {
            return RejectReason.BAD_COOKIE_PLACEMENT.code();
        }
        if (continuation && (flags & (FLAG_BATCH | FLAG_SPAN)) != 0)
        {
            return RejectReason.BAD_FRAGMENT.code();
        }
        return validateSemantics(PacketType.DATA, flags, 0);
    }

    /** Both forms: no undefined flag bit, and an authentication tag only where this decoder frames one. */
    private int checkFlags(final int flags)
    {
        if ((flags & ~KNOWN_FLAGS) != 0)
        {
            return RejectReason.BAD_FLAGS.code();
        }
        if ((flags & FLAG_AUTH) != 0 && !authEnabled)
        {
            return RejectReason.AUTH_UNSUPPORTED.code();
        }
        return RejectReason.NONE.code();
    }

    private static int authTagLength(final int flags)
    {
        return (flags & FLAG_AUTH) != 0 ? AUTH_TAG_LENGTH : 0;
    }

    private int validateSemantics(final int type, final int flags, final int sackCount)
    {
        final boolean hasCookie = (flags & FLAG_COOKIE) != 0;
        if ((type == PacketType.SYN_ACK && !hasCookie) || (hasCookie && (type == PacketType.SYN ||
            type == PacketType.RST || type == PacketType.PING || type == PacketType.PROBE)))
        {
            return RejectReason.BAD_COOKIE_PLACEMENT.code();
        }
        final boolean batch = (flags & FLAG_BATCH) != 0;
        if (batch && type != PacketType.DATA)
        {
            return RejectReason.BAD_BATCH.code();
        }
        final boolean span = (flags & FLAG_SPAN) != 0;
        if (span && (type != PacketType.DATA || batch))
        {
            return RejectReason.BAD_FRAGMENT.code();
        }
        final int payloadLength = payloadLength();
        if (type == PacketType.DATA)
        {
            if (payloadLength == 0)
            {
                return RejectReason.BAD_PAYLOAD.code();
            }
            if (batch)
            {
                return validateBatch(payloadLength) ? validateSacks(type, flags, sackCount) :
                    RejectReason.BAD_BATCH.code();
            }
            if (continuation)
            {
                // Its fragment fields are the receiver's to derive; ReceiveWindow checks them in order.
                return validateSacks(type, flags, sackCount);
            }
            final long messageLength = messageLength();
            final long fragmentOffset = fragmentOffset();
            if (span)
            {
                if (!validateSpan(messageLength, fragmentOffset, payloadLength))
                {
                    return RejectReason.BAD_FRAGMENT.code();
                }
            }
            else if (messageLength <= 0 || fragmentOffset < 0 || fragmentOffset + payloadLength > messageLength)
            {
                return RejectReason.BAD_FRAGMENT.code();
            }
        }
        else if (payloadLength != 0 && type != PacketType.PROBE)
        {
            return RejectReason.BAD_PAYLOAD.code();
        }
        return validateSacks(type, flags, sackCount);
    }

    /**
     * A span's payload must hold the rest of its message, the next message's length, and between one byte and all of
     * the next message; the receiver then splits it without further checks.
     */
    private boolean validateSpan(final long messageLength, final long fragmentOffset, final int payloadLength)
    {
        if (messageLength <= 0 || fragmentOffset < 0 || fragmentOffset >= messageLength)
        {
            return false;
        }
        final long head = payloadLength - (messageLength - fragmentOffset) - SPAN_LENGTH_FIELD_LENGTH;
        if (head < 1)
        {
            return false;
        }
        return spanNextMessageLength() >= head;
    }

    /**
     * The length of the message a {@link PacketLayout#FLAG_SPAN} segment begins, read from its payload; only
     * meaningful once the segment passed validation.
     */
    public int spanNextMessageLength()
    {
        return buffer.getInt(payloadIndex() + spanEndLength(), BYTE_ORDER);
    }

    /**
     * How much of the next message a {@link PacketLayout#FLAG_SPAN} segment carries: all of it, or its first
     * fragment when less than {@link #spanNextMessageLength()}; only meaningful once the segment passed validation.
     */
    public int spanNextPartLength()
    {
        return payloadLength() - spanEndLength() - SPAN_LENGTH_FIELD_LENGTH;
    }

    /** The bytes of a span that end the message its fragment fields describe. */
    private int spanEndLength()
    {
        return messageLength() - fragmentOffset();
    }

    /**
     * A batch's frames must tile its payload exactly, each holding at least one byte, and their number must equal
     * {@code messageLength}; the receiver then walks them without further checks.
     */
    private boolean validateBatch(final int payloadLength)
    {
        if (fragmentOffset() != 0)
        {
            return false;
        }
        final int payloadIndex = payloadIndex();
        final int end = payloadIndex + payloadLength;
        int index = payloadIndex;
        int frames = 0;
        while (end - index >= BATCH_FRAME_HEADER_LENGTH)
        {
            final int frameLength = buffer.getShort(index, BYTE_ORDER) & 0xFFFF;
            index += BATCH_FRAME_HEADER_LENGTH;
            if (frameLength == 0 || frameLength > end - index)
            {
                return false;
            }
            index += frameLength;
            frames++;
        }
        return index == end && frames == messageLength();
    }

    private int validateSacks(final int type, final int flags, final int sackCount)
    {
        for (int i = 0; i < sackCount; i++)
        {
            final int span = sackEnd(i) - sackStart(i);
            if (span <= 0 || span > MAX_SACK_SPAN)
            {
                return RejectReason.BAD_SACK_BLOCK.code();
            }
        }
        return validProbeFields(type, flags) ? RejectReason.NONE.code() : RejectReason.BAD_PROBE.code();
    }

    /** A PROBE names itself with an id >= 1 and has no fragment offset; only an ACK may acknowledge one. */
    private boolean validProbeFields(final int type, final int flags)
    {
        final boolean probeAck = (flags & FLAG_PROBE_ACK) != 0;
        if (probeAck && type != PacketType.ACK)
        {
            return false;
        }
        if (type == PacketType.PROBE)
        {
            return probeId() >= 1 && fragmentOffset() == 0;
        }
        return !probeAck || probeId() >= 1;
    }

    public DirectBuffer buffer()
    {
        return buffer;
    }

    public int offset()
    {
        return offset;
    }

    public int length()
    {
        return length;
    }

    /**
     * Whether this is the compact DATA form (a continuation included), which carries no source id, acknowledgement,
     * window or timestamp echo:
     * {@link #sourceId()}, {@link #ack()}, {@link #window()} and {@link #timestampEcho()} must not be read.
     */
    public boolean isCompact()
    {
        return compact;
    }

    /**
     * Whether this is a continuation: a compact DATA segment from the middle of a fragmented message, which carries no
     * message length or fragment offset ({@link #messageLength()} and {@link #fragmentOffset()} report
     * {@link PacketLayout#CONTINUES}).
     */
    public boolean isContinuation()
    {
        return continuation;
    }

    public int type()
    {
        return compact ? PacketType.DATA : buffer.getByte(offset + TYPE_OFFSET) & 0xFF;
    }

    public int flags()
    {
        return buffer.getByte(offset + (compact ? COMPACT_FLAGS_OFFSET : FLAGS_OFFSET)) & 0xFF;
    }

    public boolean hasFlag(final int flag)
    {
        return (flags() & flag) != 0;
    }

    public int sackCount()
    {
        return compact ? 0 : buffer.getByte(offset + SACK_COUNT_OFFSET) & 0xFF;
    }

    public int payloadLength()
    {
        return buffer.getShort(offset + (compact ? COMPACT_PAYLOAD_LENGTH_OFFSET : PAYLOAD_LENGTH_OFFSET),
            BYTE_ORDER) & 0xFFFF;
    }

    public int checksum()
    {
        return buffer.getInt(offset + (compact ? COMPACT_CHECKSUM_OFFSET : CHECKSUM_OFFSET), BYTE_ORDER);
    }

    public int destinationId()
    {
        return buffer.getInt(offset + (compact ? COMPACT_DESTINATION_ID_OFFSET : DESTINATION_ID_OFFSET), BYTE_ORDER);
    }

    public int sourceId()
    {
        assert !compact : "a compact DATA segment has no source id";
        return buffer.getInt(offset + SOURCE_ID_OFFSET, BYTE_ORDER);
    }

    public int seq()
    {
        return buffer.getInt(offset + (compact ? COMPACT_SEQUENCE_OFFSET : SEQUENCE_OFFSET), BYTE_ORDER);
    }

    public int ack()
    {
        assert !compact : "a compact DATA segment has no acknowledgement";
        return buffer.getInt(offset + ACK_OFFSET, BYTE_ORDER);
    }

    public int window()
    {
        assert !compact : "a compact DATA segment has no window";
        return buffer.getInt(offset + WINDOW_OFFSET, BYTE_ORDER);
    }

    public int timestamp()
    {
        return buffer.getInt(offset + (compact ? COMPACT_TIMESTAMP_OFFSET : TIMESTAMP_OFFSET), BYTE_ORDER);
    }

    public int timestampEcho()
    {
        assert !compact : "a compact DATA segment has no timestamp echo";
        return buffer.getInt(offset + TIMESTAMP_ECHO_OFFSET, BYTE_ORDER);
    }

    /** @return the message length, or {@link PacketLayout#CONTINUES} for a continuation. */
    public int messageLength()
    {
        if (continuation)
        {
            return CONTINUES;
        }
        return buffer.getInt(offset + (compact ? COMPACT_MESSAGE_LENGTH_OFFSET : MESSAGE_LENGTH_OFFSET), BYTE_ORDER);
    }

    /** PROBE, or ACK with {@link PacketLayout#FLAG_PROBE_ACK}: the probe's id. */
    public int probeId()
    {
        assert !compact : "a compact DATA segment has no probe id";
        return buffer.getInt(offset + PROBE_ID_OFFSET, BYTE_ORDER);
    }

    /** @return the fragment's offset in its message, or {@link PacketLayout#CONTINUES} for a continuation. */
    public int fragmentOffset()
    {
        if (continuation)
        {
            return CONTINUES;
        }
        return buffer.getInt(offset + (compact ? COMPACT_FRAGMENT_OFFSET_OFFSET : FRAGMENT_OFFSET_OFFSET),
            BYTE_ORDER);
    }

    public int sackStart(final int index)
    {
        return buffer.getInt(offset + HEADER_LENGTH + index * SACK_BLOCK_LENGTH, BYTE_ORDER);
    }

    public int sackEnd(final int index)
    {
        return buffer.getInt(offset + HEADER_LENGTH + index * SACK_BLOCK_LENGTH + 4, BYTE_ORDER);
    }

    /** Absolute index of the cookie in {@link #buffer()}; meaningful only when {@link PacketLayout#FLAG_COOKIE} is set. */
    public int cookieIndex()
    {
        return offset + cookieOffset(sackCount());
    }

    /** Absolute index of the payload in {@link #buffer()}. */
    public int payloadIndex()
    {
        return offset + (compact ? compactHeaderLength() : payloadOffset(flags(), sackCount()));
    }

    private int compactHeaderLength()
    {
        return continuation ? CONTINUATION_HEADER_LENGTH : COMPACT_HEADER_LENGTH;
    }
}
