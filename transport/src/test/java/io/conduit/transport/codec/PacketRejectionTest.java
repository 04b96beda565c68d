package io.conduit.transport.codec;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import static io.conduit.transport.codec.PacketLayout.AUTH_TAG_LENGTH;
import static io.conduit.transport.codec.PacketLayout.BYTE_ORDER;
import static io.conduit.transport.codec.PacketLayout.CHECKSUM_OFFSET;
import static io.conduit.transport.codec.PacketLayout.COOKIE_LENGTH;
import static io.conduit.transport.codec.PacketLayout.FLAGS_OFFSET;
import static io.conduit.transport.codec.PacketLayout.FLAG_AUTH;
import static io.conduit.transport.codec.PacketLayout.FLAG_COOKIE;
import static io.conduit.transport.codec.PacketLayout.FRAGMENT_OFFSET_OFFSET;
import static io.conduit.transport.codec.PacketLayout.HEADER_LENGTH;
import static io.conduit.transport.codec.PacketLayout.KNOWN_FLAGS;
import static io.conduit.transport.codec.PacketLayout.MAGIC;
import static io.conduit.transport.codec.PacketLayout.MAGIC_OFFSET;
import static io.conduit.transport.codec.PacketLayout.MAX_SACK_BLOCKS;
import static io.conduit.transport.codec.PacketLayout.MESSAGE_LENGTH_OFFSET;
import static io.conduit.transport.codec.PacketLayout.PAYLOAD_LENGTH_OFFSET;
import static io.conduit.transport.codec.PacketLayout.SACK_BLOCK_LENGTH;
import static io.conduit.transport.codec.PacketLayout.SACK_COUNT_OFFSET;
import static io.conduit.transport.codec.PacketLayout.TYPE_OFFSET;
import static io.conduit.transport.codec.PacketLayout.VERSION;
import static io.conduit.transport.codec.PacketLayout.VERSION_OFFSET;
import static io.conduit.transport.codec.RejectReason.AUTH_UNSUPPORTED;
import static io.conduit.transport.codec.RejectReason.BAD_BATCH;
import static io.conduit.transport.codec.RejectReason.BAD_CHECKSUM;
import static io.conduit.transport.codec.RejectReason.BAD_COOKIE_PLACEMENT;
import static io.conduit.transport.codec.RejectReason.BAD_FLAGS;
import static io.conduit.transport.codec.RejectReason.BAD_FRAGMENT;
import static io.conduit.transport.codec.RejectReason.BAD_MAGIC;
import static io.conduit.transport.codec.RejectReason.BAD_PAYLOAD;
import static io.conduit.transport.codec.RejectReason.BAD_SACK_BLOCK;
import static io.conduit.transport.codec.RejectReason.BAD_SACK_COUNT;
import static io.conduit.transport.codec.RejectReason.BAD_TYPE;
import static io.conduit.transport.codec.RejectReason.BAD_VERSION;
import static io.conduit.transport.codec.RejectReason.LENGTH_MISMATCH;
import static io.conduit.transport.codec.RejectReason.NONE;
import static io.conduit.transport.codec.RejectReason.TRUNCATED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One test per {@link RejectReason}: each takes a valid datagram, breaks exactly one rule of
 * {@code docs/wire-format.md} (re-sealing the checksum so the rule itself, not the CRC, is what fails), and asserts
 * the reason; boundary cases just inside each rule must still be accepted.
 */
class PacketRejectionTest
{
    private static final int[] ALL_TYPES = {
        PacketType.SYN, PacketType.SYN_ACK, PacketType.ACK, PacketType.DATA, PacketType.FIN, PacketType.RST,
        PacketType.PING, PacketType.PROBE};

    private final PacketDecoder decoder = new PacketDecoder();
    private final PacketDecoder authDecoder = new PacketDecoder(true);

    /** A datagram in a buffer with spare room after it, so tests can lengthen it. */
    private static final class Datagram
    {
        final UnsafeBuffer buffer;
        int length;

