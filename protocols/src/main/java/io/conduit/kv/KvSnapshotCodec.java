package io.conduit.kv;

import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Map;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The key-value snapshot, little-endian: a 56-byte header, then entries (by key), sessions (least recently used
 * first) and leases (by name). Canonical: equal states write equal bytes, and the decoder refuses records out of
 * order, so a decoded snapshot re-encodes to exactly the bytes it came from.
 *
 * <pre>
 *  0               1               2               3
 *  0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7
 * +---------------------------------------------------------------+
 * |                    magic "CKVS" (int32)                       |  0
 * +---------------+-----------------------------------------------+
 * |    version    |                 reserved (0)                  |  4
 * +---------------+-----------------------------------------------+
 * |                      appliedIndex (int64)                     |  8
 * |                       appliedTerm (int64)                     | 16
 * |                        clockTerm (int64)                      | 24
 * |                    clockTermStartNs (int64)                   | 32
 * +---------------------------------------------------------------+
 * |                       entryCount (int32)                      | 40
 * |                     sessionCount (int32)                      | 44
 * |                       leaseCount (int32)                      | 48
 * |                        reserved (0)                           | 52
 * +---------------------------------------------------------------+
 * entry:   keyLength int32, valueLength int32, key, value
 * session: clientId int64, sequence int64, lastIndex int64, responseLength int32, response
 * lease:   nameLength int32, holderLength int32, token int64, term int64, startNs int64, ttlNs int64,
 *          name, holder
 * </pre>
 *
 * Integrity of the bytes at rest (a CRC) is the storage's job; this decoder guards structure and ranges.
 */
public final class KvSnapshotCodec
{
    public static final int MAGIC = 0x53564B43;
    public static final int VERSION = 1;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 4;
    public static final int APPLIED_INDEX_OFFSET = 8;
    public static final int APPLIED_TERM_OFFSET = 16;
    public static final int CLOCK_TERM_OFFSET = 24;
    public static final int CLOCK_TERM_START_NS_OFFSET = 32;
    public static final int ENTRY_COUNT_OFFSET = 40;
    public static final int SESSION_COUNT_OFFSET = 44;
    public static final int LEASE_COUNT_OFFSET = 48;
    public static final int RESERVED_OFFSET = 52;
    public static final int HEADER_LENGTH = 56;

    static final int ENTRY_HEADER_LENGTH = 8;
    static final int SESSION_HEADER_LENGTH = 28;
    static final int LEASE_HEADER_LENGTH = 40;

    private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    private final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(4096);
    private final KvResponseFlyweight response = new KvResponseFlyweight();

    static long length(final KvState state)
    {
        long length = HEADER_LENGTH;
        for (final Map.Entry<byte[], byte[]> entry : state.entries.entrySet())
        {
            length += ENTRY_HEADER_LENGTH + entry.getKey().length + entry.getValue().length;
        }
        for (final KvState.Session session : state.sessions.values())
        {
            length += SESSION_HEADER_LENGTH + session.response.length;
        }
        for (final Map.Entry<byte[], KvState.Lease> lease : state.leases.entrySet())
        {
            length += LEASE_HEADER_LENGTH + lease.getKey().length + lease.getValue().holder.length;
        }
        return length;
    }

    void write(final KvState state, final SnapshotSink sink)
    {
        scratch.putInt(MAGIC_OFFSET, MAGIC, ORDER);
        scratch.putInt(VERSION_OFFSET, VERSION, ORDER);
        scratch.putLong(APPLIED_INDEX_OFFSET, state.appliedIndex, ORDER);
        scratch.putLong(APPLIED_TERM_OFFSET, state.appliedTerm, ORDER);
        scratch.putLong(CLOCK_TERM_OFFSET, state.clockTerm, ORDER);
        scratch.putLong(CLOCK_TERM_START_NS_OFFSET, state.clockTermStartNs, ORDER);
        scratch.putInt(ENTRY_COUNT_OFFSET, state.entries.size(), ORDER);
        scratch.putInt(SESSION_COUNT_OFFSET, state.sessions.size(), ORDER);
        scratch.putInt(LEASE_COUNT_OFFSET, state.leases.size(), ORDER);
        scratch.putInt(RESERVED_OFFSET, 0, ORDER);
        sink.write(scratch, 0, HEADER_LENGTH);
        for (final Map.Entry<byte[], byte[]> entry : state.entries.entrySet())
        {
            scratch.putInt(0, entry.getKey().length, ORDER);
            scratch.putInt(4, entry.getValue().length, ORDER);
            scratch.putBytes(ENTRY_HEADER_LENGTH, entry.getKey());
            scratch.putBytes(ENTRY_HEADER_LENGTH + entry.getKey().length, entry.getValue());
            sink.write(scratch, 0, ENTRY_HEADER_LENGTH + entry.getKey().length + entry.getValue().length);
        }
        for (final Map.Entry<Long, KvState.Session> entry : state.sessions.entrySet())
        {
            final KvState.Session session = entry.getValue();
            scratch.putLong(0, entry.getKey(), ORDER);
            scratch.putLong(8, session.sequence, ORDER);
            scratch.putLong(16, session.lastIndex, ORDER);
            scratch.putInt(24, session.response.length, ORDER);
            scratch.putBytes(SESSION_HEADER_LENGTH, session.response);
            sink.write(scratch, 0, SESSION_HEADER_LENGTH + session.response.length);
        }
        for (final Map.Entry<byte[], KvState.Lease> entry : state.leases.entrySet())
        {
            writeLease(entry.getKey(), entry.getValue(), sink);
        }
    }

