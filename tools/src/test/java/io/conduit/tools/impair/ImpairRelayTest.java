package io.conduit.tools.impair;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The relay on real loopback sockets: client, relay, echo server, relay, client. */
class ImpairRelayTest
{
    private static final int RECEIVE_TIMEOUT_MS = 5_000;
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    void withoutImpairmentTwoClientsGetTheirOwnEchoesByteForByte() throws Exception
    {
        try (DatagramChannel echo = DatagramChannel.open().bind(new InetSocketAddress(LOOPBACK, 0));
            ImpairRelay relay = new ImpairRelay(new InetSocketAddress(LOOPBACK, 0),
                (InetSocketAddress)echo.getLocalAddress(), new ImpairmentConfig(), new ImpairmentConfig(), 1);
            DatagramSocket first = client();
            DatagramSocket second = client())
        {
            final Thread echoThread = startEcho(echo);
            final Thread relayThread = new Thread(() -> runQuietly(relay), "relay");
            relayThread.start();
            final InetSocketAddress relayAddress = relay.listenAddress();
            final SplittableRandom content = new SplittableRandom(9);
            final int rounds = 50;
            long bytes = 0;
            for (int i = 0; i < rounds; i++)
            {
                // Lengths include an empty datagram and a full Conduit-sized one.
                final int length = i == 0 ? 0 : i == 1 ? 1_472 : content.nextInt(1, 1_400);
                bytes += roundTrip(first, relayAddress, payload(content, length));
                bytes += roundTrip(second, relayAddress, payload(content, length));
            }
            relay.stop();
            relayThread.join(TimeUnit.SECONDS.toMillis(10));
            assertEquals(2, relay.clientCount());
            for (final ImpairStats stats : new ImpairStats[] {relay.upstreamStats(), relay.downstreamStats()})
            {
                assertEquals(2 * rounds, stats.received(), stats.toString());
                assertEquals(2 * rounds, stats.forwarded(), stats.toString());
                assertEquals(bytes, stats.receivedBytes(), stats.toString());
                assertEquals(bytes, stats.forwardedBytes(), stats.toString());
                assertEquals(0, stats.dropped() + stats.overflowDropped() + stats.corrupted(), stats.toString());
            }
            echo.close();
            echoThread.join(TimeUnit.SECONDS.toMillis(10));
        }
    }

    @Test
    void lossOfOneForwardsNothingAndCountsEveryDatagram() throws Exception
    {
        try (DatagramChannel server = DatagramChannel.open().bind(new InetSocketAddress(LOOPBACK, 0));
            ImpairRelay relay = new ImpairRelay(new InetSocketAddress(LOOPBACK, 0),
                (InetSocketAddress)server.getLocalAddress(), new ImpairmentConfig().lossProbability(1),
                new ImpairmentConfig(), 1);
            DatagramSocket client = client())
        {
            final int count = 20;
            final InetSocketAddress relayAddress = relay.listenAddress();
            for (int i = 0; i < count; i++)
            {
                client.send(new DatagramPacket(new byte[] {(byte)i}, 1, relayAddress));
            }
            // Drive the relay by hand until it has seen them all; each cycle blocks on its selector, never sleeps.
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (relay.upstreamStats().received() < count && System.nanoTime() - deadlineNs < 0)
            {
                relay.doWork(TimeUnit.MILLISECONDS.toNanos(100));
            }
            final ImpairStats stats = relay.upstreamStats();
            assertEquals(count, stats.received(), stats.toString());
            assertEquals(count, stats.dropped(), stats.toString());
            assertEquals(0, stats.forwarded(), stats.toString());
            assertTrue(stats.toString().contains(" dropped=" + count + " "), stats.toString());
            server.configureBlocking(false);
            assertNull(server.receive(ByteBuffer.allocate(16)), "the server got a datagram");
        }
    }

    private static long roundTrip(final DatagramSocket client, final InetSocketAddress relay, final byte[] sent)
        throws IOException
    {
        client.send(new DatagramPacket(sent, sent.length, relay));
        final byte[] buffer = new byte[2_048];
        final DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
        client.receive(reply); // blocks up to RECEIVE_TIMEOUT_MS waiting for the expected echo
        assertArrayEquals(sent, Arrays.copyOf(buffer, reply.getLength()));
        assertEquals(relay, reply.getSocketAddress(), "the reply did not come from the relay");
        return sent.length;
    }

    private static byte[] payload(final SplittableRandom content, final int length)
    {
        final byte[] bytes = new byte[length];
        content.nextBytes(bytes);
        return bytes;
    }

    private static DatagramSocket client() throws IOException
    {
        final DatagramSocket socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        socket.setSoTimeout(RECEIVE_TIMEOUT_MS);
        return socket;
    }

    private static Thread startEcho(final DatagramChannel echo)
    {
        final Thread thread = new Thread(() ->
        {
            final ByteBuffer buffer = ByteBuffer.allocate(65_536);
            try
            {
                while (true)
                {
                    buffer.clear();
                    final var from = echo.receive(buffer);
                    buffer.flip();
                    echo.send(buffer, from);
                }
            }
            catch (final AsynchronousCloseException ex)
            {
                // closed by the test: done
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException(ex);
            }
        }, "echo");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void runQuietly(final ImpairRelay relay)
    {
        try
        {
            relay.run(0);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