        Datagram(final PacketSpec spec)
        {
            buffer = new UnsafeBuffer(new byte[spec.encodedLength() + 64]);
            length = spec.encode(new PacketEncoder(), buffer, 0);
        }

        Datagram putByte(final int index, final int value)
        {
            buffer.putByte(index, (byte)value);
            return this;
        }

        Datagram putShort(final int index, final int value)
        {
            buffer.putShort(index, (short)value, BYTE_ORDER);
            return this;
        }

        Datagram putInt(final int index, final int value)
        {
            buffer.putInt(index, value, BYTE_ORDER);
            return this;
        }

        Datagram length(final int length)
        {
            this.length = length;
            return this;
        }

        Datagram reseal()
        {
            ReferenceChecksum.reseal(buffer, 0, length);
            return this;
        }
    }

    private RejectReason decode(final Datagram datagram)
    {
        return RejectReason.of(decoder.wrap(datagram.buffer, 0, datagram.length));
    }

    private static Datagram valid(final int type)
    {
        return new Datagram(PacketSpec.validOf(type));
    }

    @Test
    void codesAreDenseFromZeroWithNoneFirst()
    {
        assertEquals(0, NONE.code());
        for (final RejectReason reason : RejectReason.values())
        {
            assertEquals(reason, RejectReason.of(reason.code()));
        }
        assertEquals(RejectReason.values().length, RejectReason.COUNT);
    }

    @Test
    void validDatagramsOfEveryTypeAreAccepted()
    {
        for (final int type : ALL_TYPES)
        {
            assertEquals(NONE, decode(valid(type)), PacketType.name(type));
        }
    }

    @Test
    void truncatedAtEveryLengthShorterThanTheHeader()
    {
        for (final int type : ALL_TYPES)
        {
            final Datagram datagram = valid(type);
            for (int length = 0; length < HEADER_LENGTH; length++)
            {
                assertEquals(TRUNCATED, decode(datagram.length(length)), PacketType.name(type) + " at " + length);
                final byte[] prefix = new byte[length];
                datagram.buffer.getBytes(0, prefix);
                assertEquals(TRUNCATED, RejectReason.of(decoder.wrap(new UnsafeBuffer(prefix), 0, length)));
            }
        }
    }

