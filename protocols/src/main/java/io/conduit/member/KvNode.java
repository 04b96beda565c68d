package io.conduit.member;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.status.AtomicCounter;

import io.conduit.chain.ChainConfiguration;
import io.conduit.chain.ChainOptions;
import io.conduit.chain.control.ChainControlConfig;
import io.conduit.chain.control.ChainControlMember;
import io.conduit.chain.control.ChainMember;
import io.conduit.chain.control.ChainMemberConfig;
import io.conduit.chain.control.ChainReplicaFactory;
import io.conduit.clock.system.SystemMonotonicClock;
import io.conduit.kv.KvConfig;
import io.conduit.kv.KvStateMachine;
import io.conduit.messaging.Members;
import io.conduit.messaging.Messaging;
import io.conduit.messaging.aeron.AeronMessaging;
import io.conduit.messaging.aeron.AeronMessagingContext;
import io.conduit.messaging.conduit.ConduitMessaging;
import io.conduit.messaging.conduit.ConduitMessagingConfig;
import io.conduit.messaging.conduit.UdpDatagramPort;
import io.conduit.node.MemberEngine;
import io.conduit.node.RaftKvReplica;
import io.conduit.node.RaftKvReplicaConfig;
import io.conduit.raft.RaftConfig;
import io.conduit.raft.storage.DurableRaftStorage;
import io.conduit.raft.storage.SegmentedLogConfig;

/**
 * A running member of the replicated key-value store, on the Raft engine or on chain replication: its durable storage (recovered on start),
 * its peer and client bindings, and the thread that runs {@link MemberAgent}. {@link #close()} is the graceful
 * stop (SIGTERM): the agent finishes its duty cycle, the bindings close (peers see the member leave) and the storage
 * is closed after its last fsync. A crash (SIGKILL) loses nothing that was acknowledged: every acknowledgement waits
 * for the fsync that makes it durable, and a restart with the same data directory recovers the log and hard state.
 */
public final class KvNode implements AutoCloseable
{
    private final NodeSettings settings;
    private final DurableRaftStorage storage;
    private final Messaging peers;
    private final ConduitMessaging clients;
    private final MemberAgent agent;
    private final AgentRunner runner;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Throwable failure;

    private KvNode(final NodeSettings settings, final DurableRaftStorage storage, final Messaging peers,
        final ConduitMessaging clients, final MemberAgent agent)
    {
        this.settings = settings;
        this.storage = storage;
        this.peers = peers;
        this.clients = clients;
        this.agent = agent;
        final ErrorHandler onError = (throwable) ->
        {
            // An engine invariant or an fsync failure: stop serving rather than risk acknowledging lost data.
            if (failure != null)
            {
                return;
            }
            final Throwable cause = throwable.getCause() != null ? throwable.getCause() : throwable;
            failure = cause;
            System.err.println("conduit node " + settings.memberId() + ": stopping: " + cause);
        };
        this.runner = new AgentRunner(settings.idleStrategy(), onError, (AtomicCounter)null, agent);
    }

    /**
     * Recovers the storage in the data directory, binds the member's address and starts the agent thread.
     *
     * @throws IOException when the data directory or the socket cannot be opened; the message says which.
     */
    public static KvNode launch(final NodeSettings settings) throws IOException
    {
        settings.validate();
        final int memberId = settings.memberId();
        final int[] memberIds = settings.memberIds();
        final int[] voters = settings.voters();
        DurableRaftStorage storage = null;
        Messaging peers = null;
        ConduitMessaging clients = null;
        try
        {
            storage = DurableRaftStorage.open(settings.dataDirectory(), SegmentedLogConfig.defaults());
            final SecureRandom seedSource = new SecureRandom();
            final ConduitMessagingConfig clientConfig = new ConduitMessagingConfig()
                .maxClientLinks(settings.maxClientLinks());
            if (settings.transport() == PeerTransport.CONDUIT)
            {
                clients = conduitBinding(settings.members(), memberId, memberIds, clientConfig, seedSource);
                peers = clients;
            }
            else
            {
                final Members self = Members.of(java.util.Map.of(memberId, settings.members().address(memberId)));
                clients = conduitBinding(self, memberId, new int[] {memberId}, clientConfig, seedSource);
                peers = new AeronMessaging(new AeronMessagingContext()
                    .members(settings.aeronMembers())
                    .localMemberId(memberId)
                    .termLength(NodeSettings.DEFAULT_AERON_TERM_LENGTH));
            }
            final MemberAgent agent = new MemberAgent(memberId, SystemMonotonicClock.INSTANCE, peers, clients,
                settings.localClients(), settings.localRingBytes());
            agent.busyCyclePauseNs(settings.busyCyclePauseNs());
            final RaftConfig raftConfig = RaftConfig.defaults(memberId, voters,
                new SplittableRandom(seedSource.nextLong()))
                .withBatching(64, 256, Math.min(1 << 20, peers.maxMessageLength() / 2));
            final DurableRaftStorage durable = storage;
            final Runnable persist = settings.fsync() ? durable::persist : () -> { };
            agent.engine(settings.engine() == ReplicationEngine.RAFT ?
                raftEngine(settings, raftConfig, storage, persist, agent, peers) :
                chainEngine(settings, raftConfig, storage, persist, agent));
            final KvNode node = new KvNode(settings, storage, peers, clients, agent);
            AgentRunner.startOnThread(node.runner);
            return node;
        }
        catch (final IOException | RuntimeException ex)
        {
            CloseHelper.quietCloseAll(peers == clients ? null : peers, clients, storage);
            throw ex;
        }
    }

