package io.conduit.transport.codec;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import static io.conduit.transport.codec.PacketLayout.HEADER_LENGTH;
import static io.conduit.transport.codec.PacketLayout.MAX_DATAGRAM_LENGTH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The encoder's preconditions fail loudly and the same way on every kind of buffer. */
class PacketEncoderTest
{
    private final PacketEncoder encoder = new PacketEncoder();

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void sealRejectsADatagramLongerThanTheBuffer(final BufferKind kind)
    {
        final UnsafeBuffer buffer = kind.allocate(100);
        encoder.wrap(buffer, 10).type(PacketType.DATA);
        assertEquals(90, encoder.seal(90 - HEADER_LENGTH), "a datagram ending exactly at the capacity fits");
        encoder.wrap(buffer, 10).type(PacketType.DATA);
        assertThrows(IllegalArgumentException.class, () -> encoder.seal(90 - HEADER_LENGTH + 1));
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 0x1_0000, Integer.MAX_VALUE, Integer.MIN_VALUE})
    void sealRejectsPayloadLengthsOutsideSixteenBits(final int payloadLength)
    {
        encoder.wrap(new UnsafeBuffer(new byte[1 << 17]), 0).type(PacketType.DATA);
        assertThrows(IllegalArgumentException.class, () -> encoder.seal(payloadLength));
    }

    @Test
    void sealRejectsADatagramLongerThanUdpCanCarry()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1 << 17]);
        encoder.wrap(buffer, 0).type(PacketType.DATA);
        assertEquals(MAX_DATAGRAM_LENGTH, encoder.seal(MAX_DATAGRAM_LENGTH - HEADER_LENGTH));
        encoder.wrap(buffer, 0).type(PacketType.DATA);
        assertThrows(IllegalArgumentException.class, () -> encoder.seal(MAX_DATAGRAM_LENGTH - HEADER_LENGTH + 1));
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, PacketLayout.MAX_SACK_BLOCKS})
    void sackRejectsBlockIndexesOutsideZeroToThree(final int index)
    {
        encoder.wrap(new UnsafeBuffer(new byte[256]), 0).type(PacketType.ACK);
        assertThrows(IllegalArgumentException.class, () -> encoder.sack(index, 1, 2));
    }
}
