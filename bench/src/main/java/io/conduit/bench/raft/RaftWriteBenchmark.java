package io.conduit.bench.raft;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import org.HdrHistogram.Histogram;

import io.conduit.messaging.Members;
import io.conduit.member.KvNode;
import io.conduit.member.LocalKvClient;
import io.conduit.member.NodeSettings;
import io.conduit.member.PeerTransport;

/**
 * Committed writes per second and commit latency of a 3-member Raft key-value cluster on loopback, with fsync on,
 * for each peer binding (Conduit UDP, Aeron UDP) and command size. All three members run in this JVM, each on its
 * own agent thread with real sockets and its own data directory; the load comes from an in-process client on the
 * leader (the lock-free request ring), keeping {@code --window} sessions each with one put outstanding. A sample is
 * the time from offering a put to receiving its response, i.e. replication to a majority, fsync on each, apply.
 * <p>
 * Usage: {@code bench/run raft [--seconds 10] [--warmup 3] [--window 32] [--sizes 64,1024]
 * [--transports conduit,aeron] [--out bench/results/raft.md] [--data DIR]}
 */
public final class RaftWriteBenchmark
{

    private record Outcome(PeerTransport transport, int valueBytes, long commits, double seconds,
        Histogram latencyNs, long resends, int threads)
    {
        double commitsPerSecond()
        {
            return commits / seconds;
        }
    }

    private RaftWriteBenchmark()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> options = parse(args);
        final int seconds = Integer.parseInt(options.getOrDefault("seconds", "10"));
        final int warmup = Integer.parseInt(options.getOrDefault("warmup", "3"));
        final int window = Integer.parseInt(options.getOrDefault("window", "32"));
        final List<Integer> sizes = Stream.of(options.getOrDefault("sizes", "64,1024").split(","))
            .map(Integer::parseInt).toList();
        final List<PeerTransport> transports = Stream.of(options.getOrDefault("transports", "conduit,aeron")
            .split(",")).map(name -> PeerTransport.valueOf(name.trim().toUpperCase())).toList();
        final Path out = Path.of(options.getOrDefault("out", "bench/results/raft.md"));
        final Path dataRoot = Path.of(options.getOrDefault("data", "bench/target/raft-data"));
        final boolean fsync = !"off".equals(options.getOrDefault("fsync", "on"));

