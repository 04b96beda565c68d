package io.conduit.bench.lossy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Runs bulk transfers from host A to host B of one {@link LinkLab} and reads the receivers' counts. */
final class TransferRun
{
    private static final int CONDUIT_PORT = 47_001;
    private static final int TCP_PORT = 47_002;
    /** Time allowed beyond the transfer itself: JVM start, handshake, the graceful close's drain. */
    private static final int GRACE_SECONDS = 60;

    private final LinkLab lab;
    private final List<String> java;
    private final long bytes;
    private final int seconds;

    TransferRun(final LinkLab lab, final List<String> java, final long bytes, final int seconds)
    {
        this.lab = lab;
        this.java = java;
        this.bytes = bytes;
        this.seconds = seconds;
    }

    /** Goodput of one transfer by {@code contender}, in Mbit/s, as its receiver measured it. */
    double goodputMbit(final ContenderKind contender) throws IOException, InterruptedException
    {
        if (contender.isTcp())
        {
            lab.tcpCongestionControl(contender.congestion());
        }
        final int port = contender.isTcp() ? TCP_PORT : CONDUIT_PORT;
        try (HostProcess receiver = new HostProcess(lab.inHostB(receiveCommand(contender, port))))
        {
            receiver.awaitLine("listening");
            try (HostProcess sender = new HostProcess(lab.inHostA(sendCommand(contender, port))))
            {
                final String timeline = receiver.awaitLine("timeline");
                final ReceivedBytes received = parse(receiver.awaitLine("received"));
                sender.awaitExit(GRACE_SECONDS);
                receiver.awaitExit(GRACE_SECONDS);
                if (!contender.isTcp())
                {
                    // The sender's own counters, so a slow cell can be told apart: losses, timeouts, RTT.
                    System.out.println("    " + contender.label() + " " + sender.awaitLine("sender"));
                }
                // Where the time went, by the receiver's clock: the start, and each dip (a probe or a recovery).
                System.out.println("    " + contender.label() + " " +
                    GoodputTimeline.summary(timeline, lab.scenario().rateMbit()));
                return mbit(received);
            }
        }
    }

    /** One Conduit flow ({@code conduitCc}) and one TCP flow ({@code tcpCc}), started together for the same time. */
    FairnessResult share(final String conduitCc, final String tcpCc) throws IOException, InterruptedException
    {
        final ContenderKind conduit = new ContenderKind("Conduit", "conduit", conduitCc);
        final ContenderKind tcp = new ContenderKind("TCP", "tcp", tcpCc);
        lab.tcpCongestionControl(tcpCc);
        try (HostProcess conduitReceiver = new HostProcess(lab.inHostB(receiveCommand(conduit, CONDUIT_PORT)));
            HostProcess tcpReceiver = new HostProcess(lab.inHostB(receiveCommand(tcp, TCP_PORT))))
        {
            conduitReceiver.awaitLine("listening");
            tcpReceiver.awaitLine("listening");
            try (HostProcess conduitSender =
                    new HostProcess(lab.inHostA(startOnGo(sendCommand(conduit, CONDUIT_PORT))));
                HostProcess tcpSender = new HostProcess(lab.inHostA(startOnGo(sendCommand(tcp, TCP_PORT)))))
            {
                // Both warm up first; the transfers start together (a JVM warms up at its own speed on 2 cores, and
                // TCP's used to start 0.6-1.2 s before Conduit's).
                conduitSender.awaitLine("ready");
                tcpSender.awaitLine("ready");
                conduitSender.send("go");
                tcpSender.send("go");
                final long conduitFirstNs = firstByteNs(conduitReceiver.awaitLine("first-byte"));
                final String conduitTimeline = conduitReceiver.awaitLine("timeline");
                final ReceivedBytes conduitReceived = parse(conduitReceiver.awaitLine("received"));
                final long tcpFirstNs = firstByteNs(tcpReceiver.awaitLine("first-byte"));
                final String tcpTimeline = tcpReceiver.awaitLine("timeline");
                final ReceivedBytes tcpReceived = parse(tcpReceiver.awaitLine("received"));
                conduitSender.awaitExit(GRACE_SECONDS);
                tcpSender.awaitExit(GRACE_SECONDS);
                // Who started first, and how the shares moved: a 60 s share of two loss-based flows is mostly
                // decided by which one left slow start with the larger window.
                final long tcpLeadNs = conduitFirstNs - tcpFirstNs;
                System.out.println(String.format(Locale.ROOT, "    first bytes: TCP's %.2f s %s Conduit's",
                    Math.abs(tcpLeadNs) / 1e9, tcpLeadNs >= 0 ? "before" : "after"));
                System.out.println("    Conduit " + GoodputTimeline.perSeconds(conduitTimeline, 5));
                System.out.println("    TCP     " + GoodputTimeline.perSeconds(tcpTimeline, 5));
                return new FairnessResult(conduitCc, tcpCc, mbit(conduitReceived), mbit(tcpReceived));
            }
        }
    }

    private List<String> receiveCommand(final ContenderKind contender, final int port)
    {
        final List<String> command = new ArrayList<>(java);
        command.addAll(List.of("receive", "--system", contender.system(), "--bind",
            lab.addressB() + ":" + port, "--max-payload", Integer.toString(lab.scenario().conduitPayloadBytes())));
        return command;
    }

    private List<String> sendCommand(final ContenderKind contender, final int port)
    {
        final List<String> command = new ArrayList<>(java);
        command.addAll(List.of("send", "--system", contender.system(), "--to", lab.addressB() + ":" + port,
            "--bytes", Long.toString(bytes), "--seconds", Integer.toString(seconds), "--cc", contender.congestion(),
            "--max-payload", Integer.toString(lab.scenario().conduitPayloadBytes())));
        return command;
    }

    private static List<String> startOnGo(final List<String> command)
    {
        final List<String> withGo = new ArrayList<>(command);
        withGo.addAll(List.of("--start-on-go", "true"));
        return withGo;
    }

    /** {@code first-byte NANOS}. */
    static long firstByteNs(final String line) throws IOException
    {
        final String[] words = line.split(" ");
        if (words.length != 2)
        {
            throw new IOException("unreadable first-byte line: " + line);
        }
        return Long.parseLong(words[1]);
    }

    /** {@code received BYTES bytes in NANOS ns}. */
    static ReceivedBytes parse(final String line) throws IOException
    {
        final String[] words = line.split(" ");
        if (words.length != 6 || !"received".equals(words[0]))
        {
            throw new IOException("unexpected receiver line: " + line);
        }
        return new ReceivedBytes(Long.parseLong(words[1]), Long.parseLong(words[4]));
    }

    private static double mbit(final ReceivedBytes received)
    {
        return received.spanNs() <= 0 ? 0 : received.bytes() * 8e3 / received.spanNs();
    }
}
