package io.conduit.messaging.conduit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.conduit.messaging.Members;
import io.conduit.messaging.MessagingConformanceTest;
import io.conduit.transport.endpoint.ConduitConnection;
import io.conduit.transport.endpoint.Endpoint;
import io.conduit.transport.endpoint.EndpointContext;
import io.conduit.transport.endpoint.ThreadingMode;

/**
 * Client links over real UDP on loopback: a client on the transport's public {@link Endpoint} reaches a member that
 * has no peers (as with {@code --transport aeron}, where this binding serves clients only).
 */
class ConduitMessagingClientLinkUdpTest
{
    @Test
    void anEndpointClientGetsTheReplyThenAnAnswerAndItsAbortIsReportedAsAClose() throws Exception
    {
        final Members members = MessagingConformanceTest.loopbackMembers(1);
        final ConduitMessaging member = new ConduitMessaging(1, new int[]{1},
            new ConduitMessagingConfig().maxClientLinks(8), new UdpDatagramPort(members, 1), System::nanoTime,
            new SecureRandom());
        final EndpointContext context = new EndpointContext().bind("127.0.0.1", 0)
            .threadingMode(ThreadingMode.INVOKER).statusFile(false);
        try (Endpoint client = Endpoint.launch(context))
        {
            final ConduitConnection connection = client.connect(members.address(1));
            drive(member, client, connection::isConnected, "handshake");
            final UnsafeBuffer message = new UnsafeBuffer(new byte[64]);
            assertTrue(connection.offer(message, 0, ClientHello.encode(message, 0)) >= 0);
            message.putStringWithoutLengthAscii(0, "ping");
            assertTrue(connection.offer(message, 0, 4) >= 0);

            final List<String> received = new ArrayList<>();
            final List<Long> closed = new ArrayList<>();
            final long[] linkId = {0};
            final ClientLinkHandler handler = new ClientLinkHandler()
            {
                @Override
                public void onClientMessage(final long link, final DirectBuffer buffer, final int offset,
                    final int length)
                {
                    linkId[0] = link;
                    received.add(buffer.getStringWithoutLengthAscii(offset, length));
                    final UnsafeBuffer answer = new UnsafeBuffer("pong".getBytes());
                    assertTrue(member.sendToClient(link, answer, 0, 4) >= 0);
                }

                @Override
                public void onClientLinkClosed(final long link)
                {
                    closed.add(link);
                }
            };
            final List<byte[]> replies = new ArrayList<>();
            drive(member, client, () ->
            {
                member.pollClients(handler, 16);
                connection.poll((buffer, offset, length) ->
                {
                    final byte[] copy = new byte[length];
                    buffer.getBytes(offset, copy);
                    replies.add(copy);
                }, 16);
                return replies.size() == 2;
            }, "reply and answer");

            assertEquals(List.of("ping"), received);
            assertEquals(1, ClientHello.replyMemberId(new UnsafeBuffer(replies.get(0)), 0, replies.get(0).length));
            assertEquals("pong", new String(replies.get(1)));

            connection.abort();
            drive(member, client, () ->
            {
                member.pollClients(handler, 16);
                return !closed.isEmpty();
            }, "close reported");
            assertEquals(List.of(linkId[0]), closed);
            assertEquals(0, member.clientLinkCount());
        }
        finally
        {
            member.close();
        }
    }

    /** Drives both sides on this thread until the condition holds; the guard only turns a hang into a failure. */
    private static void drive(final ConduitMessaging member, final Endpoint client, final BooleanSupplier condition,
        final String what)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("timed out waiting for " + what);
            }
            if (member.doWork() + client.doWork() == 0)
            {
                Thread.onSpinWait();
            }
        }
    }
}
