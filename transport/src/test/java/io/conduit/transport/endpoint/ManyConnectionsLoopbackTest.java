package io.conduit.transport.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3, must-be-true 1: 200 concurrent connections over real UDP on loopback, each exchanging 1,000 messages
 * each way, every byte verified. The client sends message k; the server checks it and answers with reply k; the
 * client checks the reply. Message contents are a function of (connection, direction, k), so any corruption,
 * loss, duplication or reordering is caught.
 */
class ManyConnectionsLoopbackTest
{
    private static final int CONNECTIONS = 200;
    private static final int MESSAGES = 1_000;
    private static final int MAX_LENGTH = 1_500;
    private static final long GUARD_NS = TimeUnit.SECONDS.toNanos(240);

    @TempDir
    Path statusDir;

    @Test
    void twoHundredConnectionsExchangeAThousandMessagesEachWayEveryByteVerified() throws Exception
    {
        final EndpointContext serverContext = LoopbackEndpoints.context(statusDir).listen(true)
            .sendRingCapacity(64 * 1024).receiveRingCapacity(64 * 1024);
        final EndpointContext clientContext = LoopbackEndpoints.context(statusDir)
            .sendRingCapacity(64 * 1024).receiveRingCapacity(64 * 1024);
        try (Endpoint server = LoopbackEndpoints.launch(serverContext);
            Endpoint client = LoopbackEndpoints.launch(clientContext))
        {
            final InetSocketAddress serverAddress = new InetSocketAddress("127.0.0.1", server.localAddress().getPort());
            final Peer[] clients = new Peer[CONNECTIONS];
            for (int i = 0; i < CONNECTIONS; i++)
            {
                clients[i] = new Peer(client.connect(serverAddress), i, true);
            }
            final Peer[] servers = new Peer[CONNECTIONS];
            int accepted = 0;
            final long guardNs = System.nanoTime() + GUARD_NS;
            final UnsafeBuffer scratch = new UnsafeBuffer(new byte[MAX_LENGTH]);
            boolean done = false;
            final long startNs = System.nanoTime();
            while (!done)
            {
                if (System.nanoTime() - guardNs > 0)
                {
                    fail("not finished in time: " + progress(clients, servers));
                }
                ConduitConnection inbound;
                while ((inbound = server.pollAccepted()) != null)
                {
                    servers[accepted] = new Peer(inbound, -1, false);
                    accepted++;
                }
                done = accepted == CONNECTIONS;
                for (final Peer peer : clients)
                {
                    peer.pump(scratch);
                    done &= peer.received == MESSAGES;
                }
                for (int i = 0; i < accepted; i++)
                {
                    servers[i].pump(scratch);
                    done &= servers[i].received == MESSAGES && servers[i].sent == MESSAGES;
                }
                Thread.onSpinWait();
            }
            final long exchangeNs = System.nanoTime() - startNs;
            for (final Peer peer : clients)
            {
                assertEquals(MESSAGES, peer.received);
                assertEquals(0, peer.errors, "content errors");
                peer.connection.close();
            }
            for (final Peer peer : servers)
            {
                assertNotNull(peer);
                assertEquals(MESSAGES, peer.received);
                assertEquals(0, peer.errors, "content errors");
            }
            // The servers see each client's FIN once every request is polled, then close their side.
            final long closeGuardNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int closed = 0;
            while (closed < CONNECTIONS)
            {
                if (System.nanoTime() - closeGuardNs > 0)
                {
                    fail("only " + closed + " connections closed");
                }
                closed = 0;
                for (int i = 0; i < CONNECTIONS; i++)
                {
                    final ConduitConnection inbound = servers[i].connection;
                    inbound.poll((buffer, offset, length) -> servers[0].errors++, 16);
                    if (inbound.isInputFinished())
                    {
                        inbound.close();
                    }
                    closed += clients[i].connection.isClosed() && inbound.isClosed() ? 1 : 0;
                }
                Thread.onSpinWait();
            }
            assertEquals(0, servers[0].errors, "no message after the exchange");
            System.out.printf("%d connections x %d messages each way: %.1f s%n", CONNECTIONS, MESSAGES,
                exchangeNs / 1e9);
        }
    }

    private static String progress(final Peer[] clients, final Peer[] servers)
    {
        int clientDone = 0;
        int serverDone = 0;
        for (final Peer peer : clients)
        {
            clientDone += peer.received == MESSAGES ? 1 : 0;
        }
        for (final Peer peer : servers)
        {
            serverDone += peer != null && peer.received == MESSAGES ? 1 : 0;
        }
        return clientDone + " clients and " + serverDone + " servers complete";
    }

    static int lengthOf(final int connection, final boolean request, final int k)
    {
        return 1 + (int)(Integer.toUnsignedLong((connection * 31 + k) * 0x9E3779B9 + (request ? 7 : 13)) % MAX_LENGTH);
    }

    static byte byteOf(final int connection, final boolean request, final int k, final int index)
    {
        return (byte)(connection * 7 + k * 13 + index * 3 + (request ? 1 : 5));
    }

    /** One side of one connection: sends its numbered messages as fast as back-pressure allows, checks what comes. */
    static final class Peer
    {
        final ConduitConnection connection;
        final boolean client;
        int index;
        int sent;
        int received;
        int errors;

        Peer(final ConduitConnection connection, final int index, final boolean client)
        {
            this.connection = connection;
            this.index = index;
            this.client = client;
        }

        void pump(final UnsafeBuffer scratch)
        {
            connection.poll(this::onMessage, 64);
            // The server answers message k only after it has arrived; the client sends all of its messages.
            final int limit = client ? MESSAGES : received;
            while (sent < limit && index >= 0)
            {
                final int length = lengthOf(index, client, sent);
                for (int i = 0; i < length; i++)
                {
                    scratch.putByte(i, byteOf(index, client, sent, i));
                }
                if (client && sent == 0 && !connection.isConnected())
                {
                    return;
                }
                final long result = connection.offer(scratch, 0, length);
                if (result < 0)
                {
                    if (result != ConduitConnection.BACK_PRESSURED && result != ConduitConnection.NOT_CONNECTED)
                    {
                        errors++;
                    }
                    return;
                }
                sent++;
            }
        }

        private void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            if (!client && index < 0)
            {
                // The first request names the client's connection index in its first two bytes' pattern.
                index = identify(buffer, offset, length);
            }
            final int k = received++;
            final boolean fromClient = !client;
            if (index < 0 || length != lengthOf(index, fromClient, k))
            {
                errors++;
                return;
            }
            for (int i = 0; i < length; i++)
            {
                if (buffer.getByte(offset + i) != byteOf(index, fromClient, k, i))
                {
                    errors++;
                    return;
                }
            }
        }

        private static int identify(final DirectBuffer buffer, final int offset, final int length)
        {
            for (int candidate = 0; candidate < CONNECTIONS; candidate++)
            {
                if (length == lengthOf(candidate, true, 0) && buffer.getByte(offset) == byteOf(candidate, true, 0, 0) &&
                    (length < 2 || buffer.getByte(offset + 1) == byteOf(candidate, true, 0, 1)))
                {
                    return candidate;
                }
            }
            return -1;
        }
    }
}
