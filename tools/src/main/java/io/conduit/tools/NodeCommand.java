package io.conduit.tools;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.conduit.chain.ChainConfiguration;
import io.conduit.messaging.Members;
import io.conduit.member.KvNode;
import io.conduit.member.NodeSettings;
import io.conduit.member.PeerTransport;
import io.conduit.member.ReplicationEngine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code conduit node}: runs one member of the replicated key-value store (Raft or chain replication) until SIGTERM (graceful: the shutdown hook
 * closes the node, which syncs and closes its storage) or SIGKILL (a crash; a restart with the same {@code --data}
 * recovers). Prints {@code member ID serving HOST:PORT (ENGINE, peers over TRANSPORT)} once it is listening, then
 * {@code term T leader L} (or {@code leader unknown}) whenever the leader it knows of changes; for chain replication
 * the "term" is the configuration epoch and the "leader" the head. A chain member also prints
 * {@code chain E A,B,C} whenever the chain it knows of changes: the epoch, then the member ids from head to tail (so
 * a test can pick the head, a middle member or the tail); it follows the {@code term} line of the same change.
 * With {@code --control-members}, the members listed run only the chain's control plane (Raft voters, no data; they
 * send clients to the head or tail and print the same lines); the others are the chain, as Raft learners.
 */
@Command(name = "node", mixinStandardHelpOptions = true,
    description = "Run one member of a replicated key-value store until SIGTERM.")
final class NodeCommand extends EndpointCommand
{
    @Option(names = "--id", required = true, paramLabel = "ID", description = "This member's id (one of --members).")
    private int id;

    @Option(names = "--members", required = true, paramLabel = "ID=HOST:PORT,...", converter = MembersOption.class,
        description = "Every member, this one included: id=host:port, comma-separated.")
    private Members members;

    @Option(names = "--data", required = true, paramLabel = "DIR",
        description = "Data directory (created if missing); reuse it to recover after a crash.")
    private Path data;

    @Option(names = "--engine", paramLabel = "raft|chain", defaultValue = "raft",
        description = "Replication engine (default ${DEFAULT-VALUE}).")
    private String engine;

    @Option(names = "--transport", paramLabel = "conduit|aeron", defaultValue = "conduit",
        description = "How members talk to each other: Conduit UDP on the member address (default), or Aeron UDP " +
            "on PORT+10000 with an embedded media driver. Clients always use Conduit UDP on the member address.")
    private String transport;

    @Option(names = "--tick-ms", paramLabel = "MS", defaultValue = "20",
        description = "Raft tick: heartbeat every tick, elections after 10-20 ticks (default ${DEFAULT-VALUE}).")
    private long tickMs;

    @Option(names = "--snapshot-every", paramLabel = "ENTRIES", defaultValue = "10000",
        description = "Snapshot the state and compact the log every ENTRIES applied entries; 0 never " +
            "(default ${DEFAULT-VALUE}).")
    private long snapshotEvery;

    @Option(names = "--craq",
        description = "Chain replication: every member answers reads of keys with no uncommitted update (CRAQ), " +
            "not only the tail.")
    private boolean craq;

    @Option(names = "--control-members", paramLabel = "ID,...",
        description = "Chain replication: these members (ids from --members) run only the control plane, as its " +
            "Raft voters; the others form the chain and learn its configuration as Raft learners. Default: the " +
            "control plane runs on every chain member.")
    private String controlMembers;

