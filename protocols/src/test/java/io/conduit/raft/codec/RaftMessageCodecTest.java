package io.conduit.raft.codec;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import io.conduit.raft.LogEntry;
import io.conduit.raft.MessageType;
import io.conduit.raft.RaftConfig;
import io.conduit.raft.RaftMessage;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static io.conduit.raft.codec.RaftMessageCodec.BYTE_ORDER;
import static io.conduit.raft.codec.RaftMessageCodec.HEADER_LENGTH;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The layout at fixed offsets, and one test per refusal. */
class RaftMessageCodecTest
{
    private final RaftMessageCodec codec = new RaftMessageCodec(4, 16, 32);

    private static RaftMessage append()
    {
        return new RaftMessage(MessageType.APPEND, 1, 2, 7).index(10).logTerm(5).commit(9).context(-3)
            .entries(List.of(new LogEntry(5, 11, new byte[]{1, 2}), new LogEntry(7, 12, new byte[]{3})));
    }

    private byte[] encode(final RaftMessage m)
    {
        final byte[] bytes = new byte[(int)RaftMessageCodec.encodedLength(m)];
        assertEquals(bytes.length, codec.encode(m, new UnsafeBuffer(bytes), 0));
        return bytes;
    }

    private int decode(final byte[] bytes)
    {
        return codec.decode(new UnsafeBuffer(bytes), 0, bytes.length);
    }

    @Test
    void fieldsSitAtTheDocumentedOffsetsLittleEndian()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(encode(append().reject(true).rejectHint(4)));

