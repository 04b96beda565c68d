package io.conduit.kv;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A response to one client request, little-endian, a 48-byte header and one optional payload:
 *
 * <pre>
 *  0               1               2               3
 *  0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7
 * +---------------+---------------+-------------------------------+
 * |    version    |    status     |     reserved (uint16, 0)      |  0
 * +---------------+---------------+-------------------------------+
 * |                     payloadLength (int32)                     |  4
 * +---------------------------------------------------------------+
 * |                        clientId (int64)                       |  8
 * +---------------------------------------------------------------+
 * |                        sequence (int64)                       | 16
 * +---------------------------------------------------------------+
 * |                          index (int64)                        | 24
 * +---------------------------------------------------------------+
 * |                          token (int64)                        | 32
 * +---------------------------------------------------------------+
 * |                       leaderHint (int64)                      | 40
 * +---------------------------------------------------------------+
 * |  payload ...                                                  | 48
 * +---------------------------------------------------------------+
 * </pre>
 *
 * {@code clientId}/{@code sequence} echo the request (0 when the request was unreadable). {@code index} is the
 * log index the answer reflects: the entry that applied the command, or the applied index a read was served at;
 * a sequential client keeps the largest it has seen and sends it as its next {@code minIndex}. {@code token} is
 * the fencing token of a lease grant (OK only, else 0). {@code leaderHint} is the member id a NOT_LEADER member
 * believes leads (0 unknown; 0 for every other status). The payload is the value (VALUE), the current holder
 * (HELD) or one line of printable ASCII (ERROR); other statuses carry none.
 */
public final class KvResponseFlyweight
{
    public static final int VERSION = 1;
    /** Longest error text; longer text is cut when encoded so an error always fits and prints on one line. */
    public static final int MAX_ERROR_TEXT_LENGTH = 1024;

    public static final int VERSION_OFFSET = 0;
    public static final int STATUS_OFFSET = 1;
    public static final int RESERVED_OFFSET = 2;
    public static final int PAYLOAD_LENGTH_OFFSET = 4;
    public static final int CLIENT_ID_OFFSET = 8;
    public static final int SEQUENCE_OFFSET = 16;
    public static final int INDEX_OFFSET = 24;
    public static final int TOKEN_OFFSET = 32;
    public static final int LEADER_HINT_OFFSET = 40;
    public static final int HEADER_LENGTH = 48;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final byte[] NONE = new byte[0];

    private DirectBuffer buffer;
    private int offset;
    private int length;

