package io.conduit.kv;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A client request, little-endian, a 48-byte fixed header followed by the variable fields in a fixed order:
 *
 * <pre>
 *  0               1               2               3
 *  0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7
 * +---------------+---------------+---------------+---------------+
 * |    version    |      op       |  consistency  | reserved (0)  |  0
 * +---------------+---------------+---------------+---------------+
 * |       keyLength (uint16)      |     holderLength (uint16)     |  4
 * +-------------------------------+-------------------------------+
 * |                        clientId (int64)                       |  8
 * +---------------------------------------------------------------+
 * |                        sequence (int64)                       | 16
 * +---------------------------------------------------------------+
 * |                        minIndex (int64)                       | 24
 * +---------------------------------------------------------------+
 * |                         ttlMs (int64)                         | 32
 * +---------------------------------------------------------------+
 * |                      valueLength (int32)                      | 40
 * +---------------------------------------------------------------+
 * |                    expectedLength (int32)                     | 44
 * +---------------------------------------------------------------+
 * |  key ... | value ... | expected ... | holder ...              | 48
 * +---------------------------------------------------------------+
 * </pre>
 *
 * All lengths sit in the header so every field's position is known before any variable byte is read. Which fields
 * an op carries: PUT key+value; GET key; CAS key+expected+value (the new value); DELETE key; LEASE key (the lease
 * name)+holder+ttlMs. A field an op does not carry must be empty (ttlMs 0), so each request has exactly one
 * encoding. {@code clientId} (non-zero) and {@code sequence} (from 1, one request at a time per client) name the
 * client session; {@code minIndex} is the highest log index the client has seen, used by sequential reads.
 * Writes are linearizable whatever {@code consistency} says; it only matters for GET.
 * <p>
 * Decode: {@link #wrap} then {@link #validate}, which returns the length or a {@link KvCodecError} and never reads
 * outside {@code [offset, offset + length)}; the field getters are meaningful only after a successful validate.
 */
public final class KvRequestFlyweight
{
    public static final int VERSION = 1;

    public static final int VERSION_OFFSET = 0;
    public static final int OP_OFFSET = 1;
    public static final int CONSISTENCY_OFFSET = 2;
    public static final int RESERVED_OFFSET = 3;
    public static final int KEY_LENGTH_OFFSET = 4;
    public static final int HOLDER_LENGTH_OFFSET = 6;
    public static final int CLIENT_ID_OFFSET = 8;
    public static final int SEQUENCE_OFFSET = 16;
    public static final int MIN_INDEX_OFFSET = 24;
    public static final int TTL_MS_OFFSET = 32;
    public static final int VALUE_LENGTH_OFFSET = 40;
    public static final int EXPECTED_LENGTH_OFFSET = 44;
    public static final int HEADER_LENGTH = 48;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private DirectBuffer buffer;
    private int offset;
    private int length;

    /** Points at {@code length} bytes of {@code source} from {@code offset}; no copy. */
    public KvRequestFlyweight wrap(final DirectBuffer source, final int offset, final int length)
    {
        this.buffer = source;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /** The length of the longest valid request under {@code config}. */
    public static int maxLength(final KvConfig config)
    {
        return HEADER_LENGTH + config.maxKeyLength() + 2 * config.maxValueLength() + config.maxHolderLength();
    }

    /**
     * Checks the wrapped bytes are exactly one valid request under {@code config}.
     *
     * @return the request's length (equal to the wrapped length), or a negative {@link KvCodecError}.
     */
    public int validate(final KvConfig config)
    {
        if (length < HEADER_LENGTH)
        {
            return KvCodecError.TOO_SHORT;
        }
        if ((buffer.getByte(offset + VERSION_OFFSET) & 0xFF) != VERSION)
        {
            return KvCodecError.BAD_VERSION;
        }
        final KvOp op = op();
        if (op == null)
        {
            return KvCodecError.BAD_OP;
        }
        if (consistency() == null)
        {
            return KvCodecError.BAD_CONSISTENCY;
        }
        if (buffer.getByte(offset + RESERVED_OFFSET) != 0)
        {
            return KvCodecError.NONZERO_RESERVED;
        }
        if (clientId() == 0 || sequence() < 1 || minIndex() < 0)
        {
            return KvCodecError.BAD_NUMBER;
        }
        final int lengths = validateLengths(config);
        if (lengths != 0)
        {
            return lengths;
        }
        final int fields = validateFields(op, config);
        if (fields != 0)
        {
            return fields;
        }
        return KvTokens.isToken(buffer, offset + HEADER_LENGTH, length - HEADER_LENGTH) ? length :
            KvCodecError.BAD_TOKEN;
    }

    private int validateLengths(final KvConfig config)
    {
        final int valueLength = valueLength();
        final int expectedLength = expectedLength();
        if (valueLength < 0 || expectedLength < 0)
        {
            return KvCodecError.BAD_LENGTH;
        }
        final long total = (long)HEADER_LENGTH + keyLength() + valueLength + expectedLength + holderLength();
        if (total != length)
        {
            return KvCodecError.BAD_LENGTH;
        }
        if (keyLength() > config.maxKeyLength() || valueLength > config.maxValueLength() ||
            expectedLength > config.maxValueLength() || holderLength() > config.maxHolderLength())
        {
            return KvCodecError.TOO_LONG;
        }
        return 0;
    }

    private int validateFields(final KvOp op, final KvConfig config)
    {
        final boolean wantsValue = op == KvOp.PUT || op == KvOp.CAS;
        final boolean wantsExpected = op == KvOp.CAS;
        final boolean wantsHolder = op == KvOp.LEASE;
        if (keyLength() == 0 || (wantsValue && valueLength() == 0) || (wantsExpected && expectedLength() == 0) ||
            (wantsHolder && holderLength() == 0))
        {
            return KvCodecError.MISSING_FIELD;
        }
        if ((!wantsValue && valueLength() != 0) || (!wantsExpected && expectedLength() != 0) ||
            (!wantsHolder && holderLength() != 0))
        {
            return KvCodecError.UNEXPECTED_FIELD;
        }
        final long ttlMs = ttlMs();
        if (op == KvOp.LEASE ? ttlMs < 1 || ttlMs > config.maxTtlMs() : ttlMs != 0)
        {
            return KvCodecError.BAD_NUMBER;
        }
        return 0;
    }

    /**
     * Encodes one request into {@code out} at {@code offset}, writing exactly what it is given (validity is
     * {@link #validate}'s business, so tests can build invalid requests too).
     *
     * @return the encoded length, {@link KvOperation#encodedLength()}.
     */
    public static int encode(
        final MutableDirectBuffer out,
        final int offset,
        final long clientId,
        final long sequence,
        final Consistency consistency,
        final long minIndex,
        final KvOperation operation)
    {
        out.putByte(offset + VERSION_OFFSET, (byte)VERSION);
        out.putByte(offset + OP_OFFSET, (byte)operation.op().code());
        out.putByte(offset + CONSISTENCY_OFFSET, (byte)consistency.code());
        out.putByte(offset + RESERVED_OFFSET, (byte)0);
        out.putShort(offset + KEY_LENGTH_OFFSET, (short)operation.key().length, ORDER);
        out.putShort(offset + HOLDER_LENGTH_OFFSET, (short)operation.holder().length, ORDER);
        out.putLong(offset + CLIENT_ID_OFFSET, clientId, ORDER);
        out.putLong(offset + SEQUENCE_OFFSET, sequence, ORDER);
        out.putLong(offset + MIN_INDEX_OFFSET, minIndex, ORDER);
        out.putLong(offset + TTL_MS_OFFSET, operation.ttlMs(), ORDER);
        out.putInt(offset + VALUE_LENGTH_OFFSET, operation.value().length, ORDER);
        out.putInt(offset + EXPECTED_LENGTH_OFFSET, operation.expected().length, ORDER);
        int position = offset + HEADER_LENGTH;
        out.putBytes(position, operation.key());
        position += operation.key().length;
        out.putBytes(position, operation.value());
        position += operation.value().length;
        out.putBytes(position, operation.expected());
        position += operation.expected().length;
        out.putBytes(position, operation.holder());
        return position + operation.holder().length - offset;
    }

    /** The operation with its fields copied out (allocates; for clients, tests and the text protocol). */
    public KvOperation operation()
    {
        return new KvOperation(op(), keyBytes(), copy(valueOffset(), valueLength()),
            copy(expectedOffset(), expectedLength()), copy(holderOffset(), holderLength()), ttlMs());
    }

    /** The wrapped buffer, for reading fields in place at the {@code *Offset()} positions. */
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

    /** The operation, or null for an unknown op byte. */
    public KvOp op()
    {
        return KvOp.fromCode(buffer.getByte(offset + OP_OFFSET) & 0xFF);
    }

    /** The consistency, or null for an unknown byte. */
    public Consistency consistency()
    {
        return Consistency.fromCode(buffer.getByte(offset + CONSISTENCY_OFFSET) & 0xFF);
    }

    public long clientId()
    {
        return buffer.getLong(offset + CLIENT_ID_OFFSET, ORDER);
    }

    public KvRequestFlyweight clientId(final long clientId)
    {
        mutable().putLong(offset + CLIENT_ID_OFFSET, clientId, ORDER);
        return this;
    }

    public long sequence()
    {
        return buffer.getLong(offset + SEQUENCE_OFFSET, ORDER);
    }

    public KvRequestFlyweight sequence(final long sequence)
    {
        mutable().putLong(offset + SEQUENCE_OFFSET, sequence, ORDER);
        return this;
    }

    public long minIndex()
    {
        return buffer.getLong(offset + MIN_INDEX_OFFSET, ORDER);
    }

    /** Sets minIndex in place, so a sequential client can carry its latest seen index into a retry. */
    public KvRequestFlyweight minIndex(final long minIndex)
    {
        mutable().putLong(offset + MIN_INDEX_OFFSET, minIndex, ORDER);
        return this;
    }

    public long ttlMs()
    {
        return buffer.getLong(offset + TTL_MS_OFFSET, ORDER);
    }

    public int keyLength()
    {
        return buffer.getShort(offset + KEY_LENGTH_OFFSET, ORDER) & 0xFFFF;
    }

    public int holderLength()
    {
        return buffer.getShort(offset + HOLDER_LENGTH_OFFSET, ORDER) & 0xFFFF;
    }

    public int valueLength()
    {
        return buffer.getInt(offset + VALUE_LENGTH_OFFSET, ORDER);
    }

    public int expectedLength()
    {
        return buffer.getInt(offset + EXPECTED_LENGTH_OFFSET, ORDER);
    }

    /** Absolute offset of the key in {@link #buffer()}. */
    public int keyOffset()
    {
        return offset + HEADER_LENGTH;
    }

    public int valueOffset()
    {
        return keyOffset() + keyLength();
    }

    public int expectedOffset()
    {
        return valueOffset() + valueLength();
    }

    public int holderOffset()
    {
        return expectedOffset() + expectedLength();
    }

    public byte[] keyBytes()
    {
        return copy(keyOffset(), keyLength());
    }

    public byte[] valueBytes()
    {
        return copy(valueOffset(), valueLength());
    }

    public byte[] expectedBytes()
    {
        return copy(expectedOffset(), expectedLength());
    }

    public byte[] holderBytes()
    {
        return copy(holderOffset(), holderLength());
    }

    private byte[] copy(final int at, final int count)
    {
        final byte[] bytes = new byte[count];
        buffer.getBytes(at, bytes);
        return bytes;
    }

    private MutableDirectBuffer mutable()
    {
        if (!(buffer instanceof MutableDirectBuffer))
        {
            throw new IllegalStateException("the wrapped buffer is read-only");
        }
        return (MutableDirectBuffer)buffer;
    }
}
