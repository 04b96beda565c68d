package io.conduit.raft.codec;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import io.conduit.raft.EntryKind;
import io.conduit.raft.LogEntry;
import io.conduit.raft.MessageType;
import io.conduit.raft.RaftConfig;
import io.conduit.raft.RaftMessage;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The wire form of a {@link RaftMessage}, little-endian: a 64-byte fixed header carrying every scalar field, then a
 * body whose shape depends on the type: APPEND carries its entries, INSTALL_SNAPSHOT one chunk of a snapshot with
 * the snapshot's configuration, INSTALL_SNAPSHOT_RESPONSE the offset the follower expects next; every other type has
 * an empty body.
 *
 * <pre>
 *  0               1               2               3
 *  0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7
 * +---------------+---------------+---------------+---------------+
 * |    version    |     type      |     flags     | reserved (0)  |  0
 * +---------------+---------------+---------------+---------------+
 * |                          from (int32)                         |  4
 * +---------------------------------------------------------------+
 * |                           to (int32)                          |  8
 * +---------------------------------------------------------------+
 * |                       entryCount (int32)                      | 12
 * +---------------------------------------------------------------+
 * |                          term (int64)                         | 16
 * +---------------------------------------------------------------+
 * |              logTerm (int64; snapshot term on 12, 13)         | 24
 * +---------------------------------------------------------------+
 * |              index (int64; snapshot index on 12, 13)          | 32
 * +---------------------------------------------------------------+
 * |                         commit (int64)                        | 40
 * +---------------------------------------------------------------+
 * |                       rejectHint (int64)                      | 48
 * +---------------------------------------------------------------+
 * |                        context (int64)                        | 56
 * +---------------------------------------------------------------+
 * |  body (per type): APPEND (5) carries entryCount entries:      | 64
 * |  +-----------------------------------------------------------+ |
 * |  |                    entry term (int64)                     | |  +0
 * |  +-----------------------------------------------------------+ |
 * |  |                    entry index (int64)                    | |  +8
 * |  +-----------------------------------------------------------+ |
 * |  |                 payloadLength (int32)                     | | +16
 * |  +---------------+-------------------------------------------+ |
 * |  |     kind      |  (EntryKind code: 0 normal, 1 conf change)| | +20
 * |  +---------------+-------------------------------------------+ |
 * |  |  payload (payloadLength bytes)                            | | +21
 * |  +-----------------------------------------------------------+ |
 * |  INSTALL_SNAPSHOT (12) carries one chunk:                     |
 * |  +-----------------------------------------------------------+ |
 * |  |                  snapshotOffset (int64)                   | |  +0
 * |  +-----------------------------------------------------------+ |
 * |  |                 snapshotSizeBytes (int64)                 | |  +8
 * |  +-----------------------------------------------------------+ |
 * |  |                    voterCount (int32)                     | | +16
 * |  +-----------------------------------------------------------+ |
 * |  |                   learnerCount (int32)                    | | +20
 * |  +-----------------------------------------------------------+ |
 * |  |                    dataLength (int32)                     | | +24
 * |  +-----------------------------------------------------------+ |
 * |  |  voters (voterCount int32), learners (learnerCount int32) | | +28
 * |  +-----------------------------------------------------------+ |
 * |  |  data (dataLength bytes, the snapshot at snapshotOffset)  | |
 * |  +-----------------------------------------------------------+ |
 * |  INSTALL_SNAPSHOT_RESPONSE (13):                              |
 * |  +-----------------------------------------------------------+ |
 * |  |     snapshotOffset (int64): the next offset expected      | |  +0
 * |  +-----------------------------------------------------------+ |
 * +---------------------------------------------------------------+
 * </pre>
 *
 * Flags: bit 0 {@code reject}, bit 1 {@code leaderTransfer}; other bits must be zero. Type bytes are fixed here
 * ({@link #typeCode(MessageType)}), not enum ordinals, so reordering {@link MessageType} cannot change the wire.
 * Fields a type does not carry (a heartbeat's snapshot offset, say) are not written and decode as zero or empty.
 * <p>
 * Extension: a new message type takes the next type byte (14) and defines its own body after the same header; a
 * decoder of this version refuses a type it does not know ({@link RaftCodecError#BAD_TYPE}), and an incompatible
 * change to the header or an existing body bumps {@link #VERSION}. Members of a cluster must run codecs with the
 * same limits, or a leader's AppendEntries or snapshot chunks may be refused by a follower.
 * <p>
 * Decoding validates everything before allocating: version, type, flags, reserved byte, member ids, that no number
 * is negative, the entry count and each payload within the limits, every entry inside the given bytes, entry indexes
 * consecutive from {@code index + 1}, entry terms positive, non-decreasing, at least {@code logTerm} and at most
 * {@code term}; for a snapshot chunk, at most {@link #MAX_SNAPSHOT_MEMBERS} positive member ids with at least one
 * voter, a chunk within {@code maxSnapshotChunkBytes} that lies inside the announced snapshot size, and a snapshot
 * index and term positive with the term at most the message's; and no bytes after the body. It never throws and
 * never reads outside {@code [offset, offset + length)}; a refusal is a negative {@link RaftCodecError}. A decoded
 * message allocates (the {@link RaftMessage}, its entry list, one {@code byte[]} per payload, a chunk's data and
 * member arrays): the engine's message type is a plain object for now. Encoding allocates nothing.
 * <p>
 * Not thread-safe: {@link #decode} keeps the last decoded message in the instance.
 */
public final class RaftMessageCodec
{
    /** 2: entries carry their {@link EntryKind} (membership changes travel in the log). */
    public static final int VERSION = 2;

    private static final int ENTRY_KINDS = EntryKind.values().length;

    public static final int VERSION_OFFSET = 0;
    public static final int TYPE_OFFSET = 1;
    public static final int FLAGS_OFFSET = 2;
    public static final int RESERVED_OFFSET = 3;
    public static final int FROM_OFFSET = 4;
    public static final int TO_OFFSET = 8;
    public static final int ENTRY_COUNT_OFFSET = 12;
    public static final int TERM_OFFSET = 16;
    public static final int LOG_TERM_OFFSET = 24;
    public static final int INDEX_OFFSET = 32;
    public static final int COMMIT_OFFSET = 40;
    public static final int REJECT_HINT_OFFSET = 48;
    public static final int CONTEXT_OFFSET = 56;
    public static final int HEADER_LENGTH = 64;

    public static final int ENTRY_TERM_OFFSET = 0;
    public static final int ENTRY_INDEX_OFFSET = 8;
    public static final int ENTRY_PAYLOAD_LENGTH_OFFSET = 16;
    public static final int ENTRY_KIND_OFFSET = 20;
    public static final int ENTRY_HEADER_LENGTH = 21;

    public static final int SNAPSHOT_OFFSET_OFFSET = 0;
    public static final int SNAPSHOT_SIZE_OFFSET = 8;
    public static final int VOTER_COUNT_OFFSET = 16;
    public static final int LEARNER_COUNT_OFFSET = 20;
    public static final int DATA_LENGTH_OFFSET = 24;
    public static final int SNAPSHOT_BODY_HEADER_LENGTH = 28;
    public static final int MEMBER_ID_LENGTH = 4;
    public static final int SNAPSHOT_RESPONSE_BODY_LENGTH = 8;
    /**
     * Most voters plus learners one snapshot chunk may name: far above any Raft cluster's size, low enough that the
     * decoder's allocation and the send buffer's slack stay small.
     */
    public static final int MAX_SNAPSHOT_MEMBERS = 256;

    public static final int FLAG_REJECT = 0x01;
    public static final int FLAG_LEADER_TRANSFER = 0x02;
    public static final int KNOWN_FLAGS = FLAG_REJECT | FLAG_LEADER_TRANSFER;

    public static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;

    private final int maxEntries;
    private final int maxEntryLength;
    private final int maxSnapshotChunkBytes;
    private RaftMessage message;

    /**
     * With snapshot chunks of up to {@link RaftConfig#DEFAULT_SNAPSHOT_CHUNK_BYTES}, the engine's default.
     *
     * @param maxEntries     most entries one message may carry (the sender's {@code maxEntriesPerAppend}).
     * @param maxEntryLength longest entry payload in bytes (the longest command the state machine accepts).
     */
    public RaftMessageCodec(final int maxEntries, final int maxEntryLength)
    {
        this(maxEntries, maxEntryLength, RaftConfig.DEFAULT_SNAPSHOT_CHUNK_BYTES);
    }

    /**
     * @param maxEntries            most entries one message may carry (the sender's {@code maxEntriesPerAppend}).
     * @param maxEntryLength        longest entry payload in bytes (the longest command the state machine accepts).
     * @param maxSnapshotChunkBytes longest INSTALL_SNAPSHOT chunk (the sender's {@code snapshotChunkBytes}).
     */
    public RaftMessageCodec(final int maxEntries, final int maxEntryLength, final int maxSnapshotChunkBytes)
    {
        if (maxEntries < 1 || maxEntryLength < 0 || maxSnapshotChunkBytes < 1)
        {
            throw new IllegalArgumentException("need maxEntries >= 1, maxEntryLength >= 0 and " +
                "maxSnapshotChunkBytes >= 1: " + maxEntries + ", " + maxEntryLength + ", " + maxSnapshotChunkBytes);
        }
        this.maxEntries = maxEntries;
        this.maxEntryLength = maxEntryLength;
        this.maxSnapshotChunkBytes = maxSnapshotChunkBytes;
    }

    /** A codec with the limits a node running {@code raft} sends within: its batch size and snapshot chunk size. */
    public static RaftMessageCodec forConfig(final RaftConfig raft, final int maxEntryLength)
    {
        return new RaftMessageCodec(raft.maxEntriesPerAppend(), maxEntryLength, raft.snapshotChunkBytes());
    }

    public int maxEntries()
    {
        return maxEntries;
    }

    public int maxEntryLength()
    {
        return maxEntryLength;
    }

    public int maxSnapshotChunkBytes()
    {
        return maxSnapshotChunkBytes;
    }

    /**
     * The longest message this codec sends when AppendEntries payloads total at most {@code maxPayloadBytes}: what
     * a send buffer needs. It covers the longest snapshot chunk too, so pass the engine's {@code maxBytesPerAppend},
     * and at least {@link #maxEntryLength()} (the engine always sends at least one entry).
     */
    public long maxMessageLength(final long maxPayloadBytes)
    {
        final long append = HEADER_LENGTH + (long)maxEntries * ENTRY_HEADER_LENGTH + maxPayloadBytes;
        return Math.max(append, maxSnapshotChunkMessageLength());
    }

    /** The longest INSTALL_SNAPSHOT this codec accepts: a full chunk with the most members. */
    public long maxSnapshotChunkMessageLength()
    {
        return HEADER_LENGTH + SNAPSHOT_BODY_HEADER_LENGTH + (long)MAX_SNAPSHOT_MEMBERS * MEMBER_ID_LENGTH +
            maxSnapshotChunkBytes;
    }

    /** The exact number of bytes {@link #encode} writes for {@code m}; a {@code long} so huge batches cannot wrap. */
    public static long encodedLength(final RaftMessage m)
    {
        switch (m.type())
        {
            case INSTALL_SNAPSHOT:
                return HEADER_LENGTH + SNAPSHOT_BODY_HEADER_LENGTH +
                    (long)(m.voters().length + m.learners().length) * MEMBER_ID_LENGTH + m.data().length;
            case INSTALL_SNAPSHOT_RESPONSE:
                return HEADER_LENGTH + SNAPSHOT_RESPONSE_BODY_LENGTH;
            default:
                long length = HEADER_LENGTH;
                final List<LogEntry> entries = m.entries();
                for (int i = 0, n = entries.size(); i < n; i++)
                {
                    length += ENTRY_HEADER_LENGTH + entries.get(i).sizeBytes();
                }
                return length;
        }
    }

    /**
     * Encodes {@code m} at {@code offset}. Checks first and writes nothing when the answer is negative: the message
     * does not fit between {@code offset} and {@code out.capacity()} ({@link RaftCodecError#DOES_NOT_FIT}), breaks
     * this codec's limits (too many entries, a payload or chunk too long, too many snapshot members, entries on a
     * type other than APPEND), so a peer with the same limits would refuse it, or has a type this version cannot
     * encode. Field values are written as given; the decoder validates them.
     *
     * @return the encoded length, or a negative {@link RaftCodecError}.
     */
    public int encode(final RaftMessage m, final MutableDirectBuffer out, final int offset)
    {
        final int type = typeCode(m.type());
        if (type < 0)
        {
            return RaftCodecError.BAD_TYPE;
        }
        final int limits = checkLimits(m);
        if (limits < 0)
        {
            return limits;
        }
        final long length = encodedLength(m);
        if (offset < 0 || length > (long)out.capacity() - offset)
        {
            return RaftCodecError.DOES_NOT_FIT;
        }
        final List<LogEntry> entries = m.entries();
        encodeHeader(m, type, entries.size(), out, offset);
        final int body = offset + HEADER_LENGTH;
        switch (m.type())
        {
            case INSTALL_SNAPSHOT -> encodeSnapshotChunk(m, out, body);
            case INSTALL_SNAPSHOT_RESPONSE ->
                out.putLong(body + SNAPSHOT_OFFSET_OFFSET, m.snapshotOffset(), BYTE_ORDER);
            default -> encodeEntries(entries, out, body);
        }
        return (int)length;
    }

    private int checkLimits(final RaftMessage m)
    {
        final List<LogEntry> entries = m.entries();
        if (!entries.isEmpty() && m.type() != MessageType.APPEND)
        {
            return RaftCodecError.UNEXPECTED_ENTRIES;
        }
        if (entries.size() > maxEntries)
        {
            return RaftCodecError.TOO_MANY_ENTRIES;
        }
        for (int i = 0, n = entries.size(); i < n; i++)
        {
            if (entries.get(i).sizeBytes() > maxEntryLength)
            {
                return RaftCodecError.ENTRY_TOO_LONG;
            }
        }
        if (m.type() == MessageType.INSTALL_SNAPSHOT)
        {
            if ((long)m.voters().length + m.learners().length > MAX_SNAPSHOT_MEMBERS)
            {
                return RaftCodecError.TOO_MANY_MEMBERS;
            }
            if (m.data().length > maxSnapshotChunkBytes)
            {
                return RaftCodecError.CHUNK_TOO_LONG;
            }
        }
        return 0;
    }

    private static void encodeEntries(final List<LogEntry> entries, final MutableDirectBuffer out, final int body)
    {
        int position = body;
        for (int i = 0, n = entries.size(); i < n; i++)
        {
            final LogEntry entry = entries.get(i);
            out.putLong(position + ENTRY_TERM_OFFSET, entry.term(), BYTE_ORDER);
            out.putLong(position + ENTRY_INDEX_OFFSET, entry.index(), BYTE_ORDER);
            out.putInt(position + ENTRY_PAYLOAD_LENGTH_OFFSET, entry.sizeBytes(), BYTE_ORDER);
            out.putByte(position + ENTRY_KIND_OFFSET, (byte)entry.kind().code());
            out.putBytes(position + ENTRY_HEADER_LENGTH, entry.payload());
            position += ENTRY_HEADER_LENGTH + entry.sizeBytes();
        }
    }

    private static void encodeSnapshotChunk(final RaftMessage m, final MutableDirectBuffer out, final int body)
    {
        // The accessors hand out the message's own arrays (documented "do not modify"), so this copies nothing.
        final int[] voters = m.voters();
        final int[] learners = m.learners();
        final byte[] data = m.data();
        out.putLong(body + SNAPSHOT_OFFSET_OFFSET, m.snapshotOffset(), BYTE_ORDER);
        out.putLong(body + SNAPSHOT_SIZE_OFFSET, m.snapshotSizeBytes(), BYTE_ORDER);
        out.putInt(body + VOTER_COUNT_OFFSET, voters.length, BYTE_ORDER);
        out.putInt(body + LEARNER_COUNT_OFFSET, learners.length, BYTE_ORDER);
        out.putInt(body + DATA_LENGTH_OFFSET, data.length, BYTE_ORDER);
        int position = body + SNAPSHOT_BODY_HEADER_LENGTH;
        for (final int voter : voters)
        {
            out.putInt(position, voter, BYTE_ORDER);
            position += MEMBER_ID_LENGTH;
        }
        for (final int learner : learners)
        {
            out.putInt(position, learner, BYTE_ORDER);
            position += MEMBER_ID_LENGTH;
        }
        out.putBytes(position, data);
    }

    private static void encodeHeader(
        final RaftMessage m, final int type, final int entryCount, final MutableDirectBuffer out, final int offset)
    {
        final int flags = (m.reject() ? FLAG_REJECT : 0) | (m.leaderTransfer() ? FLAG_LEADER_TRANSFER : 0);
        out.putByte(offset + VERSION_OFFSET, (byte)VERSION);
        out.putByte(offset + TYPE_OFFSET, (byte)type);
        out.putByte(offset + FLAGS_OFFSET, (byte)flags);
        out.putByte(offset + RESERVED_OFFSET, (byte)0);
        out.putInt(offset + FROM_OFFSET, m.from(), BYTE_ORDER);
        out.putInt(offset + TO_OFFSET, m.to(), BYTE_ORDER);
        out.putInt(offset + ENTRY_COUNT_OFFSET, entryCount, BYTE_ORDER);
        out.putLong(offset + TERM_OFFSET, m.term(), BYTE_ORDER);
        out.putLong(offset + LOG_TERM_OFFSET, m.logTerm(), BYTE_ORDER);
        out.putLong(offset + INDEX_OFFSET, m.index(), BYTE_ORDER);
        out.putLong(offset + COMMIT_OFFSET, m.commit(), BYTE_ORDER);
        out.putLong(offset + REJECT_HINT_OFFSET, m.rejectHint(), BYTE_ORDER);
        out.putLong(offset + CONTEXT_OFFSET, m.context(), BYTE_ORDER);
    }

    /**
     * Checks that {@code [offset, offset + length)} holds exactly one valid message, without allocating.
     *
     * @return {@code length}, or a negative {@link RaftCodecError}.
     */
    public int validate(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < HEADER_LENGTH)
        {
            return RaftCodecError.TOO_SHORT;
        }
        final int header = validateHeader(buffer, offset);
        if (header != 0)
        {
            return header;
        }
        switch (typeOf(buffer.getByte(offset + TYPE_OFFSET) & 0xFF))
        {
            case INSTALL_SNAPSHOT:
                return validateSnapshotChunk(buffer, offset, length);
            case INSTALL_SNAPSHOT_RESPONSE:
                return validateSnapshotResponse(buffer, offset, length);
            default:
                return validateEntries(buffer, offset, length);
        }
    }

    private int validateHeader(final DirectBuffer buffer, final int offset)
    {
        if ((buffer.getByte(offset + VERSION_OFFSET) & 0xFF) != VERSION)
        {
            return RaftCodecError.BAD_VERSION;
        }
        final MessageType type = typeOf(buffer.getByte(offset + TYPE_OFFSET) & 0xFF);
        if (type == null)
        {
            return RaftCodecError.BAD_TYPE;
        }
        if ((buffer.getByte(offset + FLAGS_OFFSET) & ~KNOWN_FLAGS) != 0)
        {
            return RaftCodecError.BAD_FLAGS;
        }
        if (buffer.getByte(offset + RESERVED_OFFSET) != 0)
        {
            return RaftCodecError.NONZERO_RESERVED;
        }
        final int from = buffer.getInt(offset + FROM_OFFSET, BYTE_ORDER);
        final int to = buffer.getInt(offset + TO_OFFSET, BYTE_ORDER);
        if (from <= 0 || to <= 0 || from == to)
        {
            return RaftCodecError.BAD_MEMBER;
        }
        final int entryCount = buffer.getInt(offset + ENTRY_COUNT_OFFSET, BYTE_ORDER);
        if (entryCount < 0 || buffer.getLong(offset + TERM_OFFSET, BYTE_ORDER) < 0 ||
            buffer.getLong(offset + LOG_TERM_OFFSET, BYTE_ORDER) < 0 ||
            buffer.getLong(offset + INDEX_OFFSET, BYTE_ORDER) < 0 ||
            buffer.getLong(offset + COMMIT_OFFSET, BYTE_ORDER) < 0 ||
            buffer.getLong(offset + REJECT_HINT_OFFSET, BYTE_ORDER) < 0)
        {
            return RaftCodecError.BAD_NUMBER;
        }
        if (entryCount > 0 && type != MessageType.APPEND)
        {
            return RaftCodecError.UNEXPECTED_ENTRIES;
        }
        return entryCount > maxEntries ? RaftCodecError.TOO_MANY_ENTRIES : 0;
    }

    private int validateEntries(final DirectBuffer buffer, final int offset, final int length)
    {
        final int entryCount = buffer.getInt(offset + ENTRY_COUNT_OFFSET, BYTE_ORDER);
        final long messageTerm = buffer.getLong(offset + TERM_OFFSET, BYTE_ORDER);
        long previousTerm = buffer.getLong(offset + LOG_TERM_OFFSET, BYTE_ORDER);
        long previousIndex = buffer.getLong(offset + INDEX_OFFSET, BYTE_ORDER);
        int position = HEADER_LENGTH;
        for (int i = 0; i < entryCount; i++)
        {
            if (length - position < ENTRY_HEADER_LENGTH)
            {
                return RaftCodecError.ENTRY_TRUNCATED;
            }
            final long term = buffer.getLong(offset + position + ENTRY_TERM_OFFSET, BYTE_ORDER);
            final long index = buffer.getLong(offset + position + ENTRY_INDEX_OFFSET, BYTE_ORDER);
            final int payloadLength = buffer.getInt(offset + position + ENTRY_PAYLOAD_LENGTH_OFFSET, BYTE_ORDER);
            if (payloadLength < 0 || payloadLength > maxEntryLength)
            {
                return payloadLength < 0 ? RaftCodecError.BAD_NUMBER : RaftCodecError.ENTRY_TOO_LONG;
            }
            final int kind = buffer.getByte(offset + position + ENTRY_KIND_OFFSET) & 0xFF;
            if (previousIndex == Long.MAX_VALUE || index != previousIndex + 1 || term < 1 || term < previousTerm ||
                term > messageTerm || kind >= ENTRY_KINDS)
            {
                return RaftCodecError.BAD_ENTRY;
            }
            position += ENTRY_HEADER_LENGTH;
            if (length - position < payloadLength)
            {
                return RaftCodecError.ENTRY_TRUNCATED;
            }
            position += payloadLength;
            previousTerm = term;
            previousIndex = index;
        }
        return position == length ? length : RaftCodecError.TRAILING_BYTES;
    }

    private int validateSnapshotChunk(final DirectBuffer buffer, final int offset, final int length)
    {
        final int bodyLength = length - HEADER_LENGTH;
        if (bodyLength < SNAPSHOT_BODY_HEADER_LENGTH)
        {
            return RaftCodecError.BODY_TRUNCATED;
        }
        final int body = offset + HEADER_LENGTH;
        final long snapshotOffset = buffer.getLong(body + SNAPSHOT_OFFSET_OFFSET, BYTE_ORDER);
        final long snapshotSize = buffer.getLong(body + SNAPSHOT_SIZE_OFFSET, BYTE_ORDER);
        final int voterCount = buffer.getInt(body + VOTER_COUNT_OFFSET, BYTE_ORDER);
        final int learnerCount = buffer.getInt(body + LEARNER_COUNT_OFFSET, BYTE_ORDER);
        final int dataLength = buffer.getInt(body + DATA_LENGTH_OFFSET, BYTE_ORDER);
        if (snapshotOffset < 0 || snapshotSize < 0 || voterCount < 0 || learnerCount < 0 || dataLength < 0)
        {
            return RaftCodecError.BAD_NUMBER;
        }
        if ((long)voterCount + learnerCount > MAX_SNAPSHOT_MEMBERS)
        {
            return RaftCodecError.TOO_MANY_MEMBERS;
        }
        if (dataLength > maxSnapshotChunkBytes)
        {
            return RaftCodecError.CHUNK_TOO_LONG;
        }
        final long snapshotIndex = buffer.getLong(offset + INDEX_OFFSET, BYTE_ORDER);
        final long snapshotTerm = buffer.getLong(offset + LOG_TERM_OFFSET, BYTE_ORDER);
        // A snapshot covers at least index 1 of some term no later than its sender's, and names at least one voter.
        if (snapshotIndex < 1 || snapshotTerm < 1 || snapshotTerm > buffer.getLong(offset + TERM_OFFSET, BYTE_ORDER) ||
            voterCount < 1 || snapshotOffset > snapshotSize - dataLength)
        {
            return RaftCodecError.BAD_SNAPSHOT;
        }
        final int memberCount = voterCount + learnerCount;
        final long expected = SNAPSHOT_BODY_HEADER_LENGTH + (long)memberCount * MEMBER_ID_LENGTH + dataLength;
        if (bodyLength != expected)
        {
            return bodyLength < expected ? RaftCodecError.BODY_TRUNCATED : RaftCodecError.TRAILING_BYTES;
        }
        for (int i = 0; i < memberCount; i++)
        {
            if (buffer.getInt(body + SNAPSHOT_BODY_HEADER_LENGTH + i * MEMBER_ID_LENGTH, BYTE_ORDER) <= 0)
            {
                return RaftCodecError.BAD_MEMBER;
            }
        }
        return length;
    }

    private static int validateSnapshotResponse(final DirectBuffer buffer, final int offset, final int length)
    {
        final int bodyLength = length - HEADER_LENGTH;
        if (bodyLength != SNAPSHOT_RESPONSE_BODY_LENGTH)
        {
            return bodyLength < SNAPSHOT_RESPONSE_BODY_LENGTH ? RaftCodecError.BODY_TRUNCATED :
                RaftCodecError.TRAILING_BYTES;
        }
        return buffer.getLong(offset + HEADER_LENGTH + SNAPSHOT_OFFSET_OFFSET, BYTE_ORDER) < 0 ?
            RaftCodecError.BAD_NUMBER : length;
    }

    /**
     * Validates and decodes one message; on success {@link #message()} returns it until the next call.
     *
     * @return {@code length}, or a negative {@link RaftCodecError} (then {@link #message()} is null).
     */
    public int decode(final DirectBuffer buffer, final int offset, final int length)
    {
        message = null;
        final int valid = validate(buffer, offset, length);
        if (valid < 0)
        {
            return valid;
        }
        final int flags = buffer.getByte(offset + FLAGS_OFFSET);
        final MessageType type = typeOf(buffer.getByte(offset + TYPE_OFFSET) & 0xFF);
        final RaftMessage decoded = new RaftMessage(
            type,
            buffer.getInt(offset + FROM_OFFSET, BYTE_ORDER),
            buffer.getInt(offset + TO_OFFSET, BYTE_ORDER),
            buffer.getLong(offset + TERM_OFFSET, BYTE_ORDER))
            .logTerm(buffer.getLong(offset + LOG_TERM_OFFSET, BYTE_ORDER))
            .index(buffer.getLong(offset + INDEX_OFFSET, BYTE_ORDER))
            .commit(buffer.getLong(offset + COMMIT_OFFSET, BYTE_ORDER))
            .rejectHint(buffer.getLong(offset + REJECT_HINT_OFFSET, BYTE_ORDER))
            .context(buffer.getLong(offset + CONTEXT_OFFSET, BYTE_ORDER))
            .reject((flags & FLAG_REJECT) != 0)
            .leaderTransfer((flags & FLAG_LEADER_TRANSFER) != 0);
        final int body = offset + HEADER_LENGTH;
        final int entryCount = buffer.getInt(offset + ENTRY_COUNT_OFFSET, BYTE_ORDER);
        if (type == MessageType.INSTALL_SNAPSHOT)
        {
            decodeSnapshotChunk(buffer, body, decoded);
        }
        else if (type == MessageType.INSTALL_SNAPSHOT_RESPONSE)
        {
            decoded.snapshotOffset(buffer.getLong(body + SNAPSHOT_OFFSET_OFFSET, BYTE_ORDER));
        }
        else if (entryCount > 0)
        {
            decoded.entries(decodeEntries(buffer, offset, entryCount));
        }
        message = decoded;
        return length;
    }

    private static List<LogEntry> decodeEntries(final DirectBuffer buffer, final int offset, final int entryCount)
    {
        final ArrayList<LogEntry> entries = new ArrayList<>(entryCount);
        int position = offset + HEADER_LENGTH;
        for (int i = 0; i < entryCount; i++)
        {
            final byte[] payload = new byte[buffer.getInt(position + ENTRY_PAYLOAD_LENGTH_OFFSET, BYTE_ORDER)];
            buffer.getBytes(position + ENTRY_HEADER_LENGTH, payload);
            entries.add(new LogEntry(buffer.getLong(position + ENTRY_TERM_OFFSET, BYTE_ORDER),
                buffer.getLong(position + ENTRY_INDEX_OFFSET, BYTE_ORDER),
                EntryKind.fromCode(buffer.getByte(position + ENTRY_KIND_OFFSET) & 0xFF), payload));
            position += ENTRY_HEADER_LENGTH + payload.length;
        }
        return entries;
    }

    private static void decodeSnapshotChunk(final DirectBuffer buffer, final int body, final RaftMessage decoded)
    {
        final int[] voters = new int[buffer.getInt(body + VOTER_COUNT_OFFSET, BYTE_ORDER)];
        final int[] learners = new int[buffer.getInt(body + LEARNER_COUNT_OFFSET, BYTE_ORDER)];
        final byte[] data = new byte[buffer.getInt(body + DATA_LENGTH_OFFSET, BYTE_ORDER)];
        int position = body + SNAPSHOT_BODY_HEADER_LENGTH;
        for (int i = 0; i < voters.length; i++, position += MEMBER_ID_LENGTH)
        {
            voters[i] = buffer.getInt(position, BYTE_ORDER);
        }
        for (int i = 0; i < learners.length; i++, position += MEMBER_ID_LENGTH)
        {
            learners[i] = buffer.getInt(position, BYTE_ORDER);
        }
        buffer.getBytes(position, data);
        decoded.snapshotOffset(buffer.getLong(body + SNAPSHOT_OFFSET_OFFSET, BYTE_ORDER))
            .snapshotSizeBytes(buffer.getLong(body + SNAPSHOT_SIZE_OFFSET, BYTE_ORDER))
            .voters(voters).learners(learners).data(data);
    }

    /** The message the last successful {@link #decode} produced, or null after a refusal. */
    public RaftMessage message()
    {
        return message;
    }

    /** The wire byte for a type, or -1 for one this version cannot encode (a type added to the engine later). */
    public static int typeCode(final MessageType type)
    {
        switch (type)
        {
            case PRE_VOTE: return 1;
            case PRE_VOTE_RESPONSE: return 2;
            case VOTE: return 3;
            case VOTE_RESPONSE: return 4;
            case APPEND: return 5;
            case APPEND_RESPONSE: return 6;
            case HEARTBEAT: return 7;
            case HEARTBEAT_RESPONSE: return 8;
            case READ_INDEX: return 9;
            case READ_INDEX_RESP: return 10;
            case TIMEOUT_NOW: return 11;
            case INSTALL_SNAPSHOT: return 12;
            case INSTALL_SNAPSHOT_RESPONSE: return 13;
            default: return -1;
        }
    }

    /** The type for a wire byte, or null for an unknown one. */
    public static MessageType typeOf(final int code)
    {
        switch (code)
        {
            case 1: return MessageType.PRE_VOTE;
            case 2: return MessageType.PRE_VOTE_RESPONSE;
            case 3: return MessageType.VOTE;
            case 4: return MessageType.VOTE_RESPONSE;
            case 5: return MessageType.APPEND;
            case 6: return MessageType.APPEND_RESPONSE;
            case 7: return MessageType.HEARTBEAT;
            case 8: return MessageType.HEARTBEAT_RESPONSE;
            case 9: return MessageType.READ_INDEX;
            case 10: return MessageType.READ_INDEX_RESP;
            case 11: return MessageType.TIMEOUT_NOW;
            case 12: return MessageType.INSTALL_SNAPSHOT;
            case 13: return MessageType.INSTALL_SNAPSHOT_RESPONSE;
            default: return null;
        }
    }
}