    public KvResponseFlyweight wrap(final DirectBuffer source, final int offset, final int length)
    {
        this.buffer = source;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /** The length of the longest valid response under {@code config}: size reply buffers with it. */
    public static int maxLength(final KvConfig config)
    {
        return HEADER_LENGTH + Math.max(MAX_ERROR_TEXT_LENGTH, Math.max(config.maxValueLength(),
            config.maxHolderLength()));
    }

    /**
     * Checks the wrapped bytes are exactly one valid response under {@code config}.
     *
     * @return the response's length, or a negative {@link KvCodecError}.
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
        final KvStatus status = status();
        if (status == null)
        {
            return KvCodecError.BAD_STATUS;
        }
        if (buffer.getShort(offset + RESERVED_OFFSET, ORDER) != 0)
        {
            return KvCodecError.NONZERO_RESERVED;
        }
        final int payloadLength = payloadLength();
        if (payloadLength < 0 || (long)HEADER_LENGTH + payloadLength != length)
        {
            return KvCodecError.BAD_LENGTH;
        }
        if (index() < 0 || (status == KvStatus.OK ? token() < 0 : token() != 0) ||
            (status == KvStatus.NOT_LEADER ? leaderHint() < 0 : leaderHint() != 0))
        {
            return KvCodecError.BAD_NUMBER;
        }
        final int payload = validatePayload(status, payloadLength, config);
        return payload != 0 ? payload : length;
    }

    private int validatePayload(final KvStatus status, final int payloadLength, final KvConfig config)
    {
        final int limit;
        switch (status)
        {
            case VALUE: limit = config.maxValueLength(); break;
            case HELD: limit = config.maxHolderLength(); break;
            case ERROR: limit = MAX_ERROR_TEXT_LENGTH; break;
            default: return payloadLength == 0 ? 0 : KvCodecError.UNEXPECTED_FIELD;
        }
        if (payloadLength == 0)
        {
            return KvCodecError.MISSING_FIELD;
        }
        if (payloadLength > limit)
        {
            return KvCodecError.TOO_LONG;
        }
        final int at = offset + HEADER_LENGTH;
        final boolean printable = status == KvStatus.ERROR ?
            KvTokens.isText(buffer, at, payloadLength) : KvTokens.isToken(buffer, at, payloadLength);
        return printable ? 0 : KvCodecError.BAD_TOKEN;
    }

    /**
     * Encodes a response, writing exactly what it is given.
     *
     * @return the encoded length.
     */
    public static int encode(
        final MutableDirectBuffer out,
        final int offset,
        final long clientId,
        final long sequence,
        final KvStatus status,
        final long index,
        final long token,
        final long leaderHint,
        final byte[] payload)
    {
        out.putByte(offset + VERSION_OFFSET, (byte)VERSION);
        out.putByte(offset + STATUS_OFFSET, (byte)status.code());
        out.putShort(offset + RESERVED_OFFSET, (short)0, ORDER);
        out.putInt(offset + PAYLOAD_LENGTH_OFFSET, payload.length, ORDER);
        out.putLong(offset + CLIENT_ID_OFFSET, clientId, ORDER);
        out.putLong(offset + SEQUENCE_OFFSET, sequence, ORDER);
        out.putLong(offset + INDEX_OFFSET, index, ORDER);
        out.putLong(offset + TOKEN_OFFSET, token, ORDER);
        out.putLong(offset + LEADER_HINT_OFFSET, leaderHint, ORDER);
        out.putBytes(offset + HEADER_LENGTH, payload);
        return HEADER_LENGTH + payload.length;
    }

    /** A payload-free response (OK without a token, MISSING, FAIL, RETRY). */
    public static int encode(
        final MutableDirectBuffer out,
        final int offset,
        final long clientId,
        final long sequence,
        final KvStatus status,
        final long index)
    {
        return encode(out, offset, clientId, sequence, status, index, 0, 0, NONE);
    }

    /** NOT_LEADER with the member this one believes leads (0 unknown). */
    public static int encodeNotLeader(
        final MutableDirectBuffer out, final int offset, final long clientId, final long sequence, final long hint)
    {
        return encode(out, offset, clientId, sequence, KvStatus.NOT_LEADER, 0, 0, Math.max(0, hint), NONE);
    }

    /**
     * ERROR with {@code text} made safe for one printed line: characters outside printable ASCII become '?', and
     * text beyond {@link #MAX_ERROR_TEXT_LENGTH} is cut. Only for requests certainly not applied.
     */
    public static int encodeError(
        final MutableDirectBuffer out,
        final int offset,
        final long clientId,
        final long sequence,
        final long index,
        final String text)
    {
        return encode(out, offset, clientId, sequence, KvStatus.ERROR, Math.max(0, index), 0, 0, errorText(text));
    }

    static byte[] errorText(final String text)
    {
        final String line = text.isEmpty() ? "error" : text;
        final int count = Math.min(line.length(), MAX_ERROR_TEXT_LENGTH);
        final byte[] bytes = new byte[count];
        for (int i = 0; i < count; i++)
        {
            final char c = line.charAt(i);
            bytes[i] = c >= 0x20 && c < 0x7F ? (byte)c : (byte)'?';
        }
        return bytes;
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

    /** The status, or null for an unknown byte. */
    public KvStatus status()
    {
        return KvStatus.fromCode(buffer.getByte(offset + STATUS_OFFSET) & 0xFF);
    }

    public long clientId()
    {
        return buffer.getLong(offset + CLIENT_ID_OFFSET, ORDER);
    }

    public long sequence()
    {
        return buffer.getLong(offset + SEQUENCE_OFFSET, ORDER);
    }

    public long index()
    {
        return buffer.getLong(offset + INDEX_OFFSET, ORDER);
    }

    public long token()
    {
        return buffer.getLong(offset + TOKEN_OFFSET, ORDER);
    }

    public long leaderHint()
    {
        return buffer.getLong(offset + LEADER_HINT_OFFSET, ORDER);
    }

    public int payloadLength()
    {
        return buffer.getInt(offset + PAYLOAD_LENGTH_OFFSET, ORDER);
    }

    /** Absolute offset of the payload in {@link #buffer()}. */
    public int payloadOffset()
    {
        return offset + HEADER_LENGTH;
    }

    public byte[] payloadBytes()
    {
        final byte[] bytes = new byte[payloadLength()];
        buffer.getBytes(payloadOffset(), bytes);
        return bytes;
    }

    public String payloadString()
    {
        return new String(payloadBytes(), StandardCharsets.UTF_8);
    }
}
