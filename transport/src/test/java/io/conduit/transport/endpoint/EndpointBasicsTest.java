package io.conduit.transport.endpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.conduit.transport.engine.CloseReason;
import io.conduit.transport.engine.ConnectionState;

class EndpointBasicsTest
{
    @TempDir
    Path statusDir;

    @Test
    void exchangesMessagesBothWaysAndClosesGracefully() throws Exception
    {
        try (Endpoint server = LoopbackEndpoints.launch(LoopbackEndpoints.context(statusDir).listen(true));
            Endpoint client = LoopbackEndpoints.launch(LoopbackEndpoints.context(statusDir)))
        {
            final ConduitConnection outbound = LoopbackEndpoints.connect(client, server);
            final ConduitConnection inbound = server.accept(10, TimeUnit.SECONDS);
            assertNotNull(inbound, "accepted");
            assertEquals(ConnectionState.ESTABLISHED, outbound.state());

            final UnsafeBuffer message = new UnsafeBuffer(new byte[32_000]);
            final List<byte[]> received = new ArrayList<>();
            for (int i = 0; i < 50; i++)
            {
                final int length = 1 + (i * 7919) % message.capacity();
                message.setMemory(0, length, (byte)i);
                outbound.send(message, 0, length, 10, TimeUnit.SECONDS);
            }
            outbound.close();
            while (true)
            {
                try
                {
                    assertTrue(inbound.receive((buffer, offset, length) ->
                    {
                        final byte[] copy = new byte[length];
                        buffer.getBytes(offset, copy);
                        received.add(copy);
                    }, 10, TimeUnit.SECONDS), "message within 10 s");
                }
                catch (final ConnectionClosedException finished)
                {
                    assertEquals(CloseReason.GRACEFUL, finished.reason());
                    break;
                }
            }
            assertEquals(50, received.size());
            for (int i = 0; i < 50; i++)
            {
                final int length = 1 + (i * 7919) % message.capacity();
                final byte[] expected = new byte[length];
                java.util.Arrays.fill(expected, (byte)i);
                assertArrayEquals(expected, received.get(i), "message " + i);
            }
            inbound.close();
            assertTrue(inbound.awaitClosed(10, TimeUnit.SECONDS));
            assertTrue(outbound.awaitClosed(10, TimeUnit.SECONDS));
            assertEquals(ConduitConnection.CLOSED, outbound.offer(message, 0, 1));
        }
    }

    @Test
    void connectToAPortWithNoListenerFailsClearly() throws Exception
    {
        try (Endpoint idle = LoopbackEndpoints.launch(LoopbackEndpoints.context(statusDir));
            Endpoint client = LoopbackEndpoints.launch(LoopbackEndpoints.context(statusDir)))
        {
            final ConnectionClosedException refused = assertThrows(ConnectionClosedException.class,
                () -> LoopbackEndpoints.connect(client, idle));
            assertEquals(CloseReason.REFUSED, refused.reason());
            assertTrue(refused.getMessage().contains("refused"), refused.getMessage());
        }
    }

    @Test
    void invokerModeRunsOnTheCallersThread() throws Exception
    {
        final EndpointContext serverContext = LoopbackEndpoints.context(statusDir).listen(true)
            .threadingMode(ThreadingMode.INVOKER);
        try (Endpoint server = LoopbackEndpoints.launch(serverContext);
            Endpoint client = LoopbackEndpoints.launch(LoopbackEndpoints.context(statusDir)))
        {
            final ConduitConnection outbound = client.connect(
                new InetSocketAddress("127.0.0.1", server.localAddress().getPort()));
            final ConduitConnection inbound = server.accept(10, TimeUnit.SECONDS);
            assertNotNull(inbound);
            outbound.awaitConnected(10, TimeUnit.SECONDS);
            final UnsafeBuffer message = new UnsafeBuffer("ping".getBytes());
            outbound.send(message, 0, 4, 10, TimeUnit.SECONDS);
            final StringBuilder got = new StringBuilder();
            assertTrue(inbound.receive((buffer, offset, length) -> got.append(buffer.getStringWithoutLengthAscii(
                offset, length)), 10, TimeUnit.SECONDS));
            assertEquals("ping", got.toString());
            assertThrows(IllegalStateException.class, client::doWork, "dedicated endpoints refuse doWork");
        }
    }

    @Test
    void rejectsAMessageLargerThanTheRingsAllow() throws Exception
    {
        try (Endpoint server = LoopbackEndpoints.launch(LoopbackEndpoints.context(statusDir).listen(true));
            Endpoint client = LoopbackEndpoints.launch(LoopbackEndpoints.context(statusDir)))
        {
            final ConduitConnection outbound = LoopbackEndpoints.connect(client, server);
            final int max = outbound.maxMessageBytes();
            assertTrue(max <= 256 * 1024 / 8, "capped by the ring: " + max);
            final UnsafeBuffer big = new UnsafeBuffer(new byte[max + 1]);
            assertEquals(ConduitConnection.MESSAGE_TOO_LARGE, outbound.offer(big, 0, max + 1));
            assertThrows(IllegalArgumentException.class, () -> outbound.send(big, 0, max + 1, 1, TimeUnit.SECONDS));
        }
    }

