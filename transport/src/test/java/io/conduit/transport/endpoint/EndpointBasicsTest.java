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
}
