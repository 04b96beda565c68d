package io.conduit.messaging.conduit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.conduit.messaging.Messaging;
import io.conduit.transport.engine.CloseReason;
import io.conduit.transport.engine.ConnectionState;

/** Client links on the simulated port: CLIENT_HELLO, the reply, messages both ways, closes, refusals. */
class ConduitMessagingClientLinkTest
{
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final int[] ALONE = {1};

    @Test
    void aClientHelloOpensALinkAnsweredWithTheMemberIdAndMessagesFlowBothWaysInOrderThroughAHostileNetwork()
    {
        final ClientLinkSim sim = new ClientLinkSim(3);
        sim.network.defaultLink().lossProbability(0.05).duplicateProbability(0.02).reorderProbability(0.05)
            .delayNs(TimeUnit.MILLISECONDS.toNanos(1));
        final ConduitMessaging member = sim.member(1, ALONE, new ConduitMessagingConfig().maxClientLinks(4));
        final ClientLinkSim.Client client = sim.client(1);
        final Recorder recorder = new Recorder();

        runUntilEstablished(sim, client);
        assertTrue(client.sendHello() >= 0);
        for (int i = 0; i < 100; i++)
        {
            assertTrue(client.send(("request-" + i).getBytes(StandardCharsets.US_ASCII)) >= 0);
        }
        final long end = sim.network.nowNs() + 30 * SECOND;
        while (recorder.messages.size() < 100 && sim.network.nowNs() < end)
        {
            sim.step(end);
            member.pollClients(recorder, 7);
        }

        assertEquals(100, recorder.messages.size(), "every request arrived");
        for (int i = 0; i < 100; i++)
        {
            assertEquals("request-" + i, recorder.messages.get(i));
        }
        final long linkId = recorder.linkIds.get(0);
        assertTrue(linkId > 0 && recorder.linkIds.stream().allMatch(id -> id == linkId), "one link, one id");
        assertTrue(member.isClientLinkOpen(linkId));
        assertEquals(1, member.clientLinkCount());

        final UnsafeBuffer answer = new UnsafeBuffer("answer".getBytes(StandardCharsets.US_ASCII));
        assertTrue(member.sendToClient(linkId, answer, 0, answer.capacity()) >= 0);
        sim.run(2 * SECOND);
        assertEquals(1, client.replyMemberId(), "the reply comes first and names member 1");
        assertEquals(2, client.received.size());
        assertArrayEquals("answer".getBytes(StandardCharsets.US_ASCII), client.received.get(1));
        assertEquals(0, member.rejectedHellos());
    }

    @Test
    void aClientThatClosesIsReportedOnceAfterItsMessagesAndItsLinkIdIsNeverReused()
    {
        final ClientLinkSim sim = new ClientLinkSim(5);
        final ConduitMessaging member = sim.member(1, ALONE, new ConduitMessagingConfig().maxClientLinks(1));
        final ClientLinkSim.Client first = sim.client(1);
        final Recorder recorder = new Recorder();
        runUntilEstablished(sim, first);
        first.sendHello();
        first.send(new byte[]{1});
        first.send(new byte[]{2});
        first.connection.close(sim.network.nowNs());
        runPolling(sim, member, recorder, 2 * SECOND);

        assertEquals(List.of("\u0001", "\u0002"), recorder.messages);
        assertEquals(1, recorder.closed.size(), "closed reported once");
        final long firstLink = recorder.closed.get(0);
        assertEquals(recorder.linkIds.get(0), firstLink);
        assertFalse(member.isClientLinkOpen(firstLink));
        assertEquals(0, member.clientLinkCount());
        final UnsafeBuffer late = new UnsafeBuffer(new byte[4]);
        assertEquals(Messaging.NOT_CONNECTED, member.sendToClient(firstLink, late, 0, 4));

        // The only slot is free again once the close was polled; the new link gets a new id.
        final ClientLinkSim.Client second = sim.client(1);
        runUntilEstablished(sim, second);
        second.sendHello();
        second.send(new byte[]{3});
        runPolling(sim, member, recorder, 2 * SECOND);
        assertEquals(3, recorder.messages.size());
        final long secondLink = recorder.linkIds.get(2);
        assertNotEquals(firstLink, secondLink);
        assertTrue(member.isClientLinkOpen(secondLink));
        assertEquals(Messaging.NOT_CONNECTED, member.sendToClient(firstLink, late, 0, 4), "old id stays dead");
        assertTrue(member.sendToClient(secondLink, late, 0, 4) >= 0);
    }

