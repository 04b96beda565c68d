package io.conduit.kv;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A replicated command: what the leader appends to the log for one client request. Little-endian, a 24-byte
 * header stamped by the leader, then the client's request byte for byte:
 *
 * <pre>
 *  0               1               2               3
 *  0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7
 * +---------------+-----------------------------------------------+
 * |    version    |                 reserved (0)                  |  0
 * +---------------+-----------------------------------------------+
 * |                        reserved (0)                           |  4
 * +---------------------------------------------------------------+
 * |                          term (int64)                         |  8
 * +---------------------------------------------------------------+
 * |                     proposedAtNs (int64)                      | 16
 * +---------------------------------------------------------------+
 * |  request ... ({@link KvRequestFlyweight}, to the end)          | 24
 * +---------------------------------------------------------------+
 * </pre>
 *
 * {@code term} is the proposing leader's term and {@code proposedAtNs} its monotonic clock when it proposed. They
 * are the only time the state machine ever sees: leases expire by comparing stamped times of the same term (one
 * leader, one clock), never a replica's own clock, so every replica decides expiry identically. Clocks of
 * different leaders are not comparable, which is why the term travels with the time; see {@link KvStateMachine}
 * for the cross-term rule. The leader stamps every command, not only leases, so the first command of a term
 * marks when that term's clock started counting.
 */
public final class KvCommandFlyweight
{
    public static final int VERSION = 1;

    public static final int VERSION_OFFSET = 0;
    public static final int RESERVED_OFFSET = 1;
    public static final int TERM_OFFSET = 8;
    public static final int PROPOSED_AT_NS_OFFSET = 16;
    public static final int HEADER_LENGTH = 24;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    private static final long RESERVED_MASK = 0xFFFF_FFFF_FFFF_FF00L;

    private final KvRequestFlyweight request = new KvRequestFlyweight();
    private DirectBuffer buffer;
    private int offset;
    private int length;

    public KvCommandFlyweight wrap(final DirectBuffer source, final int offset, final int length)
    {
        this.buffer = source;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /** The length of the longest valid command under {@code config}. */
    public static int maxLength(final KvConfig config)
    {
        return HEADER_LENGTH + KvRequestFlyweight.maxLength(config);
    }

    /**
     * Checks the header and the embedded request.
     *
     * @return the command's length, or a negative {@link KvCodecError}.
     */
    public int validate(final KvConfig config)
    {
        if (length < HEADER_LENGTH)
        {
            return KvCodecError.TOO_SHORT;
        }
        final long first = buffer.getLong(offset, ORDER);
        if ((first & 0xFF) != VERSION)
        {
            return KvCodecError.BAD_VERSION;
        }
        if ((first & RESERVED_MASK) != 0)
        {
            return KvCodecError.NONZERO_RESERVED;
        }
        if (term() < 0)
        {
            return KvCodecError.BAD_NUMBER;
        }
        final int requestResult = request().validate(config);
        return requestResult < 0 ? requestResult : length;
    }

    /** Writes the leader's stamp; the request goes right after, at {@code offset + HEADER_LENGTH}. */
    public static int encodeHeader(final MutableDirectBuffer out, final int offset, final long term, final long nowNs)
    {
        out.putLong(offset, VERSION, ORDER);
        out.putLong(offset + TERM_OFFSET, term, ORDER);
        out.putLong(offset + PROPOSED_AT_NS_OFFSET, nowNs, ORDER);
        return HEADER_LENGTH;
    }

    /**
     * Stamps a client request into a command: what the leader does when it proposes.
     *
     * @return the command's length.
     */
    public static int encode(
        final MutableDirectBuffer out,
        final int offset,
        final long term,
        final long nowNs,
        final DirectBuffer request,
        final int requestOffset,
        final int requestLength)
    {
        encodeHeader(out, offset, term, nowNs);
        out.putBytes(offset + HEADER_LENGTH, request, requestOffset, requestLength);
        return HEADER_LENGTH + requestLength;
    }

    public long term()
    {
        return buffer.getLong(offset + TERM_OFFSET, ORDER);
    }

    public long proposedAtNs()
    {
        return buffer.getLong(offset + PROPOSED_AT_NS_OFFSET, ORDER);
    }

    /** The embedded request, wrapped in place (the same instance every call). */
    public KvRequestFlyweight request()
    {
        return request.wrap(buffer, offset + HEADER_LENGTH, length - HEADER_LENGTH);
    }
}
