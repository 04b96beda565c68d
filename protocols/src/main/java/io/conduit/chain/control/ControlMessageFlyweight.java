package io.conduit.chain.control;

import java.nio.ByteOrder;

import io.conduit.kv.KvCodecError;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The control plane's messages outside the Raft log (plane {@link PlaneTag#CONTROL}): read-lease requests and grants,
 * and proposals a member asks the Raft leader to make for it. 32 bytes, little-endian.
 *
 * <pre>
 *  0               1               2               3
 *  0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7
 * +---------------+---------------+-------------------------------+
 * |     type      |    version    |         reserved (0)          |  0
 * +---------------+---------------+-------------------------------+
 * |                         reserved (0)                          |  4
 * +---------------------------------------------------------------+
 * |  LEASE_*: epoch (int64)         PROPOSAL: the 24-byte          |  8
 * |  LEASE_*: incarnation (int64)   {@link ControlCommandFlyweight} | 16
 * |  LEASE_*: sentNs (int64)        (REQUEST_JOIN, REPORT_SYNCED)  | 24
 * +---------------------------------------------------------------+
 * </pre>
 *
 * <ul>
 *   <li>{@link #LEASE_REQUEST}: the sender's replica {@code incarnation} serves epoch {@code epoch} and asks for a
 *       read lease, measured from {@code sentNs} on its own clock.</li>
 *   <li>{@link #LEASE_GRANT}: the leader confirmed (by a ReadIndex round) that {@code epoch} is current with that
 *       incarnation in it; {@code sentNs} echoes the request's.</li>
 *   <li>{@link #PROPOSAL}: please propose this command (about the sender itself) to the Raft log.</li>
 * </ul>
 */
public final class ControlMessageFlyweight
{
    public static final byte LEASE_REQUEST = 1;
    public static final byte LEASE_GRANT = 2;
    public static final byte PROPOSAL = 3;

    public static final int VERSION = 1;

    public static final int TYPE_OFFSET = 0;
    public static final int VERSION_OFFSET = 1;
    public static final int RESERVED_OFFSET = 2;
    public static final int RESERVED_2_OFFSET = 4;
    public static final int EPOCH_OFFSET = 8;
    public static final int INCARNATION_OFFSET = 16;
    public static final int SENT_NS_OFFSET = 24;
    public static final int COMMAND_OFFSET = 8;
    public static final int LENGTH = 32;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private DirectBuffer buffer;
    private int offset;

    public ControlMessageFlyweight wrap(final DirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    /**
     * Checks {@code [offset, offset + length)} holds exactly one valid message, without throwing.
     *
     * @return 0, or a negative {@link KvCodecError}.
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
        if (buffer.getShort(offset + RESERVED_OFFSET, ORDER) != 0 ||
            buffer.getInt(offset + RESERVED_2_OFFSET, ORDER) != 0)
        {
            return KvCodecError.NONZERO_RESERVED;
        }
        final byte type = buffer.getByte(offset + TYPE_OFFSET);
        if (type == PROPOSAL)
        {
            return ControlCommandFlyweight.validate(buffer, offset + COMMAND_OFFSET, ControlCommandFlyweight.LENGTH);
        }
        if (type != LEASE_REQUEST && type != LEASE_GRANT)
        {
            return KvCodecError.BAD_OP;
        }
        final boolean valid = buffer.getLong(offset + EPOCH_OFFSET, ORDER) >= 1 &&
            buffer.getLong(offset + INCARNATION_OFFSET, ORDER) != 0;
        return valid ? 0 : KvCodecError.BAD_NUMBER;
    }

    public byte type()
    {
        return buffer.getByte(offset + TYPE_OFFSET);
    }

    public long epoch()
    {
        return buffer.getLong(offset + EPOCH_OFFSET, ORDER);
    }

    public long incarnation()
    {
        return buffer.getLong(offset + INCARNATION_OFFSET, ORDER);
    }

    public long sentNs()
    {
        return buffer.getLong(offset + SENT_NS_OFFSET, ORDER);
    }

    /** Where a PROPOSAL's command starts in the wrapped buffer. */
    public int commandOffset()
    {
        return offset + COMMAND_OFFSET;
    }

    /** @return {@link #LENGTH}. */
    public static int encodeLease(
        final MutableDirectBuffer out, final int offset, final byte type, final long epoch, final long incarnation,
        final long sentNs)
    {
        header(out, offset, type);
        out.putLong(offset + EPOCH_OFFSET, epoch, ORDER);
        out.putLong(offset + INCARNATION_OFFSET, incarnation, ORDER);
        out.putLong(offset + SENT_NS_OFFSET, sentNs, ORDER);
        return LENGTH;
    }

    /** A PROPOSAL carrying the command at {@code [commandOffset, commandOffset + 24)} of {@code command}. */
    public static int encodeProposal(
        final MutableDirectBuffer out, final int offset, final DirectBuffer command, final int commandOffset)
    {
        header(out, offset, PROPOSAL);
        out.putBytes(offset + COMMAND_OFFSET, command, commandOffset, ControlCommandFlyweight.LENGTH);
        return LENGTH;
    }

    private static void header(final MutableDirectBuffer out, final int offset, final byte type)
    {
        out.putByte(offset + TYPE_OFFSET, type);
        out.putByte(offset + VERSION_OFFSET, (byte)VERSION);
        out.putShort(offset + RESERVED_OFFSET, (short)0, ORDER);
        out.putInt(offset + RESERVED_2_OFFSET, 0, ORDER);
    }
}
