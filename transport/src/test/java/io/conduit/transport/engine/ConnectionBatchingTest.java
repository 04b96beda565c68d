package io.conduit.transport.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.conduit.transport.codec.Crc32c;
import io.conduit.transport.codec.PacketDecoder;
import io.conduit.transport.codec.PacketLayout;
import io.conduit.transport.codec.PacketType;
import io.conduit.transport.codec.RejectReason;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Message batching (docs/wire-format.md, "Batching"): small messages queued together share one DATA segment, are
 * delivered one by one in order, are retransmitted as the segment they were sent in, and a malformed batch is
 * refused and counted. ACKs are coalesced: one per burst of segments processed before the receiver transmits.
 */
class ConnectionBatchingTest
{
    private static final int MAX_PAYLOAD = 1400;

    /** Spans off: a fragment's end would otherwise take the next small message along (SpanTransferTest's part). */
    private final EnginePairHarness pair =
        new EnginePairHarness(new EndpointConfig().connection(new ConnectionConfig().spanMessages(false)));
    private final List<byte[]> received = new ArrayList<>();
    private final MessageHandler collect = (buffer, offset, length) -> received.add(copy(buffer, offset, length));
    private final List<Integer> offeredLengths = new ArrayList<>();
    private int offered;

    @Test
    void queuedSmallMessagesShareOneSegmentAndArriveOneByOneInOrder()
    {
        offerSmall(20, 32);
        final List<byte[]> datagrams = pair.drain(pair.client);

        assertEquals(1, datagrams.size(), "20 x (2 + 32) bytes fit one segment");
        final PacketDecoder data = EnginePairHarness.decode(datagrams.get(0));
        assertEquals(PacketType.DATA, data.type());
        assertTrue(data.hasFlag(PacketLayout.FLAG_BATCH));
        assertEquals(20, data.messageLength(), "frame count");
        assertEquals(20 * (PacketLayout.BATCH_FRAME_HEADER_LENGTH + 32), data.payloadLength());
        pair.deliverToServer(datagrams);
        assertEquals(20, pair.serverConnection.pollMessages(collect, 100));
        assertReceivedInOrder(20);
        assertEquals(1, pair.clientConnection.counters().batchesSent());
        assertEquals(1, pair.serverConnection.counters().batchesReceived());
        assertEquals(20, pair.serverConnection.counters().messagesDelivered());
    }

    @Test
    void aLoneMessageGoesAtOnceAndUnframed()
    {
        offerSmall(1, 32);
        final List<byte[]> datagrams = pair.drain(pair.client);

        assertEquals(1, datagrams.size(), "nothing waits for company (no Nagle)");
        final PacketDecoder data = EnginePairHarness.decode(datagrams.get(0));
        assertFalse(data.hasFlag(PacketLayout.FLAG_BATCH));
        assertEquals(32, data.payloadLength());
        assertEquals(0, pair.clientConnection.counters().batchesSent());
    }

    @Test
    void batchesFillSegmentsAndLargeMessagesAroundThemAreFragmented()
    {
        offerSmall(100, 32);        // 100 x 34 bytes: 41 + 41 + 18 frames
        offer(5_000);               // four fragments
        offerSmall(3, 10);          // one batch of three
        offer(MAX_PAYLOAD - 1);     // too large to share a segment with the next one
        offerSmall(1, 700);
        offerSmall(1, 697);         // 702 + 699 > 1400: these two cannot share either
        final List<byte[]> datagrams = transferAll();

        final int[] expectedCounts = {41, 41, 18, 0, 0, 0, 0, 3, 0, 0, 0};
        assertEquals(expectedCounts.length, datagrams.size());
        for (int i = 0; i < datagrams.size(); i++)
        {
            final PacketDecoder data = EnginePairHarness.decode(datagrams.get(i));
            assertEquals(expectedCounts[i] > 0, data.hasFlag(PacketLayout.FLAG_BATCH), "segment " + i);
            if (expectedCounts[i] > 0)
            {
                assertEquals(expectedCounts[i], data.messageLength(), "frames in segment " + i);
            }
        }
        pair.serverConnection.pollMessages(collect, 1_000);
        assertReceivedInOrder(offered);
    }