    @Test
    void aClientThatVanishesIsReportedClosedAfterTheKeepaliveGivesUp()
    {
        final ClientLinkSim sim = new ClientLinkSim(6);
        final ConduitMessaging member = sim.member(1, ALONE, new ConduitMessagingConfig().maxClientLinks(2));
        final ClientLinkSim.Client client = sim.client(1);
        final Recorder recorder = new Recorder();
        runUntilEstablished(sim, client);
        client.sendHello();
        runPolling(sim, member, recorder, SECOND / 10);
        assertEquals(1, member.clientLinkCount());

        sim.network.isolate(client.node);
        runPolling(sim, member, recorder, 5 * SECOND);

        assertEquals(1, recorder.closed.size(), "the keepalive (under 2 s) ends the link");
        assertEquals(0, member.clientLinkCount());
    }

    @Test
    void aMemberCanEndAClientLinkAndItsCloseIsReportedOnce()
    {
        final ClientLinkSim sim = new ClientLinkSim(12);
        final ConduitMessaging member = sim.member(1, ALONE, new ConduitMessagingConfig().maxClientLinks(2));
        final ClientLinkSim.Client client = sim.client(1);
        final Recorder recorder = new Recorder();
        runUntilEstablished(sim, client);
        client.sendHello();
        client.send(new byte[]{1});
        client.send(new byte[]{2});
        client.send(new byte[]{3});
        sim.run(SECOND / 10);
        final boolean[] closedByHandler = {false};
        final ClientLinkHandler closer = new ClientLinkHandler()
        {
            @Override
            public void onClientMessage(final long link, final DirectBuffer buffer, final int offset, final int length)
            {
                recorder.onClientMessage(link, buffer, offset, length);
                closedByHandler[0] = member.closeClientLink(link);
                assertFalse(member.closeClientLink(link), "already closed");
            }

            @Override
            public void onClientLinkClosed(final long link)
            {
                recorder.onClientLinkClosed(link);
            }
        };
        member.pollClients(closer, 16);

        assertTrue(closedByHandler[0]);
        final long linkId = recorder.linkIds.get(0);
        assertEquals(List.of("\u0001"), recorder.messages, "nothing after the handler closed the link");
        assertEquals(List.of(linkId), recorder.closed, "the close, in the same poll");
        runPolling(sim, member, recorder, SECOND);
        assertEquals(List.of(linkId), recorder.closed);
        assertEquals(CloseReason.RESET_BY_PEER, client.connection.closeReason());
        assertEquals(0, member.clientLinkCount());
    }

    @Test
    void clientLinksDisabledRejectsAClientHelloAndCountsItAsTodayForAnyBadFirstMessage()
    {
        final ClientLinkSim sim = new ClientLinkSim(7);
        final ConduitMessaging member = sim.member(1, ALONE, new ConduitMessagingConfig());
        final ClientLinkSim.Client client = sim.client(1);
        final Recorder recorder = new Recorder();
        runUntilEstablished(sim, client);
        client.sendHello();
        runPolling(sim, member, recorder, 2 * SECOND);

        assertEquals(1, member.rejectedHellos());
        assertEquals(0, member.clientLinkCount());
        assertEquals(ConnectionState.CLOSED, client.connection.state());
        assertRefused(client);
        assertTrue(client.received.isEmpty(), "no reply");
    }

