package io.conduit.transport.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.conduit.transport.codec.Crc32c;
import io.conduit.transport.codec.PacketDecoder;
import io.conduit.transport.codec.PacketLayout;
import io.conduit.transport.codec.PacketType;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compact DATA header: a segment with no acknowledgement news for the peer leaves out the source id, ACK, window
 * and timestamp echo (28 bytes instead of 48); any segment that has something to acknowledge, the handshake's cookie
 * echo and a retransmission after a timeout keep the full header.
 */
class CompactDataHeaderTest
{
    private static final int MESSAGE_BYTES = 3_000;

    @Test
    void aOneWayStreamSendsEverySegmentCompactAndDeliversEveryByte()
    {
        final EnginePairHarness pair = new EnginePairHarness(new EndpointConfig());
        final List<byte[]> sent = new ArrayList<>();
        int segments = 0;
        for (int message = 0; message < 40; message++)
        {
            final byte[] bytes = pattern(MESSAGE_BYTES, message);
            sent.add(bytes);
            assertTrue(pair.clientConnection.offer(new UnsafeBuffer(bytes), 0, bytes.length) > 0, "offer " + message);
            final List<byte[]> datagrams = pair.drain(pair.client);
            assertEquals(3, datagrams.size(), "3,000 bytes in segments of at most 1,400");
            for (int i = 0; i < datagrams.size(); i++)
            {
                final PacketDecoder segment = EnginePairHarness.decode(datagrams.get(i));
                final boolean middle = i > 0 && i < datagrams.size() - 1;
                assertEquals(PacketType.DATA, segment.type());
                assertTrue(segment.isCompact(), "no acknowledgement news, so the compact header");
                assertEquals(middle, segment.isContinuation(), "only a middle fragment leaves its fragment fields out");
                assertEquals((middle ? PacketLayout.CONTINUATION_HEADER_LENGTH : PacketLayout.COMPACT_HEADER_LENGTH) +
                    segment.payloadLength(), segment.length());
                if (!middle)
                {
                    assertEquals(MESSAGE_BYTES, segment.messageLength(), "first and last fragments name the message");
                }
                segments++;
            }
            pair.deliverToServer(datagrams);
            pair.deliverToClient(pair.drain(pair.server));
        }
        pair.exchange();

        assertEquals(120, segments);
        final List<byte[]> received = received(pair.serverConnection);
        assertEquals(sent.size(), received.size());
        for (int i = 0; i < sent.size(); i++)
        {
            assertArrayEquals(sent.get(i), received.get(i), "message " + i + " intact and in order");
        }
    }

    @Test
    void continuationsThatArriveOutOfOrderAreAssembledOnceTheGapFills()
    {
        final EnginePairHarness pair = new EnginePairHarness(new EndpointConfig());
        final byte[] bytes = pattern(8 * 1_400 + 77, 6);
        pair.clientConnection.offer(new UnsafeBuffer(bytes), 0, bytes.length);
        final List<byte[]> datagrams = pair.drain(pair.client);
        assertEquals(9, datagrams.size(), "all within the initial window");
        for (int i = 1; i < 8; i++)
        {
            assertTrue(EnginePairHarness.decode(datagrams.get(i)).isContinuation(), "segment " + i);
        }

        // Everything but the first fragment lands first, last to first: seven continuations wait in the window.
        for (int i = datagrams.size() - 1; i >= 1; i--)
        {
            pair.deliverToServer(List.of(datagrams.get(i)));
        }
        assertTrue(received(pair.serverConnection).isEmpty(), "nothing to assemble before the first fragment");
        pair.deliverToServer(List.of(datagrams.get(0)));
        pair.exchange();

        final List<byte[]> received = received(pair.serverConnection);
        assertEquals(1, received.size());
        assertArrayEquals(bytes, received.get(0));
    }

    @Test
    void aContinuationWithNoMessageToContinueIsAProtocolError()
    {
        final EnginePairHarness pair = new EnginePairHarness(new EndpointConfig());
        final byte[] bytes = pattern(3 * 1_400, 7);
        pair.clientConnection.offer(new UnsafeBuffer(bytes), 0, bytes.length);
        final List<byte[]> datagrams = pair.drain(pair.client);
        assertTrue(EnginePairHarness.decode(datagrams.get(1)).isContinuation());
        pair.deliverToServer(datagrams);
        pair.exchange();
        assertEquals(1, received(pair.serverConnection).size(), "the first message is whole");

        // A forged (or broken) continuation right after a complete message: there is nothing to continue.
        final byte[] orphan = datagrams.get(1).clone();
        final int nextSeq = EnginePairHarness.decode(datagrams.get(2)).seq() + 1;
        putInt(orphan, PacketLayout.COMPACT_SEQUENCE_OFFSET, nextSeq);
        reseal(orphan);
        pair.deliverToServer(List.of(orphan));

        assertTrue(received(pair.serverConnection).isEmpty());
        assertEquals(ConnectionState.CLOSED, pair.serverConnection.state());
        assertEquals(CloseReason.PROTOCOL_ERROR, pair.serverConnection.closeReason());
    }

