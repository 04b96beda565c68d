package io.conduit.bench.lossy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One end of a bulk transfer, run as its own process inside a namespace host:
 * <pre>
 *   BulkTransfer receive --system conduit|tcp --bind IP:PORT [--window SEGMENTS] [--max-payload 1400]
 *                        [--warm-up-seconds 2]
 *   BulkTransfer send    --system conduit|tcp --to IP:PORT --bytes N --seconds S [--cc NAME] [--window SEGMENTS]
 *                        [--max-payload 1400] [--warm-up-seconds 2] [--start-on-go true]
 * </pre>
 * Each end first runs a short transfer over its own loopback ({@link WarmUp}) so that its code is compiled. The
 * receiver prints {@code listening} once it accepts connections and, when the sender has finished, its {@code
 * timeline} (Mbit/s per 100 ms, {@link ReceiveCounter}) and {@code received BYTES bytes in NANOS ns} measured from
 * the first to the last byte it received: the goodput both systems are compared on. The sender sends {@code --bytes} and closes gracefully, or, if {@code --seconds} runs out first,
 * stops there and resets the connection (draining a full send buffer through a lossy link could take minutes).
 * With {@code --start-on-go true} it prints {@code ready} after its warm-up and starts on a {@code go} line on
 * standard input. Exit status 0, or 1 with one line on stderr.
 */
public final class BulkTransfer
{
    private BulkTransfer()
    {
    }

    public static void main(final String[] args)
    {
        final PrintStream out = System.out;
        try
        {
            if (args.length < 1)
            {
                throw new IllegalArgumentException("usage: BulkTransfer receive|send --system conduit|tcp ...");
            }
            final Map<String, String> options = options(args);
            final String system = require(options, "--system");
            final int window = Integer.parseInt(options.getOrDefault("--window", "4096"));
            final int payload = Integer.parseInt(options.getOrDefault("--max-payload", "1400"));
            final boolean tcp = switch (system)
            {
                case "tcp" -> true;
                case "conduit" -> false;
                default -> throw new IllegalArgumentException("--system must be conduit or tcp, was " + system);
            };
            final double warmUpSeconds = Double.parseDouble(options.getOrDefault("--warm-up-seconds", "2"));
            switch (args[0])
            {
                case "receive" ->
                {
                    WarmUp.run(tcp, options.getOrDefault("--cc", "newreno"), window, payload, warmUpSeconds);
                    final InetSocketAddress bind = address(require(options, "--bind"));
                    final ReceiveCounter counter = tcp ? TcpBulk.receive(bind, out) :
                        ConduitBulk.receive(bind, window, payload, out);
                    final ReceivedBytes received = counter.received();
                    out.println(counter.firstByteLine());
                    out.println(counter.timelineLine());
                    out.println("received " + received.bytes() + " bytes in " + received.spanNs() + " ns");
                }
                case "send" ->
                {
                    final InetSocketAddress to = address(require(options, "--to"));
                    final long bytes = Long.parseLong(require(options, "--bytes"));
                    final String congestion = options.getOrDefault("--cc", "newreno");
                    WarmUp.run(tcp, congestion, window, payload, warmUpSeconds);
                    if (Boolean.parseBoolean(options.getOrDefault("--start-on-go", "false")))
                    {
                        awaitGo(out);
                    }
                    final long deadlineNs = System.nanoTime() +
                        (long)(Double.parseDouble(require(options, "--seconds")) * 1e9);
                    final long sent = tcp ? TcpBulk.send(to, bytes, deadlineNs) :
                        ConduitBulk.send(to, bytes, deadlineNs, congestion, window, payload, out);
                    out.println("sent " + sent + " bytes");
                }
                default -> throw new IllegalArgumentException("first argument must be receive or send");
            }
            out.flush();
            System.exit(0);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            System.err.println("BulkTransfer: interrupted");
            System.exit(1);
        }
        catch (final IOException | RuntimeException ex)
        {
            System.err.println("BulkTransfer: " + ex);
            System.exit(1);
        }
    }

    /**
     * Says {@code ready} and waits for a {@code go} line on standard input, so that two senders whose JVMs started
     * and warmed up at different speeds begin their transfers together (the fairness runs).
     */
    private static void awaitGo(final PrintStream out) throws IOException
    {
        out.println("ready");
        out.flush();
        final BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        final String line = in.readLine();
        if (!"go".equals(line))
        {
            throw new IOException("expected 'go' on standard input, got " + (line == null ? "end of input" : line));
        }
    }

    private static Map<String, String> options(final String[] args)
    {
        final Map<String, String> options = new HashMap<>();
        for (int i = 1; i < args.length; i += 2)
        {
            if (i + 1 >= args.length || !args[i].startsWith("--"))
            {
                throw new IllegalArgumentException("expected --name value pairs after " + args[0]);
            }
            options.put(args[i], args[i + 1]);
        }
        return options;
    }

    private static String require(final Map<String, String> options, final String name)
    {
        final String value = options.get(name);
        if (value == null)
        {
            throw new IllegalArgumentException("missing " + name);
        }
        return value;
    }

    static InetSocketAddress address(final String hostPort)
    {
        final int colon = hostPort.lastIndexOf(':');
        if (colon < 1)
        {
            throw new IllegalArgumentException("expected HOST:PORT, was " + hostPort);
        }
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    static String lowerCase(final String value)
    {
        return value.toLowerCase(Locale.ROOT);
    }
}
