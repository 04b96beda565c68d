package io.conduit.transport.codec;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static io.conduit.transport.codec.PacketLayout.BYTE_ORDER;
import static io.conduit.transport.codec.PacketLayout.FLAG_PROBE_ACK;
import static io.conduit.transport.codec.PacketLayout.HEADER_LENGTH;
import static io.conduit.transport.codec.PacketLayout.MAX_DATAGRAM_LENGTH;
import static io.conduit.transport.codec.PacketLayout.PROBE_ID_OFFSET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** PROBE and probe-acknowledging ACK (RFC 8899 §4.1 probes): round trips at every ladder size, truncation, rejection. */
class PacketProbeTest
{
    private final PacketDecoder decoder = new PacketDecoder();
    private final PacketEncoder encoder = new PacketEncoder();
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[MAX_DATAGRAM_LENGTH + 64]);

    private int encodeProbe(final int datagramLength, final int probeId)
    {
        encoder.wrap(buffer, 0).type(PacketType.PROBE).flags(PacketLayout.FLAG_ACK_NOW).destinationId(5).sourceId(6)
            .seq(100).ack(200).window(32).probeId(probeId);
        buffer.setMemory(encoder.payloadIndex(), datagramLength - HEADER_LENGTH, (byte)0);
        return encoder.seal(datagramLength - HEADER_LENGTH);
    }

    private RejectReason decode(final int length)
    {
        return RejectReason.of(decoder.wrap(buffer, 0, length));
    }

    @ParameterizedTest
    @ValueSource(ints = {HEADER_LENGTH, 1200, 1472, 4068, 8972, 16356, 32740, 65507})
    void aProbePaddedToEachLadderSizeRoundTrips(final int size)
    {
        final int length = encodeProbe(size, 42);
        assertEquals(size, length, "the probe is exactly the probed datagram size");
        assertEquals(RejectReason.NONE, decode(length));
        assertEquals(PacketType.PROBE, decoder.type());
        assertEquals(42, decoder.probeId());
        assertEquals(size - HEADER_LENGTH, decoder.payloadLength());
        assertEquals(100, decoder.seq());
        assertEquals(200, decoder.ack());
    }

    @Test
    void aProbeLargerThanTheUdpMaximumCannotBeSealed()
    {
        assertThrows(IllegalArgumentException.class, () -> encodeProbe(MAX_DATAGRAM_LENGTH + 1, 1));
    }

    @Test
    void everyTruncationOfAProbeIsRejected()
    {
        final int length = encodeProbe(1472, 9);
        for (int cut = 0; cut < length; cut += 7)
        {
            final RejectReason reason = decode(cut);
            assertEquals(cut < HEADER_LENGTH ? RejectReason.TRUNCATED : RejectReason.LENGTH_MISMATCH, reason,
                "cut at " + cut);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
    void aProbeWithoutAPositiveIdIsRejected(final int probeId)
    {
        assertEquals(RejectReason.BAD_PROBE, decode(encodeProbe(1200, probeId)));
    }

    @Test
    void aProbeWithAFragmentOffsetIsRejected()
    {
        final int length = encodeProbe(1200, 3);
        buffer.putInt(PacketLayout.FRAGMENT_OFFSET_OFFSET, 1, BYTE_ORDER);
        ReferenceChecksum.reseal(buffer, 0, length);
        assertEquals(RejectReason.BAD_PROBE, decode(length));
    }

    @Test
    void aProbeAcknowledgementRoundTripsOnAnAck()
    {
        final int length = encoder.wrap(buffer, 0).type(PacketType.ACK).flags(FLAG_PROBE_ACK).probeId(77)
            .sack(0, 10, 12).seal(0);
        assertEquals(RejectReason.NONE, decode(length));
        assertEquals(77, decoder.probeId());
        assertEquals(FLAG_PROBE_ACK, decoder.flags());
        assertEquals(1, decoder.sackCount());
    }

    @ParameterizedTest
    @ValueSource(ints = {PacketType.DATA, PacketType.FIN, PacketType.PING, PacketType.PROBE, PacketType.RST})
    void theProbeAcknowledgementFlagIsRejectedOffAnAck(final int type)
    {
        encoder.wrap(buffer, 0).type(type).flags(FLAG_PROBE_ACK).probeId(77);
        final int payload = type == PacketType.DATA ? 1 : 0;
        final int length = encoder.seal(payload);
        assertEquals(RejectReason.BAD_PROBE, decode(length), PacketType.name(type));
    }

    @Test
    void aProbeAcknowledgementWithoutAnIdIsRejected()
    {
        final int length = encoder.wrap(buffer, 0).type(PacketType.ACK).flags(FLAG_PROBE_ACK).seal(0);
        assertEquals(RejectReason.BAD_PROBE, decode(length));
        buffer.putInt(PROBE_ID_OFFSET, 1, BYTE_ORDER);
        ReferenceChecksum.reseal(buffer, 0, length);
        assertEquals(RejectReason.NONE, decode(length), "id 1 is the smallest valid one");
    }
}