        final List<Outcome> outcomes = new ArrayList<>();
        for (final int size : sizes)
        {
            for (final PeerTransport transport : transports)
            {
                final Path data = dataRoot.resolve(transport.name().toLowerCase() + "-" + size);
                deleteRecursively(data);
                final Outcome outcome = run(transport, size, window, warmup, seconds, data, fsync);
                System.out.println(row(outcome));
                outcomes.add(outcome);
            }
        }
        final String table = table(outcomes, window, seconds, fsync);
        System.out.println();
        System.out.println(table);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, table);
        System.out.println("written to " + out);
    }

    private static Outcome run(final PeerTransport transport, final int valueBytes, final int window,
        final int warmupSeconds, final int seconds, final Path data, final boolean fsync) throws Exception
    {
        final Members members = freeLoopbackMembers(3, new SplittableRandom(System.nanoTime()));
        final KvNode[] nodes = new KvNode[4];
        try
        {
            for (int id = 1; id <= 3; id++)
            {
                nodes[id] = KvNode.launch(new NodeSettings()
                    .memberId(id)
                    .members(members)
                    .dataDirectory(data.resolve("node-" + id))
                    .transport(transport)
                    .fsync(fsync));
            }
            final int leader = awaitLeader(nodes, TimeUnit.SECONDS.toNanos(30));
            try (LocalKvClient client = nodes[leader].newLocalClient())
            {
                final SessionLoad load = new SessionLoad(new LocalKvClient[] {client}, window, valueBytes, true);
                load.run(TimeUnit.SECONDS.toNanos(warmupSeconds), false);
                final long startNs = System.nanoTime();
                load.run(TimeUnit.SECONDS.toNanos(seconds), true);
                final double elapsed = (System.nanoTime() - startNs) / 1e9;
                if (load.firstRefusal() != null)
                {
                    System.err.println(transport + " " + valueBytes + " B: first refused put: " + load.firstRefusal());
                }
                return new Outcome(transport, valueBytes, load.completed(), elapsed, load.latencyNs(), load.resends(),
                    Thread.activeCount());
            }
        }
        finally
        {
            for (final KvNode node : nodes)
            {
                if (node != null)
                {
                    node.close();
                }
            }
        }
    }

    static int awaitLeader(final KvNode[] nodes, final long timeoutNs) throws IOException
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        while (System.nanoTime() - deadlineNs < 0)
        {
            for (int id = 1; id < nodes.length; id++)
            {
                if (nodes[id].leader() == id)
                {
                    return id;
                }
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        throw new IOException("no leader elected within " + TimeUnit.NANOSECONDS.toSeconds(timeoutNs) + " s");
    }

    /** Loopback members on ports whose +10000 (Aeron) twin is free too. */
    static Members freeLoopbackMembers(final int count, final SplittableRandom random) throws IOException
    {
        final Map<Integer, InetSocketAddress> addresses = new TreeMap<>();
        int id = 1;
        for (int attempt = 0; id <= count; attempt++)
        {
            if (attempt > 1_000)
            {
                throw new IOException("no free UDP port pairs in 20000-31999");
            }
            final int port = 20_000 + random.nextInt(12_000);
            if (isFree(port) && isFree(port + PeerTransport.AERON_PORT_OFFSET))
            {
                addresses.put(id++, new InetSocketAddress("127.0.0.1", port));
            }
        }
        return Members.of(addresses);
    }

    private static boolean isFree(final int port)
    {
        try (DatagramChannel channel = DatagramChannel.open())
        {
            channel.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private static String row(final Outcome o)
    {
        return String.format("| %-7s | %5d B | %9.0f | %8.2f | %8.2f | %8.2f | %7d |",
            o.transport().name().toLowerCase(), o.valueBytes(), o.commitsPerSecond(),
            o.latencyNs().getValueAtPercentile(50) / 1e6, o.latencyNs().getValueAtPercentile(99) / 1e6,
            o.latencyNs().getMaxValue() / 1e6, o.resends());
    }

    private static String table(final List<Outcome> outcomes, final int window, final int seconds,
        final boolean fsync)
    {
        final StringBuilder text = new StringBuilder();
        text.append("# Raft: 3 members on loopback, fsync ").append(fsync ? "on" : "OFF (diagnostic only)")
            .append("\n\n");
        text.append("Generated ").append(LocalDate.now()).append(" by `bench/run raft` on ")
            .append(Runtime.getRuntime().availableProcessors()).append(" cores, Java ")
            .append(System.getProperty("java.version")).append("; ").append(window)
            .append(" sessions with one put each outstanding, ").append(seconds)
            .append(" s measured per row after warm-up. All members in one JVM (three agent threads, back-off idle), ")
            .append("load from an in-process client on the leader. Latency: offer to response (majority ")
            .append("replication + fsync + apply).\n\n");
        text.append("| binding | value   | commits/s | p50 (ms) | p99 (ms) | max (ms) | resends |\n");
        text.append("|---------|---------|-----------|----------|----------|----------|---------|\n");
        for (final Outcome outcome : outcomes)
        {
            text.append(row(outcome)).append('\n');
        }
        return text.toString();
    }

    static Map<String, String> parse(final String[] args)
    {
        final Map<String, String> options = new TreeMap<>();
        for (int i = 0; i < args.length; i++)
        {
            if (!args[i].startsWith("--") || i + 1 >= args.length)
            {
                throw new IllegalArgumentException("expected --name value pairs, got '" + args[i] + "'");
            }
            options.put(args[i].substring(2), args[++i]);
        }
        return options;
    }

    static void deleteRecursively(final Path root) throws IOException
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(root))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.delete(path);
            }
        }
    }
}
