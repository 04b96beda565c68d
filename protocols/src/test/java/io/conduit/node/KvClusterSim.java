package io.conduit.node;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

import io.conduit.kv.Consistency;
import io.conduit.kv.KvConfig;
import io.conduit.kv.KvOp;
import io.conduit.kv.KvRequestFlyweight;
import io.conduit.kv.KvStateMachine;
import io.conduit.kv.KvStatus;
import io.conduit.linearizability.History;
import io.conduit.raft.MessageType;
import io.conduit.raft.RaftConfig;
import io.conduit.raft.RaftRole;
import io.conduit.raft.SnapshotMetadata;
import io.conduit.raft.codec.RaftMessageCodec;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A cluster of {@link RaftKvReplica}s and {@link SimClient}s on virtual time, all randomness from one seed. Every
 * byte between members and between clients and members goes through a simulated network with loss, delays that
 * reorder, and partitions among members (clients reach every member that is up). Members crash (losing what they
 * had not persisted, possibly in the middle of a Ready) and restart from their storage with a fresh state machine,
 * which the replica restores from the storage's snapshot, if any.
 * <p>
 * After every step: members apply the same entry at every index (via {@link LogOracle}) and no term has two
 * leaders. With compaction ({@link RaftKvReplicaConfig#withSnapshots}), entries are learnt from a member before its
 * storage discards them, and every snapshot a member takes, installs from its leader or restarts from must equal the
 * state the agreed log gives at that index.
 * <p>
 * Every final answer a client receives is checked against the oracle: a write's index holds that client's request,
 * a read's value is the key's value at the index the read reports; sequential reads never report an index below the
 * client's minIndex. Histories go to the linearizability checker at the end of a run.
 * <p>
 * {@link #brokenLinearizableReads(boolean)} makes the cluster wrong on purpose: linearizable gets are served as
 * eventual ones, from whatever the receiving member has applied, to show the checker catches it.
 */
final class KvClusterSim
{
    static final long TICK_NS = 1_000_000L;
    static final int ELECTION_TICKS = 10;
    static final KvConfig KV = new KvConfig(32, 64, 32, 60_000L, 1_000, 1_000_000L);

    private enum Kind
    {
        PEER, REQUEST, RESPONSE
    }

    private record Packet(long deliverNs, long order, Kind kind, int from, int to, long linkId, byte[] bytes)
    {
    }

    private final class Member implements CrashableStorage.Listener
    {
        final int id;
        final CrashableStorage storage = new CrashableStorage();
        RaftKvReplica replica;
        KvStateMachine machine;
        int incarnation;
        long checkedIndex;

        Member(final int id)
        {
            this.id = id;
            storage.listener(this);
        }

        @Override
        public void beforeSnapshot(final long index, final byte[] data)
        {
            learnUpTo(index);
            checkState("took a snapshot", index, data);
            snapshotsTaken++;
        }

        @Override
        public void beforeCompact(final long index)
        {
            learnUpTo(index);
        }

        @Override
        public void beforeInstall(final SnapshotMetadata metadata, final byte[] data)
        {
            // What it applied before the snapshot replaces its log; the state machine is restored only later.
            learnUpTo(machine.appliedIndex());
            checkState("installed a snapshot", metadata.index(), data);
            checkedIndex = Math.max(checkedIndex, metadata.index());
            snapshotsInstalled++;
        }

        void learnUpTo(final long index)
        {
            checkedIndex = oracle.learn(id, storage, checkedIndex + 1, index);
        }

        void checkState(final String what, final long index, final byte[] state)
        {
            if (!Arrays.equals(state, oracle.stateAt(index)))
            {
                throw new AssertionError("member " + id + " " + what + " at " + index + " that differs from the " +
                    "state the agreed log gives there");
            }
        }
    }

    /** Thrown by a member's persist hook to crash it between its writes and their fsync. */
    private static final class SimulatedCrash extends RuntimeException
    {
        SimulatedCrash()
        {
            super("simulated crash before fsync", null, false, false);
        }
    }

    private final long seed;
    private final int size;
    private final int[] voters;
    private final UnaryOperator<RaftConfig> raftTuning;
    private final UnaryOperator<RaftKvReplicaConfig> replicaTuning;
    private final SplittableRandom random;
    private final Member[] members;
    private final int[] group;
    private final PriorityQueue<Packet> inFlight = new PriorityQueue<>((a, b) ->
        a.deliverNs != b.deliverNs ? Long.compare(a.deliverNs, b.deliverNs) : Long.compare(a.order, b.order));
    private final List<SimClient> clients = new ArrayList<>();
    private final History history = new History();
    private final LogOracle oracle = new LogOracle(KV);
    private final Map<Long, Integer> leaderOfTerm = new HashMap<>();
    private final KvRequestFlyweight rewrite = new KvRequestFlyweight();

    private long nowNs;
    private long order;
    private double lossRate;
    private long minDelayNs = TICK_NS / 2;
    private long maxDelayNs = 2 * TICK_NS;
    private double crashBeforePersistRate;
    private boolean brokenLinearizableReads;
    private long snapshotsTaken;
    private long snapshotsInstalled;
    private long restartsFromSnapshot;
    private final Set<Integer> dropResponsesTo = new HashSet<>();
    private final Set<Integer> dropAppendsTo = new HashSet<>();
    private final Set<Integer> dropPeerMessagesTo = new HashSet<>();

    KvClusterSim(final long seed, final int size)
    {
        this(seed, size, UnaryOperator.identity(), UnaryOperator.identity());
    }

    KvClusterSim(final long seed, final int size, final UnaryOperator<RaftConfig> raftTuning,
        final UnaryOperator<RaftKvReplicaConfig> replicaTuning)
    {
        this.seed = seed;
        this.size = size;
        this.raftTuning = raftTuning;
        this.replicaTuning = replicaTuning;
        this.random = new SplittableRandom(seed);
        this.voters = new int[size];
        this.members = new Member[size + 1];
        this.group = new int[size + 1];
        for (int id = 1; id <= size; id++)
        {
            voters[id - 1] = id;
            members[id] = new Member(id);
        }
        for (int id = 1; id <= size; id++)
        {
            start(members[id]);
        }
    }

    // ------------------------------------------------------------------------------------------------ setup

    SimClient addClient(final Consistency consistency, final int keyCount)
    {
        final SimClient client = new SimClient(this, clients.size() + 1, consistency, random.nextLong(), keyCount);
        clients.add(client);
        return client;
    }

    void lossRate(final double rate)
    {
        lossRate = rate;
    }

    void delayNs(final long min, final long max)
    {
        minDelayNs = min;
        maxDelayNs = max;
    }

    void crashBeforePersistRate(final double rate)
    {
        crashBeforePersistRate = rate;
    }

    void brokenLinearizableReads(final boolean broken)
    {
        brokenLinearizableReads = broken;
    }

    /** Loses every response on its way to client {@code number}, as a dead return path would. */
    void dropResponsesTo(final int number, final boolean drop)
    {
        if (drop)
        {
            dropResponsesTo.add(number);
        }
        else
        {
            dropResponsesTo.remove(number);
        }
    }

    /** Loses every AppendEntries to member {@code id} (heartbeats still arrive), so its log falls behind. */
    void dropAppendsTo(final int id, final boolean drop)
    {
        if (drop)
        {
            dropAppendsTo.add(id);
        }
        else
        {
            dropAppendsTo.remove(id);
        }
    }

    /** Loses every peer message to member {@code id} while its own still go out: it hears no answers. */
    void dropPeerMessagesTo(final int id, final boolean drop)
    {
        if (drop)
        {
            dropPeerMessagesTo.add(id);
        }
        else
        {
            dropPeerMessagesTo.remove(id);
        }
    }

    // ------------------------------------------------------------------------------------------------ faults

    void crash(final int id)
    {
        final Member member = members[id];
        if (member.replica != null)
        {
            member.replica = null;
            member.storage.crash();
        }
    }

    void restart(final int id)
    {
        if (members[id].replica == null)
        {
            start(members[id]);
        }
    }

    /** Cuts {@code ids} off from everyone else (they still reach each other). */
    void isolate(final int... ids)
    {
        for (int id = 1; id <= size; id++)
        {
            group[id] = 0;
        }
        for (final int id : ids)
        {
            group[id] = 1;
        }
    }

    void heal()
    {
        for (int id = 1; id <= size; id++)
        {
            group[id] = 0;
        }
    }

    private void start(final Member member)
    {
        member.incarnation++;
        final SplittableRandom memberRandom = new SplittableRandom(seed * 1_000_003L + member.id * 7919L +
            member.incarnation * 104_729L);
        final RaftConfig raft = raftTuning.apply(RaftConfig.defaults(member.id, voters, memberRandom));
        // Small tables: a handful of clients never fills them, and constructing the defaults would dominate a run.
        final RaftKvReplicaConfig config = replicaTuning.apply(RaftKvReplicaConfig.defaults(raft, TICK_NS, KV)
            .withPending(64, 64, 2L * ELECTION_TICKS * TICK_NS));
        final int id = member.id;
        member.machine = new KvStateMachine(KV);
        member.replica = new RaftKvReplica(config, member.storage, () -> persist(member), member.machine,
            (to, buffer, offset, length) -> post(Kind.PEER, id, to, 0, buffer, offset, length),
            (linkId, buffer, offset, length) -> post(Kind.RESPONSE, id, (int)(linkId / 64), linkId, buffer, offset,
                length));
        // Re-check whatever the log still holds (the replica re-applies what follows its snapshot).
        member.checkedIndex = member.storage.firstIndex() - 1;
        if (member.replica.appliedIndex() > 0)
        {
            member.checkState("restarted from a snapshot", member.replica.appliedIndex(),
                LogOracle.snapshotOf(member.machine));
            restartsFromSnapshot++;
        }
        member.replica.onTick(nowNs);
    }

    private void persist(final Member member)
    {
        if (crashBeforePersistRate > 0 && random.nextDouble() < crashBeforePersistRate)
        {
            throw new SimulatedCrash();
        }
        member.storage.persist();
    }

    // ----------------------------------------------------------------------------------------------- network

    void sendRequest(final SimClient client, final int to, final DirectBuffer buffer, final int length)
    {
        post(Kind.REQUEST, client.number(), to, linkId(client, to), buffer, 0, length);
    }

    /** The link a client's requests to a member arrive on; responses on it go back to that client. */
    static long linkId(final SimClient client, final int memberId)
    {
        return client.number() * 64L + memberId;
    }

    private boolean post(final Kind kind, final int from, final int to, final long linkId, final DirectBuffer buffer,
        final int offset, final int length)
    {
        if ((kind == Kind.PEER && (group[from] != group[to] || dropPeerMessagesTo.contains(to) ||
            isDroppedAppend(to, buffer, offset))) ||
            (kind == Kind.RESPONSE && dropResponsesTo.contains(to)) || random.nextDouble() < lossRate)
        {
            return true;
        }
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        final long delayNs = minDelayNs + (maxDelayNs > minDelayNs ? random.nextLong(maxDelayNs - minDelayNs) : 0);
        inFlight.add(new Packet(nowNs + delayNs, order++, kind, from, to, linkId, bytes));
        return true;
    }

    private boolean isDroppedAppend(final int to, final DirectBuffer buffer, final int offset)
    {
        return dropAppendsTo.contains(to) && (buffer.getByte(offset + RaftMessageCodec.TYPE_OFFSET) & 0xFF) ==
            RaftMessageCodec.typeCode(MessageType.APPEND);
    }

    private void deliver(final Packet packet)
    {
        if (packet.kind == Kind.RESPONSE)
        {
            clients.get(packet.to - 1).onResponse(nowNs, packet.from, packet.bytes);
            return;
        }
        final RaftKvReplica replica = members[packet.to].replica;
        if (replica == null)
        {
            return;
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(packet.bytes);
        if (packet.kind == Kind.PEER)
        {
            if (group[packet.from] == group[packet.to])
            {
                replica.onPeerMessage(nowNs, buffer, 0, packet.bytes.length);
            }
            return;
        }
        if (brokenLinearizableReads)
        {
            serveLinearizableAsEventual(buffer, packet.bytes.length);
        }
        replica.onClientRequest(nowNs, packet.linkId, buffer, 0, packet.bytes.length);
    }

    private void serveLinearizableAsEventual(final UnsafeBuffer buffer, final int length)
    {
        rewrite.wrap(buffer, 0, length);
        if (rewrite.validate(KV) > 0 && rewrite.op() == KvOp.GET && rewrite.consistency() == Consistency.LINEARIZABLE)
        {
            buffer.putByte(KvRequestFlyweight.CONSISTENCY_OFFSET, (byte)Consistency.EVENTUAL.code());
        }
    }

    // ------------------------------------------------------------------------------------------------- steps

    /** One tick of virtual time: deliveries due, clients, then every member ticks and processes. */
    void step()
    {
        nowNs += TICK_NS;
        while (!inFlight.isEmpty() && inFlight.peek().deliverNs - nowNs <= 0)
        {
            deliver(inFlight.poll());
        }
        for (final SimClient client : clients)
        {
            client.onTick(nowNs);
        }
        for (int id = 1; id <= size; id++)
        {
            processMember(members[id]);
        }
        checkLeaders();
    }

    void run(final int ticks)
    {
        for (int i = 0; i < ticks; i++)
        {
            step();
        }
    }

    /** Steps until {@code condition} holds; fails after {@code maxTicks}. */
    void runUntil(final String what, final BooleanSupplier condition, final int maxTicks)
    {
        for (int i = 0; i < maxTicks; i++)
        {
            if (condition.getAsBoolean())
            {
                return;
            }
            step();
        }
        if (!condition.getAsBoolean())
        {
            throw new AssertionError("not reached within " + maxTicks + " ticks: " + what + "\n" + this);
        }
    }

    private void processMember(final Member member)
    {
        if (member.replica == null)
        {
            return;
        }
        try
        {
            member.replica.onTick(nowNs);
            for (int i = 0; i < 16 && member.replica.process(nowNs) > 0; i++)
            {
                // Drain: advancing a Ready can produce the next (a leader's commit after its own fsync).
            }
        }
        catch (final SimulatedCrash crash)
        {
            crash(member.id);
            return;
        }
        member.checkedIndex = oracle.learn(member.id, member.storage, member.checkedIndex + 1,
            member.replica.appliedIndex());
    }

    private void checkLeaders()
    {
        for (int id = 1; id <= size; id++)
        {
            final RaftKvReplica replica = members[id].replica;
            if (replica != null && replica.role() == RaftRole.LEADER)
            {
                final Integer previous = leaderOfTerm.putIfAbsent(replica.term(), id);
                if (previous != null && previous != id)
                {
                    throw new AssertionError("two leaders in term " + replica.term() + ": " + previous + " and " + id);
                }
            }
        }
    }

    /** The member that leads in the highest term among members that are up, or 0. */
    int leader()
    {
        int leader = 0;
        long term = -1;
        for (int id = 1; id <= size; id++)
        {
            final RaftKvReplica replica = members[id].replica;
            if (replica != null && replica.role() == RaftRole.LEADER && replica.term() > term)
            {
                leader = id;
                term = replica.term();
            }
        }
        return leader;
    }

    int awaitLeader(final int maxTicks)
    {
        runUntil("a leader", () -> leader() != 0, maxTicks);
        return leader();
    }

    // ----------------------------------------------------------------------------------------------- checks

    /** Called by a client for every final answer before it records it. */
    void checkAnswer(final SimClient client, final int replica, final KvStatus status, final long index,
        final String value)
    {
        final String where = "client " + client.number() + " seq " + client.sequence() + " " +
            client.operation().op() + " " + client.key() + " answered " + status + "@" + index + " by member " +
            replica;
        if (!client.isReadOnly())
        {
            if (!oracle.isRequestAt(index, client.clientId(), client.sequence()))
            {
                throw new AssertionError(where + ", but the entry at that index is not this request");
            }
            return;
        }
        final String truth = oracle.valueAt(client.key(), index);
        if (!Objects.equals(truth, value))
        {
            throw new AssertionError(where + " with " + value + ", but the value at that index is " + truth);
        }
        if (client.consistency() == Consistency.SEQUENTIAL && index < client.minIndexSent())
        {
            throw new AssertionError(where + ": back in time, below the client's minIndex " + client.minIndexSent());
        }
    }

    // ---------------------------------------------------------------------------------------------- queries

    long nowNs()
    {
        return nowNs;
    }

    int size()
    {
        return size;
    }

    KvConfig kvConfig()
    {
        return KV;
    }

    /** Snapshots members wrote to storage, over every incarnation. */
    long snapshotsTaken()
    {
        return snapshotsTaken;
    }

    /** Snapshots members installed from a leader, over every incarnation. */
    long snapshotsInstalled()
    {
        return snapshotsInstalled;
    }

    /** Member starts that restored the state machine from a snapshot in storage. */
    long restartsFromSnapshot()
    {
        return restartsFromSnapshot;
    }

    History history()
    {
        return history;
    }

    LogOracle oracle()
    {
        return oracle;
    }

    List<SimClient> clients()
    {
        return clients;
    }

    boolean isUp(final int id)
    {
        return members[id].replica != null;
    }

    /** The first log index member {@code id}'s storage holds: above 1 once it compacted or installed a snapshot. */
    long firstIndex(final int id)
    {
        return members[id].storage.firstIndex();
    }

    RaftKvReplica replica(final int id)
    {
        return members[id].replica;
    }

    @Override
    public String toString()
    {
        final StringBuilder text = new StringBuilder("KvClusterSim{seed=" + seed + " now=" + nowNs / TICK_NS +
            " ticks, oracle applied=" + oracle.appliedIndex() + "}");
        for (int id = 1; id <= size; id++)
        {
            text.append("\n  ").append(id).append(" group ").append(group[id]).append(": ")
                .append(members[id].replica == null ? "down" : members[id].replica.toString());
        }
        return text.toString();
    }
}