    @Test
    void garbageAndAClientHelloOfAnotherVersionAreRejectedWhileClientLinksAreEnabled()
    {
        final ClientLinkSim sim = new ClientLinkSim(8);
        final ConduitMessaging member = sim.member(1, ALONE, new ConduitMessagingConfig().maxClientLinks(4));
        final ClientLinkSim.Client garbage = sim.client(1);
        final ClientLinkSim.Client future = sim.client(1);
        final ClientLinkSim.Client longer = sim.client(1);
        final Recorder recorder = new Recorder();
        runUntilEstablished(sim, garbage);
        runUntilEstablished(sim, future);
        runUntilEstablished(sim, longer);
        garbage.send("GET / HTTP/1.1".getBytes(StandardCharsets.US_ASCII));
        final UnsafeBuffer hello = new UnsafeBuffer(new byte[ClientHello.LENGTH]);
        ClientHello.encode(hello, 0);
        hello.putShort(ClientHello.VERSION_OFFSET, (short)2, java.nio.ByteOrder.LITTLE_ENDIAN);
        future.send(hello);
        final UnsafeBuffer padded = new UnsafeBuffer(new byte[ClientHello.LENGTH + 1]);
        ClientHello.encode(padded, 0);
        longer.send(padded);
        runPolling(sim, member, recorder, 2 * SECOND);

        assertEquals(3, member.rejectedHellos());
        assertEquals(0, member.clientLinkCount());
        for (final ClientLinkSim.Client client : List.of(garbage, future, longer))
        {
            assertRefused(client);
        }
    }

    @Test
    void aFullMemberRefusesTheNextClientAndAcceptsOneAgainOnceASlotIsFree()
    {
        final ClientLinkSim sim = new ClientLinkSim(9);
        final ConduitMessaging member = sim.member(1, ALONE, new ConduitMessagingConfig().maxClientLinks(1));
        final Recorder recorder = new Recorder();
        final ClientLinkSim.Client first = sim.client(1);
        runUntilEstablished(sim, first);
        first.sendHello();
        runPolling(sim, member, recorder, SECOND / 10);
        final ClientLinkSim.Client second = sim.client(1);
        runUntilEstablished(sim, second);
        second.sendHello();
        runPolling(sim, member, recorder, SECOND);

        assertEquals(1, member.refusedClientLinks());
        assertEquals(0, member.rejectedHellos());
        assertRefused(second);
        assertEquals(1, first.replyMemberId());

        first.connection.abort(sim.network.nowNs());
        runPolling(sim, member, recorder, SECOND);
        final ClientLinkSim.Client third = sim.client(1);
        runUntilEstablished(sim, third);
        third.sendHello();
        runPolling(sim, member, recorder, SECOND);
        assertEquals(1, third.replyMemberId());
        assertEquals(1, member.clientLinkCount());
    }

    @Test
    void peersAndClientsShareTheMembersAddress()
    {
        final ClientLinkSim sim = new ClientLinkSim(10);
        final int[] group = {1, 2};
        final ConduitMessagingConfig config = new ConduitMessagingConfig().maxClientLinks(2);
        final ConduitMessaging one = sim.member(1, group, config);
        final ConduitMessaging two = sim.member(2, group, config);
        final ClientLinkSim.Client toOne = sim.client(1);
        final ClientLinkSim.Client toTwo = sim.client(2);
        final Recorder recorder = new Recorder();
        runUntilEstablished(sim, toOne);
        runUntilEstablished(sim, toTwo);
        toOne.sendHello();
        toTwo.sendHello();
        final long end = sim.network.nowNs() + 5 * SECOND;
        while (!(one.isConnected(2) && two.isConnected(1)) && sim.network.nowNs() < end)
        {
            sim.step(end);
        }
        runPolling(sim, one, recorder, SECOND / 10);
        runPolling(sim, two, recorder, SECOND / 10);

        assertTrue(one.isConnected(2) && two.isConnected(1), "the peer link is up");
        assertEquals(1, toOne.replyMemberId());
        assertEquals(2, toTwo.replyMemberId());
        assertEquals(1, one.clientLinkCount());
        assertEquals(1, two.clientLinkCount());
        assertEquals(0, one.rejectedHellos() + two.rejectedHellos());
    }

