package io.conduit.transport.endpoint;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.conduit.transport.codec.PacketLayout;
import io.conduit.transport.engine.PathMtuSearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real loopback sockets with Don't Fragment set: discovery climbs the whole ladder to 65,507-byte datagrams, and the
 * windows shrink to fit the socket buffer the kernel really granted.
 */
class PathMtuLoopbackTest
{
    @TempDir
    Path statusDir;

    private EndpointContext context(final boolean listen)
    {
        final EndpointContext context = LoopbackEndpoints.context(statusDir).listen(listen)
            .sendRingCapacity(1024 * 1024).receiveRingCapacity(1024 * 1024);
        context.connectionConfig().maxPayloadBytes(PacketLayout.MAX_DATA_PAYLOAD_LENGTH).pathMtuDiscovery(true);
        return context;
    }

    @Test
    void sixtyFourKibMessagesEndUpInMaximumUdpDatagrams() throws Exception
    {
        try (Endpoint server = LoopbackEndpoints.launch(context(true));
             Endpoint client = LoopbackEndpoints.launch(context(false)))
        {
            final ConduitConnection outbound = LoopbackEndpoints.connect(client, server);
            final ConduitConnection inbound = server.accept(10, TimeUnit.SECONDS);
            final UnsafeBuffer message = new UnsafeBuffer(new byte[64 * 1024]);
            final int messages = 200;
            final long[] received = new long[1];
            final ReceivedMessageHandler count = (buffer, offset, length) -> received[0]++;
            for (int i = 0; i < messages; i++)
            {
                message.putInt(0, i);
                outbound.send(message, 0, message.capacity(), 10, TimeUnit.SECONDS);
                inbound.poll(count, 64);
            }
            while (received[0] < messages)
            {
                assertTrue(inbound.receive(count, 10, TimeUnit.SECONDS), "timed out at " + received[0]);
            }
            client.refreshStats();
            assertEquals(PacketLayout.MAX_DATAGRAM_LENGTH, outbound.maxDatagramBytes());
            assertEquals(PathMtuSearch.LADDER_STEPS, outbound.pathMtuProbesSent(), "every ladder step confirmed first time");
            assertTrue(outbound.receiveWindowSegments() <= 64, "window fits the socket buffer");
        }
    }
}