    @Test
    void aLostBatchIsRetransmittedAsTheSameSegment()
    {
        offerSmall(5, 32);
        final List<byte[]> lost = pair.drain(pair.client);
        assertEquals(1, lost.size());
        offerSmall(1, 40);
        pair.deliverToServer(pair.drain(pair.client));
        assertEquals(0, pair.serverConnection.pollMessages(collect, 100), "the batch is missing: nothing in order");
        pair.deliverToClient(pair.drain(pair.server));

        List<byte[]> retransmission = pair.drain(pair.client);
        for (int i = 0; i < 10 && retransmission.isEmpty(); i++)
        {
            pair.advanceToNextDeadline();
            retransmission = pair.drain(pair.client);
        }
        assertEquals(1, retransmission.size());
        final PacketDecoder original = EnginePairHarness.decode(lost.get(0));
        final PacketDecoder again = EnginePairHarness.decode(retransmission.get(0));
        assertTrue(again.hasFlag(PacketLayout.FLAG_BATCH));
        assertEquals(original.seq(), again.seq());
        assertEquals(5, again.messageLength());
        assertArrayEquals(payload(original), payload(again));
        assertEquals(1, pair.clientConnection.counters().retransmits());

        pair.deliverToServer(retransmission);
        assertEquals(6, pair.serverConnection.pollMessages(collect, 100));
        assertReceivedInOrder(6);
    }

    @Test
    void malformedBatchesAreRejectedAndCountedAndTheConnectionCarriesOn()
    {
        offerSmall(3, 4);
        final byte[] valid = pair.drain(pair.client).get(0);
        final int payloadAt = EnginePairHarness.decode(valid).payloadIndex();
        assertTrue(EnginePairHarness.decode(valid).isCompact(), "a lone batch has nothing to acknowledge");

        final byte[] overrun = valid.clone();
        putShort(overrun, payloadAt, 200);                  // first frame claims more than the payload holds
        reseal(overrun, overrun.length);
        final byte[] emptyFrame = valid.clone();
        putShort(emptyFrame, payloadAt, 0);
        reseal(emptyFrame, emptyFrame.length);
        final byte[] miscounted = valid.clone();
        putInt(miscounted, PacketLayout.COMPACT_MESSAGE_LENGTH_OFFSET, 4);
        reseal(miscounted, miscounted.length);
        final byte[] truncated = Arrays.copyOf(valid, valid.length - 1);  // last frame cut short
        putShort(truncated, PacketLayout.COMPACT_PAYLOAD_LENGTH_OFFSET, valid.length - 1 - payloadAt);
        reseal(truncated, truncated.length);
        final byte[] cutDatagram = Arrays.copyOf(valid, valid.length - 3);

        pair.deliverToServer(List.of(overrun, emptyFrame, miscounted, truncated, cutDatagram));

        assertEquals(4, pair.server.counters().rejected(RejectReason.BAD_BATCH));
        assertEquals(1, pair.server.counters().rejected(RejectReason.LENGTH_MISMATCH));
        assertEquals(0, pair.serverConnection.pollMessages(collect, 100));
        assertEquals(ConnectionState.ESTABLISHED, pair.serverConnection.state());
        pair.deliverToServer(List.of(valid));
        assertEquals(3, pair.serverConnection.pollMessages(collect, 100));
        assertReceivedInOrder(3);
    }

    @Test
    void aBatchDeliveredPartlyResumesAtTheNextMessage()
    {
        offerSmall(6, 16);
        offer(3_000);
        pair.deliverToServer(pair.drain(pair.client));
        final int[] accept = {2};
        final MessageHandler backPressured = (buffer, offset, length) ->
            accept[0]-- > 0 && received.add(copy(buffer, offset, length));

        assertEquals(2, pair.serverConnection.pollMessages(backPressured, 100), "the application took two");
        assertEquals(1, pair.serverConnection.pollMessages(collect, 1), "the limit stops mid-batch");
        assertEquals(4, pair.serverConnection.pollMessages(collect, 100), "the rest of the batch and the large one");
        assertReceivedInOrder(7);
    }

