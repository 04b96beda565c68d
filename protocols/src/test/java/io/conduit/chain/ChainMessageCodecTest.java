package io.conduit.chain;

import java.util.List;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The chain wire format: exact round trips, one test per validation rule, and garbage that never throws. */
class ChainMessageCodecTest
{
    private static final List<ChainMessage> SAMPLES = List.of(
        new ChainMessage.Forward(3, List.of(new ChainUpdate(7, 2, new byte[]{1, 2, 3}),
            new ChainUpdate(8, 3, new byte[0]), new ChainUpdate(9, 3, new byte[]{9}))),
        new ChainMessage.Ack(3, 42),
        new ChainMessage.Hello(3, 42, 40),
        new ChainMessage.Resume(3, 41),
        new ChainMessage.SnapshotChunk(3, 42, 40, 10, 4, new byte[]{5, 6, 7}),
        new ChainMessage.ReadQuery(3, 11, new byte[]{1, 1, 2, 3}),
        new ChainMessage.ReadReply(3, 11, new byte[]{4, 5}));

    private static UnsafeBuffer encode(final ChainMessage message)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[ChainMessageCodec.encodedLength(message)]);
        assertEquals(buffer.capacity(), ChainMessageCodec.encode(message, buffer, 0));
        return buffer;
    }

    private static int validate(final UnsafeBuffer buffer)
    {
        return ChainMessageCodec.validate(buffer, 0, buffer.capacity());
    }

    @Test
    void everyMessageTypeRoundTripsExactly()
    {
        for (final ChainMessage message : SAMPLES)
        {
            final UnsafeBuffer buffer = encode(message);
            assertEquals(buffer.capacity(), validate(buffer), message::toString);
            assertEquals(message, ChainMessageCodec.decode(buffer, 0, buffer.capacity()));
        }
    }

    @Test
    void decodingAtAnOffsetReadsOnlyTheMessagesBytes()
    {
        final ChainMessage message = SAMPLES.get(0);
        final int length = ChainMessageCodec.encodedLength(message);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length + 20]);
        ChainMessageCodec.encode(message, buffer, 10);
        assertEquals(message, ChainMessageCodec.decode(buffer, 10, length));
        assertNull(ChainMessageCodec.decode(buffer, 10, length + 1), "a trailing byte is refused");
    }

    @Test
    void aWrongVersionTypeOrReservedByteIsRefused()
    {
        final UnsafeBuffer version = encode(SAMPLES.get(1));
        version.putByte(ChainMessageCodec.VERSION_OFFSET, (byte)2);
        assertEquals(ChainCodecError.BAD_VERSION, validate(version));

        final UnsafeBuffer type = encode(SAMPLES.get(1));
        type.putByte(ChainMessageCodec.TYPE_OFFSET, (byte)99);
        assertEquals(ChainCodecError.BAD_TYPE, validate(type));

        final UnsafeBuffer reserved = encode(SAMPLES.get(1));
        reserved.putByte(ChainMessageCodec.RESERVED_OFFSET + 1, (byte)1);
        assertEquals(ChainCodecError.NONZERO_RESERVED, validate(reserved));
    }

    @Test
    void epochZeroIsRefused()
    {
        final UnsafeBuffer buffer = encode(SAMPLES.get(1));
        buffer.putLong(ChainMessageCodec.EPOCH_OFFSET, 0, java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(ChainCodecError.BAD_NUMBER, validate(buffer));
    }

    @Test
    void aForwardMustCarryConsecutiveSequencesWithTermsUpToItsEpoch()
    {
        final byte[] none = new byte[0];
        assertEquals(ChainCodecError.NOT_CONSECUTIVE, validate(encode(new ChainMessage.Forward(3,
            List.of(new ChainUpdate(7, 1, none), new ChainUpdate(9, 1, none))))));
        assertEquals(ChainCodecError.BAD_NUMBER, validate(encode(new ChainMessage.Forward(3,
            List.of(new ChainUpdate(7, 4, none))))), "a term above the sender's epoch");
        assertEquals(ChainCodecError.BAD_NUMBER, validate(encode(new ChainMessage.Forward(3,
            List.of(new ChainUpdate(0, 1, none))))), "sequence numbers start at 1");

        final UnsafeBuffer zeroCount = encode(SAMPLES.get(0));
        zeroCount.putInt(ChainMessageCodec.COUNT_OFFSET, 0, java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(ChainCodecError.BAD_COUNT, validate(zeroCount));
    }

    @Test
    void aHelloCannotKnowMoreCommittedThanItHolds()
    {
        assertEquals(ChainCodecError.BAD_NUMBER, validate(encode(new ChainMessage.Hello(1, 5, 6))));
        assertEquals(ChainCodecError.BAD_NUMBER, validate(encode(new ChainMessage.Ack(1, -1))));
    }

    @Test
    void aSnapshotChunkMustLieInsideItsSnapshot()
    {
        assertEquals(ChainCodecError.BAD_LENGTH, validate(encode(
            new ChainMessage.SnapshotChunk(1, 5, 5, 10, 8, new byte[3]))));
        assertEquals(ChainCodecError.BAD_NUMBER, validate(encode(
            new ChainMessage.SnapshotChunk(1, 5, 6, 10, 0, new byte[3]))));
    }

    @Test
    void everyTruncationIsRefused()
    {
        for (final ChainMessage message : SAMPLES)
        {
            final UnsafeBuffer buffer = encode(message);
            for (int length = 0; length < buffer.capacity(); length++)
            {
                assertTrue(ChainMessageCodec.validate(buffer, 0, length) < 0, message + " cut to " + length);
                assertNull(ChainMessageCodec.decode(buffer, 0, length));
            }
        }
    }

    @Test
    void garbageNeverThrowsAndWhatDecodesReencodesToTheSameBytes()
    {
        final SplittableRandom random = new SplittableRandom(20_240_601);
        int decoded = 0;
        for (int i = 0; i < 200_000; i++)
        {
            final byte[] bytes = mutant(random);
            final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
            final int result = ChainMessageCodec.validate(buffer, 0, bytes.length);
            final ChainMessage message = ChainMessageCodec.decode(buffer, 0, bytes.length);
            assertEquals(result < 0, message == null);
            if (message != null)
            {
                decoded++;
                assertArrayEquals(bytes, encode(message).byteArray(), "one encoding per message");
            }
        }
        assertTrue(decoded > 1_000, "the mutations should keep some messages valid: " + decoded);
    }

    /** A valid sample with a few bytes changed, cut or extended, or plain random bytes. */
    private static byte[] mutant(final SplittableRandom random)
    {
        if (random.nextInt(10) == 0)
        {
            final byte[] noise = new byte[random.nextInt(80)];
            random.nextBytes(noise);
            return noise;
        }
        final byte[] valid = encode(SAMPLES.get(random.nextInt(SAMPLES.size()))).byteArray();
        final int length = random.nextInt(4) == 0 ? random.nextInt(valid.length + 8) : valid.length;
        final byte[] bytes = java.util.Arrays.copyOf(valid, length);
        final int flips = random.nextInt(3);
        for (int f = 0; f < flips && length > 0; f++)
        {
            bytes[random.nextInt(length)] = (byte)random.nextInt(256);
        }
        return bytes;
    }
}
