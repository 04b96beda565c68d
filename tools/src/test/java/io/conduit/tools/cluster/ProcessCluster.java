package io.conduit.tools.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.conduit.tools.lab.ConduitProcess;

/**
 * Three (or five, or three chain members plus three control members) {@code conduit node} processes on loopback,
 * each with its own data directory, that a test can SIGKILL and restart. With {@code --control-members} among the
 * engine arguments, the members it names run only the chain's control plane; the others form the chain. Ports are
 * drawn from 20000–31999 so that PORT+10000 (the Aeron peer port) stays valid, and
 * both are checked free before use.
 */
final class ProcessCluster implements AutoCloseable
{
    private static final Pattern LEADER_LINE = Pattern.compile("term (\\d+) leader (\\d+|unknown)");
    private static final Pattern CHAIN_LINE = Pattern.compile("chain (\\d+) (\\d+(?:,\\d+)*)");

    private final int size;
    /** Members that hold data: all of them, except the {@code --control-members} of a separate control plane. */
    private final int chainSize;
    private final Path dataRoot;
    private final String transport;
    private final String[] engineArguments;
    private final int[] ports;
    private final ConduitProcess[] nodes;
    private final int[] starts;
    private final Object outputSignal = new Object();

    /**
     * @param engineArguments what selects and tunes the engine, e.g. {@code --engine raft --snapshot-every 50}.
     */
    ProcessCluster(final int size, final Path dataRoot, final String transport, final long seed,
        final String... engineArguments) throws IOException
    {
        this.engineArguments = engineArguments.clone();
        this.size = size;
        this.chainSize = size - controlMemberCount(engineArguments);
        this.dataRoot = dataRoot;
        this.transport = transport;
        this.ports = freePorts(size, new SplittableRandom(seed));
        this.nodes = new ConduitProcess[size + 1];
        this.starts = new int[size + 1];
    }

    private static int controlMemberCount(final String[] engineArguments)
    {
        for (int i = 0; i + 1 < engineArguments.length; i++)
        {
            if ("--control-members".equals(engineArguments[i]))
            {
                return engineArguments[i + 1].split(",").length;
            }
        }
        return 0;
    }

    private static int[] freePorts(final int count, final SplittableRandom random) throws IOException
    {
        final int[] ports = new int[count];
        for (int i = 0; i < count; i++)
        {
            for (int attempt = 0; ; attempt++)
            {
                final int port = 20_000 + random.nextInt(12_000);
                if (isFree(port) && isFree(port + 10_000) && !contains(ports, i, port))
                {
                    ports[i] = port;
                    break;
                }
                if (attempt > 200)
                {
                    throw new IOException("no free UDP port pair in 20000-31999");
                }
            }
        }
        return ports;
    }