    @Test
    void batchingCanBeTurnedOff()
    {
        final EnginePairHarness plain = new EnginePairHarness(
            new EndpointConfig().connection(new ConnectionConfig().batchMessages(false)));
        final UnsafeBuffer message = new UnsafeBuffer(new byte[32]);
        for (int i = 0; i < 5; i++)
        {
            plain.clientConnection.offer(message, 0, 32);
        }
        final List<byte[]> datagrams = plain.drain(plain.client);
        assertEquals(5, datagrams.size());
        assertFalse(EnginePairHarness.decode(datagrams.get(0)).hasFlag(PacketLayout.FLAG_BATCH));
    }

    @Test
    void oneAckAnswersABurstOfSegments()
    {
        for (int i = 0; i < 8; i++)
        {
            offer(MAX_PAYLOAD);
        }
        final List<byte[]> burst = pair.drain(pair.client);
        assertEquals(8, burst.size());
        pair.deliverToServer(burst);
        final List<byte[]> acks = pair.drain(pair.server);

        assertEquals(1, acks.size(), "coalesced: the receiver acknowledges when it transmits, not per segment");
        final PacketDecoder ack = EnginePairHarness.decode(acks.get(0));
        assertEquals(PacketType.ACK, ack.type());
        assertEquals(EnginePairHarness.decode(burst.get(7)).seq() + 1, ack.ack(), "covers the whole burst");
    }

    /** Runs the exchange to quiet (whatever the congestion window allows per round) and returns every DATA. */
    private List<byte[]> transferAll()
    {
        final List<byte[]> all = new ArrayList<>();
        for (int round = 0; round < 100; round++)
        {
            final List<byte[]> data = pair.drain(pair.client);
            if (data.isEmpty())
            {
                return all;
            }
            all.addAll(data);
            pair.deliverToServer(data);
            pair.deliverToClient(pair.drain(pair.server));
        }
        throw new IllegalStateException("transfer did not finish");
    }

    private void offerSmall(final int count, final int length)
    {
        for (int i = 0; i < count; i++)
        {
            offer(length);
        }
    }

    private void offer(final int length)
    {
        final UnsafeBuffer message = new UnsafeBuffer(content(offered, length));
        final long position = pair.clientConnection.offer(message, 0, length);
        assertTrue(position > 0, "offer refused: " + position);
        offeredLengths.add(length);
        offered++;
    }

    private void assertReceivedInOrder(final int count)
    {
        assertEquals(count, received.size());
        for (int i = 0; i < count; i++)
        {
            assertArrayEquals(content(i, offeredLengths.get(i)), received.get(i), "message " + i);
        }
    }

    /** Message {@code index}: distinctive bytes, so a swap, a shift or a torn frame shows. */
    private static byte[] content(final int index, final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(index * 31 + i * 7 + (i >> 8));
        }
        return bytes;
    }

    private static byte[] copy(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return bytes;
    }

    private static byte[] payload(final PacketDecoder decoder)
    {
        return copy(decoder.buffer(), decoder.payloadIndex(), decoder.payloadLength());
    }

    private static void putShort(final byte[] datagram, final int index, final int value)
    {
        new UnsafeBuffer(datagram).putShort(index, (short)value, PacketLayout.BYTE_ORDER);
    }

    private static void putInt(final byte[] datagram, final int index, final int value)
    {
        new UnsafeBuffer(datagram).putInt(index, value, PacketLayout.BYTE_ORDER);
    }

    /** Re-seals a compact DATA datagram (the only kind this class tampers with). */
    private static void reseal(final byte[] datagram, final int length)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(datagram);
        final int at = PacketLayout.COMPACT_CHECKSUM_OFFSET;
        buffer.putInt(at, new Crc32c().checksum(buffer, 0, length, at), PacketLayout.BYTE_ORDER);
    }
}