    private static MemberEngine raftEngine(final NodeSettings settings, final RaftConfig raftConfig,
        final DurableRaftStorage storage, final Runnable persist, final MemberAgent agent, final Messaging peers)
    {
        final RaftKvReplica replica = new RaftKvReplica(
            RaftKvReplicaConfig.defaults(raftConfig, settings.tickNs(), KvConfig.DEFAULT)
                .withSnapshots(settings.snapshotEveryEntries(), settings.entriesRetainedBehindSnapshot()),
            storage, persist, new KvStateMachine(KvConfig.DEFAULT), agent.peerOutbox(), agent.clientOutbox());
        if (replica.maxPeerMessageLength() > peers.maxMessageLength())
        {
            throw new IllegalStateException("Raft messages of up to " + replica.maxPeerMessageLength() +
                " bytes do not fit the peer binding's " + peers.maxMessageLength() + "-byte messages");
        }
        return replica;
    }

    /**
     * Chain replication: the data path is in memory (a restarted member rejoins as the tail after a state transfer),
     * the configuration manager's Raft log is the durable storage in the data directory. With a separate control
     * plane, a control member runs only the configuration manager (a voter) and a chain member is a Raft learner.
     */
    private static MemberEngine chainEngine(final NodeSettings settings, final RaftConfig raftConfig,
        final DurableRaftStorage storage, final Runnable persist, final MemberAgent agent)
    {
        final ChainControlConfig control = ChainControlConfig.defaults(raftConfig, settings.tickNs(),
            settings.chainMembers());
        if (settings.isControlMember())
        {
            return new ChainControlMember(control, KvConfig.DEFAULT, storage, persist, agent.peerOutbox(),
                agent.clientOutbox());
        }
        final ChainOptions defaults = ChainOptions.DEFAULT;
        final ChainOptions options = new ChainOptions(settings.craqReads(), defaults.windowLength(),
            defaults.maxBatchUpdates(), defaults.maxBatchBytes(), defaults.snapshotChunkBytes(),
            defaults.maxSnapshotBytes(), defaults.maxPendingReads());
        final ChainMemberConfig config = new ChainMemberConfig(control, options, KvConfig.DEFAULT);
        return new ChainMember(config, storage, persist, ChainReplicaFactory.kv(KvConfig.DEFAULT), agent.peerOutbox(),
            agent.clientOutbox());
    }

    private static ConduitMessaging conduitBinding(final Members members, final int memberId, final int[] memberIds,
        final ConduitMessagingConfig config, final SecureRandom seedSource) throws IOException
    {
        final UdpDatagramPort port = new UdpDatagramPort(members, memberId);
        return new ConduitMessaging(memberId, memberIds, config, port, SystemMonotonicClock.INSTANCE::nanoTime,
            new SplittableRandom(seedSource.nextLong()));
    }

    /** A new in-process client of this member (lock-free rings to its agent). */
    public LocalKvClient newLocalClient()
    {
        return agent.localClients().register();
    }

    /** The leader this member knows of, 0 for none; any thread (published by the agent on change). */
    public int leader()
    {
        return agent.observedLeader();
    }

    /** The member's current term as last published; any thread. */
    public long term()
    {
        return agent.observedTerm();
    }

    /**
     * Chain replication only: the chain order this member last knew, head first, with its epoch (an immutable
     * snapshot, so epoch and order never tear); null for Raft or before any chain is known; any thread.
     */
    public ChainConfiguration chainConfiguration()
    {
        return agent.observedChain();
    }

    /**
     * Diagnostic only: makes this member a slow replica from now on — its agent pauses {@code pauseNs} after every
     * duty cycle that did work (0 restores full speed). For benchmarks comparing how engines tolerate one.
     */
    public void slowDown(final long pauseNs)
    {
        if (pauseNs < 0)
        {
            throw new IllegalArgumentException("pauseNs must be >= 0: " + pauseNs);
        }
        agent.busyCyclePauseNs(pauseNs);
    }

    /** The failure that stopped the agent, or null while it runs. */
    public Throwable failure()
    {
        return failure;
    }

    public NodeSettings settings()
    {
        return settings;
    }

    /** Graceful stop: the agent thread ends, bindings close, the storage closes after its last sync. */
    @Override
    public void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        CloseHelper.quietClose(runner);
        CloseHelper.quietCloseAll(peers == clients ? null : peers, clients);
        CloseHelper.quietClose(storage);
    }

    @Override
    public String toString()
    {
        return "KvNode{member=" + settings.memberId() + " members=" + settings.members() + " transport=" +
            settings.transport() + " voters=" + Arrays.toString(settings.voters()) +
            '}';
    }
}
