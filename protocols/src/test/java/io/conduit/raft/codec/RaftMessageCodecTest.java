package io.conduit.raft.codec;

import java.util.List;

import io.conduit.raft.LogEntry;
import io.conduit.raft.MessageType;
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
    private final RaftMessageCodec codec = new RaftMessageCodec(4, 16);

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
        assertEquals(1, buffer.getByte(0));
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
        assertEquals(1, buffer.getByte(84));
        assertEquals(2, buffer.getByte(85));
        assertEquals(7, buffer.getLong(86, BYTE_ORDER));
        assertEquals(12, buffer.getLong(94, BYTE_ORDER));
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
        assertNull(RaftMessageCodec.typeOf(0));
        assertNull(RaftMessageCodec.typeOf(12));
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
    }

    @Test
    void refusesAnUnknownVersionTypeFlagOrReservedByte()
    {
        assertRefused(RaftCodecError.BAD_VERSION, bytes -> bytes[0] = 2);
        assertRefused(RaftCodecError.BAD_TYPE, bytes -> bytes[1] = 0);
        assertRefused(RaftCodecError.BAD_TYPE, bytes -> bytes[1] = 12);
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
        for (int code = RaftCodecError.DOES_NOT_FIT; code <= RaftCodecError.TOO_SHORT; code++)
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
        final byte[] bytes = encode(append());
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