    private void writeLease(final byte[] name, final KvState.Lease lease, final SnapshotSink sink)
    {
        scratch.putInt(0, name.length, ORDER);
        scratch.putInt(4, lease.holder.length, ORDER);
        scratch.putLong(8, lease.token, ORDER);
        scratch.putLong(16, lease.term, ORDER);
        scratch.putLong(24, lease.startNs, ORDER);
        scratch.putLong(32, lease.ttlNs, ORDER);
        scratch.putBytes(LEASE_HEADER_LENGTH, name);
        scratch.putBytes(LEASE_HEADER_LENGTH + name.length, lease.holder);
        sink.write(scratch, 0, LEASE_HEADER_LENGTH + name.length + lease.holder.length);
    }

    /**
     * Decodes a whole snapshot into {@code into} (a fresh state), never reading outside the given range.
     *
     * @return 0, or a negative {@link KvCodecError}; on error {@code into} is partly filled and must be dropped.
     */
    int read(final DirectBuffer buffer, final int offset, final int length, final KvConfig config, final KvState into)
    {
        if (length < HEADER_LENGTH)
        {
            return KvCodecError.TOO_SHORT;
        }
        final UnsafeBuffer in = new UnsafeBuffer(buffer, offset, length);
        if (in.getInt(MAGIC_OFFSET, ORDER) != MAGIC)
        {
            return KvCodecError.BAD_MAGIC;
        }
        if (in.getInt(VERSION_OFFSET, ORDER) != VERSION)
        {
            return (in.getByte(VERSION_OFFSET) & 0xFF) != VERSION ? KvCodecError.BAD_VERSION :
                KvCodecError.NONZERO_RESERVED;
        }
        if (in.getInt(RESERVED_OFFSET, ORDER) != 0)
        {
            return KvCodecError.NONZERO_RESERVED;
        }
        into.appliedIndex = in.getLong(APPLIED_INDEX_OFFSET, ORDER);
        into.appliedTerm = in.getLong(APPLIED_TERM_OFFSET, ORDER);
        into.clockTerm = in.getLong(CLOCK_TERM_OFFSET, ORDER);
        into.clockTermStartNs = in.getLong(CLOCK_TERM_START_NS_OFFSET, ORDER);
        if (into.appliedIndex < 0 || into.appliedTerm < 0 || into.clockTerm < -1 || into.clockTerm > into.appliedTerm)
        {
            return KvCodecError.BAD_NUMBER;
        }
        final int entryCount = in.getInt(ENTRY_COUNT_OFFSET, ORDER);
        final int sessionCount = in.getInt(SESSION_COUNT_OFFSET, ORDER);
        final int leaseCount = in.getInt(LEASE_COUNT_OFFSET, ORDER);
        if (entryCount < 0 || sessionCount < 0 || leaseCount < 0)
        {
            return KvCodecError.BAD_LENGTH;
        }
        int position = readEntries(in, HEADER_LENGTH, entryCount, config, into);
        position = position < 0 ? position : readSessions(in, position, sessionCount, config, into);
        position = position < 0 ? position : readLeases(in, position, leaseCount, config, into);
        if (position < 0)
        {
            return position;
        }
        return position == length ? 0 : KvCodecError.BAD_LENGTH;
    }

