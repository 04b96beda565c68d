package io.conduit.transport.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Path;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.conduit.transport.engine.ConnectionState;

/**
 * Regression: a message written after the send ring wrapped (leaving padding at the end of the buffer) must reach the
 * engine in the next duty cycle, not wait for the next doorbell. Found by bench/run loopback as a 10 s round trip
 * every 26,214 32-byte messages, when the keepalive finally rang.
 */
class SendRingWrapTest
{
    @TempDir
    Path statusDir;

    @Test
    void everyMessageLeavesTheSendRingInOneDutyCycleAcrossWraps() throws Exception
    {
        final EndpointContext serverContext = LoopbackEndpoints.context(statusDir).listen(true)
            .threadingMode(ThreadingMode.INVOKER).sendRingCapacity(4096).receiveRingCapacity(4096);
        // Direct offers off: they would bypass the ring this test is about.
        final EndpointContext clientContext = LoopbackEndpoints.context(statusDir)
            .threadingMode(ThreadingMode.INVOKER).directOffers(false).sendRingCapacity(4096).receiveRingCapacity(4096);
        try (Endpoint server = LoopbackEndpoints.launch(serverContext);
            Endpoint client = LoopbackEndpoints.launch(clientContext))
        {
            final ConduitConnection outbound = client.connect(
                new InetSocketAddress("127.0.0.1", server.localAddress().getPort()));
            ConduitConnection inbound = null;
            for (int cycle = 0; cycle < 100_000 && (inbound == null || outbound.state() != ConnectionState.ESTABLISHED);
                cycle++)
            {
                client.doWork();
                server.doWork();
                if (inbound == null)
                {
                    inbound = server.pollAccepted();
                }
            }
            assertEquals(ConnectionState.ESTABLISHED, outbound.state());
            final ConduitConnection receiver = inbound;

            // 32-byte messages take 40-byte records: a 4 KiB ring wraps every 102 messages, each time with padding.
            // The server stays idle meanwhile, so no ACK gives the client's agent another reason to drain the ring:
            // only the doorbell of each offer does (the engine's own send queue takes the messages whatever the
            // peer's window).
            final UnsafeBuffer message = new UnsafeBuffer(new byte[32]);
            for (int i = 0; i < 2_000; i++)
            {
                message.putInt(0, i);
                assertTrue(outbound.offer(message, 0, message.capacity()) >= 0, "offer " + i);
                client.doWork();
                assertEquals(0, outbound.sendRing.size(), "message " + i + " still in the send ring after a cycle");
            }
            final long[] received = new long[1];
            for (int cycle = 0; cycle < 1_000_000 && received[0] < 2_000; cycle++)
            {
                client.doWork();
                server.doWork();
                receiver.poll((buffer, offset, length) -> received[0]++, Integer.MAX_VALUE);
            }
            assertEquals(2_000, received[0], "every message delivered");
        }
    }
}
