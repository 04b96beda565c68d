package io.conduit.tools.lab;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A file transfer between two {@code conduit} processes through an impaired path, then a short ping run over the
 * same path for RTT percentiles. On namespace hosts the kernel drops packets (nftables) and the user-space relay
 * duplicates, reorders and corrupts; on loopback the relay does all four.
 */
public final class LabTransfer
{
    private static final Pattern LISTENING = Pattern.compile("(?:impair )?listening on [^ ]*:(\\d+).*");
    private static final long READY_SECONDS = 60;

    /** What to transfer and how to impair the path. Probabilities are in [0, 1]. */
    public record Settings(Path file, Path output, double loss, double duplicate, double reorder, double corrupt,
        long seed, String congestionControl, int pingCount, boolean namespaces, long timeoutSeconds)
    {
    }

    /** The processes' reports: the last lines of send, recv and ping, recv's stats line and the relay summaries. */
    public record Result(String mode, int sendExit, int receiveExit, String sendLine, String receiveLine,
        String receiveStats, String pingLine, List<String> relaySummary)
    {
    }

    private LabTransfer()
    {
    }

    public static Result run(final Settings settings, final Consumer<String> progress) throws IOException,
        InterruptedException
    {
        if (settings.namespaces())
        {
            final Path script = Netlab.availableScript().orElseThrow(() ->
                new IOException("network namespaces unavailable: " + Netlab.unavailableReason()));
            final String prefix = "cd" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xFFFF));
            try (Netlab lab = Netlab.up(script, prefix))
            {
                // Data flows h1 -> h2: the kernel drops on that direction, the relay in h1 does the rest both ways.
                lab.impair("h1", settings.loss() * 100, 0);
                return run(settings, progress, lab.namespace("h1"), lab.namespace("h2"), Netlab.H2_ADDRESS, 0,
                    "network namespaces " + lab.namespace("h1") + " (" + Netlab.H1_ADDRESS + ") -> " +
                    lab.namespace("h2") + " (" + Netlab.H2_ADDRESS + "), kernel loss on the veth");
            }
        }
        return run(settings, progress, null, null, "127.0.0.1", settings.loss(), "loopback through conduit impair");
    }

    private static Result run(final Settings settings, final Consumer<String> progress, final String senderHost,
        final String receiverHost, final String receiverAddress, final double relayLoss, final String mode)
        throws IOException, InterruptedException
    {
        final List<ConduitProcess> processes = new ArrayList<>();
        try
        {
            final ConduitProcess receiver = started(processes, ConduitProcess.start("recv", receiverHost, null,
                "recv", "--bind", receiverAddress + ":0", "--out", settings.output().toString()));
            final int receivePort = port(receiver);
            final ConduitProcess pong = started(processes, ConduitProcess.start("pong", receiverHost, null,
                "pong", "--bind", receiverAddress + ":0", "--connections", "1"));
            final int pongPort = port(pong);
            final ConduitProcess dataRelay = started(processes, relay("relay", senderHost, settings, relayLoss,
                receiverAddress + ":" + receivePort, settings.seed()));
            final ConduitProcess pingRelay = started(processes, relay("ping-relay", senderHost, settings, relayLoss,
                receiverAddress + ":" + pongPort, settings.seed() + 1));
            final int dataRelayPort = port(dataRelay);
            final int pingRelayPort = port(pingRelay);

            final ConduitProcess sender = started(processes, ConduitProcess.start("send", senderHost, progress,
                "send", "--to", "127.0.0.1:" + dataRelayPort, "--file", settings.file().toString(),
                "--cc", settings.congestionControl()));
            final int sendExit = sender.awaitExit(settings.timeoutSeconds(), TimeUnit.SECONDS);
            final int receiveExit = receiver.awaitExit(30, TimeUnit.SECONDS);
            String receiveStats = "";
            for (final String line : receiver.lines())
            {
                receiveStats = line.startsWith("stats ") ? line : receiveStats;
            }
            String pingLine = "";
            if (settings.pingCount() > 0 && sendExit == 0)
            {
                final ConduitProcess ping = started(processes, ConduitProcess.start("ping", senderHost, null,
                    "ping", "--to", "127.0.0.1:" + pingRelayPort, "--size", "1024",
                    "--count", Integer.toString(settings.pingCount()), "--warmup", "20"));
                ping.awaitExit(120, TimeUnit.SECONDS);
                pingLine = ping.lastLine();
            }
            dataRelay.stop();
            final List<String> summary = new ArrayList<>();
            boolean inSummary = false;
            for (final String line : dataRelay.lines())
            {
                inSummary |= line.startsWith("impair summary");
                if (inSummary && !line.startsWith("impair summary"))
                {
                    summary.add(line.trim());
                }
            }
            return new Result(mode, sendExit, receiveExit, sender.lastLine(), receiver.lastLine(), receiveStats,
                pingLine, summary);
        }
        finally
        {
            for (final ConduitProcess process : processes)
            {
                process.close();
            }
        }
    }

    private static ConduitProcess relay(final String name, final String host, final Settings settings,
        final double loss, final String forward, final long seed) throws IOException
    {
        return ConduitProcess.start(name, host, null, "impair", "--listen", "127.0.0.1:0", "--forward", forward,
            "--loss", decimal(loss), "--dup", decimal(settings.duplicate()), "--reorder", decimal(settings.reorder()),
            "--corrupt", decimal(settings.corrupt()), "--seed", Long.toString(seed));
    }

    private static ConduitProcess started(final List<ConduitProcess> processes, final ConduitProcess process)
    {
        processes.add(process);
        return process;
    }

    private static int port(final ConduitProcess process) throws IOException, InterruptedException
    {
        final String line = process.awaitLine(text -> LISTENING.matcher(text).matches(), READY_SECONDS,
            TimeUnit.SECONDS);
        final Matcher matcher = LISTENING.matcher(line);
        if (!matcher.matches())
        {
            throw new IOException("unexpected line: " + line);
        }
        return Integer.parseInt(matcher.group(1));
    }

    private static String decimal(final double value)
    {
        return String.format(Locale.ROOT, "%.6f", value);
    }
}