    @Test
    void switchedOffEverySegmentCarriesTheFullHeader()
    {
        final EnginePairHarness pair = new EnginePairHarness(
            new EndpointConfig().connection(new ConnectionConfig().compactDataHeader(false)));
        final byte[] bytes = pattern(MESSAGE_BYTES, 1);
        pair.clientConnection.offer(new UnsafeBuffer(bytes), 0, bytes.length);

        final List<byte[]> datagrams = pair.drain(pair.client);

        assertFalse(datagrams.isEmpty());
        for (final byte[] datagram : datagrams)
        {
            assertFalse(EnginePairHarness.decode(datagram).isCompact());
        }
    }

    @Test
    void aSegmentThatOwesTheAcknowledgementOfReceivedDataCarriesItInTheFullHeader()
    {
        final EnginePairHarness pair = new EnginePairHarness(new EndpointConfig());
        final byte[] request = pattern(100, 2);
        pair.serverConnection.offer(new UnsafeBuffer(request), 0, request.length);
        final List<byte[]> requestSegments = pair.drain(pair.server);
        assertEquals(1, requestSegments.size());
        final int expectedAck = EnginePairHarness.decode(requestSegments.get(0)).seq() + 1;
        pair.deliverToClient(requestSegments);

        final byte[] reply = pattern(MESSAGE_BYTES, 3);
        pair.clientConnection.offer(new UnsafeBuffer(reply), 0, reply.length);
        final List<byte[]> datagrams = pair.drain(pair.client);

        final PacketDecoder first = EnginePairHarness.decode(datagrams.get(0));
        assertEquals(PacketType.DATA, first.type(), "the ACK rides on the data, no separate ACK datagram");
        assertFalse(first.isCompact(), "the first segment owes the acknowledgement");
        assertEquals(expectedAck, first.ack());
        for (final byte[] later : datagrams.subList(1, datagrams.size()))
        {
            assertTrue(EnginePairHarness.decode(later).isCompact(), "once acknowledged, nothing new to say");
        }
    }

    @Test
    void aRetransmissionAfterATimeoutCarriesTheFullHeader()
    {
        final EnginePairHarness pair = new EnginePairHarness(new EndpointConfig());
        final byte[] bytes = pattern(500, 4);
        pair.clientConnection.offer(new UnsafeBuffer(bytes), 0, bytes.length);
        final List<byte[]> lost = pair.drain(pair.client);
        assertTrue(EnginePairHarness.decode(lost.get(0)).isCompact());

        pair.advanceToNextDeadline();
        final List<byte[]> retransmission = pair.drain(pair.client);

        final PacketDecoder segment = EnginePairHarness.decode(retransmission.get(0));
        assertEquals(EnginePairHarness.decode(lost.get(0)).seq(), segment.seq());
        assertFalse(segment.isCompact(), "a peer that lost the connection can name it in its reset");
        assertEquals(pair.clientConnection.localId(), segment.sourceId());
    }

    @Test
    void anEndpointWithoutTheConnectionResetsOnlyTheFullHeaderWhichNamesTheSender()
    {
        final EnginePairHarness pair = new EnginePairHarness(new EndpointConfig());
        final byte[] bytes = pattern(500, 5);
        pair.clientConnection.offer(new UnsafeBuffer(bytes), 0, bytes.length);
        final byte[] compact = pair.drain(pair.client).get(0);
        pair.advanceToNextDeadline();
        final byte[] full = pair.drain(pair.client).get(0);
        final EndpointEngine restarted = new EndpointEngine(new EndpointConfig(), new SplittableRandom(99));
        final UnsafeBuffer out = new UnsafeBuffer(new byte[PacketLayout.MAX_DATAGRAM_LENGTH]);

        restarted.onDatagram(pair.nowNs, EnginePairHarness.CLIENT_KEY, new UnsafeBuffer(compact), 0, compact.length);
        assertEquals(0, restarted.pollTransmit(pair.nowNs, out, 0), "a compact segment names no one to reset");
        restarted.onDatagram(pair.nowNs, EnginePairHarness.CLIENT_KEY, new UnsafeBuffer(full), 0, full.length);
        final int length = restarted.pollTransmit(pair.nowNs, out, 0);

        assertEquals(2, restarted.counters().unknownConnection());
        final byte[] reset = new byte[length];
        out.getBytes(0, reset);
        final PacketDecoder decoded = EnginePairHarness.decode(reset);
        assertEquals(PacketType.RST, decoded.type());
        assertEquals(pair.clientConnection.localId(), decoded.destinationId());
        pair.deliverToClient(List.of(reset));
        assertEquals(ConnectionState.CLOSED, pair.clientConnection.state(), "the sender learns the peer is gone");
    }

    private static List<byte[]> received(final Connection connection)
    {
        final List<byte[]> messages = new ArrayList<>();
        connection.pollMessages((buffer, offset, length) ->
        {
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            messages.add(bytes);
            return true;
        }, Integer.MAX_VALUE);
        return messages;
    }

    private static void putInt(final byte[] datagram, final int index, final int value)
    {
        new UnsafeBuffer(datagram).putInt(index, value, PacketLayout.BYTE_ORDER);
    }

    /** Re-seals a compact DATA datagram or continuation (both keep the checksum at the same place). */
    private static void reseal(final byte[] datagram)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(datagram);
        final int at = PacketLayout.COMPACT_CHECKSUM_OFFSET;
        buffer.putInt(at, new Crc32c().checksum(buffer, 0, datagram.length, at), PacketLayout.BYTE_ORDER);
    }

    private static byte[] pattern(final int length, final int seed)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(i * 17 + seed * 101);
        }
        return bytes;
    }
}
