package io.conduit.failure;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The failure detector's three messages, one fixed 24-byte layout, little-endian:
 *
 * <pre>
 *  0               1               2               3
 *  0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7
 * +---------------+---------------+-------------------------------+
 * |     type      |    version    |     reserved (sent as 0)      |  0
 * +---------------+---------------+-------------------------------+
 * |                    reserved (sent as 0)                       |  4
 * +---------------------------------------------------------------+
 * |                          seq (int64)                          |  8
 * +---------------------------------------------------------------+
 * |                      timestampNs (int64)                      | 16
 * +---------------------------------------------------------------+
 * </pre>
 *
 * HEARTBEAT carries the sender's heartbeat number and send time; PING the ping number (per destination) and send
 * time; PONG echoes both from the ping it answers. Times are the sender's clock: only the sender interprets them.
 * Longer messages are accepted (bytes past 24 are ignored) so a later version can append fields.
 */
public final class FailureMessageFlyweight
{
    public static final byte TYPE_HEARTBEAT = 1;
    public static final byte TYPE_PING = 2;
    public static final byte TYPE_PONG = 3;
    public static final byte VERSION = 1;

    public static final int TYPE_OFFSET = 0;
    public static final int VERSION_OFFSET = 1;
    public static final int SEQ_OFFSET = 8;
    public static final int TIMESTAMP_OFFSET = 16;
    public static final int LENGTH = 24;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);

    /** Points at a message of {@code length} bytes; no copy. Reading or writing past {@code length} is an error. */
    public FailureMessageFlyweight wrap(final DirectBuffer source, final int offset, final int length)
    {
        buffer.wrap(source, offset, length);
        return this;
    }

    /**
     * Whether the wrapped bytes are a message this version understands: at least {@link #LENGTH} bytes, version
     * {@link #VERSION}, a known type.
     */
    public boolean isValid()
    {
        if (buffer.capacity() < LENGTH || buffer.getByte(VERSION_OFFSET) != VERSION)
        {
            return false;
        }
        final byte type = type();
        return type == TYPE_HEARTBEAT || type == TYPE_PING || type == TYPE_PONG;
    }

    public byte type()
    {
        return buffer.getByte(TYPE_OFFSET);
    }

    public long seq()
    {
        return buffer.getLong(SEQ_OFFSET, ORDER);
    }

    public FailureMessageFlyweight seq(final long seq)
    {
        buffer.putLong(SEQ_OFFSET, seq, ORDER);
        return this;
    }

    public long timestampNs()
    {
        return buffer.getLong(TIMESTAMP_OFFSET, ORDER);
    }

    public FailureMessageFlyweight timestampNs(final long timestampNs)
    {
        buffer.putLong(TIMESTAMP_OFFSET, timestampNs, ORDER);
        return this;
    }

    /** Writes a whole message header of {@code type} (version, zeroed reserved bytes) into a wrapped buffer. */
    public FailureMessageFlyweight header(final byte type)
    {
        buffer.putLong(0, 0L, ORDER);
        buffer.putByte(TYPE_OFFSET, type);
        buffer.putByte(VERSION_OFFSET, VERSION);
        return this;
    }

    /** Encodes one message into {@code out} at {@code offset}; returns {@link #LENGTH}. */
    public static int encode(
        final MutableDirectBuffer out, final int offset, final byte type, final long seq, final long timestampNs)
    {
        out.putLong(offset, 0L, ORDER);
        out.putByte(offset + TYPE_OFFSET, type);
        out.putByte(offset + VERSION_OFFSET, VERSION);
        out.putLong(offset + SEQ_OFFSET, seq, ORDER);
        out.putLong(offset + TIMESTAMP_OFFSET, timestampNs, ORDER);
        return LENGTH;
    }

    public static String typeName(final byte type)
    {
        switch (type)
        {
            case TYPE_HEARTBEAT: return "HEARTBEAT";
            case TYPE_PING: return "PING";
            case TYPE_PONG: return "PONG";
            default: return "UNKNOWN(" + type + ")";
        }
    }
}
