package io.conduit.transport.engine;

import java.util.List;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.conduit.transport.codec.PacketDecoder;
import io.conduit.transport.codec.PacketLayout;
import io.conduit.transport.codec.PacketType;
import io.conduit.transport.codec.RejectReason;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link EndpointEngine#pollTransmitInPlace}: a data segment's datagram is encoded around its payload in the send
 * window's slot, so the endpoint sends it without copying it; control packets still go to the caller's buffer.
 */
class InPlaceTransmitTest
{
    private static final int OUT_OFFSET = 100;

    private final EnginePairHarness pair = new EnginePairHarness(new EndpointConfig());
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[OUT_OFFSET + PacketLayout.MAX_DATAGRAM_LENGTH]);

    @Test
    void aDataSegmentIsAWellFormedDatagramInItsSlotCarryingTheMessage()
    {
        final byte[] message = pattern(1_000, 7);
        pair.clientConnection.offer(new UnsafeBuffer(message), 0, message.length);

        final byte[] datagram = pollInPlace(pair.client);

        assertNotSame(out, pair.client.transmitBuffer(), "a data segment is sent from its send-window slot");
        final PacketDecoder decoder = EnginePairHarness.decode(datagram);
        assertEquals(PacketType.DATA, decoder.type());
        assertEquals(message.length, decoder.payloadLength());
        assertArrayEquals(message, payload(datagram, decoder));
        pair.deliverToServer(List.of(datagram));
        pair.exchange();
        assertEquals(1, pair.serverConnection.pollMessages((buffer, offset, length) ->
        {
            assertArrayEquals(message, bytes(buffer, offset, length));
            return true;
        }, 10));
    }

    @Test
    void aRetransmissionIsEncodedAgainInTheSameSlotWithTheSamePayload()
    {
        final byte[] message = pattern(1_200, 3);
        pair.clientConnection.offer(new UnsafeBuffer(message), 0, message.length);
        final byte[] first = pollInPlace(pair.client);
        final int firstOffset = pair.client.transmitOffset();
        assertEquals(0, pair.client.pollTransmitInPlace(pair.nowNs, out, OUT_OFFSET), "one segment, then nothing");

        // The first transmission is lost: the retransmission timer sends the segment again.
        pair.advanceToNextDeadline();
        final byte[] second = pollInPlace(pair.client);

        final PacketDecoder original = EnginePairHarness.decode(first);
        final PacketDecoder retransmission = EnginePairHarness.decode(second);
        // The first went out compact, the retransmission after a timeout with the full header: same payload bytes.
        assertEquals(firstOffset + original.payloadIndex(), pair.client.transmitOffset() + retransmission.payloadIndex(),
            "the same slot");
        assertEquals(original.seq(), retransmission.seq());
        assertTrue(retransmission.timestamp() != original.timestamp(), "a fresh header, not the old bytes");
        assertArrayEquals(message, payload(second, retransmission));
        assertEquals(1, pair.clientConnection.counters().retransmits(), "counted as a retransmission");
    }

    @Test
    void anAcknowledgementIsWrittenToTheCallersBufferAtItsOffset()
    {
        final byte[] message = pattern(500, 1);
        pair.clientConnection.offer(new UnsafeBuffer(message), 0, message.length);
        pair.deliverToServer(List.of(pollInPlace(pair.client)));
        pair.advanceToNextDeadline();

        final byte[] ack = pollInPlace(pair.server);

        assertSame(out, pair.server.transmitBuffer());
        assertEquals(OUT_OFFSET, pair.server.transmitOffset());
        assertEquals(PacketType.ACK, EnginePairHarness.decode(ack).type());
    }

    private byte[] pollInPlace(final EndpointEngine engine)
    {
        final int length = engine.pollTransmitInPlace(pair.nowNs, out, OUT_OFFSET);
        assertTrue(length > 0, "a datagram is due");
        final byte[] datagram = bytes(engine.transmitBuffer(), engine.transmitOffset(), length);
        assertEquals(RejectReason.NONE.code(), new PacketDecoder().wrap(new UnsafeBuffer(datagram), 0, length),
            "checksum and header valid where the datagram lies");
        return datagram;
    }

    private static byte[] payload(final byte[] datagram, final PacketDecoder decoder)
    {
        final byte[] payload = new byte[decoder.payloadLength()];
        System.arraycopy(datagram, decoder.payloadIndex(), payload, 0, payload.length);
        return payload;
    }

    private static byte[] bytes(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return bytes;
    }

    private static byte[] pattern(final int length, final int seed)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(i * 31 + seed);
        }
        return bytes;
    }
}
