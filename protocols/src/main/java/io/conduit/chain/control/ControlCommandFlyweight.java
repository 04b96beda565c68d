package io.conduit.chain.control;

import java.nio.ByteOrder;

import io.conduit.kv.KvCodecError;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A command of the chain's control state machine, as it sits in the Raft log: 24 bytes, little-endian.
 *
 * <pre>
 *  0               1               2               3
 *  0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7
 * +---------------+---------------+-------------------------------+
 * |     type      |    version    |         reserved (0)          |  0
 * +---------------+---------------+-------------------------------+
 * |                         member (int32)                        |  4
 * +---------------------------------------------------------------+
 * |                          epoch (int64)                        |  8
 * +---------------------------------------------------------------+
 * |                       incarnation (int64)                     | 16
 * +---------------------------------------------------------------+
 * </pre>
 *
 * <ul>
 *   <li>{@link #REPORT_FAILED}: {@code member} has failed, as observed at {@code epoch} (at least 1);
 *       incarnation 0.</li>
 *   <li>{@link #REQUEST_JOIN}: {@code member}'s replica {@code incarnation} (not 0) asks to be the new tail;
 *       epoch 0.</li>
 *   <li>{@link #REPORT_SYNCED}: {@code member}'s replica {@code incarnation} (not 0) holds everything committed;
 *       epoch 0.</li>
 * </ul>
 * {@link #validate} checks all of it without throwing; the state machine refuses what does not validate. Fields a
 * type does not use must be 0, so every command has one encoding.
 */
public final class ControlCommandFlyweight
{
    public static final byte REPORT_FAILED = 1;
    public static final byte REQUEST_JOIN = 2;
    public static final byte REPORT_SYNCED = 3;

    public static final int VERSION = 1;

    public static final int TYPE_OFFSET = 0;
    public static final int VERSION_OFFSET = 1;
    public static final int RESERVED_OFFSET = 2;
    public static final int MEMBER_OFFSET = 4;
    public static final int EPOCH_OFFSET = 8;
    public static final int INCARNATION_OFFSET = 16;
    public static final int LENGTH = 24;

    public static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;

    private DirectBuffer buffer;
    private int offset;

    public ControlCommandFlyweight wrap(final DirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    /**
     * Checks {@code [offset, offset + length)} holds exactly one valid command.
     *
     * @return 0, or a negative {@link KvCodecError}: BAD_LENGTH, BAD_VERSION, BAD_OP (unknown type),
     *         NONZERO_RESERVED, BAD_NUMBER (member not positive, or an epoch or incarnation the type forbids or
     *         needs), UNEXPECTED_FIELD (a field the type does not use is not 0).
     */
    public static int validate(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length != LENGTH || offset < 0 || offset > buffer.capacity() - LENGTH)
        {
            return KvCodecError.BAD_LENGTH;
        }
        if ((buffer.getByte(offset + VERSION_OFFSET) & 0xFF) != VERSION)
        {
            return KvCodecError.BAD_VERSION;
        }
        final byte type = buffer.getByte(offset + TYPE_OFFSET);
        if (type != REPORT_FAILED && type != REQUEST_JOIN && type != REPORT_SYNCED)
        {
            return KvCodecError.BAD_OP;
        }
        if (buffer.getShort(offset + RESERVED_OFFSET, BYTE_ORDER) != 0)
        {
            return KvCodecError.NONZERO_RESERVED;
        }
        if (buffer.getInt(offset + MEMBER_OFFSET, BYTE_ORDER) <= 0)
        {
            return KvCodecError.BAD_NUMBER;
        }
        final long epoch = buffer.getLong(offset + EPOCH_OFFSET, BYTE_ORDER);
        final long incarnation = buffer.getLong(offset + INCARNATION_OFFSET, BYTE_ORDER);
        if (type == REPORT_FAILED)
        {
            return epoch < 1 ? KvCodecError.BAD_NUMBER : incarnation != 0 ? KvCodecError.UNEXPECTED_FIELD : 0;
        }
        return incarnation == 0 ? KvCodecError.BAD_NUMBER : epoch != 0 ? KvCodecError.UNEXPECTED_FIELD : 0;
    }

    public byte type()
    {
        return buffer.getByte(offset + TYPE_OFFSET);
    }

    public int member()
    {
        return buffer.getInt(offset + MEMBER_OFFSET, BYTE_ORDER);
    }

    public long epoch()
    {
        return buffer.getLong(offset + EPOCH_OFFSET, BYTE_ORDER);
    }

    public long incarnation()
    {
        return buffer.getLong(offset + INCARNATION_OFFSET, BYTE_ORDER);
    }

    /** @return {@link #LENGTH}. */
    public static int encodeReportFailed(
        final MutableDirectBuffer out, final int offset, final int member, final long observedEpoch)
    {
        return encode(out, offset, REPORT_FAILED, member, observedEpoch, 0);
    }

    /** @return {@link #LENGTH}. */
    public static int encodeRequestJoin(
        final MutableDirectBuffer out, final int offset, final int member, final long incarnation)
    {
        return encode(out, offset, REQUEST_JOIN, member, 0, incarnation);
    }

    /** @return {@link #LENGTH}. */
    public static int encodeReportSynced(
        final MutableDirectBuffer out, final int offset, final int member, final long incarnation)
    {
        return encode(out, offset, REPORT_SYNCED, member, 0, incarnation);
    }

    /** Writes the fields as given (tests use it to build invalid commands); {@link #validate} judges them. */
    public static int encode(
        final MutableDirectBuffer out, final int offset, final byte type, final int member, final long epoch,
        final long incarnation)
    {
        out.putByte(offset + TYPE_OFFSET, type);
        out.putByte(offset + VERSION_OFFSET, (byte)VERSION);
        out.putShort(offset + RESERVED_OFFSET, (short)0, BYTE_ORDER);
        out.putInt(offset + MEMBER_OFFSET, member, BYTE_ORDER);
        out.putLong(offset + EPOCH_OFFSET, epoch, BYTE_ORDER);
        out.putLong(offset + INCARNATION_OFFSET, incarnation, BYTE_ORDER);
        return LENGTH;
    }

    /** The type's name, for logs. */
    public static String describe(final byte type)
    {
        switch (type)
        {
            case REPORT_FAILED: return "REPORT_FAILED";
            case REQUEST_JOIN: return "REQUEST_JOIN";
            case REPORT_SYNCED: return "REPORT_SYNCED";
            default: return "UNKNOWN(" + type + ")";
        }
    }

    @Override
    public String toString()
    {
        return describe(type()) + "(member=" + member() + " epoch=" + epoch() + " incarnation=" + incarnation() + ')';
    }
}