    private static int readEntries(
        final UnsafeBuffer in, final int start, final int count, final KvConfig config, final KvState into)
    {
        int position = start;
        byte[] previous = null;
        for (int i = 0; i < count; i++)
        {
            if (in.capacity() - position < ENTRY_HEADER_LENGTH)
            {
                return KvCodecError.BAD_LENGTH;
            }
            final int keyLength = in.getInt(position, ORDER);
            final int valueLength = in.getInt(position + 4, ORDER);
            position += ENTRY_HEADER_LENGTH;
            final int fields = checkTokens(in, position, keyLength, config.maxKeyLength(), valueLength,
                config.maxValueLength());
            if (fields < 0)
            {
                return fields;
            }
            final byte[] key = copy(in, position, keyLength);
            if (previous != null && Arrays.compareUnsigned(previous, key) >= 0)
            {
                return KvCodecError.UNSORTED;
            }
            into.entries.put(key, copy(in, position + keyLength, valueLength));
            previous = key;
            position += keyLength + valueLength;
        }
        return position;
    }

    private int readSessions(
        final UnsafeBuffer in, final int start, final int count, final KvConfig config, final KvState into)
    {
        int position = start;
        long previousIndex = 0;
        for (int i = 0; i < count; i++)
        {
            if (in.capacity() - position < SESSION_HEADER_LENGTH)
            {
                return KvCodecError.BAD_LENGTH;
            }
            final long clientId = in.getLong(position, ORDER);
            final long sequence = in.getLong(position + 8, ORDER);
            final long lastIndex = in.getLong(position + 16, ORDER);
            final int responseLength = in.getInt(position + 24, ORDER);
            position += SESSION_HEADER_LENGTH;
            if (responseLength < 0 || in.capacity() - position < responseLength)
            {
                return KvCodecError.BAD_LENGTH;
            }
            if (clientId == 0 || sequence < 1 || lastIndex < previousIndex || lastIndex > into.appliedIndex)
            {
                return KvCodecError.BAD_NUMBER;
            }
            final int responseResult = response.wrap(in, position, responseLength).validate(config);
            if (responseResult < 0)
            {
                return responseResult;
            }
            if (into.sessions.put(clientId, new KvState.Session(sequence, lastIndex,
                copy(in, position, responseLength))) != null)
            {
                return KvCodecError.UNSORTED;
            }
            previousIndex = lastIndex;
            position += responseLength;
        }
        return position;
    }

    private static int readLeases(
        final UnsafeBuffer in, final int start, final int count, final KvConfig config, final KvState into)
    {
        int position = start;
        byte[] previous = null;
        for (int i = 0; i < count; i++)
        {
            if (in.capacity() - position < LEASE_HEADER_LENGTH)
            {
                return KvCodecError.BAD_LENGTH;
            }
            final int nameLength = in.getInt(position, ORDER);
            final int holderLength = in.getInt(position + 4, ORDER);
            final long token = in.getLong(position + 8, ORDER);
            final long term = in.getLong(position + 16, ORDER);
            final long startNs = in.getLong(position + 24, ORDER);
            final long ttlNs = in.getLong(position + 32, ORDER);
            position += LEASE_HEADER_LENGTH;
            final int fields = checkTokens(in, position, nameLength, config.maxKeyLength(), holderLength,
                config.maxHolderLength());
            if (fields < 0)
            {
                return fields;
            }
            if (token < 1 || token > into.appliedIndex || term < 0 || term > into.clockTerm || ttlNs < 1)
            {
                return KvCodecError.BAD_NUMBER;
            }
            final byte[] name = copy(in, position, nameLength);
            if (previous != null && Arrays.compareUnsigned(previous, name) >= 0)
            {
                return KvCodecError.UNSORTED;
            }
            into.leases.put(name, new KvState.Lease(copy(in, position + nameLength, holderLength), token, term,
                startNs, ttlNs));
            previous = name;
            position += nameLength + holderLength;
        }
        return position;
    }

    /** Two adjacent non-empty tokens at {@code position}: lengths in range, inside the buffer, token bytes only. */
    private static int checkTokens(
        final UnsafeBuffer in,
        final int position,
        final int firstLength,
        final int firstMax,
        final int secondLength,
        final int secondMax)
    {
        if (firstLength < 0 || secondLength < 0 || (long)firstLength + secondLength > in.capacity() - position)
        {
            return KvCodecError.BAD_LENGTH;
        }
        if (firstLength == 0 || secondLength == 0)
        {
            return KvCodecError.MISSING_FIELD;
        }
        if (firstLength > firstMax || secondLength > secondMax)
        {
            return KvCodecError.TOO_LONG;
        }
        return KvTokens.isToken(in, position, firstLength + secondLength) ? 0 : KvCodecError.BAD_TOKEN;
    }

    private static byte[] copy(final DirectBuffer in, final int position, final int length)
    {
        final byte[] bytes = new byte[length];
        in.getBytes(position, bytes);
        return bytes;
    }
}
