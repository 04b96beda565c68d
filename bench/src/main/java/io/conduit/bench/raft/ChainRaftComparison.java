package io.conduit.bench.raft;

import java.nio.ByteOrder;
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
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;

import io.conduit.kv.Consistency;
import io.conduit.kv.KvOperation;
import io.conduit.kv.KvRequestFlyweight;
import io.conduit.kv.KvResponseFlyweight;
import io.conduit.kv.KvStatus;
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
    private record System(String name, ReplicationEngine engine, boolean craq, boolean fsync)
    {
    }

    private record Row(String system, int replicas, double writesPerSecond, Histogram writeLatencyNs,
        double readsPerSecond, Histogram readLatencyNs, int servingMembers)
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
        // "raft-mem" (no fsync) is not a configuration to run: it separates the disk's cost from the protocol's,
        // since the chain keeps its data in memory.
        final List<System> systems = List.of(new System("raft", ReplicationEngine.RAFT, false, true),
            new System("raft-mem", ReplicationEngine.RAFT, false, false),
            new System("chain", ReplicationEngine.CHAIN, false, true),
            new System("chain+craq", ReplicationEngine.CHAIN, true, true));

        final List<Row> rows = new ArrayList<>();
        for (final int replicas : replicaCounts)
        {
            for (final System system : systems)
            {
                final Path data = dataRoot.resolve(system.name() + "-" + replicas);
                RaftWriteBenchmark.deleteRecursively(data);
                final Row row = run(system, replicas, size, window, warmup, seconds, data);
                java.lang.System.out.println(format(row));
                rows.add(row);
            }
        }
        final String table = table(rows, size, window, seconds);
        java.lang.System.out.println();
        java.lang.System.out.println(table);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, table);
        java.lang.System.out.println("written to " + out);
    }

    private static Row run(final System system, final int replicas, final int valueBytes, final int window,
        final int warmupSeconds, final int seconds, final Path data) throws Exception
    {
        final var members = RaftWriteBenchmark.freeLoopbackMembers(replicas,
            new SplittableRandom(java.lang.System.nanoTime()));
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
            final LocalKvClient writer = nodes[leader].newLocalClient();
            clients.add(writer);
            final Load writes = new Load(new LocalKvClient[] {writer}, window, valueBytes, true);
            writes.run(TimeUnit.SECONDS.toNanos(warmupSeconds), false);
            final long writeStartNs = java.lang.System.nanoTime();
            writes.run(TimeUnit.SECONDS.toNanos(seconds), true);
            final double writeSeconds = (java.lang.System.nanoTime() - writeStartNs) / 1e9;

            final LocalKvClient[] readers = new LocalKvClient[replicas];
            for (int id = 1; id <= replicas; id++)
            {
                readers[id - 1] = nodes[id].newLocalClient();
                clients.add(readers[id - 1]);
            }
            final Load reads = new Load(readers, window, valueBytes, false);
            reads.run(TimeUnit.SECONDS.toNanos(warmupSeconds), false);
            final long readStartNs = java.lang.System.nanoTime();
            reads.run(TimeUnit.SECONDS.toNanos(seconds), true);
            final double readSeconds = (java.lang.System.nanoTime() - readStartNs) / 1e9;
            return new Row(system.name(), replicas, writes.completed / writeSeconds, writes.latencyNs,
                reads.completed / readSeconds, reads.latencyNs, reads.servingMembers());
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

    /**
     * Sessions spread over members' in-process clients, one request outstanding each; a redirected or refused request
     * is resent under the same sequence, and a member that redirects a read is dropped from the rotation.
     */
    private static final class Load implements MessageHandler
    {
        private static final long RESEND_AFTER_NS = TimeUnit.SECONDS.toNanos(2);

        private final LocalKvClient[] clients;
        private final boolean[] serving;
        private final int window;
        private final long clientIdBase;
        private final UnsafeBuffer[] requests;
        private final int[] lengths;
        private final long[] sequences;
        private final long[] sentAtNs;
        private final boolean[] inFlight;
        private final KvResponseFlyweight response = new KvResponseFlyweight();
        private final IdleStrategy idle = new BackoffIdleStrategy(1, 10, 1_000, 100_000);
        private final Histogram latencyNs = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        private boolean measuring;
        private long completed;

        Load(final LocalKvClient[] clients, final int window, final int valueBytes, final boolean writes)
        {
            this.clients = clients;
            this.window = window;
            this.serving = new boolean[clients.length];
            java.util.Arrays.fill(serving, true);
            final int sessions = clients.length * window;
            this.clientIdBase = new SplittableRandom(java.lang.System.nanoTime()).nextLong() & 0x7FFF_FFFF_0000_0000L;
            requests = new UnsafeBuffer[sessions];
            lengths = new int[sessions];
            sequences = new long[sessions];
            sentAtNs = new long[sessions];
            inFlight = new boolean[sessions];
            final byte[] value = new byte[valueBytes];
            final SplittableRandom letters = new SplittableRandom(42);
            for (int i = 0; i < valueBytes; i++)
            {
                value[i] = (byte)('a' + letters.nextInt(26));
            }
            for (int i = 0; i < sessions; i++)
            {
                final byte[] key = ("bench-" + (i % window)).getBytes();
                final KvOperation operation = writes ? KvOperation.put(key, value) : KvOperation.get(key);
                requests[i] = new UnsafeBuffer(new byte[KvRequestFlyweight.HEADER_LENGTH + valueBytes + 64]);
                lengths[i] = KvRequestFlyweight.encode(requests[i], 0, clientIdBase + i + 1, 0,
                    Consistency.LINEARIZABLE, 0, operation);
            }
        }

        int servingMembers()
        {
            int count = 0;
            for (final boolean s : serving)
            {
                count += s ? 1 : 0;
            }
            return count;
        }

        void run(final long durationNs, final boolean measure)
        {
            measuring = measure;
            completed = 0;
            latencyNs.reset();
            final long endNs = java.lang.System.nanoTime() + durationNs;
            long nowNs;
            while ((nowNs = java.lang.System.nanoTime()) - endNs < 0)
            {
                int work = 0;
                for (int i = 0; i < requests.length; i++)
                {
                    final int member = i / window;
                    if (!serving[member])
                    {
                        continue;
                    }
                    if (!inFlight[i])
                    {
                        sequences[i]++;
                        work += send(i, nowNs) ? 1 : 0;
                    }
                    else if (nowNs - sentAtNs[i] > RESEND_AFTER_NS)
                    {
                        work += send(i, nowNs) ? 1 : 0;
                    }
                }
                for (final LocalKvClient client : clients)
                {
                    work += client.poll(this, 256);
                }
                idle.idle(work);
            }
        }

        private boolean send(final int session, final long nowNs)
        {
            requests[session].putLong(KvRequestFlyweight.SEQUENCE_OFFSET, sequences[session], ByteOrder.LITTLE_ENDIAN);
            if (clients[session / window].offer(requests[session], 0, lengths[session]))
            {
                if (!inFlight[session])
                {
                    sentAtNs[session] = nowNs;
                }
                inFlight[session] = true;
                return true;
            }
            return false;
        }

        @Override
        public void onMessage(final int typeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            response.wrap(buffer, index, length);
            final int session = (int)(response.clientId() - clientIdBase - 1);
            if (session < 0 || session >= requests.length || !inFlight[session] ||
                response.sequence() != sequences[session])
            {
                return;
            }
            inFlight[session] = false;
            final KvStatus status = response.status();
            if (status == KvStatus.NOT_LEADER && clients.length > 1)
            {
                // Reads: this member does not serve them (a chain member that is not the tail, without CRAQ).
                serving[session / window] = false;
            }
            if (!status.isFinal() || status == KvStatus.ERROR)
            {
                sequences[session]--;
                return;
            }
            if (measuring)
            {
                completed++;
                latencyNs.recordValue(Math.max(0, java.lang.System.nanoTime() - sentAtNs[session]));
            }
        }
    }

    private static String format(final Row row)
    {
        return String.format("| %-10s | %2d | %9.0f | %8.2f | %8.2f | %9.0f | %8.2f | %8.2f | %2d |",
            row.system(), row.replicas(), row.writesPerSecond(),
            row.writeLatencyNs().getValueAtPercentile(50) / 1e6, row.writeLatencyNs().getValueAtPercentile(99) / 1e6,
            row.readsPerSecond(), row.readLatencyNs().getValueAtPercentile(50) / 1e6,
            row.readLatencyNs().getValueAtPercentile(99) / 1e6, row.servingMembers());
    }

    private static String table(final List<Row> rows, final int size, final int window, final int seconds)
    {
        final StringBuilder text = new StringBuilder();
        text.append("# Chain replication vs Raft\n\n");
        text.append("Generated ").append(LocalDate.now()).append(" by `bench/run compare` on ")
            .append(Runtime.getRuntime().availableProcessors()).append(" cores, Java ")
            .append(java.lang.System.getProperty("java.version")).append(": members in one JVM on loopback, ")
            .append("Conduit UDP peers, ").append(size).append("-byte values, ").append(window)
            .append(" sessions per client with one request outstanding, ").append(seconds)
            .append(" s measured per phase. Writes from the leader/head; linearizable reads from every member that ")
            .append("serves them (last column). Raft fsyncs every write on every member (raft-mem: ")
            .append("fsync off, to separate the disk from the protocol); the chain keeps data in memory.\n\n");
        text.append("| system     |  n | writes/s  | w p50 ms | w p99 ms | reads/s   | r p50 ms | r p99 ms | rd |\n");
        text.append("|------------|----|-----------|----------|----------|-----------|----------|----------|----|\n");
        for (final Row row : rows)
        {
            text.append(format(row)).append('\n');
        }
        return text.toString();
    }
}
