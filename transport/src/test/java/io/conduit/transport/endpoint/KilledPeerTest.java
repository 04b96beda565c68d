package io.conduit.transport.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.conduit.transport.engine.CloseReason;

/**
 * Issue 3, must-be-true 1: a peer process killed (SIGKILL, so it sends nothing) in the middle of a transfer is
 * detected by the keepalive and reported as a clear error: the connection closes with {@link CloseReason#PEER_DEAD}
 * and the blocking send throws a {@link ConnectionClosedException} that says so.
 */
class KilledPeerTest
{
    @TempDir
    Path statusDir;

    @Test
    void aPeerKilledMidTransferIsReportedDeadWithinTheKeepaliveTime() throws Exception
    {
        final Process peer = startPeer();
        try
        {
            final int port = readPort(peer);
            final EndpointContext context = LoopbackEndpoints.context(statusDir);
            context.connectionConfig().keepaliveIdleNs(TimeUnit.MILLISECONDS.toNanos(1_000))
                .keepaliveIntervalNs(TimeUnit.MILLISECONDS.toNanos(250)).keepaliveProbes(3);
            final long deadPeerNs = context.connectionConfig().deadPeerTimeoutNs();
            try (Endpoint client = LoopbackEndpoints.launch(context))
            {
                final ConduitConnection connection = client.connect(new InetSocketAddress("127.0.0.1", port), 10,
                    TimeUnit.SECONDS);
                final UnsafeBuffer message = new UnsafeBuffer(new byte[16 * 1024]);
                // Mid-transfer: the peer has acknowledged data before it dies.
                while (connection.payloadBytesSent() < 4L * 1024 * 1024)
                {
                    connection.send(message, 0, message.capacity(), 10, TimeUnit.SECONDS);
                }
                peer.destroyForcibly();
                assertTrue(peer.waitFor(10, TimeUnit.SECONDS), "peer killed");
                final long killedNs = System.nanoTime();

                final ConnectionClosedException error = assertThrows(ConnectionClosedException.class, () ->
                {
                    while (true)
                    {
                        connection.send(message, 0, message.capacity(), 60, TimeUnit.SECONDS);
                    }
                });
                final long detectedNs = System.nanoTime() - killedNs;
                assertEquals(CloseReason.PEER_DEAD, error.reason(), error.getMessage());
                assertTrue(error.getMessage().contains("peer presumed dead"), error.getMessage());
                assertEquals(CloseReason.PEER_DEAD, connection.closeReason());
                // The keepalive clock starts at the last datagram heard, just before the kill; allow scheduling slack.
                assertTrue(detectedNs <= deadPeerNs + TimeUnit.SECONDS.toNanos(2),
                    "detected after " + detectedNs / 1_000_000 + " ms; keepalive time " + deadPeerNs / 1_000_000 + " ms");
            }
        }
        finally
        {
            peer.destroyForcibly();
        }
    }

    private static Process startPeer() throws Exception
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (argument.startsWith("--add-opens") || argument.startsWith("--add-exports"))
            {
                command.add(argument);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(PeerProcess.class.getName());
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static int readPort(final Process peer) throws Exception
    {
        final BufferedReader reader = new BufferedReader(new InputStreamReader(peer.getInputStream(),
            StandardCharsets.UTF_8));
        String line;
        while ((line = reader.readLine()) != null)
        {
            if (line.startsWith("port "))
            {
                return Integer.parseInt(line.substring(5).trim());
            }
        }
        throw new AssertionError("peer exited before printing its port");
    }
}
