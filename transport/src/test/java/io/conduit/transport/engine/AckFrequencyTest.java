package io.conduit.transport.engine;

import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.conduit.transport.codec.PacketType;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * RFC 5681 §4.2: the receiver acknowledges at least every second full-sized segment. The short last fragment of a
 * large message is not full-sized, so a stream of messages just over one segment is acknowledged every second message,
 * not every message; a last fragment as long as the others still counts.
 */
class AckFrequencyTest
{
    private static final int SEGMENT = 1_000;
    private static final int MESSAGES = 40;

    @Test
    void shortLastFragmentsDoNotCountTowardsTheAckEveryTwoSegments()
    {
        final Exchange exchange = run(SEGMENT + 10);

        assertEquals(MESSAGES, exchange.delivered);
        assertEquals(MESSAGES / 2, exchange.acksOnArrival, "one ACK per two full segments, i.e. per two messages");
    }

    @Test
    void lastFragmentsOfFullSizeStillCount()
    {
        final Exchange exchange = run(2 * SEGMENT);

        assertEquals(MESSAGES, exchange.delivered);
        assertEquals(MESSAGES, exchange.acksOnArrival, "two full segments per message: one ACK per message");
    }

    @Test
    void messagesThatFitOneSegmentAreAcknowledgedEverySecondSegmentAsBefore()
    {
        final Exchange exchange = run(SEGMENT - 100);

        assertEquals(MESSAGES, exchange.delivered);
        assertEquals(MESSAGES / 2, exchange.acksOnArrival);
    }

    /**
     * Sends {@link #MESSAGES} messages of {@code length} bytes one at a time, delivering each of its segments alone
     * and counting the ACKs the receiver sends at once (without its delayed-ACK timer, which never fires here).
     */
    private static Exchange run(final int length)
    {
        final ConnectionConfig config = new ConnectionConfig().maxPayloadBytes(SEGMENT).batchMessages(false);
        final EnginePairHarness pair = new EnginePairHarness(new EndpointConfig().connection(config));
        final UnsafeBuffer message = new UnsafeBuffer(new byte[length]);
        final Exchange exchange = new Exchange();
        for (int i = 0; i < MESSAGES; i++)
        {
            message.putInt(0, i);
            if (pair.clientConnection.offer(message, 0, length) < 0)
            {
                throw new IllegalStateException("offer refused at message " + i);
            }
            final List<byte[]> segments = pair.drain(pair.client);
            for (final byte[] segment : segments)
            {
                pair.deliverToServer(List.of(segment));
                final List<byte[]> replies = pair.drain(pair.server);
                for (final byte[] reply : replies)
                {
                    if (EnginePairHarness.decode(reply).type() == PacketType.ACK)
                    {
                        exchange.acksOnArrival++;
                    }
                }
                pair.deliverToClient(replies);
            }
            exchange.delivered += pair.serverConnection.pollMessages((buffer, offset, messageLength) -> true, 16);
        }
        return exchange;
    }

    private static final class Exchange
    {
        int delivered;
        int acksOnArrival;
    }
}
