package io.conduit.transport.codec;

import java.util.Arrays;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

import static io.conduit.transport.codec.PacketLayout.AUTH_TAG_LENGTH;
import static io.conduit.transport.codec.PacketLayout.FLAGS_OFFSET;
import static io.conduit.transport.codec.PacketLayout.FLAG_AUTH;
import static io.conduit.transport.codec.PacketLayout.PAYLOAD_LENGTH_OFFSET;
import static io.conduit.transport.codec.PacketLayout.SACK_COUNT_OFFSET;

/**
 * One way of damaging a datagram held in an array. Positions are taken modulo the current length so any generated
 * value applies to any datagram. Splices write a chosen value into a header field or SACK word, and
 * {@link FixLength} / {@link Reseal} repair the framing and the checksum afterwards so damage reaches the checks
 * behind them.
 */
sealed interface DatagramMutation
{
    byte[] apply(byte[] datagram);

    /** Header fields and SACK words as (offset, width) pairs, little-endian like the wire. */
    int[][] FIELDS = {
        {0, 2}, {2, 1}, {3, 1}, {4, 1}, {5, 1}, {6, 2}, {40, 4}, {44, 4},
        {48, 4}, {52, 4}, {56, 4}, {60, 4}, {64, 4}, {68, 4}, {72, 4}, {76, 4}};

    /** Index in {@link #FIELDS} of the type: splices from here on can pass the header checks (magic, version can't). */
    int FIRST_SEMANTIC_FIELD = 2;

    record FlipBit(int position, int bit) implements DatagramMutation
    {
        public byte[] apply(final byte[] datagram)
        {
            if (datagram.length > 0)
            {
                datagram[Math.floorMod(position, datagram.length)] ^= (byte)(1 << bit);
            }
            return datagram;
        }
    }

    record Overwrite(int position, byte value) implements DatagramMutation
    {
        public byte[] apply(final byte[] datagram)
        {
            if (datagram.length > 0)
            {
                datagram[Math.floorMod(position, datagram.length)] = value;
            }
            return datagram;
        }
    }

    record Truncate(int newLength) implements DatagramMutation
    {
        public byte[] apply(final byte[] datagram)
        {
            return Arrays.copyOf(datagram, Math.floorMod(newLength, datagram.length + 1));
        }
    }

    record Extend(int extraBytes, long seed) implements DatagramMutation
    {
        public byte[] apply(final byte[] datagram)
        {
            final byte[] longer = Arrays.copyOf(datagram, datagram.length + extraBytes);
            final byte[] extra = PacketSpec.filled(extraBytes, seed);
            System.arraycopy(extra, 0, longer, datagram.length, extraBytes);
            return longer;
        }
    }

    record Splice(int field, int value) implements DatagramMutation
    {
        public byte[] apply(final byte[] datagram)
        {
            final int[] at = FIELDS[Math.floorMod(field, FIELDS.length)];
            put(datagram, at[0], at[1], value);
            return datagram;
        }
    }

    /** Makes payloadLength agree with the datagram's length, so the framing check passes. */
    record FixLength() implements DatagramMutation
    {
        public byte[] apply(final byte[] datagram)
        {
            if (datagram.length >= PacketLayout.HEADER_LENGTH)
            {
                final int flags = datagram[FLAGS_OFFSET] & 0xFF;
                final int sackCount = datagram[SACK_COUNT_OFFSET] & 0xFF;
                final int payloadLength = datagram.length - PacketLayout.payloadOffset(flags, sackCount) -
                    ((flags & FLAG_AUTH) != 0 ? AUTH_TAG_LENGTH : 0);
                if (payloadLength >= 0 && payloadLength <= 0xFFFF)
                {
                    put(datagram, PAYLOAD_LENGTH_OFFSET, 2, payloadLength);
                }
            }
            return datagram;
        }
    }

    /** Stores a correct checksum, so only the semantic checks can reject what other mutations did. */
    record Reseal() implements DatagramMutation
    {
        public byte[] apply(final byte[] datagram)
        {
            ReferenceChecksum.reseal(datagram, datagram.length);
            return datagram;
        }
    }

    private static void put(final byte[] datagram, final int offset, final int width, final int value)
    {
        for (int i = 0; i < width && offset + i < datagram.length; i++)
        {
            datagram[offset + i] = (byte)(value >>> (8 * i));
        }
    }

    /** Values that hit boundaries of the checks: small counts and types, limits, and anything at all. */
    @SuppressWarnings("unchecked")
    static Arbitrary<Integer> spliceValues()
    {
        return Arbitraries.frequencyOf(
            Tuple.of(3, Arbitraries.integers().between(-2, 9)),
            Tuple.of(2, Arbitraries.of(0xFF, 0xFFFF, 0xC0D1, Integer.MAX_VALUE, Integer.MIN_VALUE,
                PacketDecoder.MAX_SACK_SPAN, PacketDecoder.MAX_SACK_SPAN + 1)),
            Tuple.of(3, Arbitraries.integers()));
    }

    /** Any damage at all: bit flips, overwrites, truncation, extension, splices into any field, re-framing. */
    @SuppressWarnings("unchecked")
    static Arbitrary<DatagramMutation> damage()
    {
        final Arbitrary<Integer> position = Arbitraries.integers().greaterOrEqual(0);
        return Arbitraries.frequencyOf(
            Tuple.of(3, Combinators.combine(position, Arbitraries.integers().between(0, 7)).as(FlipBit::new)),
            Tuple.of(2, Combinators.combine(position, Arbitraries.bytes()).as(Overwrite::new)),
            Tuple.of(1, Arbitraries.oneOf(Arbitraries.integers().between(0, 96), position).map(Truncate::new)),
            Tuple.of(1, Combinators.combine(Arbitraries.integers().between(1, 64), Arbitraries.longs())
                .as(Extend::new)),
            Tuple.of(3, Combinators.combine(Arbitraries.integers().between(0, FIELDS.length - 1), spliceValues())
                .as(Splice::new)),
            Tuple.of(1, Arbitraries.just(new FixLength())),
            Tuple.of(1, Arbitraries.just(new Reseal())));
    }

    /** A chosen value in a field checked after the checksum; the caller re-frames and re-seals afterwards. */
    static Arbitrary<DatagramMutation> semanticSplice()
    {
        return Combinators.combine(
                Arbitraries.integers().between(FIRST_SEMANTIC_FIELD, FIELDS.length - 1), spliceValues())
            .as(Splice::new);
    }
}
