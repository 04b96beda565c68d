package io.conduit.tools;

import java.io.PrintWriter;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.conduit.transport.codec.PacketLayout;
import io.conduit.transport.codec.RejectReason;
import io.conduit.transport.engine.Connection;
import io.conduit.transport.engine.ConnectionConfig;
import io.conduit.transport.engine.ConnectionState;
import io.conduit.transport.engine.EndpointConfig;
import io.conduit.transport.engine.EndpointEngine;
import io.conduit.transport.sim.SimNetwork;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;

/**
 * Transfers a generated file between two Conduit endpoints over an impaired link and verifies it end to end.
 * This version runs the real connection engines over the seeded network simulator on virtual time (the link's
 * delay, rate and faults are simulated, the protocol is not); the real-socket demo between namespace hosts follows
 * with the UDP endpoint.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Send a generated file over a lossy, duplicating, reordering, corrupting link and verify it.")
final class DemoCommand implements Callable<Integer>
{
    private static final int MESSAGE_BYTES = 64 * 1024;

    @Spec
    private CommandSpec spec;

    @Option(names = "--size-mib", defaultValue = "64", description = "File size in MiB (default ${DEFAULT-VALUE}).")
    private int sizeMib;

    @Option(names = "--loss", defaultValue = "0.05", description = "Loss probability per datagram.")
    private double loss;

    @Option(names = "--dup", defaultValue = "0.02", description = "Duplication probability.")
    private double duplicate;

    @Option(names = "--reorder", defaultValue = "0.05", description = "Reordering probability.")
    private double reorder;

    @Option(names = "--corrupt", defaultValue = "0.005", description = "Corruption (bit flips) probability.")
    private double corrupt;

    @Option(names = "--delay-ms", defaultValue = "10", description = "One-way delay in ms.")
    private long delayMs;

    @Option(names = "--rate-mbit", defaultValue = "200", description = "Link rate in Mbit/s.")
    private long rateMbit;

    @Option(names = "--seed", defaultValue = "1", description = "Simulator seed: the same seed replays the same run.")
    private long seed;

    @Override
    public Integer call() throws NoSuchAlgorithmException
    {
        final PrintWriter out = spec.commandLine().getOut();
        if (sizeMib < 1 || loss < 0 || loss >= 1 || rateMbit < 1)
        {
            spec.commandLine().getErr().println("conduit demo: --size-mib >= 1, 0 <= --loss < 1, --rate-mbit >= 1");
            return 2;
        }
        final SimNetwork network = new SimNetwork(seed);
        network.defaultLink()
            .lossProbability(loss).duplicateProbability(duplicate).reorderProbability(reorder)
            .reorderDelayNs(MILLISECONDS.toNanos(2)).corruptProbability(corrupt)
            .delayNs(MILLISECONDS.toNanos(delayMs)).jitterNs(MILLISECONDS.toNanos(1))
            .bandwidthBytesPerSecond(rateMbit * 1_000_000 / 8).queueLimitBytes(4 * 1024 * 1024);
        final EndpointConfig config = new EndpointConfig().connection(new ConnectionConfig()
            .receiveWindowSegments(4096).sendWindowSegments(4096).minRtoNs(MILLISECONDS.toNanos(50)));
        final EndpointEngine sender = new EndpointEngine(config, new SplittableRandom(seed + 1));
        final EndpointEngine receiver = new EndpointEngine(config, new SplittableRandom(seed + 2));
        receiver.listen(true);

        out.printf("conduit demo: %d MiB over a simulated %d Mbit/s link, %d ms one way, loss %.1f%%, dup %.1f%%, " +
            "reorder %.1f%%, corrupt %.1f%% (seed %d, virtual time)%n", sizeMib, rateMbit, delayMs, loss * 100,
            duplicate * 100, reorder * 100, corrupt * 100, seed);
        final Transfer transfer = new Transfer(network, sender, receiver, (long)sizeMib * 1024 * 1024, seed, out);
        final boolean ok = transfer.run();
        transfer.printSummary();
        return ok ? 0 : 1;
    }

    /** Drives both endpoints on the simulator's virtual clock until the file is across and both sides closed. */
    private static final class Transfer
    {
        private final SimNetwork network;
        private final EndpointEngine[] endpoints;
        private final long totalBytes;
        private final PrintWriter out;
        private final UnsafeBuffer datagram = new UnsafeBuffer(new byte[PacketLayout.MAX_DATAGRAM_LENGTH]);
        private final UnsafeBuffer chunk = new UnsafeBuffer(new byte[MESSAGE_BYTES]);
        private final MessageDigest sentDigest = MessageDigest.getInstance("SHA-256");
        private final MessageDigest receivedDigest = MessageDigest.getInstance("SHA-256");
        private final byte[] copy = new byte[MESSAGE_BYTES];
        private final SplittableRandom content;
        private long offeredBytes;
        private int pendingLength;
        private long receivedBytes;
        private long lastReportNs;
        private long wallStartNs;
        private Connection client;
        private Connection server;
        private String sentHash;
        private String receivedHash;

        Transfer(final SimNetwork network, final EndpointEngine sender, final EndpointEngine receiver,
            final long totalBytes, final long seed, final PrintWriter out) throws NoSuchAlgorithmException
        {
            this.network = network;
            this.endpoints = new EndpointEngine[] {null, sender, receiver};
            this.totalBytes = totalBytes;
            this.out = out;
            this.content = new SplittableRandom(seed * 31 + 7);
        }

        boolean run()
        {
            wallStartNs = System.nanoTime();
            client = endpoints[1].connect(0, 2);
            final long limitNs = SECONDS.toNanos(3_600);
            while (network.nowNs() < limitNs)
            {
                if (server == null)
                {
                    server = endpoints[2].pollAccepted();
                }
                offer();
                if (server != null)
                {
                    server.pollMessages(this::onMessage, 256);
                    if (server.isPeerFinished() && server.state() == ConnectionState.CLOSE_WAIT)
                    {
                        server.close(network.nowNs());
                    }
                }
                flush();
                report(false);
                if (client.state() == ConnectionState.CLOSED && server != null &&
                    server.state() == ConnectionState.CLOSED)
                {
                    break;
                }
                final long next = nextEventNs();
                if (next == Long.MAX_VALUE)
                {
                    break;
                }
                network.advanceTo(Math.max(next, network.nowNs()));
                network.deliver(this::deliver, Integer.MAX_VALUE);
                endpoints[1].onTimer(network.nowNs());
                endpoints[2].onTimer(network.nowNs());
            }
            report(true);
            sentHash = HexFormat.of().formatHex(sentDigest.digest());
            receivedHash = HexFormat.of().formatHex(receivedDigest.digest());
            return receivedBytes == totalBytes && sentHash.equals(receivedHash);
        }

        private void offer()
        {
            while (offeredBytes < totalBytes && client.state().canSend())
            {
                if (pendingLength == 0)
                {
                    pendingLength = (int)Math.min(MESSAGE_BYTES, totalBytes - offeredBytes);
                    for (int i = 0; i < pendingLength; i += 8)
                    {
                        chunk.putLong(i, content.nextLong());
                    }
                }
                final long result = client.offer(chunk, 0, pendingLength);
                if (result == Connection.BACK_PRESSURED)
                {
                    return;
                }
                if (result < 0)
                {
                    throw new IllegalStateException("offer failed: " + result + " on " + client);
                }
                chunk.getBytes(0, copy, 0, pendingLength);
                sentDigest.update(copy, 0, pendingLength);
                offeredBytes += pendingLength;
                pendingLength = 0;
            }
            if (offeredBytes == totalBytes && client.state() == ConnectionState.ESTABLISHED)
            {
                client.close(network.nowNs());
            }
        }

        private boolean onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            buffer.getBytes(offset, copy, 0, length);
            receivedDigest.update(copy, 0, length);
            receivedBytes += length;
            return true;
        }

        private void deliver(final int from, final int to, final DirectBuffer buffer, final int offset,
            final int length)
        {
            endpoints[to].onDatagram(network.nowNs(), from, buffer, offset, length);
        }

        private void flush()
        {
            for (int node = 1; node <= 2; node++)
            {
                int length;
                while ((length = endpoints[node].pollTransmit(network.nowNs(), datagram, 0)) > 0)
                {
                    network.send(node, (int)endpoints[node].transmitRemoteKey(), datagram, 0, length);
                }
            }
        }

        private long nextEventNs()
        {
            return Math.min(network.nextDeliveryNs(),
                Math.min(endpoints[1].nextDeadlineNs(), endpoints[2].nextDeadlineNs()));
        }

        private void report(final boolean last)
        {
            final long now = network.nowNs();
            if (!last && now - lastReportNs < SECONDS.toNanos(1))
            {
                return;
            }
            lastReportNs = now;
            final double seconds = Math.max(now, 1) / 1e9;
            out.printf("  t=%6.2fs  received %6.1f / %.0f MiB  goodput %7.1f Mbit/s  srtt %6.1f ms  cwnd %7d B  " +
                "retransmits %d%n", seconds, receivedBytes / 1048576.0, totalBytes / 1048576.0,
                receivedBytes * 8 / seconds / 1e6, client.srttNs() / 1e6, client.congestionWindowBytes(),
                client.counters().retransmits());
            out.flush();
        }

        void printSummary()
        {
            final double seconds = network.nowNs() / 1e9;
            final double wallSeconds = (System.nanoTime() - wallStartNs) / 1e9;
            out.println();
            out.println("| metric                         | value |");
            out.println("|--------------------------------|-------|");
            out.printf("| bytes delivered                | %d of %d |%n", receivedBytes, totalBytes);
            out.printf("| virtual transfer time          | %.2f s |%n", seconds);
            out.printf("| goodput                        | %.1f Mbit/s |%n", receivedBytes * 8 / seconds / 1e6);
            out.printf("| retransmitted segments         | %d |%n", client.counters().retransmits());
            out.printf("| corrupted datagrams rejected   | %d |%n",
                endpoints[1].counters().rejected(RejectReason.BAD_CHECKSUM) +
                endpoints[2].counters().rejected(RejectReason.BAD_CHECKSUM));
            out.printf("| duplicate segments discarded   | %d |%n", server == null ? 0 :
                server.counters().duplicateSegments());
            out.printf("| final srtt / rto               | %.1f ms / %.1f ms |%n", client.srttNs() / 1e6,
                client.rtoNs() / 1e6);
            out.printf("| sha256 sent                    | %s |%n", sentHash);
            out.printf("| sha256 received                | %s |%n", receivedHash);
            out.printf("| both sides closed              | %s / %s |%n", client.state(),
                server == null ? "never accepted" : server.state());
            out.printf("| wall-clock time                | %.1f s |%n", wallSeconds);
            out.println();
            out.println(sentHash.equals(receivedHash) && receivedBytes == totalBytes ?
                "demo: OK, file arrived intact" : "demo: FAILED, file differs");
            out.flush();
        }
    }
}
