package io.conduit.transport.codec;

import java.util.SplittableRandom;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

import static io.conduit.transport.codec.PacketLayout.AUTH_TAG_LENGTH;
import static io.conduit.transport.codec.PacketLayout.COOKIE_LENGTH;
import static io.conduit.transport.codec.PacketLayout.MAX_SACK_BLOCKS;

/**
 * Generators of valid packets: every type, every header field random, SACK blocks only on ACK, the cookie where the
 * specification allows or requires it, payload only on DATA with consistent fragment fields. jqwik chooses the shape
 * (type, payload length, SACK count, optional flags); the field values come from a seeded {@link SplittableRandom},
 * biased towards boundary values, because generating them as nested jqwik arbitraries costs far more per try than
 * the codec work under test.
 */
final class PacketArbitraries
{
    /** The default payload budget of a 1,500-byte MTU path; most generated DATA payloads fit it. */
    static final int TYPICAL_MAX_PAYLOAD_LENGTH = 1400;

    private static final int[] BOUNDARY_INTS = {0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE};
    private static final int WANT_COOKIE = 1;
    private static final int WANT_ACK_NOW = 2;
    private static final int WANT_AUTH = 4;
    private static final int WANT_PROBE_ACK = 8;

    private PacketArbitraries()
    {
    }

    /** Mostly lengths that fit the default 1,400-byte budget, sometimes any length up to {@code max}. */
    @SuppressWarnings("unchecked")
    static Arbitrary<Integer> payloadLengths(final int maxPayloadLength)
    {
        final int typical = Math.min(TYPICAL_MAX_PAYLOAD_LENGTH, maxPayloadLength);
        return Arbitraries.frequencyOf(
            Tuple.of(9, Arbitraries.integers().between(1, typical)),
            Tuple.of(1, Arbitraries.integers().between(1, maxPayloadLength)));
    }

    /** Valid packets of any type; DATA payloads are mostly 1..1,400 bytes, sometimes up to {@code maxPayloadLength}. */
    static Arbitrary<PacketSpec> packets(final int maxPayloadLength, final boolean withAuth)
    {
        return packets(Arbitraries.integers().between(PacketType.MIN, PacketType.MAX),
            payloadLengths(maxPayloadLength), withAuth);
    }

    /** Valid packets of {@code type}; a DATA payload's length is drawn from {@code payloadLengths}. */
    static Arbitrary<PacketSpec> packetsOf(
        final int type,
        final Arbitrary<Integer> payloadLengths,
        final boolean withAuth)
    {
        return packets(Arbitraries.just(type), payloadLengths, withAuth);
    }

    private static Arbitrary<PacketSpec> packets(
        final Arbitrary<Integer> types,
        final Arbitrary<Integer> payloadLengths,
        final boolean withAuth)
    {
        return Combinators.combine(
                types,
                payloadLengths,
                Arbitraries.integers().between(0, MAX_SACK_BLOCKS),
                Arbitraries.integers().between(0, WANT_COOKIE | WANT_ACK_NOW | WANT_AUTH | WANT_PROBE_ACK),
                Arbitraries.longs())
            .as((type, payloadLength, sackCount, wanted, seed) ->
                build(type, payloadLength, sackCount, wanted, withAuth, seed));
    }

    private static PacketSpec build(
        final int type,
        final int payloadLength,
        final int sackCount,
        final int wanted,
        final boolean withAuth,
        final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final PacketSpec spec = new PacketSpec();
        spec.type = type;
        spec.ackNow = (wanted & WANT_ACK_NOW) != 0;
        spec.auth = withAuth && (wanted & WANT_AUTH) != 0;
        spec.destinationId = anyInt(random);
        spec.sourceId = anyInt(random);
        spec.seq = anyInt(random);
        spec.ack = anyInt(random);
        spec.window = anyInt(random);
        spec.timestampUs = anyInt(random);
        spec.timestampEchoUs = anyInt(random);

        final boolean cookieAllowed = type == PacketType.ACK || type == PacketType.DATA || type == PacketType.FIN;
        final boolean hasCookie = type == PacketType.SYN_ACK || (cookieAllowed && (wanted & WANT_COOKIE) != 0);
        spec.cookie(hasCookie ? PacketSpec.filled(COOKIE_LENGTH, random.nextLong()) : null);

        final int blocks = type == PacketType.ACK ? sackCount : 0;
        final int[] starts = new int[blocks];
        final int[] ends = new int[blocks];
        for (int i = 0; i < blocks; i++)
        {
            starts[i] = anyInt(random);
            ends[i] = starts[i] + sackSpan(random);
        }
        spec.sacks(starts, ends);

        if (type == PacketType.DATA)
        {
            final int messageLength = messageLength(random, payloadLength);
            final int fragmentOffset = fragmentOffset(random, messageLength - payloadLength);
            spec.payload(PacketSpec.filled(payloadLength, random.nextLong()), messageLength, fragmentOffset);
        }
        else if (type == PacketType.PROBE)
        {
            // Padding up to the probed size; the id is positive and the fragment offset zero.
            spec.payload(new byte[payloadLength], 1 + random.nextInt(Integer.MAX_VALUE), 0);
        }
        else if (type == PacketType.ACK && (wanted & WANT_PROBE_ACK) != 0)
        {
            spec.probeAck = true;
            spec.payload(new byte[0], 1 + random.nextInt(Integer.MAX_VALUE), anyInt(random));
        }
        else
        {
            // Fragment fields mean nothing outside DATA; random values must still survive the round trip.
            spec.payload(new byte[0], anyInt(random), anyInt(random));
        }
        spec.authTag = PacketSpec.filled(AUTH_TAG_LENGTH, random.nextLong());
        return spec;
    }

    private static int anyInt(final SplittableRandom random)
    {
        return random.nextInt(8) == 0 ? BOUNDARY_INTS[random.nextInt(BOUNDARY_INTS.length)] : random.nextInt();
    }

    private static int sackSpan(final SplittableRandom random)
    {
        switch (random.nextInt(4))
        {
            case 0: return 1;
            case 1: return PacketDecoder.MAX_SACK_SPAN;
            default: return 1 + random.nextInt(PacketDecoder.MAX_SACK_SPAN);
        }
    }

    private static int messageLength(final SplittableRandom random, final int payloadLength)
    {
        switch (random.nextInt(4))
        {
            case 0: return payloadLength;
            case 1: return Integer.MAX_VALUE;
            case 2: return payloadLength + random.nextInt(1 << 20);
            default: return payloadLength + random.nextInt(Integer.MAX_VALUE - payloadLength + 1);
        }
    }

    private static int fragmentOffset(final SplittableRandom random, final int maxFragmentOffset)
    {
        switch (random.nextInt(3))
        {
            case 0: return 0;
            case 1: return maxFragmentOffset;
            default: return random.nextInt(maxFragmentOffset + 1);
        }
    }
}
