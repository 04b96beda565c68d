package io.conduit.transport.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A full socket send buffer loses nothing: the receiver sits in another network namespace behind a veth whose
 * egress is a 20 Mbit/s token bucket (tc tbf), so datagrams wait in the qdisc still charged to the sender's small
 * SO_SNDBUF and {@code sendto} refuses with EAGAIN. The endpoint keeps the refused datagram (a copy, since a data
 * segment is sent from its send-window slot) and sends it first on the next duty cycle. Loopback never refuses, so
 * this path needs the namespace. Needs root with iproute2 ({@code .ci/run} installs it); skipped elsewhere.
 */
class SocketFullNamespaceTest
{
    private static final int MESSAGES = 256;
    private static final int MESSAGE_BYTES = 16 * 1024;
    private static final int PORT = 47_311;
    private static final String SENDER_ADDRESS = "198.18.61.1";
    private static final String RECEIVER_ADDRESS = "198.18.61.2";
    /** A bound on a broken run, not a synchronisation: the transfer takes about two seconds at the token rate. */
    private static final int LINE_TIMEOUT_SECONDS = 60;
    private static final String END = "\u0000end";

    @Test
    void datagramsTheKernelRefusesAreSentLaterAndEveryMessageArrivesIntact() throws Exception
    {
        final long pid = ProcessHandle.current().pid() % 100_000;
        final String namespace = "cdsf" + pid;
        final String senderLink = "csfa" + pid;
        final String receiverLink = "csfb" + pid;
        Assumptions.assumeTrue(run("ip", "netns", "add", namespace) == 0, "needs root and iproute2 (ip netns)");
        Process receiver = null;
        try
        {
            require(run("ip", "link", "add", senderLink, "type", "veth", "peer", "name", receiverLink));
            require(run("ip", "link", "set", receiverLink, "netns", namespace));
            require(run("ip", "addr", "add", SENDER_ADDRESS + "/30", "dev", senderLink));
            require(run("ip", "link", "set", senderLink, "up"));
            require(run("ip", "netns", "exec", namespace, "ip", "addr", "add", RECEIVER_ADDRESS + "/30", "dev",
                receiverLink));
            require(run("ip", "netns", "exec", namespace, "ip", "link", "set", receiverLink, "up"));
            Assumptions.assumeTrue(run("tc", "qdisc", "add", "dev", senderLink, "root", "tbf", "rate", "20mbit",
                "burst", "32kb", "limit", "16mb") == 0, "needs tc with the tbf qdisc");

            receiver = startReceiver(namespace);
            final BlockingQueue<String> output = lines(receiver);
            awaitLine(output, "listening");

            final EndpointContext context = new EndpointContext().bind(SENDER_ADDRESS, 0).statusFile(false);
            context.socket().sendBufferBytes(32 * 1024);
            context.errorHandler(error ->
            {
                throw new AssertionError("endpoint agent error", error);
            });
            final EndpointStats stats;
            try (Endpoint sender = Endpoint.launch(context))
            {
                final ConduitConnection connection = sender.connect(
                    new InetSocketAddress(RECEIVER_ADDRESS, PORT), 10, TimeUnit.SECONDS);
                final UnsafeBuffer message = new UnsafeBuffer(new byte[MESSAGE_BYTES]);
                for (int m = 0; m < MESSAGES; m++)
                {
                    for (int i = 0; i < MESSAGE_BYTES; i++)
                    {
                        message.putByte(i, CheckingReceiverProcess.expectedByte(m, i));
                    }
                    connection.send(message, 0, MESSAGE_BYTES, 30, TimeUnit.SECONDS);
                }
                connection.close(); // graceful: the FIN follows the last message, and the receiver then reports
                final String received = awaitLine(output, "received");
                assertEquals("received " + MESSAGES + " " + (long)MESSAGES * MESSAGE_BYTES + " 0", received,
                    "every message, in order, every byte as sent");
                stats = sender.stats();
                assertEquals(0, stats.socketErrors());
                // The path loses nothing, so each refused datagram that was dropped would cost a retransmission
                // (dropping them all cost 62 in a mutation run); a tail-loss probe may resend one segment once the
                // token bucket's queue has stretched the round trip.
                final String counts = "would-block " + stats.sendWouldBlock() + ", retransmits " +
                    connection.retransmits() + ", timeouts " + connection.timeouts();
                System.out.println(counts);
                assertTrue(stats.sendWouldBlock() >= 20, "the kernel refused many sends: " + counts);
                assertTrue(connection.retransmits() <= 2, "refused datagrams were sent later, not lost: " + counts);
            }
            assertTrue(receiver.waitFor(30, TimeUnit.SECONDS), "receiver exits after the transfer");
        }
        finally
        {
            if (receiver != null)
            {
                receiver.destroyForcibly();
            }
            run("ip", "link", "del", senderLink);
            run("ip", "netns", "del", namespace);
        }
    }

    private static Process startReceiver(final String namespace) throws IOException
    {
        final List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        command.add(ProcessHandle.current().info().command().orElse("java"));
        for (final String argument : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (argument.startsWith("--add-opens") || argument.startsWith("--add-exports"))
            {
                command.add(argument);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"),
            CheckingReceiverProcess.class.getName(), RECEIVER_ADDRESS, Integer.toString(PORT)));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /** The receiver's output lines, read on a daemon thread so a stuck receiver fails the test instead of hanging it. */
    private static BlockingQueue<String> lines(final Process process)
    {
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = output.readLine()) != null)
                {
                    lines.add(line);
                }
            }
            catch (final IOException ignored)
            {
                // the process is gone: awaitLine reports what it printed
            }
            lines.add(END);
        }, "receiver-output");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    private static String awaitLine(final BlockingQueue<String> output, final String prefix)
        throws InterruptedException
    {
        final StringBuilder seen = new StringBuilder();
        String line;
        while ((line = output.poll(LINE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) != null && !END.equals(line))
        {
            if (line.startsWith(prefix))
            {
                return line;
            }
            seen.append(line).append('\n');
        }
        throw new AssertionError("no '" + prefix + "' from the receiver within " + LINE_TIMEOUT_SECONDS + " s:\n" +
            seen);
    }

    private static void require(final int exitCode)
    {
        assertEquals(0, exitCode, "namespace setup command failed");
    }

    private static int run(final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return process.waitFor(30, TimeUnit.SECONDS) ? process.exitValue() : -1;
    }
}