    @Override
    int execute(final PrintWriter out) throws CommandFailure, IOException
    {
        final ReplicationEngine replication;
        switch (engine)
        {
            case "raft": replication = ReplicationEngine.RAFT; break;
            case "chain": replication = ReplicationEngine.CHAIN; break;
            default: throw usage("--engine must be raft or chain, was '" + engine + "'");
        }
        if (craq && replication != ReplicationEngine.CHAIN)
        {
            throw usage("--craq applies to --engine chain only");
        }
        final PeerTransport peerTransport;
        switch (transport)
        {
            case "conduit": peerTransport = PeerTransport.CONDUIT; break;
            case "aeron": peerTransport = PeerTransport.AERON; break;
            default: throw usage("--transport must be conduit or aeron, was '" + transport + "'");
        }
        if (!members.contains(id))
        {
            throw usage("--id " + id + " is not one of the --members " + members.addresses().keySet());
        }
        if (tickMs <= 0)
        {
            throw usage("--tick-ms must be positive, was " + tickMs);
        }
        if (snapshotEvery < 0)
        {
            throw usage("--snapshot-every must be >= 0, was " + snapshotEvery);
        }
        final int[] control = controlMembers(replication);
        final NodeSettings settings = new NodeSettings()
            .memberId(id)
            .members(members)
            .dataDirectory(data)
            .transport(peerTransport)
            .tickNs(tickMs * 1_000_000L)
            .engine(replication)
            .craqReads(craq)
            .controlMembers(control)
            .snapshotEveryEntries(snapshotEvery)
            .entriesRetainedBehindSnapshot(Math.min(1_000, snapshotEvery / 10));
        final KvNode node;
        try
        {
            node = KvNode.launch(settings);
        }
        catch (final IllegalArgumentException | IllegalStateException ex)
        {
            throw new CommandFailure(ex.getMessage());
        }
        final CountDownLatch stopped = new CountDownLatch(1);
        final Thread hook = new Thread(() ->
        {
            node.close();
            stopped.countDown();
        }, "conduit-node-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("member " + id + " serving " + HostPort.format(members.address(id)) + " (" + engine +
            ", peers over " + transport + ")");
        out.flush();
        try
        {
            // The node's own thread does the work; this one reports leadership changes until SIGTERM's hook runs.
            int leader = -1;
            long term = -1;
            ChainConfiguration chain = null;
            while (!stopped.await(50, TimeUnit.MILLISECONDS) && node.failure() == null)
            {
                if (node.leader() != leader || node.term() != term)
                {
                    leader = node.leader();
                    term = node.term();
                    out.println("term " + term + " leader " + (leader == 0 ? "unknown" : Integer.toString(leader)));
                    out.flush();
                }
                final ChainConfiguration latest = node.chainConfiguration();
                if (latest != null && !latest.equals(chain))
                {
                    chain = latest;
                    out.println(chainLine(chain));
                    out.flush();
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            node.close();
        }
        final Throwable failure = node.failure();
        node.close();
        return failure == null ? 0 : fail(failure.toString());
    }

    /** Parses and checks {@code --control-members}; empty when not given (the control plane is co-located). */
    private int[] controlMembers(final ReplicationEngine replication)
    {
        if (controlMembers == null)
        {
            return new int[0];
        }
        if (replication != ReplicationEngine.CHAIN)
        {
            throw usage("--control-members applies to --engine chain only");
        }
        final String[] items = controlMembers.split(",", -1);
        final int[] ids = new int[items.length];
        for (int i = 0; i < items.length; i++)
        {
            try
            {
                ids[i] = Integer.parseInt(items[i].trim());
            }
            catch (final NumberFormatException ex)
            {
                throw usage("--control-members takes member ids separated by commas, got '" + controlMembers + "'");
            }
            if (!members.contains(ids[i]))
            {
                throw usage("--control-members: " + ids[i] + " is not one of the --members " +
                    members.addresses().keySet());
            }
            for (int j = 0; j < i; j++)
            {
                if (ids[j] == ids[i])
                {
                    throw usage("--control-members lists " + ids[i] + " twice");
                }
            }
        }
        if (ids.length == members.size())
        {
            throw usage("--control-members names every member: none is left for the chain");
        }
        return ids;
    }

    /** {@code chain EPOCH HEAD,...,TAIL}: the line a chain member prints for each chain it learns of. */
    static String chainLine(final ChainConfiguration chain)
    {
        final StringBuilder line = new StringBuilder("chain ").append(chain.epoch()).append(' ');
        for (int position = 0; position < chain.size(); position++)
        {
            line.append(position == 0 ? "" : ",").append(chain.member(position));
        }
        return line.toString();
    }

    /** Parses {@code 1=host:port,2=host:port}. */
    static final class MembersOption implements ITypeConverter<Members>
    {
        @Override
        public Members convert(final String value)
        {
            final Map<Integer, InetSocketAddress> addresses = new TreeMap<>();
            for (final String item : value.split(","))
            {
                final int equals = item.indexOf('=');
                if (equals <= 0)
                {
                    throw new TypeConversionException("expected ID=HOST:PORT, got '" + item + "'");
                }
                final int memberId;
                try
                {
                    memberId = Integer.parseInt(item.substring(0, equals).trim());
                }
                catch (final NumberFormatException ex)
                {
                    throw new TypeConversionException("member id must be a number in '" + item + "'");
                }
                if (memberId <= 0)
                {
                    throw new TypeConversionException("member ids must be positive: '" + item + "'");
                }
                final InetSocketAddress address = HostPort.parse(item.substring(equals + 1).trim(), false);
                if (addresses.put(memberId, address) != null)
                {
                    throw new TypeConversionException("member " + memberId + " is listed twice");
                }
            }
            return Members.of(addresses);
        }
    }
}
