package io.conduit.transport.engine;

import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.conduit.transport.codec.PacketDecoder;
import io.conduit.transport.codec.PacketLayout;
import io.conduit.transport.codec.PacketType;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With {@link ConnectionConfig#spanMessages()} a queued stream of messages just over a whole number of segments fills
 * its segments: each message's short last fragment shares a segment with the next message's start, so the stream
 * costs about one segment per segment's worth of bytes rather than one extra per message, and every message still
 * arrives whole and in order.
 */
class SpanTransferTest
{
    private static final int SEGMENT = 1_000;
    private static final int MESSAGE = 2 * SEGMENT + 77;
    private static final int MESSAGES = 60;

    @Test
    void queuedMessagesShareSegmentsAcrossTheirBoundaries()
    {
        final Transfer spanned = run(true, MESSAGE);

        assertEquals(MESSAGES, spanned.delivered.size());
        final int bytesWithLengthFields = MESSAGES * MESSAGE + (MESSAGES - 1) * PacketLayout.SPAN_LENGTH_FIELD_LENGTH;
        final int fewestSegments = (bytesWithLengthFields + SEGMENT - 1) / SEGMENT;
        assertEquals(fewestSegments, spanned.dataSegments, "every segment but the last filled");
        assertEquals(MESSAGES - 1, spanned.spans, "every boundary spanned");
        assertEquals(MESSAGES - 1, spanned.spansReceived);
    }

    @Test
    void aFragmentedMessagesEndSharesItsSegmentWithTheNextMessageWhole()
    {
        // 600-byte messages in 1,000-byte segments: a whole one and the start of the next (600 + 4 + 396), then that
        // one's end and all of a third (204 + 4 + 600). Two segments per three messages; no two whole messages share
        // one, which is batching's part.
        final Transfer spanned = run(true, 600);

        assertEquals(MESSAGES, spanned.delivered.size());
        assertEquals(MESSAGES * 2 / 3, spanned.dataSegments);
        assertEquals(MESSAGES * 2 / 3, spanned.spans);
    }

    @Test
    void withoutSpansEachMessageEndsItsOwnSegment()
    {
        final Transfer unspanned = run(false, MESSAGE);

        assertEquals(MESSAGES, unspanned.delivered.size());
        assertEquals(3 * MESSAGES, unspanned.dataSegments);
        assertEquals(0, unspanned.spans);
    }

    /** Queues every message first, then moves datagrams both ways until the receiver has them all. */
    private static Transfer run(final boolean spanMessages, final int messageBytes)
    {
        final ConnectionConfig config = new ConnectionConfig().maxPayloadBytes(SEGMENT).spanMessages(spanMessages);
        final EnginePairHarness pair = new EnginePairHarness(new EndpointConfig().connection(config));
        final List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < MESSAGES; i++)
        {
            final byte[] message = new byte[messageBytes];
            for (int j = 0; j < messageBytes; j++)
            {
                message[j] = (byte)(i * 31 + j);
            }
            sent.add(message);
            assertTrue(pair.clientConnection.offer(new UnsafeBuffer(message), 0, messageBytes) >= 0, "offer " + i);
        }
        final Transfer transfer = new Transfer();
        for (int round = 0; round < 10_000 && transfer.delivered.size() < MESSAGES; round++)
        {
            final List<byte[]> toServer = pair.drain(pair.client);
            for (final byte[] datagram : toServer)
            {
                final PacketDecoder packet = EnginePairHarness.decode(datagram);
                if (packet.type() == PacketType.DATA)
                {
                    transfer.dataSegments++;
                    transfer.spans += packet.hasFlag(PacketLayout.FLAG_SPAN) ? 1 : 0;
                }
            }
            pair.deliverToServer(toServer);
            pair.serverConnection.pollMessages((buffer, offset, length) ->
            {
                final byte[] bytes = new byte[length];
                buffer.getBytes(offset, bytes);
                transfer.delivered.add(bytes);
                return true;
            }, MESSAGES);
            pair.deliverToClient(pair.drain(pair.server));
            if (toServer.isEmpty())
            {
                pair.advanceToNextDeadline();
            }
        }
        for (int i = 0; i < transfer.delivered.size(); i++)
        {
            assertArrayEquals(sent.get(i), transfer.delivered.get(i), "message " + i);
        }
        assertEquals(0, pair.clientConnection.counters().retransmits(), "a clean link: every segment counted once");
        transfer.spansReceived = pair.serverConnection.counters().spansReceived();
        assertEquals(transfer.spans, pair.clientConnection.counters().spansSent());
        return transfer;
    }

    private static final class Transfer
    {
        final List<byte[]> delivered = new ArrayList<>();
        int dataSegments;
        int spans;
        long spansReceived;
    }
}
