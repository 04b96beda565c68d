package io.conduit.bench.raft;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.HdrHistogram.Histogram;

import io.conduit.member.KvNode;
import io.conduit.member.LocalKvClient;
import io.conduit.member.NodeSettings;
import io.conduit.member.PeerTransport;
import io.conduit.member.ReplicationEngine;

/**
 * Chain replication and Raft side by side (issue 6): same machine, same binding (Conduit UDP peers on loopback),
 * same command size, members in one JVM each on its own agent thread. For each system and replica count it measures
 * writes (puts from an in-process client on the leader / head, {@code --window} sessions with one put outstanding)
 * and then linearizable reads (gets from in-process clients on every member, {@code --window} sessions each; a member
 * that redirects — a chain member that is not the tail without CRAQ — stops being asked). Raft writes are fsynced on
 * every member; chain replication keeps its data in memory (only its configuration manager's Raft log is on disk),
 * which is part of the trade-off the table shows.
 * <p>
 * Usage: {@code bench/run compare [--seconds 5] [--warmup 2] [--window 32] [--size 64] [--replicas 3,5]}
 */
public final class ChainRaftComparison
{
    private record Contender(String name, ReplicationEngine engine, boolean craq, boolean fsync)
    {
    }

    private record Row(String system, int replicas, double writesPerSecond, Histogram writeLatencyNs,
        double readsPerSecond, Histogram readLatencyNs, int servingMembers, int slowMember)
    {
    }

    private ChainRaftComparison()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> options = RaftWriteBenchmark.parse(args);
        final int seconds = Integer.parseInt(options.getOrDefault("seconds", "5"));
        final int warmup = Integer.parseInt(options.getOrDefault("warmup", "2"));
        final int window = Integer.parseInt(options.getOrDefault("window", "32"));
        final int size = Integer.parseInt(options.getOrDefault("size", "64"));
        final List<Integer> replicaCounts = Stream.of(options.getOrDefault("replicas", "3,5").split(","))
            .map(Integer::parseInt).toList();
        final Path out = Path.of(options.getOrDefault("out", "bench/results/chain-vs-raft.md"));
        final Path dataRoot = Path.of(options.getOrDefault("data", "bench/target/compare-data"));
        // A slow replica: the highest-numbered member pauses this long after every busy duty cycle.
        final long slowPauseNs = TimeUnit.MICROSECONDS.toNanos(
            Long.parseLong(options.getOrDefault("slow-member-pause-us", "0")));
        // "raft-mem" (no fsync) is not a configuration to run: it separates the disk's cost from the protocol's,
        // since the chain keeps its data in memory.
        final List<Contender> systems = List.of(new Contender("raft", ReplicationEngine.RAFT, false, true),
            new Contender("raft-mem", ReplicationEngine.RAFT, false, false),
            new Contender("chain", ReplicationEngine.CHAIN, false, true),
            new Contender("chain+craq", ReplicationEngine.CHAIN, true, true));