    @Test
    void abortResetsThePeerAndBothSidesReportWhy() throws Exception
    {
        try (Endpoint server = LoopbackEndpoints.launch(LoopbackEndpoints.context(statusDir).listen(true));
            Endpoint client = LoopbackEndpoints.launch(LoopbackEndpoints.context(statusDir)))
        {
            final ConduitConnection outbound = LoopbackEndpoints.connect(client, server);
            final ConduitConnection inbound = server.accept(10, TimeUnit.SECONDS);
            assertNotNull(inbound);
            outbound.abort();
            assertTrue(outbound.awaitClosed(10, TimeUnit.SECONDS));
            assertTrue(inbound.awaitClosed(10, TimeUnit.SECONDS));
            assertEquals(CloseReason.ABORTED, outbound.closeReason());
            assertEquals(CloseReason.RESET_BY_PEER, inbound.closeReason());
            final ConnectionClosedException error = assertThrows(ConnectionClosedException.class,
                () -> inbound.send(new UnsafeBuffer(new byte[1]), 0, 1, 1, TimeUnit.SECONDS));
            assertTrue(error.getMessage().contains("reset by the peer"), error.getMessage());
        }
    }

    @Test
    void countersAreReadableFromTheStatusFileByAnotherReader() throws Exception
    {
        try (Endpoint server = LoopbackEndpoints.launch(LoopbackEndpoints.context(statusDir).listen(true)
                .name("stat-server"));
            Endpoint client = LoopbackEndpoints.launch(LoopbackEndpoints.context(statusDir)))
        {
            final ConduitConnection outbound = LoopbackEndpoints.connect(client, server);
            final ConduitConnection inbound = server.accept(10, TimeUnit.SECONDS);
            assertNotNull(inbound);
            outbound.send(new UnsafeBuffer(new byte[1000]), 0, 1000, 10, TimeUnit.SECONDS);
            assertTrue(inbound.receive((buffer, offset, length) -> { }, 10, TimeUnit.SECONDS));
            server.refreshStats();
            final io.conduit.transport.status.StatusSnapshot snapshot =
                io.conduit.transport.status.StatusReader.readAll(statusDir).stream()
                    .filter(candidate -> candidate.name().contains("stat-server")).findFirst().orElseThrow();
            assertTrue(snapshot.alive());
            assertTrue(counter(snapshot, "datagrams_received") > 0, "endpoint counter");
            assertTrue(counter(snapshot, "bytes_received") >= 1000, "connection counter");
            assertEquals(io.conduit.transport.engine.ConnectionState.ESTABLISHED.ordinal(), counter(snapshot, " state"));
            assertTrue(snapshot.counters().stream().anyMatch(value -> value.label().endsWith("rejected_bad_checksum")),
                "rejections by reason: " + snapshot.counters());
        }
        assertTrue(io.conduit.transport.status.StatusReader.readAll(statusDir).isEmpty(), "files removed on close");
    }

    private static long counter(final io.conduit.transport.status.StatusSnapshot snapshot, final String suffix)
    {
        return snapshot.counters().stream().filter(value -> value.label().endsWith(suffix)).findFirst()
            .orElseThrow(() -> new AssertionError("no counter *" + suffix + " in " + snapshot.counters())).value();
    }

    @Test
    void worksOverIpv6Loopback() throws Exception
    {
        final InetSocketAddress ipv6 = new InetSocketAddress("::1", 0);
        org.junit.jupiter.api.Assumptions.assumeTrue(ipv6Available(), "no IPv6 loopback here");
        final EndpointContext serverContext = LoopbackEndpoints.context(statusDir).bind(ipv6).listen(true);
        serverContext.socket().ipv6(true);
        final EndpointContext clientContext = LoopbackEndpoints.context(statusDir).bind(ipv6);
        clientContext.socket().ipv6(true);
        try (Endpoint server = LoopbackEndpoints.launch(serverContext);
            Endpoint client = LoopbackEndpoints.launch(clientContext))
        {
            final ConduitConnection outbound = client.connect(
                new InetSocketAddress("::1", server.localAddress().getPort()), 10, TimeUnit.SECONDS);
            final ConduitConnection inbound = server.accept(10, TimeUnit.SECONDS);
            assertNotNull(inbound);
            outbound.send(new UnsafeBuffer("v6".getBytes()), 0, 2, 10, TimeUnit.SECONDS);
            final StringBuilder got = new StringBuilder();
            assertTrue(inbound.receive((buffer, offset, length) ->
                got.append(buffer.getStringWithoutLengthAscii(offset, length)), 10, TimeUnit.SECONDS));
            assertEquals("v6", got.toString());
            assertTrue(inbound.remoteAddress().getAddress() instanceof java.net.Inet6Address);
        }
    }

    @Test
    void bindingAnAddressInUseFailsWithAClearError() throws Exception
    {
        try (Endpoint first = LoopbackEndpoints.launch(LoopbackEndpoints.context(statusDir)))
        {
            final EndpointContext clash = LoopbackEndpoints.context(statusDir).bind("127.0.0.1",
                first.localAddress().getPort());
            final java.io.IOException error = assertThrows(java.io.IOException.class, () -> Endpoint.launch(clash));
            assertTrue(error.getMessage().contains("cannot bind UDP"), error.getMessage());
        }
    }

    private static boolean ipv6Available()
    {
        try (java.nio.channels.DatagramChannel channel = java.nio.channels.DatagramChannel.open(
            java.net.StandardProtocolFamily.INET6))
        {
            channel.bind(new InetSocketAddress("::1", 0));
            return true;
        }
        catch (final java.io.IOException | UnsupportedOperationException ex)
        {
            return false;
        }
    }
}
