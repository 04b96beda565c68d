package io.conduit.chain;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The wire format of {@link ChainMessage}s, little-endian, for the node agent to put on an
 * {@code io.conduit.messaging} binding. A 16-byte header, then the type's fields:
 * <pre>
 *  0               1               2               3
 *  0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7
 * +---------------+---------------+-------------------------------+
 * |    version    |     type      |        reserved (0)           |  0
 * +---------------+---------------+-------------------------------+
 * |   count (int32): updates, chunk or payload bytes, else 0      |  4
 * +---------------------------------------------------------------+
 * |                          epoch (int64)                        |  8
 * +---------------------------------------------------------------+
 * FORWARD        count x [sequence (int64) | term (int64) | commandLength (int32) | command]
 * ACK            committedSequence (int64)
 * HELLO          lastSequence (int64) | committedSequence (int64)
 * RESUME         afterSequence (int64)
 * SNAPSHOT_CHUNK snapshotSequence | committedSequence | totalLength | chunkOffset (int64 each) | count bytes
 * READ_QUERY     queryId (int64) | count bytes of request
 * READ_REPLY     queryId (int64) | count bytes of response
 * </pre>
 * {@link #validate} checks that the bytes are exactly one well-formed message and never reads outside
 * {@code [offset, offset + length)}; {@link #decode} returns {@code null} for anything that does not validate.
 * Neither throws. Semantic checks (is this sender my predecessor?) are the replica's.
 */
public final class ChainMessageCodec
{
    public static final int VERSION = 1;
    public static final int MAX_UPDATES_PER_MESSAGE = 1 << 16;

    public static final int VERSION_OFFSET = 0;
    public static final int TYPE_OFFSET = 1;
    public static final int RESERVED_OFFSET = 2;
    public static final int COUNT_OFFSET = 4;
    public static final int EPOCH_OFFSET = 8;
    public static final int HEADER_LENGTH = 16;

    public static final int FIELD_1_OFFSET = 16;
    public static final int FIELD_2_OFFSET = 24;
    public static final int FIELD_3_OFFSET = 32;
    public static final int FIELD_4_OFFSET = 40;
    public static final int SNAPSHOT_CHUNK_HEADER_LENGTH = 48;
    public static final int READ_HEADER_LENGTH = 24;
    public static final int UPDATE_HEADER_LENGTH = 20;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private ChainMessageCodec()
    {
    }

    /** The bytes {@link #encode} writes for {@code message}. */
    public static int encodedLength(final ChainMessage message)
    {
        switch (message.type())
        {
            case FORWARD:
                int length = HEADER_LENGTH;
                for (final ChainUpdate update : ((ChainMessage.Forward)message).updates())
                {
                    length += UPDATE_HEADER_LENGTH + update.command().length;
                }
                return length;
            case ACK:
            case RESUME:
                return HEADER_LENGTH + Long.BYTES;
            case HELLO:
                return HEADER_LENGTH + 2 * Long.BYTES;
            case SNAPSHOT_CHUNK:
                return SNAPSHOT_CHUNK_HEADER_LENGTH + ((ChainMessage.SnapshotChunk)message).bytes().length;
            case READ_QUERY:
                return READ_HEADER_LENGTH + ((ChainMessage.ReadQuery)message).request().length;
            case READ_REPLY:
                return READ_HEADER_LENGTH + ((ChainMessage.ReadReply)message).response().length;
            default:
                throw new IllegalStateException("unhandled type " + message.type());
        }
    }

    /**
     * Writes {@code message} at {@code offset}; the buffer must have {@link #encodedLength} bytes there.
     *
     * @return the encoded length.
     */
    public static int encode(final ChainMessage message, final MutableDirectBuffer out, final int offset)
    {
        out.putByte(offset + VERSION_OFFSET, (byte)VERSION);
        out.putByte(offset + TYPE_OFFSET, (byte)message.type().code());
        out.putShort(offset + RESERVED_OFFSET, (short)0, ORDER);
        out.putInt(offset + COUNT_OFFSET, 0, ORDER);
        out.putLong(offset + EPOCH_OFFSET, message.epoch(), ORDER);
        if (message instanceof ChainMessage.Forward forward)
        {
            return encodeForward(forward, out, offset);
        }
        if (message instanceof ChainMessage.Ack ack)
        {
            out.putLong(offset + FIELD_1_OFFSET, ack.committedSequence(), ORDER);
            return HEADER_LENGTH + Long.BYTES;
        }
        if (message instanceof ChainMessage.Hello hello)
        {
            out.putLong(offset + FIELD_1_OFFSET, hello.lastSequence(), ORDER);
            out.putLong(offset + FIELD_2_OFFSET, hello.committedSequence(), ORDER);
            return HEADER_LENGTH + 2 * Long.BYTES;
        }
        if (message instanceof ChainMessage.Resume resume)
        {
            out.putLong(offset + FIELD_1_OFFSET, resume.afterSequence(), ORDER);
            return HEADER_LENGTH + Long.BYTES;
        }
        if (message instanceof ChainMessage.SnapshotChunk chunk)
        {
            out.putInt(offset + COUNT_OFFSET, chunk.bytes().length, ORDER);
            out.putLong(offset + FIELD_1_OFFSET, chunk.snapshotSequence(), ORDER);
            out.putLong(offset + FIELD_2_OFFSET, chunk.committedSequence(), ORDER);
            out.putLong(offset + FIELD_3_OFFSET, chunk.totalLength(), ORDER);
            out.putLong(offset + FIELD_4_OFFSET, chunk.chunkOffset(), ORDER);
            out.putBytes(offset + SNAPSHOT_CHUNK_HEADER_LENGTH, chunk.bytes());
            return SNAPSHOT_CHUNK_HEADER_LENGTH + chunk.bytes().length;
        }
        if (message instanceof ChainMessage.ReadQuery query)
        {
            return encodeRead(out, offset, query.queryId(), query.request());
        }
        final ChainMessage.ReadReply reply = (ChainMessage.ReadReply)message;
        return encodeRead(out, offset, reply.queryId(), reply.response());
    }

    private static int encodeForward(
        final ChainMessage.Forward forward, final MutableDirectBuffer out, final int offset)
    {
        out.putInt(offset + COUNT_OFFSET, forward.updates().size(), ORDER);
        int position = offset + HEADER_LENGTH;
        for (final ChainUpdate update : forward.updates())
        {
            out.putLong(position, update.sequence(), ORDER);
            out.putLong(position + Long.BYTES, update.term(), ORDER);
            out.putInt(position + 2 * Long.BYTES, update.command().length, ORDER);
            out.putBytes(position + UPDATE_HEADER_LENGTH, update.command());
            position += UPDATE_HEADER_LENGTH + update.command().length;
        }
        return position - offset;
    }

    private static int encodeRead(
        final MutableDirectBuffer out, final int offset, final long queryId, final byte[] payload)
    {
        out.putInt(offset + COUNT_OFFSET, payload.length, ORDER);
        out.putLong(offset + FIELD_1_OFFSET, queryId, ORDER);
        out.putBytes(offset + READ_HEADER_LENGTH, payload);
        return READ_HEADER_LENGTH + payload.length;
    }

    /**
     * Checks the bytes are exactly one well-formed message.
     *
     * @return {@code length}, or a negative {@link ChainCodecError}.
     */
    public static int validate(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < HEADER_LENGTH)
        {
            return ChainCodecError.TOO_SHORT;
        }
        if ((buffer.getByte(offset + VERSION_OFFSET) & 0xFF) != VERSION)
        {
            return ChainCodecError.BAD_VERSION;
        }
        final ChainMessageType type = ChainMessageType.fromCode(buffer.getByte(offset + TYPE_OFFSET) & 0xFF);
        if (type == null)
        {
            return ChainCodecError.BAD_TYPE;
        }
        if (buffer.getShort(offset + RESERVED_OFFSET, ORDER) != 0)
        {
            return ChainCodecError.NONZERO_RESERVED;
        }
        final long epoch = buffer.getLong(offset + EPOCH_OFFSET, ORDER);
        if (epoch < ChainConfiguration.FIRST_EPOCH)
        {
            return ChainCodecError.BAD_NUMBER;
        }
        final int count = buffer.getInt(offset + COUNT_OFFSET, ORDER);
        final int result = validateBody(type, buffer, offset, length, count, epoch);
        return result < 0 ? result : length;
    }

    private static int validateBody(
        final ChainMessageType type,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final int count,
        final long epoch)
    {
        switch (type)
        {
            case FORWARD:
                return validateForward(buffer, offset, length, count, epoch);
            case ACK:
            case RESUME:
                final int shape = validateFixed(length, count, HEADER_LENGTH + Long.BYTES);
                return shape < 0 || buffer.getLong(offset + FIELD_1_OFFSET, ORDER) >= 0 ? shape :
                    ChainCodecError.BAD_NUMBER;
            case HELLO:
                final int helloShape = validateFixed(length, count, HEADER_LENGTH + 2 * Long.BYTES);
                if (helloShape < 0)
                {
                    return helloShape;
                }
                final long last = buffer.getLong(offset + FIELD_1_OFFSET, ORDER);
                final long committed = buffer.getLong(offset + FIELD_2_OFFSET, ORDER);
                return committed >= 0 && committed <= last ? 0 : ChainCodecError.BAD_NUMBER;
            case SNAPSHOT_CHUNK:
                return validateSnapshotChunk(buffer, offset, length, count);
            default:
                return validateRead(buffer, offset, length, count);
        }
    }

    private static int validateFixed(final int length, final int count, final int expected)
    {
        if (length != expected || count != 0)
        {
            return length < expected ? ChainCodecError.TOO_SHORT : ChainCodecError.BAD_LENGTH;
        }
        return 0;
    }

    private static int validateForward(
        final DirectBuffer buffer, final int offset, final int length, final int count, final long epoch)
    {
        if (count < 1 || count > MAX_UPDATES_PER_MESSAGE)
        {
            return ChainCodecError.BAD_COUNT;
        }
        int position = HEADER_LENGTH;
        long previous = -1;
        for (int i = 0; i < count; i++)
        {
            if (length - position < UPDATE_HEADER_LENGTH)
            {
                return ChainCodecError.BAD_LENGTH;
            }
            final long sequence = buffer.getLong(offset + position, ORDER);
            final long term = buffer.getLong(offset + position + Long.BYTES, ORDER);
            final int commandLength = buffer.getInt(offset + position + 2 * Long.BYTES, ORDER);
            if (sequence < 1 || term < 1 || term > epoch)
            {
                return ChainCodecError.BAD_NUMBER;
            }
            if (previous >= 0 && sequence != previous + 1)
            {
                return ChainCodecError.NOT_CONSECUTIVE;
            }
            if (commandLength < 0 || commandLength > length - position - UPDATE_HEADER_LENGTH)
            {
                return ChainCodecError.BAD_LENGTH;
            }
            previous = sequence;
            position += UPDATE_HEADER_LENGTH + commandLength;
        }
        return position == length ? 0 : ChainCodecError.BAD_LENGTH;
    }

    private static int validateSnapshotChunk(
        final DirectBuffer buffer, final int offset, final int length, final int count)
    {
        if (length < SNAPSHOT_CHUNK_HEADER_LENGTH)
        {
            return ChainCodecError.TOO_SHORT;
        }
        if (count < 0 || count != length - SNAPSHOT_CHUNK_HEADER_LENGTH)
        {
            return ChainCodecError.BAD_LENGTH;
        }
        final long snapshotSequence = buffer.getLong(offset + FIELD_1_OFFSET, ORDER);
        final long committed = buffer.getLong(offset + FIELD_2_OFFSET, ORDER);
        final long total = buffer.getLong(offset + FIELD_3_OFFSET, ORDER);
        final long chunkOffset = buffer.getLong(offset + FIELD_4_OFFSET, ORDER);
        if (snapshotSequence < 0 || committed < 0 || committed > snapshotSequence)
        {
            return ChainCodecError.BAD_NUMBER;
        }
        if (total < 0 || total > Integer.MAX_VALUE || chunkOffset < 0 || chunkOffset > total - count ||
            (count == 0 && total != 0))
        {
            return ChainCodecError.BAD_LENGTH;
        }
        return 0;
    }

    private static int validateRead(final DirectBuffer buffer, final int offset, final int length, final int count)
    {
        if (length < READ_HEADER_LENGTH)
        {
            return ChainCodecError.TOO_SHORT;
        }
        if (count < 0 || count != length - READ_HEADER_LENGTH)
        {
            return ChainCodecError.BAD_LENGTH;
        }
        return buffer.getLong(offset + FIELD_1_OFFSET, ORDER) >= 0 ? 0 : ChainCodecError.BAD_NUMBER;
    }

    /** The message the bytes hold, or {@code null} when they do not {@link #validate}. Copies; never throws. */
    public static ChainMessage decode(final DirectBuffer buffer, final int offset, final int length)
    {
        if (validate(buffer, offset, length) < 0)
        {
            return null;
        }
        final ChainMessageType type = ChainMessageType.fromCode(buffer.getByte(offset + TYPE_OFFSET) & 0xFF);
        final long epoch = buffer.getLong(offset + EPOCH_OFFSET, ORDER);
        final int count = buffer.getInt(offset + COUNT_OFFSET, ORDER);
        switch (type)
        {
            case FORWARD:
                return decodeForward(buffer, offset, epoch, count);
            case ACK:
                return new ChainMessage.Ack(epoch, buffer.getLong(offset + FIELD_1_OFFSET, ORDER));
            case HELLO:
                return new ChainMessage.Hello(epoch, buffer.getLong(offset + FIELD_1_OFFSET, ORDER),
                    buffer.getLong(offset + FIELD_2_OFFSET, ORDER));
            case RESUME:
                return new ChainMessage.Resume(epoch, buffer.getLong(offset + FIELD_1_OFFSET, ORDER));
            case SNAPSHOT_CHUNK:
                return new ChainMessage.SnapshotChunk(epoch, buffer.getLong(offset + FIELD_1_OFFSET, ORDER),
                    buffer.getLong(offset + FIELD_2_OFFSET, ORDER), buffer.getLong(offset + FIELD_3_OFFSET, ORDER),
                    buffer.getLong(offset + FIELD_4_OFFSET, ORDER),
                    copy(buffer, offset + SNAPSHOT_CHUNK_HEADER_LENGTH, count));
            case READ_QUERY:
                return new ChainMessage.ReadQuery(epoch, buffer.getLong(offset + FIELD_1_OFFSET, ORDER),
                    copy(buffer, offset + READ_HEADER_LENGTH, count));
            default:
                return new ChainMessage.ReadReply(epoch, buffer.getLong(offset + FIELD_1_OFFSET, ORDER),
                    copy(buffer, offset + READ_HEADER_LENGTH, count));
        }
    }

    private static ChainMessage decodeForward(
        final DirectBuffer buffer, final int offset, final long epoch, final int count)
    {
        final List<ChainUpdate> updates = new ArrayList<>(count);
        int position = offset + HEADER_LENGTH;
        for (int i = 0; i < count; i++)
        {
            final long sequence = buffer.getLong(position, ORDER);
            final long term = buffer.getLong(position + Long.BYTES, ORDER);
            final int commandLength = buffer.getInt(position + 2 * Long.BYTES, ORDER);
            updates.add(new ChainUpdate(sequence, term, copy(buffer, position + UPDATE_HEADER_LENGTH, commandLength)));
            position += UPDATE_HEADER_LENGTH + commandLength;
        }
        return new ChainMessage.Forward(epoch, updates);
    }

    private static byte[] copy(final DirectBuffer buffer, final int at, final int count)
    {
        final byte[] bytes = new byte[count];
        buffer.getBytes(at, bytes);
        return bytes;
    }
}