        final List<Row> rows = new ArrayList<>();
        for (final int replicas : replicaCounts)
        {
            for (final Contender system : systems)
            {
                final Path data = dataRoot.resolve(system.name() + "-" + replicas);
                RaftWriteBenchmark.deleteRecursively(data);
                final Row row = run(system, replicas, size, window, warmup, seconds, data, slowPauseNs);
                System.out.println(format(row));
                rows.add(row);
            }
        }
        final String table = table(rows, size, window, seconds, slowPauseNs);
        System.out.println();
        System.out.println(table);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, table);
        System.out.println("written to " + out);
    }

    private static Row run(final Contender system, final int replicas, final int valueBytes, final int window,
        final int warmupSeconds, final int seconds, final Path data, final long slowPauseNs) throws Exception
    {
        final var members = RaftWriteBenchmark.freeLoopbackMembers(replicas,
            new SplittableRandom(System.nanoTime()));
        final KvNode[] nodes = new KvNode[replicas + 1];
        final List<LocalKvClient> clients = new ArrayList<>();
        try
        {
            for (int id = 1; id <= replicas; id++)
            {
                nodes[id] = KvNode.launch(new NodeSettings()
                    .memberId(id)
                    .members(members)
                    .dataDirectory(data.resolve("node-" + id))
                    .transport(PeerTransport.CONDUIT)
                    .engine(system.engine())
                    .craqReads(system.craq())
                    .fsync(system.fsync()));
            }
            final int leader = RaftWriteBenchmark.awaitLeader(nodes, TimeUnit.SECONDS.toNanos(60));
            // The slow replica is never the leader/head: a follower for Raft, a middle or tail member for the chain.
            final int slow = leader == replicas ? replicas - 1 : replicas;
            nodes[slow].slowDown(slowPauseNs);
            final LocalKvClient writer = nodes[leader].newLocalClient();
            clients.add(writer);
            final SessionLoad writes = new SessionLoad(new LocalKvClient[] {writer}, window, valueBytes, true);
            writes.run(TimeUnit.SECONDS.toNanos(warmupSeconds), false);
            final long writeStartNs = System.nanoTime();
            writes.run(TimeUnit.SECONDS.toNanos(seconds), true);
            final double writeSeconds = (System.nanoTime() - writeStartNs) / 1e9;

            final LocalKvClient[] readers = new LocalKvClient[replicas];
            for (int id = 1; id <= replicas; id++)
            {
                readers[id - 1] = nodes[id].newLocalClient();
                clients.add(readers[id - 1]);
            }
            final SessionLoad reads = new SessionLoad(readers, window, valueBytes, false);
            reads.run(TimeUnit.SECONDS.toNanos(warmupSeconds), false);
            final long readStartNs = System.nanoTime();
            reads.run(TimeUnit.SECONDS.toNanos(seconds), true);
            final double readSeconds = (System.nanoTime() - readStartNs) / 1e9;
            return new Row(system.name(), replicas, writes.completed() / writeSeconds, writes.latencyNs(),
                reads.completed() / readSeconds, reads.latencyNs(), reads.servingMembers(), slowPauseNs > 0 ? slow : 0);
        }
        finally
        {
            for (final LocalKvClient client : clients)
            {
                client.close();
            }
            for (final KvNode node : nodes)
            {
                if (node != null)
                {
                    node.close();
                }
            }
        }
    }

    private static String format(final Row row)
    {
        return String.format("| %-10s | %2d | %9.0f | %8.2f | %8.2f | %9.0f | %8.2f | %8.2f | %2d | %-6s |",
            row.system(), row.replicas(), row.writesPerSecond(),
            row.writeLatencyNs().getValueAtPercentile(50) / 1e6, row.writeLatencyNs().getValueAtPercentile(99) / 1e6,
            row.readsPerSecond(), row.readLatencyNs().getValueAtPercentile(50) / 1e6,
            row.readLatencyNs().getValueAtPercentile(99) / 1e6, row.servingMembers(),
            row.slowMember() > 0 ? Integer.toString(row.slowMember()) : "-");
    }

    private static String table(final List<Row> rows, final int size, final int window, final int seconds,
        final long slowPauseNs)
    {
        final StringBuilder text = new StringBuilder();
        text.append("# Chain replication vs Raft").append(slowPauseNs > 0 ? ", one slow replica" : "")
            .append("\n\n");
        if (slowPauseNs > 0)
        {
            text.append("One member that is not the leader/head (the `slow` column) pauses ")
                .append(TimeUnit.NANOSECONDS.toMicros(slowPauseNs))
                .append(" µs after every duty cycle that did work (`--slow-member-pause-us`), from the start of the ")
                .append("write phase.\n\n");
        }
        text.append("Generated ").append(LocalDate.now()).append(" by `bench/run compare` on ")
            .append(Runtime.getRuntime().availableProcessors()).append(" cores, Java ")
            .append(System.getProperty("java.version")).append(": members in one JVM on loopback, ")
            .append("Conduit UDP peers, ").append(size).append("-byte values, ").append(window)
            .append(" sessions per client with one request outstanding, ").append(seconds)
            .append(" s measured per phase. Writes from the leader/head; linearizable reads from every member that ")
            .append("serves them (last column). Raft fsyncs every write on every member (raft-mem: ")
            .append("fsync off, to separate the disk from the protocol); the chain keeps data in memory.\n\n");
        text.append("| system     |  n | writes/s  | w p50 ms | w p99 ms | reads/s   | r p50 ms | r p99 ms | rd | slow   |\n");
        text.append("|------------|----|-----------|----------|----------|-----------|----------|----------|----|--------|\n");
        for (final Row row : rows)
        {
            text.append(format(row)).append('\n');
        }
        return text.toString();
    }
}
