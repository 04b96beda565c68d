package io.conduit.clock;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * What the clock encodings share: byte order, the decoders' negative error codes, and unsigned LEB128 varints.
 * Decoders return the number of bytes read (positive) or one of these codes; they never throw on bad input, so a
 * receiver can count and drop a bad message without a try block on the hot path.
 * <p>
 * Varints are canonical: the shortest encoding only. That makes every timestamp's encoding unique, so a decoded
 * clock re-encodes to the exact bytes it came from. A counter is at most 2^63 - 1 and so takes at most 9 bytes.
 */
public final class ClockCodec
{
    /** Every multi-byte field is little-endian, as in the transport's wire format. */
    public static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;

    /** The input ends before the encoding does. */
    public static final int TRUNCATED = -1;
    /** The vector's process count differs from that of the clock decoded into. */
    public static final int COUNT_MISMATCH = -2;
    /** A counter exceeds 2^63 - 1 (a negative Lamport time, or a varint running past 9 bytes). */
    public static final int OUT_OF_RANGE = -3;
    /** A varint longer than its value needs, e.g. zero written as {@code 0x80 0x00}. */
    public static final int NON_CANONICAL = -4;
    /** The offset or length given is negative or reaches past the buffer's capacity. */
    public static final int BAD_RANGE = -5;

    /** Bytes a counter up to 2^63 - 1 can take: 63 bits at 7 per byte. */
    public static final int MAX_VARINT_LENGTH = 9;

    private static final int CONTINUATION_BIT = 0x80;
    private static final int PAYLOAD_BITS = 0x7F;

    private ClockCodec()
    {
    }

    /**
     * @param code a decoder's return value.
     * @return a one-line description, for logs and errors.
     */
    public static String describe(final int code)
    {
        if (code >= 0)
        {
            return "decoded " + code + " bytes";
        }
        return switch (code)
        {
            case TRUNCATED -> "truncated clock encoding";
            case COUNT_MISMATCH -> "vector clock has a different number of processes";
            case OUT_OF_RANGE -> "clock counter exceeds 2^63 - 1";
            case NON_CANONICAL -> "clock counter varint is not in its shortest form";
            case BAD_RANGE -> "offset or length outside the buffer";
            default -> "unknown clock decode error " + code;
        };
    }

    /**
     * @param value a counter, at least 0.
     * @return how many bytes its varint takes, 1 to {@link #MAX_VARINT_LENGTH}.
     */
    public static int varintLength(final long value)
    {
        // Bits needed, at least one, rounded up to 7-bit groups.
        final int bits = 64 - Long.numberOfLeadingZeros(value | 1);
        return (bits + 6) / 7;
    }

    static int checkRange(final DirectBuffer buffer, final int offset, final int length)
    {
        return offset < 0 || length < 0 || (long)offset + length > buffer.capacity() ? BAD_RANGE : 0;
    }

    /**
     * @return the index just past the varint at {@code index}, or a negative error code; reads nothing at or past
     * {@code limit}.
     */
    static int skipVarint(final DirectBuffer buffer, final int index, final int limit)
    {
        for (int i = 0; i < MAX_VARINT_LENGTH; i++)
        {
            if (i >= limit - index)
            {
                return TRUNCATED;
            }
            final int b = buffer.getByte(index + i) & 0xFF;
            if ((b & CONTINUATION_BIT) == 0)
            {
                // A zero final byte after others adds no bits: the same value fits in fewer bytes.
                return b == 0 && i > 0 ? NON_CANONICAL : index + i + 1;
            }
        }
        return OUT_OF_RANGE;
    }

    /** Reads a varint that {@link #skipVarint} has already accepted. */
    static long readVarint(final DirectBuffer buffer, final int index)
    {
        long value = 0;
        int shift = 0;
        int i = index;
        int b;
        do
        {
            b = buffer.getByte(i++) & 0xFF;
            value |= (long)(b & PAYLOAD_BITS) << shift;
            shift += 7;
        }
        while ((b & CONTINUATION_BIT) != 0);
        return value;
    }

    /** @return the index just past the written varint. */
    static int writeVarint(final MutableDirectBuffer buffer, final int index, final long value)
    {
        long remaining = value;
        int i = index;
        while ((remaining & ~PAYLOAD_BITS) != 0)
        {
            buffer.putByte(i++, (byte)((remaining & PAYLOAD_BITS) | CONTINUATION_BIT));
            remaining >>>= 7;
        }
        buffer.putByte(i++, (byte)remaining);
        return i;
    }

    static void checkCapacity(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        if (offset < 0 || (!buffer.isExpandable() && (long)offset + length > buffer.capacity()))
        {
            throw new IllegalArgumentException("clock encoding needs " + length + " bytes at offset " + offset +
                " but the buffer's capacity is " + buffer.capacity());
        }
    }
}