    @Test
    void sendToClientNamesEveryFailure()
    {
        final ClientLinkSim sim = new ClientLinkSim(11);
        final ConduitMessagingConfig config = new ConduitMessagingConfig().maxClientLinks(2);
        config.endpointConfig().connection().maxMessageBytes(1024);
        final ConduitMessaging member = sim.member(1, ALONE, config);
        final ClientLinkSim.Client client = sim.client(1);
        final Recorder recorder = new Recorder();
        runUntilEstablished(sim, client);
        client.sendHello();
        client.send(new byte[]{9});
        runPolling(sim, member, recorder, SECOND / 10);
        final long linkId = recorder.linkIds.get(0);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[2048]);

        assertEquals(Messaging.UNKNOWN_MEMBER, member.sendToClient(0, buffer, 0, 1));
        assertEquals(Messaging.UNKNOWN_MEMBER, member.sendToClient(-1, buffer, 0, 1));
        assertEquals(Messaging.UNKNOWN_MEMBER, member.sendToClient((1L << 20) | 5, buffer, 0, 1), "slot 5 of 2");
        assertEquals(Messaging.NOT_CONNECTED, member.sendToClient((7L << 20) | 1, buffer, 0, 1), "free slot");
        assertEquals(Messaging.MESSAGE_TOO_LARGE, member.sendToClient(linkId, buffer, 0, 1025));
        assertTrue(member.sendToClient(linkId, buffer, 0, 1024) >= 0);
        member.close();
        assertEquals(Messaging.CLOSED, member.sendToClient(linkId, buffer, 0, 1));
        assertEquals(0, member.pollClients(recorder, 10));
    }

    @Test
    void maxClientLinksOutOfRangeIsRefusedByValidate()
    {
        final IllegalArgumentException negative = org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> new ConduitMessagingConfig().maxClientLinks(-1).validate());
        assertTrue(negative.getMessage().contains("maxClientLinks"), negative.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
            () -> new ConduitMessagingConfig().maxClientLinks((1 << 20) + 1).validate());
    }

    /** The member reset the connection; a client that has not heard from it yet sees that as REFUSED. */
    private static void assertRefused(final ClientLinkSim.Client client)
    {
        final CloseReason reason = client.connection.closeReason();
        assertTrue(reason == CloseReason.REFUSED || reason == CloseReason.RESET_BY_PEER, reason.toString());
    }

    private static void runUntilEstablished(final ClientLinkSim sim, final ClientLinkSim.Client client)
    {
        final long end = sim.network.nowNs() + 10 * SECOND;
        while (client.connection.state() != ConnectionState.ESTABLISHED && sim.network.nowNs() < end)
        {
            sim.step(end);
        }
        assertEquals(ConnectionState.ESTABLISHED, client.connection.state());
    }

    private static void runPolling(final ClientLinkSim sim, final ConduitMessaging member, final Recorder recorder,
        final long durationNs)
    {
        final long end = sim.network.nowNs() + durationNs;
        while (sim.network.nowNs() < end)
        {
            sim.step(end);
            member.pollClients(recorder, 16);
        }
    }

    /** Keeps what pollClients hands out. */
    private static final class Recorder implements ClientLinkHandler
    {
        final List<String> messages = new ArrayList<>();
        final List<Long> linkIds = new ArrayList<>();
        final List<Long> closed = new ArrayList<>();

        @Override
        public void onClientMessage(final long linkId, final DirectBuffer buffer, final int offset, final int length)
        {
            assertFalse(closed.contains(linkId), "a message after its link's close");
            messages.add(buffer.getStringWithoutLengthAscii(offset, length));
            linkIds.add(linkId);
        }

        @Override
        public void onClientLinkClosed(final long linkId)
        {
            assertFalse(closed.contains(linkId), "closed twice");
            closed.add(linkId);
        }
    }
}