    @Test
    void truncatedWhenTheRangeDoesNotLieInsideTheBuffer()
    {
        final Datagram datagram = valid(PacketType.ACK);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[datagram.length]);
        buffer.putBytes(0, datagram.buffer, 0, datagram.length);
        final int length = datagram.length;
        assertEquals(NONE, RejectReason.of(decoder.wrap(buffer, 0, length)));
        assertEquals(TRUNCATED, RejectReason.of(decoder.wrap(buffer, 1, length)));
        assertEquals(TRUNCATED, RejectReason.of(decoder.wrap(buffer, -1, length)));
        assertEquals(TRUNCATED, RejectReason.of(decoder.wrap(buffer, Integer.MIN_VALUE, length)));
        assertEquals(TRUNCATED, RejectReason.of(decoder.wrap(buffer, Integer.MAX_VALUE, length)));
        assertEquals(TRUNCATED, RejectReason.of(decoder.wrap(buffer, length + 1, length)));
        assertEquals(TRUNCATED, RejectReason.of(decoder.wrap(buffer, 0, length + 1)));
        assertEquals(TRUNCATED, RejectReason.of(decoder.wrap(buffer, 0, -1)));
        assertEquals(TRUNCATED, RejectReason.of(decoder.wrap(buffer, 0, Integer.MAX_VALUE)));
        assertEquals(TRUNCATED, RejectReason.of(decoder.wrap(buffer, 8, Integer.MAX_VALUE)));
    }

    @Test
    void badMagicForEveryOtherValue()
    {
        final Datagram datagram = valid(PacketType.ACK);
        for (int magic = 0; magic <= 0xFFFF; magic++)
        {
            if ((magic & 0xFF) == PacketLayout.COMPACT_MARKER || (magic & 0xFF) == PacketLayout.CONTINUATION_MARKER)
            {
                continue; // the compact DATA and continuation markers: CompactDataPacketTest, ContinuationPacketTest
            }
            datagram.putShort(MAGIC_OFFSET, magic).reseal();
            assertEquals((short)magic == MAGIC ? NONE : BAD_MAGIC, decode(datagram), "magic " + magic);
        }
    }

    @Test
    void badVersionForEveryOtherValue()
    {
        final Datagram datagram = valid(PacketType.ACK);
        for (int version = 0; version <= 0xFF; version++)
        {
            datagram.putByte(VERSION_OFFSET, version).reseal();
            assertEquals(version == VERSION ? NONE : BAD_VERSION, decode(datagram), "version " + version);
        }
    }

    @Test
    void badTypeForZeroAndEveryCodeAboveTheLast()
    {
        final Datagram datagram = valid(PacketType.ACK);
        assertEquals(BAD_TYPE, decode(datagram.putByte(TYPE_OFFSET, 0).reseal()));
        for (int type = PacketType.MAX + 1; type <= 0xFF; type++)
        {
            assertEquals(BAD_TYPE, decode(datagram.putByte(TYPE_OFFSET, type).reseal()), "type " + type);
        }
    }

    @Test
    void badFlagsForEveryUndefinedBit()
    {
        for (final int type : ALL_TYPES)
        {
            final Datagram datagram = valid(type);
            final int validFlags = datagram.buffer.getByte(FLAGS_OFFSET);
            for (int bit = 0; bit < 8; bit++)
            {
                if ((KNOWN_FLAGS & (1 << bit)) == 0)
                {
                    datagram.putByte(FLAGS_OFFSET, validFlags | (1 << bit)).reseal();
                    assertEquals(BAD_FLAGS, decode(datagram), PacketType.name(type) + " bit " + bit);
                }
            }
        }
    }

    @Test
    void authFlagRejectedUnlessAuthenticationIsEnabled()
    {
        for (final int type : ALL_TYPES)
        {
            final PacketSpec spec = PacketSpec.validOf(type);
            spec.auth = true;
            final Datagram datagram = new Datagram(spec);
            assertEquals(spec.encodedLength(), datagram.length, "the tag is framed");
            assertEquals(AUTH_UNSUPPORTED, decode(datagram), PacketType.name(type));
            assertEquals(NONE, RejectReason.of(authDecoder.wrap(datagram.buffer, 0, datagram.length)));
            assertEquals(datagram.length - AUTH_TAG_LENGTH,
                authDecoder.payloadIndex() + authDecoder.payloadLength(), "the tag follows the payload");
        }
    }

    @Test
    void badSackCountAboveFourOnAck()
    {
        final PacketSpec spec = PacketSpec.validOf(PacketType.ACK).cookie(PacketSpec.filled(COOKIE_LENGTH, 3));
        spec.sacks(new int[]{10, 20, 30, 40}, new int[]{11, 21, 31, 41});
        final Datagram datagram = new Datagram(spec);
        assertEquals(NONE, decode(datagram), "four blocks is the maximum");

        // A well-framed fifth block: length and checksum agree with the header, only the count is illegal.
        final int fifthBlock = HEADER_LENGTH + MAX_SACK_BLOCKS * SACK_BLOCK_LENGTH;
        datagram.buffer.putBytes(fifthBlock + SACK_BLOCK_LENGTH, datagram.buffer, fifthBlock, COOKIE_LENGTH);
        datagram.putInt(fifthBlock, 50).putInt(fifthBlock + 4, 51).putByte(SACK_COUNT_OFFSET, 5)
            .length(datagram.length + SACK_BLOCK_LENGTH).reseal();
        assertEquals(BAD_SACK_COUNT, decode(datagram));

        for (int count = 6; count <= 0xFF; count++)
        {
            assertEquals(BAD_SACK_COUNT, decode(datagram.putByte(SACK_COUNT_OFFSET, count).reseal()), "count " + count);
        }
    }

    @Test
    void badSackCountForSackOnAnyTypeButAck()
    {
        for (final int type : ALL_TYPES)
        {
            final PacketSpec spec = PacketSpec.validOf(type).sacks(new int[]{5}, new int[]{6});
            assertEquals(type == PacketType.ACK ? NONE : BAD_SACK_COUNT, decode(new Datagram(spec)),
                PacketType.name(type));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void badSackBlockWhenEmptyInvertedOrWiderThanAnyWindow(final int badIndex)
    {
        final int[] starts = {100, 200, 300, 400};
        final int[] ends = {101, 201, 301, 401};
        final int blockAt = HEADER_LENGTH + badIndex * SACK_BLOCK_LENGTH;
        final Datagram datagram = new Datagram(PacketSpec.validOf(PacketType.ACK).sacks(starts, ends));
        final int start = starts[badIndex];

        assertEquals(BAD_SACK_BLOCK, decode(datagram.putInt(blockAt + 4, start).reseal()), "empty");
        assertEquals(BAD_SACK_BLOCK, decode(datagram.putInt(blockAt + 4, start - 1).reseal()), "inverted");
        assertEquals(BAD_SACK_BLOCK, decode(datagram.putInt(blockAt + 4, start + (1 << 31)).reseal()), "half space");
        assertEquals(BAD_SACK_BLOCK,
            decode(datagram.putInt(blockAt + 4, start + PacketDecoder.MAX_SACK_SPAN + 1).reseal()), "too wide");
        assertEquals(NONE,
            decode(datagram.putInt(blockAt + 4, start + PacketDecoder.MAX_SACK_SPAN).reseal()), "widest");
        assertEquals(NONE, decode(datagram.putInt(blockAt, 0xFFFF_FFF0).putInt(blockAt + 4, 5).reseal()),
            "a block may straddle the sequence wrap");
    }

    @Test
    void lengthMismatchForATrailingByte()
    {
        for (final int type : ALL_TYPES)
        {
            final Datagram datagram = valid(type);
            assertEquals(LENGTH_MISMATCH, decode(datagram.length(datagram.length + 1).reseal()), PacketType.name(type));
        }
    }

    @Test
    void lengthMismatchForAMissingByte()
    {
        final Datagram data = new Datagram(PacketSpec.validOf(PacketType.DATA).payload(new byte[]{1, 2}, 2, 0));
        assertEquals(LENGTH_MISMATCH, decode(data.length(data.length - 1).reseal()));

        final Datagram synAck = valid(PacketType.SYN_ACK);
        assertEquals(LENGTH_MISMATCH, decode(synAck.length(synAck.length - 1).reseal()), "cut into the cookie");

        final Datagram ack = valid(PacketType.ACK);
        assertEquals(LENGTH_MISMATCH, decode(ack.putByte(SACK_COUNT_OFFSET, 1).reseal()), "SACK block missing");
        final Datagram fin = valid(PacketType.FIN);
        assertEquals(LENGTH_MISMATCH, decode(fin.putByte(FLAGS_OFFSET, FLAG_COOKIE).reseal()), "cookie missing");
        final Datagram ping = valid(PacketType.PING);
        assertEquals(LENGTH_MISMATCH, decode(ping.putShort(PAYLOAD_LENGTH_OFFSET, 0xFFFF).reseal()), "payload missing");
    }

    @Test
    void badChecksumForEverySingleBitFlip()
    {
        final PacketSpec ack = PacketSpec.validOf(PacketType.ACK).cookie(PacketSpec.filled(COOKIE_LENGTH, 5))
            .sacks(new int[]{10, 20, 30, 40}, new int[]{15, 25, 35, 45});
        final PacketSpec data = PacketSpec.validOf(PacketType.DATA).cookie(PacketSpec.filled(COOKIE_LENGTH, 6))
            .payload(PacketSpec.filled(1400, 8), 5000, 1400);
        final PacketSpec[] specs = {
            PacketSpec.validOf(PacketType.SYN), PacketSpec.validOf(PacketType.SYN_ACK), ack, data,
            PacketSpec.validOf(PacketType.FIN), PacketSpec.validOf(PacketType.RST),
            PacketSpec.validOf(PacketType.PING)};
        for (final PacketSpec spec : specs)
        {
            final Datagram datagram = new Datagram(spec);
            assertEquals(NONE, decode(datagram));
            for (int index = 0; index < datagram.length; index++)
            {
                for (int bit = 0; bit < 8; bit++)
                {
                    final byte original = datagram.buffer.getByte(index);
                    datagram.putByte(index, original ^ (1 << bit));
                    final RejectReason reason = decode(datagram);
                    datagram.putByte(index, original);
                    // Bytes 0..7 are checked before the checksum and may fail earlier; from byte 8 on only the
                    // CRC can notice, and CRC32C detects every single-bit error.
                    if (index < CHECKSUM_OFFSET)
                    {
                        assertNotEquals(NONE, reason, spec + " byte " + index + " bit " + bit);
                    }
                    else
                    {
                        assertEquals(BAD_CHECKSUM, reason, spec + " byte " + index + " bit " + bit);
                    }
                }
            }
            assertEquals(NONE, decode(datagram), "restored");
        }
    }

    @Test
    void badChecksumWhenTheFieldIsZeroOrStale()
    {
        final Datagram datagram = valid(PacketType.DATA);
        final int checksum = datagram.buffer.getInt(CHECKSUM_OFFSET, BYTE_ORDER);
        assertEquals(BAD_CHECKSUM, decode(datagram.putInt(CHECKSUM_OFFSET, 0)));
        assertEquals(BAD_CHECKSUM, decode(datagram.putInt(CHECKSUM_OFFSET, checksum + 1)));
        assertEquals(NONE, decode(datagram.putInt(CHECKSUM_OFFSET, checksum)));
        assertEquals(BAD_CHECKSUM, decode(datagram.putInt(HEADER_LENGTH, datagram.buffer.getInt(HEADER_LENGTH) + 1)),
            "payload change without re-sealing");
    }

    @Test
    void badPayloadOnEveryTypeButDataAndProbe()
    {
        for (final int type : ALL_TYPES)
        {
            if (type != PacketType.DATA && type != PacketType.PROBE)
            {
                final PacketSpec spec = PacketSpec.validOf(type).payload(new byte[]{42}, 0, 0);
                assertEquals(BAD_PAYLOAD, decode(new Datagram(spec)), PacketType.name(type));
            }
        }
    }

    @Test
    void badPayloadForDataWithoutPayload()
    {
        assertEquals(BAD_PAYLOAD, decode(new Datagram(PacketSpec.validOf(PacketType.DATA).payload(new byte[0], 1, 0))));
    }

    @Test
    void badFragmentWhenTheFragmentDoesNotLieInsideTheMessage()
    {
        final PacketSpec spec = PacketSpec.validOf(PacketType.DATA).payload(PacketSpec.filled(100, 1), 1000, 900);
        final Datagram datagram = new Datagram(spec);
        assertEquals(NONE, decode(datagram), "the last fragment ends exactly at the message's end");

        assertEquals(BAD_FRAGMENT, decode(datagram.putInt(FRAGMENT_OFFSET_OFFSET, 901).reseal()), "beyond end");
        assertEquals(BAD_FRAGMENT, decode(datagram.putInt(FRAGMENT_OFFSET_OFFSET, -1).reseal()), "negative offset");
        assertEquals(BAD_FRAGMENT,
            decode(datagram.putInt(FRAGMENT_OFFSET_OFFSET, Integer.MIN_VALUE).reseal()), "most negative offset");
        datagram.putInt(FRAGMENT_OFFSET_OFFSET, 0);
        assertEquals(BAD_FRAGMENT, decode(datagram.putInt(MESSAGE_LENGTH_OFFSET, 99).reseal()), "message too short");
        assertEquals(BAD_FRAGMENT, decode(datagram.putInt(MESSAGE_LENGTH_OFFSET, 0).reseal()), "empty message");
        assertEquals(BAD_FRAGMENT, decode(datagram.putInt(MESSAGE_LENGTH_OFFSET, -1).reseal()), "negative length");
        assertEquals(BAD_FRAGMENT,
            decode(datagram.putInt(MESSAGE_LENGTH_OFFSET, Integer.MIN_VALUE).reseal()), "most negative length");

        // offset + payload overflows an int here; the check must not wrap around.
        datagram.putInt(MESSAGE_LENGTH_OFFSET, Integer.MAX_VALUE);
        assertEquals(BAD_FRAGMENT,
            decode(datagram.putInt(FRAGMENT_OFFSET_OFFSET, Integer.MAX_VALUE).reseal()), "overflowing end");
        assertEquals(NONE, decode(datagram.putInt(FRAGMENT_OFFSET_OFFSET, Integer.MAX_VALUE - 100).reseal()),
            "the largest message's last fragment");
    }

    @Test
    void badCookiePlacementForSynAckWithoutCookie()
    {
        final PacketSpec spec = PacketSpec.validOf(PacketType.SYN_ACK).cookie(null);
        assertEquals(BAD_COOKIE_PLACEMENT, decode(new Datagram(spec)));
    }

    @ParameterizedTest
    @ValueSource(ints = {PacketType.SYN, PacketType.RST, PacketType.PING, PacketType.PROBE})
    void badCookiePlacementForCookieOnSynRstPingOrProbe(final int type)
    {
        final PacketSpec spec = PacketSpec.validOf(type).cookie(PacketSpec.filled(COOKIE_LENGTH, 9));
        assertEquals(BAD_COOKIE_PLACEMENT, decode(new Datagram(spec)));
    }

    @ParameterizedTest
    @ValueSource(ints = {PacketType.ACK, PacketType.DATA, PacketType.FIN})
    void echoedCookieAcceptedOnAckDataAndFin(final int type)
    {
        final PacketSpec spec = PacketSpec.validOf(type).cookie(PacketSpec.filled(COOKIE_LENGTH, 9));
        final Datagram datagram = new Datagram(spec);
        assertEquals(NONE, decode(datagram));
        assertEquals(FLAG_COOKIE, decoder.flags() & FLAG_COOKIE);
    }

    /** The specification lists the checks in the order the decoder applies them; the first failure is reported. */
    @Test
    void checksApplyInTheDocumentedOrder()
    {
        // An ACK with every defect at once, repaired one defect at a time.
        final PacketSpec spec = PacketSpec.validOf(PacketType.ACK).sacks(new int[]{7}, new int[]{7});
        final Datagram datagram = new Datagram(spec.payload(new byte[]{1}, 0, 0));
        final int length = datagram.length;
        datagram.putShort(MAGIC_OFFSET, 0).putByte(VERSION_OFFSET, 9).putByte(TYPE_OFFSET, 0)
            .putByte(FLAGS_OFFSET, 0x80 | FLAG_AUTH).putByte(SACK_COUNT_OFFSET, 5);
        final int checksum = datagram.buffer.getInt(CHECKSUM_OFFSET, BYTE_ORDER);

        assertEquals(TRUNCATED, decode(datagram.length(HEADER_LENGTH - 1)));
        assertEquals(BAD_MAGIC, decode(datagram.length(length + 1)));
        assertEquals(BAD_VERSION, decode(datagram.putShort(MAGIC_OFFSET, MAGIC)));
        assertEquals(BAD_TYPE, decode(datagram.putByte(VERSION_OFFSET, VERSION)));
        assertEquals(BAD_FLAGS, decode(datagram.putByte(TYPE_OFFSET, PacketType.ACK)));
        assertEquals(AUTH_UNSUPPORTED, decode(datagram.putByte(FLAGS_OFFSET, FLAG_AUTH)));
        assertEquals(BAD_SACK_COUNT, decode(datagram.putByte(FLAGS_OFFSET, 0)));
        assertEquals(LENGTH_MISMATCH, decode(datagram.putByte(SACK_COUNT_OFFSET, 1)));
        assertEquals(BAD_CHECKSUM, decode(datagram.length(length).putInt(CHECKSUM_OFFSET, checksum + 1)));
        assertEquals(BAD_PAYLOAD, decode(datagram.putInt(CHECKSUM_OFFSET, checksum)));
        final PacketSpec withoutPayload = spec.payload(new byte[0], 0, 0);
        assertEquals(BAD_SACK_BLOCK, decode(new Datagram(withoutPayload)));

        final PacketSpec synAck = PacketSpec.validOf(PacketType.SYN_ACK).cookie(null).payload(new byte[]{1}, 0, 0);
        assertEquals(BAD_COOKIE_PLACEMENT, decode(new Datagram(synAck)), "cookie placement before payload");
        final PacketSpec data = PacketSpec.validOf(PacketType.DATA).cookie(null).payload(new byte[]{1}, 0, 0);
        assertEquals(BAD_FRAGMENT, decode(new Datagram(data)));
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void rejectionDoesNotDependOnTheKindOfBuffer(final BufferKind kind)
    {
        final Datagram datagram = new Datagram(PacketSpec.validOf(PacketType.DATA).payload(new byte[]{1, 2, 3}, 3, 0));
        final byte[] bytes = new byte[datagram.length];
        datagram.buffer.getBytes(0, bytes);
        assertEquals(NONE, RejectReason.of(decoder.wrap(kind.copyOf(bytes), 0, bytes.length)));
        bytes[bytes.length - 1] ^= 1;
        assertEquals(BAD_CHECKSUM, RejectReason.of(decoder.wrap(kind.copyOf(bytes), 0, bytes.length)));
    }

    @Test
    void batchesOfWholeMessagesAreAcceptedAndReadBack()
    {
        final PacketSpec three = PacketSpec.batchOf(new byte[]{1}, PacketSpec.filled(32, 3), PacketSpec.filled(300, 4));
        final Datagram datagram = new Datagram(three);
        assertEquals(NONE, decode(datagram));
        three.assertDecodedBy(decoder);
        assertEquals(3, AcceptedDatagram.frameCount(decoder.buffer(), decoder.payloadIndex(), decoder.payloadLength()));
        assertEquals(NONE, decode(new Datagram(PacketSpec.batchOf(PacketSpec.filled(1400, 5)))), "one frame");
    }

    @Test
    void batchFlagOnAnyTypeButDataIsRejected()
    {
        for (final int type : ALL_TYPES)
        {
            final PacketSpec spec = PacketSpec.validOf(type);
            spec.batch = true;
            // On DATA too: its one-byte payload cannot hold a frame header.
            assertEquals(BAD_BATCH, decode(new Datagram(spec)), PacketType.name(type));
        }
    }

    @Test
    void malformedBatchFramesAreRejected()
    {
        // Payload: [2][a b][3][c d e] = 9 bytes; frame headers at payload offsets 0 and 4.
        final PacketSpec spec = PacketSpec.batchOf(new byte[]{'a', 'b'}, new byte[]{'c', 'd', 'e'});
        final int payloadAt = PacketLayout.HEADER_LENGTH;
        assertEquals(NONE, decode(new Datagram(spec)));

        assertEquals(BAD_BATCH, decode(new Datagram(spec).putShort(payloadAt, 0).reseal()), "empty frame");
        assertEquals(BAD_BATCH, decode(new Datagram(spec).putShort(payloadAt + 4, 4).reseal()), "frame overruns");
        assertEquals(BAD_BATCH, decode(new Datagram(spec).putShort(payloadAt + 4, 0xFFFF).reseal()), "huge frame");
        assertEquals(BAD_BATCH, decode(new Datagram(spec).putShort(payloadAt, 1).reseal()), "frames misaligned");
        assertEquals(BAD_BATCH, decode(new Datagram(spec).putInt(MESSAGE_LENGTH_OFFSET, 3).reseal()), "count high");
        assertEquals(BAD_BATCH, decode(new Datagram(spec).putInt(MESSAGE_LENGTH_OFFSET, 1).reseal()), "count low");
        assertEquals(BAD_BATCH, decode(new Datagram(spec).putInt(MESSAGE_LENGTH_OFFSET, 0).reseal()), "count zero");
        assertEquals(BAD_BATCH, decode(new Datagram(spec).putInt(FRAGMENT_OFFSET_OFFSET, 1).reseal()), "fragment");

        // One stray byte after the last frame: a truncated frame header.
        final PacketSpec ragged = PacketSpec.batchOf(new byte[]{'a', 'b'}, new byte[]{'c', 'd', 'e'});
        ragged.payload = Arrays.copyOf(ragged.payload, ragged.payload.length + 1);
        assertEquals(BAD_BATCH, decode(new Datagram(ragged)), "truncated frame header");
        // A frame whose header claims more bytes than remain: a truncated frame body.
        final PacketSpec cut = PacketSpec.batchOf(new byte[]{'a', 'b'}, new byte[]{'c', 'd', 'e'});
        cut.payload = Arrays.copyOf(cut.payload, cut.payload.length - 1);
        assertEquals(BAD_BATCH, decode(new Datagram(cut)), "truncated frame body");
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void randomBatchPayloadsAreJudgedExactlyAsTheFrameRuleSays(final BufferKind kind)
    {
        final SplittableRandom random = new SplittableRandom(99);
        int accepted = 0;
        for (int run = 0; run < 3_000; run++)
        {
            // Well-formed frames, then often one defect: a byte changed, or a byte too many or too few.
            final UnsafeBuffer frames = new UnsafeBuffer(new byte[64]);
            int length = 0;
            int count = 0;
            while (length < 40)
            {
                final int frameLength = 1 + random.nextInt(5);
                frames.putShort(length, (short)frameLength, PacketLayout.BYTE_ORDER);
                length += PacketLayout.BATCH_FRAME_HEADER_LENGTH + frameLength;
                count++;
            }
            byte[] payload = Arrays.copyOf(frames.byteArray(), length);
            switch (random.nextInt(4))
            {
                case 0: payload[random.nextInt(payload.length)] = (byte)random.nextInt(8); break;
                case 1: payload = Arrays.copyOf(payload, payload.length + 1); break;
                case 2: payload = Arrays.copyOf(payload, payload.length - 1); break;
                default: break;
            }
            final int claimedCount = random.nextBoolean() ? count : count - 1 + random.nextInt(3);
            final PacketSpec spec = PacketSpec.validOf(PacketType.DATA).payload(payload, claimedCount, 0);
            spec.batch = true;
            final byte[] bytes = spec.toBytes();
            final int expectedFrames = AcceptedDatagram.frameCount(new UnsafeBuffer(bytes), PacketLayout.HEADER_LENGTH,
                payload.length);
            final RejectReason verdict = RejectReason.of(decoder.wrap(kind.copyOf(bytes), 0, bytes.length));
            assertEquals(expectedFrames == spec.messageLength ? NONE : BAD_BATCH, verdict, "run " + run);
            accepted += verdict == NONE ? 1 : 0;
        }
        assertTrue(accepted > 300 && accepted < 2_700, "accepted " + accepted + " of 3,000: the test lost its reach");
    }
}
