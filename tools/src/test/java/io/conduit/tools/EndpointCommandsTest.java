package io.conduit.tools;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.conduit.transport.endpoint.ConduitConnection;
import io.conduit.transport.endpoint.Endpoint;
import io.conduit.transport.endpoint.EndpointContext;
import io.conduit.transport.status.StatusDirectory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pairs of commands over loopback, in-process: the server command on its own thread (readiness is its
 * {@code listening on} line, which also gives the port it bound with {@code :0}), the client on the test thread.
 * The last-line patterns here are the contract other tools script against.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EndpointCommandsTest
{
    static final Pattern RECV_LINE = Pattern.compile("received (\\d+) bytes sha256 ([0-9a-f]{64})");
    static final Pattern SEND_LINE = Pattern.compile(
        "sent (\\d+) bytes in \\d+\\.\\d{3} s goodput \\d+\\.\\d{2} Mbit/s retransmits \\d+ srtt_ms \\d+\\.\\d{3}");
    static final Pattern PING_LINE = Pattern.compile(
        "rtt_us p50=\\d+\\.\\d p90=\\d+\\.\\d p99=\\d+\\.\\d p99\\.9=\\d+\\.\\d max=\\d+\\.\\d count=(\\d+)");
    static final Pattern SINK_LINE = Pattern.compile(
        "received (\\d+) messages (\\d+) bytes in \\d+\\.\\d{3} s rate \\d+\\.\\d msg/s \\d+\\.\\d MB/s");
    static final Pattern BLAST_LINE = Pattern.compile(
        "sent (\\d+) messages (\\d+) bytes in \\d+\\.\\d{3} s rate \\d+\\.\\d msg/s \\d+\\.\\d MB/s");

    @TempDir
    static Path statusDir;

    @TempDir
    Path dir;

    private static String previousStatusDir;

    @BeforeAll
    static void keepCounterFilesInATemporaryDirectory()
    {
        previousStatusDir = System.getProperty(StatusDirectory.DIR_PROPERTY);
        System.setProperty(StatusDirectory.DIR_PROPERTY, statusDir.toString());
    }

    @AfterAll
    static void restoreStatusDirectory()
    {
        if (previousStatusDir == null)
        {
            System.clearProperty(StatusDirectory.DIR_PROPERTY);
        }
        else
        {
            System.setProperty(StatusDirectory.DIR_PROPERTY, previousStatusDir);
        }
    }

    @Test
    void sendAndRecvTransferAFileIntactAndAgreeOnItsHash() throws Exception
    {
        final Path input = dir.resolve("input.bin");
        final byte[] content = new byte[5 * 1024 * 1024 + 12_345];
        new SplittableRandom(7).nextBytes(content);
        Files.write(input, content);
        final Path output = dir.resolve("output.bin");

        final CliRun.Server recv = CliRun.start("recv", "--bind", "127.0.0.1:0", "--out", output.toString());
        final int port = recv.awaitListeningPort();
        final CliRun send = CliRun.run("send", "--to", "127.0.0.1:" + port, "--file", input.toString(),
            "--cc", "newreno");
        final CliRun received = recv.await();

        assertEquals(0, send.exitCode, send::toString);
        assertEquals(0, received.exitCode, received::toString);
        final Matcher sent = matchLastLine(SEND_LINE, send);
        final Matcher got = matchLastLine(RECV_LINE, received);
        assertEquals(Long.toString(content.length), sent.group(1));
        assertEquals(Long.toString(content.length), got.group(1));
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)), got.group(2));
        assertEquals(-1, Files.mismatch(input, output), "output file differs from input");
        assertFalse(send.out.contains("\r"), "no bar redrawn when stdout is not a terminal");
        assertTrue(send.out.lines().limit(send.out.lines().count() - 1).allMatch(line -> line.startsWith("t=")),
            "only plain progress lines before the summary: " + send.out);
    }

    @Test
    void pingMeasuresTheRequestedNumberOfRoundTripsAgainstPong() throws Exception
    {
        final CliRun.Server pong = CliRun.start("pong", "--bind", "127.0.0.1:0", "--connections", "1");
        final int port = pong.awaitListeningPort();
        final CliRun ping = CliRun.run("ping", "--to", "127.0.0.1:" + port, "--size", "100", "--count", "200",
            "--warmup", "20", "--idle", "yield");
        final CliRun ponged = pong.await();

        assertEquals(0, ping.exitCode, ping::toString);
        assertEquals("200", matchLastLine(PING_LINE, ping).group(1));
        assertEquals(0, ponged.exitCode, ponged::toString);
        assertTrue(ponged.lastLine().endsWith(" echoed 220 messages"), ponged::toString);
    }

    @Test
    void sinkCountsExactlyTheMessagesBlastSent() throws Exception
    {
        final CliRun.Server sink = CliRun.start("sink", "--bind", "127.0.0.1:0");
        final int port = sink.awaitListeningPort();
        final CliRun blast = CliRun.run("blast", "--to", "127.0.0.1:" + port, "--size", "700", "--seconds", "1");
        final CliRun sunk = sink.await();

        assertEquals(0, blast.exitCode, blast::toString);
        assertEquals(0, sunk.exitCode, sunk::toString);
        final Matcher sent = matchLastLine(BLAST_LINE, blast);
        final Matcher received = matchLastLine(SINK_LINE, sunk);
        assertTrue(Long.parseLong(sent.group(1)) > 0, blast::toString);
        assertEquals(sent.group(1), received.group(1), "messages");
        assertEquals(sent.group(2), received.group(2), "bytes");
        assertEquals(Long.parseLong(sent.group(1)) * 700, Long.parseLong(sent.group(2)));
    }

    @Test
    void recvReportsALostConnectionInOneLineAndExitsOne() throws Exception
    {
        final CliRun.Server recv = CliRun.start("recv", "--bind", "127.0.0.1:0", "--out",
            dir.resolve("partial.bin").toString());
        final int port = recv.awaitListeningPort();
        try (Endpoint client = Endpoint.launch(new EndpointContext().bind("127.0.0.1", 0)))
        {
            final ConduitConnection connection = client.connect(new InetSocketAddress("127.0.0.1", port), 10,
                TimeUnit.SECONDS);
            connection.send(new UnsafeBuffer(new byte[1000]), 0, 1000, 10, TimeUnit.SECONDS);
            connection.abort();
            final CliRun received = recv.await();
            assertEquals(1, received.exitCode, received::toString);
            assertEquals("conduit recv: connection lost: reset by the peer\n", received.err.replace("\r", ""));
            assertTrue(received.out.lines().noneMatch(line -> RECV_LINE.matcher(line).matches()), received::toString);
        }
    }

    @Test
    void clientFailuresAreOneLineWithExitOne() throws Exception
    {
        final CliRun missing = CliRun.run("send", "--to", "127.0.0.1:9", "--file", dir.resolve("none").toString());
        assertEquals(1, missing.exitCode, missing::toString);
        assertEquals("conduit send: cannot read " + dir.resolve("none") + ": no such file", missing.err.strip());

        final int silentPort = freePort();
        final Path input = Files.write(dir.resolve("small.bin"), new byte[10]);
        final CliRun silent = CliRun.run("send", "--to", "127.0.0.1:" + silentPort, "--file", input.toString(),
            "--connect-timeout-ms", "300");
        assertEquals(1, silent.exitCode, silent::toString);
        assertOneLine(silent.err, "conduit send: cannot connect to 127.0.0.1:" + silentPort + ": no answer within");
    }

    @Test
    void wrongArgumentsAreOneLineUsageErrorsWithExitTwo()
    {
        assertUsageError("send", "--to", "localhost", "--file", "x");
        assertUsageError("send", "--to", "127.0.0.1:0", "--file", "x");
        assertUsageError("send", "--to", "127.0.0.1:70000", "--file", "x");
        assertUsageError("send", "--to", "no-such-host.invalid:9000", "--file", "x");
        assertUsageError("send", "--to", "127.0.0.1:9000", "--file", "x", "--cc", "vegas");
        assertUsageError("send", "--file", "x");
        assertUsageError("recv", "--bind", "127.0.0.1:x", "--out", "x");
        assertUsageError("ping", "--to", "127.0.0.1:9000", "--count", "-1");
        assertUsageError("ping", "--to", "127.0.0.1:9000", "--size", "0");
        assertUsageError("ping", "--to", "127.0.0.1:9000", "--size", Integer.toString(EndpointCommand.RING_BYTES));
        assertUsageError("ping", "--to", "127.0.0.1:9000", "--idle", "fast");
        assertUsageError("pong", "--bind", "127.0.0.1:9000", "--idle", "fast");
        assertUsageError("blast", "--to", "127.0.0.1:9000", "--seconds", "-1");
        assertUsageError("blast", "--to", "127.0.0.1:9000", "--size", "200000");
        assertUsageError("sink", "--bind", "[::1:9000");
        final CliRun cc = CliRun.run("send", "--to", "127.0.0.1:9000", "--file", "x", "--cc", "vegas");
        assertTrue(cc.err.contains("available: newreno"), cc::toString);
    }

    @Test
    void everyCommandHasHelp()
    {
        for (final String command : new String[] {"send", "recv", "ping", "pong", "blast", "sink"})
        {
            final CliRun help = CliRun.run(command, "--help");
            assertEquals(0, help.exitCode, help::toString);
            assertTrue(help.out.startsWith("Usage: conduit " + command), help::toString);
        }
    }

    private static void assertUsageError(final String... args)
    {
        final CliRun run = CliRun.run(args);
        assertEquals(2, run.exitCode, () -> String.join(" ", args) + "\n" + run);
        assertOneLine(run.err, "conduit: ");
        assertEquals("", run.out, run::toString);
    }

    private static void assertOneLine(final String text, final String prefix)
    {
        final String stripped = text.strip();
        assertTrue(stripped.startsWith(prefix), text);
        assertEquals(1, stripped.lines().count(), "one line: " + text);
    }

    private static Matcher matchLastLine(final Pattern pattern, final CliRun run)
    {
        final Matcher matcher = pattern.matcher(run.lastLine());
        assertTrue(matcher.matches(), () -> "last line does not match " + pattern + "\n" + run);
        return matcher;
    }

    /** A UDP port nobody listens on (bound and released): datagrams sent there go unanswered. */
    private static int freePort() throws Exception
    {
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(0,
            java.net.InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }
}
