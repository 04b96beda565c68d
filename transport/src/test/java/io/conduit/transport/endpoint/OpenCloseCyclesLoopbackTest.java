package io.conduit.transport.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.conduit.transport.engine.CloseReason;

/**
 * Issue 3, must-be-true 1: 10,000 connection open/close cycles in a row over real UDP, each carrying a message,
 * with the TIME-WAIT table bounded. Both endpoints run in invoker mode on the test thread, so the cycles are as
 * fast as the syscalls and no thread scheduling is involved.
 */
class OpenCloseCyclesLoopbackTest
{
    private static final int CYCLES = 10_000;
    private static final int TIME_WAIT_CAPACITY = 1_024;

    @TempDir
    Path statusDir;

    @Test
    void tenThousandOpenCloseCyclesSucceedWithTheTimeWaitTableBounded() throws Exception
    {
        final EndpointContext serverContext = invoker().listen(true);
        final EndpointContext clientContext = invoker();
        try (Endpoint server = LoopbackEndpoints.launch(serverContext);
            Endpoint client = LoopbackEndpoints.launch(clientContext))
        {
            final InetSocketAddress serverAddress = new InetSocketAddress("127.0.0.1", server.localAddress().getPort());
            final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
            final long[] received = new long[1];
            final long guardNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
            for (int cycle = 0; cycle < CYCLES; cycle++)
            {
                final ConduitConnection outbound = client.connect(serverAddress);
                ConduitConnection inbound = null;
                while (inbound == null || !outbound.isConnected())
                {
                    guard(guardNs, cycle, "handshake");
                    client.doWork();
                    server.doWork();
                    if (inbound == null)
                    {
                        inbound = server.pollAccepted();
                    }
                    assertTrue(!outbound.isClosed(), () -> "cycle failed: " + outbound.closeReason());
                }
                message.putLong(0, cycle);
                assertTrue(outbound.offer(message, 0, 8) > 0, "offer");
                outbound.close();
                final ConduitConnection accepted = inbound;
                while (!(outbound.isClosed() && accepted.isClosed()))
                {
                    guard(guardNs, cycle, "close");
                    client.doWork();
                    server.doWork();
                    accepted.poll((buffer, offset, length) -> received[0] += buffer.getLong(offset), 8);
                    if (accepted.isInputFinished())
                    {
                        accepted.close();
                    }
                }
                assertEquals(CloseReason.GRACEFUL, accepted.closeReason(), "server side");
                assertTrue(client.stats().timeWaitSize() <= TIME_WAIT_CAPACITY);
            }
            assertEquals((long)CYCLES * (CYCLES - 1) / 2, received[0], "every cycle's message delivered once");
            // Stats are published every interval; one more duty cycle after it has passed refreshes them.
            final long refreshNs = System.nanoTime() + 2 * serverContext.statsIntervalNs();
            while (System.nanoTime() - refreshNs < 0)
            {
                client.doWork();
                server.doWork();
            }
            assertEquals(CYCLES, client.stats().connectionsOpened());
            assertEquals(CYCLES, server.stats().connectionsAccepted());
            assertEquals(0, client.stats().connectionsActive(), "no connection left behind");
            assertEquals(0, server.stats().connectionsActive(), "no connection left behind");
            assertEquals(TIME_WAIT_CAPACITY, client.stats().timeWaitSize(), "TIME-WAIT table full but bounded");
            assertTrue(client.stats().timeWaitEvictions() >= CYCLES - TIME_WAIT_CAPACITY,
                "oldest TIME-WAIT entries evicted: " + client.stats().timeWaitEvictions());
            assertNotNull(server.stats());
        }
    }

    private EndpointContext invoker()
    {
        final EndpointContext context = LoopbackEndpoints.context(statusDir).threadingMode(ThreadingMode.INVOKER)
            .sendRingCapacity(4096).receiveRingCapacity(4096).statsIntervalNs(TimeUnit.MILLISECONDS.toNanos(10));
        context.endpointConfig().timeWaitCapacity(TIME_WAIT_CAPACITY);
        return context;
    }

    private static void guard(final long guardNs, final int cycle, final String phase)
    {
        if (System.nanoTime() - guardNs > 0)
        {
            fail("stuck in " + phase + " at cycle " + cycle);
        }
    }
}
