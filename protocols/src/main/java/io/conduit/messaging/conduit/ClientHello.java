package io.conduit.messaging.conduit;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The first message of a client's connection to a member, and the member's reply. Both little-endian:
 *
 * <pre>
 * CLIENT_HELLO (client to member), 8 bytes
 *  0               1               2               3
 *  0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7
 * +---------------------------------------------------------------+
 * |                    magic (int32, 0xC0D1C11E)                  |  0
 * +-------------------------------+-------------------------------+
 * |       version (uint16, 1)     |      reserved (uint16, 0)     |  4
 * +-------------------------------+-------------------------------+
 *
 * CLIENT_HELLO_REPLY (member to client), 12 bytes
 * +---------------------------------------------------------------+
 * |                    magic (int32, 0xC0D1C1A9)                  |  0
 * +-------------------------------+-------------------------------+
 * |       version (uint16, 1)     |      reserved (uint16, 0)     |  4
 * +-------------------------------+-------------------------------+
 * |                      memberId (int32, > 0)                    |  8
 * +---------------------------------------------------------------+
 * </pre>
 *
 * A peer's HELLO (magic 0xC0D14E11, member id) is also 8 bytes; the magic tells the two apart. The reply names the
 * member so a client can map the leader hints in responses, which are member ids, to the addresses it knows.
 */
public final class ClientHello
{
    public static final int MAGIC = 0xC0D1_C11E;
    public static final int REPLY_MAGIC = 0xC0D1_C1A9;
    public static final int VERSION = 1;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 4;
    public static final int RESERVED_OFFSET = 6;
    public static final int MEMBER_ID_OFFSET = 8;
    public static final int LENGTH = 8;
    public static final int REPLY_LENGTH = 12;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private ClientHello()
    {
    }

    /** Writes a CLIENT_HELLO at {@code offset}; returns its length. */
    public static int encode(final MutableDirectBuffer out, final int offset)
    {
        out.putInt(offset + MAGIC_OFFSET, MAGIC, ORDER);
        out.putShort(offset + VERSION_OFFSET, (short)VERSION, ORDER);
        out.putShort(offset + RESERVED_OFFSET, (short)0, ORDER);
        return LENGTH;
    }

    /** Whether the bytes carry the CLIENT_HELLO magic (of any version): a client, not a peer or garbage. */
    public static boolean hasMagic(final DirectBuffer buffer, final int offset, final int length)
    {
        return length >= Integer.BYTES && buffer.getInt(offset + MAGIC_OFFSET, ORDER) == MAGIC;
    }

    /** Whether the bytes are exactly one CLIENT_HELLO of this version. */
    public static boolean isValid(final DirectBuffer buffer, final int offset, final int length)
    {
        return length == LENGTH && hasMagic(buffer, offset, length) && header(buffer, offset);
    }

    /** Writes a CLIENT_HELLO_REPLY naming {@code memberId}; returns its length. */
    public static int encodeReply(final MutableDirectBuffer out, final int offset, final int memberId)
    {
        out.putInt(offset + MAGIC_OFFSET, REPLY_MAGIC, ORDER);
        out.putShort(offset + VERSION_OFFSET, (short)VERSION, ORDER);
        out.putShort(offset + RESERVED_OFFSET, (short)0, ORDER);
        out.putInt(offset + MEMBER_ID_OFFSET, memberId, ORDER);
        return REPLY_LENGTH;
    }

    /**
     * Decodes a CLIENT_HELLO_REPLY.
     *
     * @return the member id (> 0), or -1 when the bytes are not exactly one valid reply of this version.
     */
    public static int replyMemberId(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length != REPLY_LENGTH || buffer.getInt(offset + MAGIC_OFFSET, ORDER) != REPLY_MAGIC ||
            !header(buffer, offset))
        {
            return -1;
        }
        final int memberId = buffer.getInt(offset + MEMBER_ID_OFFSET, ORDER);
        return memberId > 0 ? memberId : -1;
    }

    private static boolean header(final DirectBuffer buffer, final int offset)
    {
        return (buffer.getShort(offset + VERSION_OFFSET, ORDER) & 0xFFFF) == VERSION &&
            buffer.getShort(offset + RESERVED_OFFSET, ORDER) == 0;
    }
}