        assertEquals(HEADER_LENGTH + 2 * RaftMessageCodec.ENTRY_HEADER_LENGTH + 3, buffer.capacity());
        assertEquals(2, buffer.getByte(0), "version 2: entries carry their kind");
        assertEquals(5, buffer.getByte(1), "APPEND");
        assertEquals(RaftMessageCodec.FLAG_REJECT, buffer.getByte(2));
        assertEquals(0, buffer.getByte(3));
        assertEquals(1, buffer.getInt(4, BYTE_ORDER));
        assertEquals(2, buffer.getInt(8, BYTE_ORDER));
        assertEquals(2, buffer.getInt(12, BYTE_ORDER));
        assertEquals(7, buffer.getLong(16, BYTE_ORDER));
        assertEquals(5, buffer.getLong(24, BYTE_ORDER));
        assertEquals(10, buffer.getLong(32, BYTE_ORDER));
        assertEquals(9, buffer.getLong(40, BYTE_ORDER));
        assertEquals(4, buffer.getLong(48, BYTE_ORDER));
        assertEquals(-3, buffer.getLong(56, BYTE_ORDER));
        assertEquals(5, buffer.getLong(64, BYTE_ORDER));
        assertEquals(11, buffer.getLong(72, BYTE_ORDER));
        assertEquals(2, buffer.getInt(80, BYTE_ORDER));
        assertEquals(0, buffer.getByte(84), "EntryKind.NORMAL");
        assertEquals(1, buffer.getByte(85));
        assertEquals(2, buffer.getByte(86));
        assertEquals(7, buffer.getLong(87, BYTE_ORDER));
        assertEquals(12, buffer.getLong(95, BYTE_ORDER));
    }

    @Test
    void typeBytesAreFixedAndEveryEngineTypeHasOne()
    {
        for (final MessageType type : MessageType.values())
        {
            final int code = RaftMessageCodec.typeCode(type);
            assertEquals(type, RaftMessageCodec.typeOf(code));
        }
        assertEquals(1, RaftMessageCodec.typeCode(MessageType.PRE_VOTE));
        assertEquals(11, RaftMessageCodec.typeCode(MessageType.TIMEOUT_NOW));
        assertEquals(12, RaftMessageCodec.typeCode(MessageType.INSTALL_SNAPSHOT));
        assertEquals(13, RaftMessageCodec.typeCode(MessageType.INSTALL_SNAPSHOT_RESPONSE));
        assertNull(RaftMessageCodec.typeOf(0));
        assertNull(RaftMessageCodec.typeOf(14));
    }

    @Test
    void leaderTransferFlagRoundTrips()
    {
        final RaftMessage vote = new RaftMessage(MessageType.VOTE, 3, 1, 4).index(8).logTerm(3).leaderTransfer(true);
        final byte[] bytes = encode(vote);
        assertEquals(RaftMessageCodec.FLAG_LEADER_TRANSFER, bytes[RaftMessageCodec.FLAGS_OFFSET]);
        assertEquals(bytes.length, decode(bytes));
        RaftMessageCodecProperties.assertSameMessage(vote, codec.message());
    }

    @Test
    void aMessageThatDoesNotFitWritesNothing()
    {
        final RaftMessage m = append();
        final byte[] bytes = new byte[(int)RaftMessageCodec.encodedLength(m) + 2];
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);

        assertEquals(RaftCodecError.DOES_NOT_FIT, codec.encode(m, buffer, 3));
        assertArrayEquals(new byte[bytes.length], bytes);
        assertEquals(bytes.length - 2, codec.encode(m, buffer, 2));
    }

    @Test
    void encodingRefusesWhatAPeerWithTheSameLimitsWouldRefuse()
    {
        final RaftMessage tooLong = new RaftMessage(MessageType.APPEND, 1, 2, 1)
            .entries(List.of(new LogEntry(1, 1, new byte[17])));
        final RaftMessage tooMany = new RaftMessage(MessageType.APPEND, 1, 2, 1).entries(List.of(
            new LogEntry(1, 1, null), new LogEntry(1, 2, null), new LogEntry(1, 3, null), new LogEntry(1, 4, null),
            new LogEntry(1, 5, null)));
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);

        assertEquals(RaftCodecError.ENTRY_TOO_LONG, codec.encode(tooLong, buffer, 0));
        assertEquals(RaftCodecError.TOO_MANY_ENTRIES, codec.encode(tooMany, buffer, 0));
        assertEquals(RaftCodecError.UNEXPECTED_ENTRIES, codec.encode(new RaftMessage(MessageType.HEARTBEAT, 1, 2, 1)
            .entries(List.of(new LogEntry(1, 1, null))), buffer, 0));
        assertEquals(RaftCodecError.CHUNK_TOO_LONG, codec.encode(chunk().data(new byte[33]), buffer, 0));
        assertEquals(RaftCodecError.TOO_MANY_MEMBERS, codec.encode(chunk().voters(new int[200])
            .learners(new int[RaftMessageCodec.MAX_SNAPSHOT_MEMBERS - 199]), buffer, 0));
        assertEquals(0, buffer.getLong(0), "nothing written");
    }

    // ------------------------------------------------------------------------------------- snapshot messages

    private static final int BODY = HEADER_LENGTH;
    private static final int MEMBERS = BODY + RaftMessageCodec.SNAPSHOT_BODY_HEADER_LENGTH;

    /** Snapshot 40 at term 3, sent at term 5: 3 bytes at offset 8 of 20, voters 1, 2, 3 and learner 4. */
    private static RaftMessage chunk()
    {
        return new RaftMessage(MessageType.INSTALL_SNAPSHOT, 1, 2, 5).index(40).logTerm(3)
            .voters(new int[]{1, 2, 3}).learners(new int[]{4}).snapshotOffset(8).snapshotSizeBytes(20)
            .data(new byte[]{7, 8, 9});
    }

    @Test
    void aSnapshotChunkSitsAtTheDocumentedOffsets()
    {
        final byte[] bytes = encode(chunk());
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);

        assertEquals(MEMBERS + 4 * 4 + 3, bytes.length);
        assertEquals(12, buffer.getByte(RaftMessageCodec.TYPE_OFFSET));
        assertEquals(0, buffer.getInt(RaftMessageCodec.ENTRY_COUNT_OFFSET, BYTE_ORDER));
        assertEquals(3, buffer.getLong(RaftMessageCodec.LOG_TERM_OFFSET, BYTE_ORDER), "snapshot term");
        assertEquals(40, buffer.getLong(RaftMessageCodec.INDEX_OFFSET, BYTE_ORDER), "snapshot index");
        assertEquals(8, buffer.getLong(BODY, BYTE_ORDER));
        assertEquals(20, buffer.getLong(BODY + 8, BYTE_ORDER));
        assertEquals(3, buffer.getInt(BODY + 16, BYTE_ORDER));
        assertEquals(1, buffer.getInt(BODY + 20, BYTE_ORDER));
        assertEquals(3, buffer.getInt(BODY + 24, BYTE_ORDER));
        assertEquals(1, buffer.getInt(MEMBERS, BYTE_ORDER));
        assertEquals(3, buffer.getInt(MEMBERS + 8, BYTE_ORDER));
        assertEquals(4, buffer.getInt(MEMBERS + 12, BYTE_ORDER), "the learner follows the voters");
        assertEquals(7, buffer.getByte(MEMBERS + 16));
        assertEquals(9, buffer.getByte(MEMBERS + 18));
        assertEquals(bytes.length, decode(bytes));
        RaftMessageCodecProperties.assertSameMessage(chunk(), codec.message());
    }

    @Test
    void aSnapshotResponseCarriesOnlyTheNextOffset()
    {
        final RaftMessage response = new RaftMessage(MessageType.INSTALL_SNAPSHOT_RESPONSE, 2, 1, 5).index(40)
            .logTerm(3).snapshotOffset(11).reject(true);
        final byte[] bytes = encode(response);

        assertEquals(HEADER_LENGTH + RaftMessageCodec.SNAPSHOT_RESPONSE_BODY_LENGTH, bytes.length);
        assertEquals(13, bytes[RaftMessageCodec.TYPE_OFFSET]);
        assertEquals(RaftMessageCodec.FLAG_REJECT, bytes[RaftMessageCodec.FLAGS_OFFSET]);
        assertEquals(11, new UnsafeBuffer(bytes).getLong(BODY, BYTE_ORDER));
        assertEquals(bytes.length, decode(bytes));
        RaftMessageCodecProperties.assertSameMessage(response, codec.message());

        assertEquals(RaftCodecError.BODY_TRUNCATED, codec.decode(new UnsafeBuffer(bytes), 0, bytes.length - 1));
        assertEquals(RaftCodecError.TRAILING_BYTES, decode(Arrays.copyOf(bytes, bytes.length + 1)));
        putLong(bytes, BODY, -1);
        assertEquals(RaftCodecError.BAD_NUMBER, decode(bytes));
    }

    @Test
    void refusesSnapshotChunksWithBadNumbersOrOutsideTheLimits()
    {
        assertChunkRefused(RaftCodecError.BAD_NUMBER, bytes -> putLong(bytes, BODY, -1));
        assertChunkRefused(RaftCodecError.BAD_NUMBER, bytes -> putLong(bytes, BODY + 8, -1));
        assertChunkRefused(RaftCodecError.BAD_NUMBER, bytes -> put(bytes, BODY + 16, -1));
        assertChunkRefused(RaftCodecError.BAD_NUMBER, bytes -> put(bytes, BODY + 20, -1));
        assertChunkRefused(RaftCodecError.BAD_NUMBER, bytes -> put(bytes, BODY + 24, -1));
        assertChunkRefused(RaftCodecError.TOO_MANY_MEMBERS, bytes -> put(bytes, BODY + 16, Integer.MAX_VALUE));
        assertChunkRefused(RaftCodecError.TOO_MANY_MEMBERS,
            bytes -> put(bytes, BODY + 20, RaftMessageCodec.MAX_SNAPSHOT_MEMBERS - 2));
        assertChunkRefused(RaftCodecError.CHUNK_TOO_LONG, bytes -> put(bytes, BODY + 24, 33));
        assertChunkRefused(RaftCodecError.UNEXPECTED_ENTRIES,
            bytes -> put(bytes, RaftMessageCodec.ENTRY_COUNT_OFFSET, 1));
    }

    @Test
    void refusesSnapshotChunksNoLeaderSends()
    {
        assertChunkRefused(RaftCodecError.BAD_SNAPSHOT, bytes -> putLong(bytes, RaftMessageCodec.INDEX_OFFSET, 0));
        assertChunkRefused(RaftCodecError.BAD_SNAPSHOT, bytes -> putLong(bytes, RaftMessageCodec.LOG_TERM_OFFSET, 0));
        assertChunkRefused(RaftCodecError.BAD_SNAPSHOT, bytes -> putLong(bytes, RaftMessageCodec.LOG_TERM_OFFSET, 6));
        assertChunkRefused(RaftCodecError.BAD_SNAPSHOT, bytes ->
        {
            put(bytes, BODY + 16, 0);
            put(bytes, BODY + 20, 4);
        });
        // Offset 18 + 3 bytes runs past the 20-byte snapshot; so does any chunk of an empty one.
        assertChunkRefused(RaftCodecError.BAD_SNAPSHOT, bytes -> putLong(bytes, BODY, 18));
        assertChunkRefused(RaftCodecError.BAD_SNAPSHOT, bytes -> putLong(bytes, BODY + 8, 0));
        assertChunkRefused(RaftCodecError.BAD_MEMBER, bytes -> put(bytes, MEMBERS + 4, 0));
        assertChunkRefused(RaftCodecError.BAD_MEMBER, bytes -> put(bytes, MEMBERS + 12, -4));
    }

    @Test
    void refusesSnapshotBodiesOfTheWrongLength()
    {
        // Counts that promise more than the bytes hold, or less.
        assertChunkRefused(RaftCodecError.BODY_TRUNCATED, bytes -> put(bytes, BODY + 20, 2));
        assertChunkRefused(RaftCodecError.BODY_TRUNCATED, bytes ->
        {
            put(bytes, BODY + 24, 4);
            putLong(bytes, BODY, 0);
        });
        assertChunkRefused(RaftCodecError.TRAILING_BYTES, bytes -> put(bytes, BODY + 20, 0));
        final byte[] bytes = encode(chunk());
        for (int cut = HEADER_LENGTH; cut < bytes.length; cut++)
        {
            assertEquals(RaftCodecError.BODY_TRUNCATED, codec.decode(new UnsafeBuffer(bytes, 0, cut), 0, cut));
        }
    }

    @Test
    void theSendBufferLengthCoversAFullChunkWithTheMostMembers()
    {
        final int[] voters = new int[RaftMessageCodec.MAX_SNAPSHOT_MEMBERS];
        Arrays.fill(voters, 9);
        final RaftMessage full = chunk().snapshotOffset(0).snapshotSizeBytes(32).data(new byte[32])
            .voters(voters).learners(new int[0]);
        final long length = codec.maxMessageLength(16);

        assertEquals(RaftMessageCodec.encodedLength(full), length);
        assertEquals(length, codec.encode(full, new UnsafeBuffer(new byte[(int)length]), 0));
        assertEquals(HEADER_LENGTH + 4L * RaftMessageCodec.ENTRY_HEADER_LENGTH + 4096, codec.maxMessageLength(4096),
            "a large append batch is the longer message");
    }

    @Test
    void aCodecForAConfigurationTakesItsBatchAndChunkSizes()
    {
        final RaftConfig raft = RaftConfig.defaults(1, new int[]{1, 2, 3}, new SplittableRandom(1))
            .withBatching(8, 16, 1024).withSnapshotTransfer(512, 2, 1 << 20);
        final RaftMessageCodec forConfig = RaftMessageCodec.forConfig(raft, 100);

        assertEquals(16, forConfig.maxEntries());
        assertEquals(100, forConfig.maxEntryLength());
        assertEquals(512, forConfig.maxSnapshotChunkBytes());
        assertEquals(RaftConfig.DEFAULT_SNAPSHOT_CHUNK_BYTES,
            new RaftMessageCodec(1, 1).maxSnapshotChunkBytes());
    }

    @Test
    void refusesAnUnknownVersionTypeFlagOrReservedByte()
    {
        assertRefused(RaftCodecError.BAD_VERSION, bytes -> bytes[0] = 1);
        assertRefused(RaftCodecError.BAD_VERSION, bytes -> bytes[0] = 3);
        assertRefused(RaftCodecError.BAD_ENTRY, bytes -> bytes[HEADER_LENGTH + RaftMessageCodec.ENTRY_KIND_OFFSET] = 2);
        assertRefused(RaftCodecError.BAD_TYPE, bytes -> bytes[1] = 0);
        assertRefused(RaftCodecError.BAD_TYPE, bytes -> bytes[1] = 14);
        assertRefused(RaftCodecError.BAD_FLAGS, bytes -> bytes[2] = 4);
        assertRefused(RaftCodecError.NONZERO_RESERVED, bytes -> bytes[3] = 1);
    }

    @Test
    void refusesBadMembersAndNegativeNumbers()
    {
        assertRefused(RaftCodecError.BAD_MEMBER, bytes -> put(bytes, RaftMessageCodec.FROM_OFFSET, 0));
        assertRefused(RaftCodecError.BAD_MEMBER, bytes -> put(bytes, RaftMessageCodec.TO_OFFSET, -1));
        assertRefused(RaftCodecError.BAD_MEMBER, bytes -> put(bytes, RaftMessageCodec.TO_OFFSET, 1));
        assertRefused(RaftCodecError.BAD_NUMBER, bytes -> put(bytes, RaftMessageCodec.ENTRY_COUNT_OFFSET, -1));
        assertRefused(RaftCodecError.BAD_NUMBER, bytes -> putLong(bytes, RaftMessageCodec.TERM_OFFSET, -1));
        assertRefused(RaftCodecError.BAD_NUMBER, bytes -> putLong(bytes, RaftMessageCodec.COMMIT_OFFSET, -5));
        assertRefused(RaftCodecError.BAD_NUMBER, bytes -> putLong(bytes, RaftMessageCodec.REJECT_HINT_OFFSET, -5));
        assertRefused(RaftCodecError.BAD_NUMBER,
            bytes -> put(bytes, HEADER_LENGTH + RaftMessageCodec.ENTRY_PAYLOAD_LENGTH_OFFSET, -1));
    }

    @Test
    void refusesEntriesOutsideTheLimitsOrOnTheWrongType()
    {
        assertRefused(RaftCodecError.TOO_MANY_ENTRIES, bytes -> put(bytes, RaftMessageCodec.ENTRY_COUNT_OFFSET, 5));
        assertRefused(RaftCodecError.UNEXPECTED_ENTRIES, bytes -> bytes[1] = 7);
        assertRefused(RaftCodecError.ENTRY_TOO_LONG,
            bytes -> put(bytes, HEADER_LENGTH + RaftMessageCodec.ENTRY_PAYLOAD_LENGTH_OFFSET, 17));
        assertRefused(RaftCodecError.ENTRY_TRUNCATED,
            bytes -> put(bytes, HEADER_LENGTH + RaftMessageCodec.ENTRY_PAYLOAD_LENGTH_OFFSET, 16));
        assertRefused(RaftCodecError.ENTRY_TRUNCATED, bytes -> put(bytes, RaftMessageCodec.ENTRY_COUNT_OFFSET, 3));
        assertRefused(RaftCodecError.TRAILING_BYTES, bytes -> put(bytes, RaftMessageCodec.ENTRY_COUNT_OFFSET, 1));
    }

    @Test
    void refusesEntriesThatNoLogCouldHold()
    {
        final int second = HEADER_LENGTH + RaftMessageCodec.ENTRY_HEADER_LENGTH + 2;
        // Index gap, index before the probe, term 0, term falling, term below logTerm, term above the message's.
        assertRefused(RaftCodecError.BAD_ENTRY, bytes -> putLong(bytes, second + 8, 13));
        assertRefused(RaftCodecError.BAD_ENTRY, bytes -> putLong(bytes, HEADER_LENGTH + 8, 10));
        assertRefused(RaftCodecError.BAD_ENTRY, bytes -> putLong(bytes, HEADER_LENGTH, 0));
        assertRefused(RaftCodecError.BAD_ENTRY, bytes -> putLong(bytes, second, 4));
        assertRefused(RaftCodecError.BAD_ENTRY, bytes -> putLong(bytes, RaftMessageCodec.LOG_TERM_OFFSET, 6));
        assertRefused(RaftCodecError.BAD_ENTRY, bytes -> putLong(bytes, RaftMessageCodec.TERM_OFFSET, 6));
        assertRefused(RaftCodecError.BAD_ENTRY, bytes -> putLong(bytes, RaftMessageCodec.INDEX_OFFSET,
            Long.MAX_VALUE));
    }

    @Test
    void errorsHaveDescriptions()
    {
        for (int code = RaftCodecError.BODY_TRUNCATED; code <= RaftCodecError.TOO_SHORT; code++)
        {
            assertEquals(false, RaftCodecError.describe(code).startsWith("unknown error"), "code " + code);
        }
        assertEquals("unknown error -99", RaftCodecError.describe(-99));
    }

    private interface Mutation
    {
        void apply(byte[] bytes);
    }

    private void assertRefused(final int expected, final Mutation mutation)
    {
        assertRefused(append(), expected, mutation);
    }

    private void assertChunkRefused(final int expected, final Mutation mutation)
    {
        assertRefused(chunk(), expected, mutation);
    }

    private void assertRefused(final RaftMessage message, final int expected, final Mutation mutation)
    {
        final byte[] bytes = encode(message);
        assertEquals(bytes.length, decode(bytes));
        mutation.apply(bytes);
        final int result = decode(bytes);
        assertEquals(expected, result,
            () -> "expected " + RaftCodecError.describe(expected) + ", got " + RaftCodecError.describe(result));
        assertNull(codec.message());
    }

    private static void put(final byte[] bytes, final int offset, final int value)
    {
        new UnsafeBuffer(bytes).putInt(offset, value, BYTE_ORDER);
    }

    private static void putLong(final byte[] bytes, final int offset, final long value)
    {
        new UnsafeBuffer(bytes).putLong(offset, value, BYTE_ORDER);
    }
}