    private static boolean contains(final int[] ports, final int count, final int port)
    {
        for (int i = 0; i < count; i++)
        {
            if (Math.abs(ports[i] - port) < 2)
            {
                return true;
            }
        }
        return false;
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

    String members()
    {
        final List<String> items = new ArrayList<>();
        for (int id = 1; id <= size; id++)
        {
            items.add(id + "=127.0.0.1:" + ports[id - 1]);
        }
        return String.join(",", items);
    }

    /** The client addresses, for {@code conduit kv --cluster}. */
    String clusterAddresses()
    {
        final List<String> items = new ArrayList<>();
        for (int id = 1; id <= size; id++)
        {
            items.add("127.0.0.1:" + ports[id - 1]);
        }
        return String.join(",", items);
    }

    void startAll() throws IOException, InterruptedException
    {
        for (int id = 1; id <= size; id++)
        {
            start(id);
        }
    }

    /** Starts (or restarts, on the same data directory) member {@code id} and waits until it serves. */
    void start(final int id) throws IOException, InterruptedException
    {
        starts[id]++;
        final List<String> arguments = new ArrayList<>(List.of("node", "--id", Integer.toString(id),
            "--members", members(), "--data", dataRoot.resolve("node-" + id).toString(), "--transport", transport));
        arguments.addAll(List.of(engineArguments));
        nodes[id] = ConduitProcess.start("node-" + id + "." + starts[id], null, this::onOutput,
            arguments.toArray(new String[0]));
        nodes[id].awaitLine(line -> line.startsWith("member " + id + " serving"), 30, TimeUnit.SECONDS);
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed that was not already durable. */
    void kill(final int id) throws InterruptedException
    {
        nodes[id].kill();
    }

    /** The latest leader member {@code id} reported (0 for unknown or none yet). */
    int reportedLeader(final int id)
    {
        int leader = 0;
        for (final String line : nodes[id].lines())
        {
            final Matcher matcher = LEADER_LINE.matcher(line);
            if (matcher.matches())
            {
                leader = "unknown".equals(matcher.group(2)) ? 0 : Integer.parseInt(matcher.group(2));
            }
        }
        return leader;
    }

    /**
     * Chain replication: waits until the newest chain a live member reported (highest epoch) holds every chain member,
     * while every member is alive, and returns its order, head first. Woken by each line of output.
     */
    int[] awaitFullChain(final long timeoutMs) throws InterruptedException, IOException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        synchronized (outputSignal)
        {
            long remainingNs;
            while ((remainingNs = deadlineNs - System.nanoTime()) > 0)
            {
                final int[] chain = newestReportedChain();
                if (chain.length == chainSize && liveMembersExcept(0).size() == size)
                {
                    return chain;
                }
                outputSignal.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remainingNs)));
            }
        }
        throw new IOException("no live member reported a chain of all " + chainSize + " members within " + timeoutMs +
            " ms: " + outputs());
    }

    /** The members, head first, of the highest-epoch {@code chain} line any live member printed; empty for none. */
    private int[] newestReportedChain()
    {
        long newestEpoch = 0;
        int[] newest = new int[0];
        for (int id = 1; id <= size; id++)
        {
            if (nodes[id] == null || !nodes[id].isAlive())
            {
                continue;
            }
            for (final String line : nodes[id].lines())
            {
                final Matcher matcher = CHAIN_LINE.matcher(line);
                if (matcher.matches() && Long.parseLong(matcher.group(1)) > newestEpoch)
                {
                    newestEpoch = Long.parseLong(matcher.group(1));
                    newest = Arrays.stream(matcher.group(2).split(",")).mapToInt(Integer::parseInt).toArray();
                }
            }
        }
        return newest;
    }

    private void onOutput(final String line)
    {
        synchronized (outputSignal)
        {
            outputSignal.notifyAll();
        }
    }

    /** The live members other than {@code excluded}, in id order. */
    List<Integer> liveMembersExcept(final int excluded)
    {
        final List<Integer> live = new ArrayList<>();
        for (int id = 1; id <= size; id++)
        {
            if (id != excluded && nodes[id] != null && nodes[id].isAlive())
            {
                live.add(id);
            }
        }
        return live;
    }

    /** Waits until some live member reports itself as leader (woken by each line of output); returns its id. */
    int awaitSelfReportedLeader(final long timeoutMs) throws InterruptedException, IOException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        synchronized (outputSignal)
        {
            long remainingNs;
            while ((remainingNs = deadlineNs - System.nanoTime()) > 0)
            {
                for (int id = 1; id <= size; id++)
                {
                    if (nodes[id] != null && nodes[id].isAlive() && reportedLeader(id) == id)
                    {
                        return id;
                    }
                }
                outputSignal.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remainingNs)));
            }
        }
        throw new IOException("no member reported itself leader within " + timeoutMs + " ms: " + outputs());
    }

    String outputs()
    {
        final StringBuilder text = new StringBuilder();
        for (int id = 1; id <= size; id++)
        {
            if (nodes[id] != null)
            {
                text.append(" [node ").append(id).append(": ").append(nodes[id].tail()).append(']');
            }
        }
        return text.toString();
    }

    @Override
    public void close()
    {
        for (int id = 1; id <= size; id++)
        {
            if (nodes[id] != null)
            {
                nodes[id].close();
            }
        }
    }
}
