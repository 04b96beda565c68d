package io.conduit.transport.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.conduit.transport.engine.CloseReason;

/** Request/response over a {@link ConnectionPool}: one handshake for many requests, a dead connection replaced. */
class ConnectionPoolTest
{
    @TempDir
    Path statusDir;

    @Test
    void sequentialRequestsReuseOneConnectionAndABrokenOneIsReplaced() throws Exception
    {
        try (Endpoint server = LoopbackEndpoints.launch(LoopbackEndpoints.context(statusDir).listen(true));
            Endpoint client = LoopbackEndpoints.launch(LoopbackEndpoints.context(statusDir));
            ConnectionPool pool = new ConnectionPool(client, 4, 10, TimeUnit.SECONDS))
        {
            final List<ConduitConnection> accepted = new CopyOnWriteArrayList<>();
            final Thread echo = echoServer(server, accepted);
            final InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.localAddress().getPort());
            final UnsafeBuffer request = new UnsafeBuffer(new byte[8]);
            final ConduitConnection first = pool.acquire(address);
            pool.release(first);
            for (int i = 0; i < 100; i++)
            {
                final ConduitConnection connection = pool.acquire(address);
                assertSame(first, connection, "request " + i + " reuses the pooled connection");
                request.putLong(0, i);
                connection.send(request, 0, 8, 10, TimeUnit.SECONDS);
                final long[] response = {-1};
                assertTrue(connection.receive((buffer, offset, length) -> response[0] = buffer.getLong(offset), 10,
                    TimeUnit.SECONDS), "response " + i);
                assertEquals(i, response[0]);
                pool.release(connection);
            }
            assertEquals(1, pool.connectionsOpened(), "one handshake for 100 requests");
            assertEquals(1, accepted.size(), "the server accepted once");

            // The server resets the pooled connection: the next acquire must not hand out the dead one.
            accepted.get(0).abort();
            assertTrue(first.awaitClosed(10, TimeUnit.SECONDS));
            assertEquals(CloseReason.RESET_BY_PEER, first.closeReason());
            final ConduitConnection replacement = pool.acquire(address);
            assertNotSame(first, replacement);
            assertTrue(replacement.isConnected());
            assertEquals(2, pool.connectionsOpened());
            pool.release(replacement);
            assertEquals(1, pool.idleCount(address));
            echo.interrupt();
            echo.join();
        }
    }

    /** Accepts connections and echoes every message until interrupted. */
    private static Thread echoServer(final Endpoint server, final List<ConduitConnection> accepted)
    {
        final Thread thread = new Thread(() ->
        {
            while (!Thread.currentThread().isInterrupted())
            {
                final ConduitConnection connection = server.pollAccepted();
                if (connection != null)
                {
                    accepted.add(connection);
                }
                int work = 0;
                for (final ConduitConnection inbound : accepted)
                {
                    work += inbound.poll((buffer, offset, length) -> inbound.offer(buffer, offset, length), 16);
                }
                if (work == 0)
                {
                    Thread.onSpinWait();
                }
            }
        }, "echo-server");
        thread.start();
        return thread;
    }
}
