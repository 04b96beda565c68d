package io.conduit.chain.control;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

import io.conduit.chain.ChainConfiguration;
import io.conduit.chain.ChainOptions;
import io.conduit.chain.ChainReplica;
import io.conduit.failure.DetectorKind;
import io.conduit.failure.FailureDetectorConfig;
import io.conduit.failure.FixedTimeoutConfig;
import io.conduit.failure.PhiAccrualConfig;
import io.conduit.kv.KvCommandFlyweight;
import io.conduit.kv.KvConfig;
import io.conduit.kv.KvStateMachine;
import io.conduit.kv.ReplicatedStateMachine;
import io.conduit.kv.SnapshotSink;
import io.conduit.linearizability.History;
import io.conduit.node.MemberEngine;
import io.conduit.raft.MemoryRaftStorage;
import io.conduit.raft.RaftConfig;
import io.conduit.raft.RaftRole;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@link ChainMember}s 1..N on virtual time (steps of {@value #MS} ns), a network, session clients, crashes, restarts
 * and partitions, all deterministic from one seed. Nothing stands in for the configuration manager: the members'
 * own control planes elect a Raft leader, detect failures, remove and add members and grant read leases.
 *
 * <p>The network: one link per pair of members, FIFO and lossless while up (what the messaging bindings promise);
 * a crash or a cut link drops what is in flight on it (messages a crashed member had sent may still arrive, by the
 * seed) and each end hears LINK_DOWN after a delay, and LINK_UP when the link returns. Client links are FIFO and
 * lossless; requests to a crashed member vanish. Raft storage survives a crash (it is the durable part); the chain
 * replica does not, so a restarted member rejoins as the tail.
 *
 * <p>Every step: deliveries, clients, each live member's duty cycle ({@code onTick}, {@code process}), then the
 * invariants: the replicas holding a place in the latest committed configuration agree on the content at
 * every sequence number they applied; each holds no more than its predecessor there (the prefix property); an
 * in-sync tail's committed sequence never goes below the highest committed so far; an acknowledged write is
 * committed when acknowledged, is the client's request at that sequence, and is held by every in-sync placed
 * replica; no replica reports a protocol violation. (The control state machine throws if a configuration it issues
 * does not follow the last, which would fail the run.)
 */
final class ChainControlSim
{
    static final long MS = 1_000_000L;
    static final KvConfig KV_CONFIG = new KvConfig(64, 256, 64, 60_000, 1_000, 1_000_000);

    private enum Kind
    {
        PEER, REQUEST, RESPONSE, LINK_UP, LINK_DOWN
    }

    private record Packet(long deliverAtNs, long order, Kind kind, int from, int to, int toProcess, byte[] bytes)
    {
    }

    /**
     * One run of a member: a crash ends it, a restart starts a new one over the same Raft storage. A chain member runs
     * a {@link ChainMember}; a control-only member (separate control plane) a {@link ChainControlMember}.
     */
    private final class Process
    {
        final int id;
        final int number;
        ChainMember member;
        ChainControlMember controlMember;
        Track track;

        Process(final int id, final int number)
        {
            this.id = id;
            this.number = number;
        }

        MemberEngine engine()
        {
            return member != null ? member : controlMember;
        }

        ChainControlPlane control()
        {
            return member != null ? member.control() : controlMember.control();
        }
    }

    /** A replica's state machine, registering what it applies while its replica holds a place in the chain. */
    private final class Track implements ReplicatedStateMachine
    {
        final Process process;
        final KvStateMachine machine = new KvStateMachine(KV_CONFIG);
        ChainReplica replica;
        long registeredFrom = 1;
        long registeredTo;
        boolean registered;

        Track(final Process process)
        {
            this.process = process;
        }

        @Override
        public int apply(
            final long index, final long term, final DirectBuffer command, final int offset, final int length,
            final MutableDirectBuffer out, final int outOffset)
        {
            register(this, index, term, command, offset, length);
            return machine.apply(index, term, command, offset, length, out, outOffset);
        }

        @Override
        public long appliedIndex()
        {
            return machine.appliedIndex();
        }

        @Override
        public long appliedTerm()
        {
            return machine.appliedTerm();
        }

        @Override
        public long snapshotLength()
        {
            return machine.snapshotLength();
        }

        @Override
        public void writeSnapshot(final SnapshotSink sink)
        {
            machine.writeSnapshot(sink);
        }

        @Override
        public int restoreSnapshot(final DirectBuffer snapshot, final int offset, final int length)
        {
            final int result = machine.restoreSnapshot(snapshot, offset, length);
            if (result == 0)
            {
                unregister(this);
                registeredFrom = machine.appliedIndex() + 1;
                registeredTo = machine.appliedIndex();
            }
            return result;
        }
    }

    /** What placed replicas applied at a sequence number, and how many hold it. */
    private static final class Registered
    {
        final long term;
        final byte[] command;
        int holders;

        Registered(final long term, final byte[] command)
        {
            this.term = term;
            this.command = command;
        }
    }

    private final long seed;
    private final SplittableRandom random;
    private final int size;
    /** Control-only members, ids {@code size + 1 .. size + controlMembers}; 0 when co-located. */
    private final int controlMembers;
    private final int nodes;
    private final ChainOptions options;
    private final boolean deliverFromCrashed;
    private final boolean refuseOnDeadLinks;
    private final boolean phiDetector;
    private final long snapshotEvery;
    private final long leaseMs;
    private final MemoryRaftStorage[] storages;
    private final Process[] processes;
    private final int[] processNumbers;
    private final boolean[][] cut;
    private final PriorityQueue<Packet> network = new PriorityQueue<>(
        (a, b) -> a.deliverAtNs != b.deliverAtNs ? Long.compare(a.deliverAtNs, b.deliverAtNs) :
            Long.compare(a.order, b.order));
    /** Per channel (peer, link events, client requests, responses), sender and receiver: the last delivery time. */
    private final long[][][] lastDeliveryNs;
    private final List<SimKvClient> clients = new ArrayList<>();
    private final History history = new History();
    private final UnsafeBuffer deliveryView = new UnsafeBuffer(new byte[0]);
    private final KvCommandFlyweight commandView = new KvCommandFlyweight();
    private final StringBuilder log = new StringBuilder();
    private Registered[] registry = new Registered[1024];

    private long nowNs;
    private long order;
    private int maxDelayMs = 3;
    private ChainConfiguration latest;
    private long[] latestIncarnations;
    private long committedHighWater;
    private long highestAcknowledged;
    private int crashes;
    private int restarts;
    private int partitions;
    private long configurationChanges;
    /** Peer messages sent, by plane tag (one byte, so 256 slots). */
    private final long[] peerMessagesByTag = new long[256];
    private final long[] retired = new long[Totals.values().length];

    /** What a run exercised, summed over every process. */
    enum Totals
    {
        REPLICAS_RETIRED, READS_WITHOUT_LEASE, FAILURE_REPORTS, LEASE_GRANTS, CONTROL_SNAPSHOTS_INSTALLED,
        CHAIN_SNAPSHOTS_INSTALLED, STALE_EPOCH_MESSAGES, READ_QUERIES
    }

    ChainControlSim(final long seed, final int size, final ChainOptions options)
    {
        this(seed, size, 0, options);
    }

    /**
     * @param size           chain members, ids 1..size.
     * @param controlMembers 0 for a control plane co-located on the chain members (each a Raft voter); otherwise
     *                       that many control-only voters, ids {@code size + 1 ..}, with the chain members as learners.
     */
    ChainControlSim(final long seed, final int size, final int controlMembers, final ChainOptions options)
    {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.size = size;
        this.controlMembers = controlMembers;
        this.nodes = size + controlMembers;
        this.options = options;
        this.deliverFromCrashed = random.nextBoolean();
        this.refuseOnDeadLinks = random.nextBoolean();
        this.phiDetector = random.nextBoolean();
        this.snapshotEvery = random.nextBoolean() ? 4 + random.nextInt(8) : 0;
        // Leases shorter and longer than detection: with a long one, a member removed for seeming dead still holds
        // it when the removal commits, and only the adoption wait keeps the new chain from moving past its reads.
        this.leaseMs = new long[]{60, 100, 250}[random.nextInt(3)];
        this.storages = new MemoryRaftStorage[nodes + 1];
        this.processes = new Process[nodes + 1];
        this.processNumbers = new int[nodes + 1];
        this.cut = new boolean[nodes + 1][nodes + 1];
        this.lastDeliveryNs = new long[4][nodes + 64][nodes + 64];
        this.latestIncarnations = new long[size + 1];
        for (int id = 1; id <= nodes; id++)
        {
            storages[id] = new MemoryRaftStorage();
        }
        for (int id = 1; id <= nodes; id++)
        {
            start(id);
        }
    }

    // ------------------------------------------------------------------------------------------ setup

    private ChainMemberConfig config(final int id)
    {
        final int[] members = new int[size];
        for (int i = 0; i < size; i++)
        {
            members[i] = i + 1;
        }
        final int[] voters = controlMembers == 0 ? members : new int[controlMembers];
        for (int i = 0; i < controlMembers; i++)
        {
            voters[i] = size + 1 + i;
        }
        // Raft ticks of 5 ms: elections after 60-120 ms, heartbeats every 20 ms; links take 1-3 ms.
        final RaftConfig raft = new RaftConfig(id, voters, 12, 4, true, true, 16, 16, 4096,
            new SplittableRandom(random.nextLong())).withSnapshotTransfer(snapshotEvery == 0 ? 4096 : 64, 2,
            1 << 20);
        // The production defaults scaled down five times: heartbeats every 20 ms, detection in about 100 ms.
        final FailureDetectorConfig detector = new FailureDetectorConfig().intervalNs(20 * MS);
        if (phiDetector)
        {
            detector.detectorKind(DetectorKind.PHI).phiAccrual(new PhiAccrualConfig().minStdDevNs(10 * MS)
                .acceptableHeartbeatPauseNs(40 * MS).firstHeartbeatEstimateNs(20 * MS).maxSampleSize(100));
        }
        else
        {
            detector.detectorKind(DetectorKind.FIXED).fixedTimeout(new FixedTimeoutConfig().timeoutNs(100 * MS));
        }
        final ChainControlConfig control = ChainControlConfig.defaults(raft, 5 * MS, members)
            .withDetector(detector).withLeases(leaseMs * MS, 20 * MS, (leaseMs + leaseMs / 10) * MS)
            .withRequestRetryNs(40 * MS)
            .withSnapshots(snapshotEvery, 2);
        return new ChainMemberConfig(control, options, KV_CONFIG);
    }

    private void start(final int id)
    {
        final Process process = new Process(id, ++processNumbers[id]);
        processes[id] = process;
        if (id > size)
        {
            process.controlMember = new ChainControlMember(config(id).control(), KV_CONFIG, storages[id], () ->
            {
            }, (to, buffer, offset, length) -> sendPeer(id, to, buffer, offset, length),
                (link, buffer, offset, length) -> sendResponse(id, (int)link, buffer, offset, length));
            return;
        }
        process.member = new ChainMember(config(id), storages[id], () ->
        {
        }, (memberId, replicaOptions) ->
        {
            final Track track = new Track(process);
            if (process.track != null)
            {
                unregister(process.track);
            }
            process.track = track;
            track.replica = new ChainReplica(memberId, KV_CONFIG, track,
                (request, out, offset) -> track.machine.read(request, 0, out, offset), replicaOptions);
            return track.replica;
        }, (to, buffer, offset, length) -> sendPeer(id, to, buffer, offset, length),
            (link, buffer, offset, length) -> sendResponse(id, (int)link, buffer, offset, length));
    }

    void maxDelayMs(final int ms)
    {
        maxDelayMs = ms;
    }

    SimKvClient addClient(final long giveUpNs)
    {
        final SimKvClient client = new SimKvClient(this, clients.size() + 1, size, random.split(), giveUpNs);
        clients.add(client);
        return client;
    }

    // ------------------------------------------------------------------------------------------ state

    long nowNs()
    {
        return nowNs;
    }

    int size()
    {
        return size;
    }

    /** Chain members plus control-only members: ids 1..nodes(). */
    int nodes()
    {
        return nodes;
    }

    /** The control-only members' ids (none when the control plane is co-located). */
    int[] controlMembers()
    {
        final int[] ids = new int[controlMembers];
        for (int i = 0; i < controlMembers; i++)
        {
            ids[i] = size + 1 + i;
        }
        return ids;
    }

    private boolean isVoter(final int id)
    {
        return controlMembers == 0 ? id <= size : id > size;
    }

    History history()
    {
        return history;
    }

    List<SimKvClient> clients()
    {
        return clients;
    }

    /** The newest configuration any member has applied (committed by the control plane). */
    ChainConfiguration latest()
    {
        return latest;
    }

    boolean isUp(final int id)
    {
        return processes[id] != null;
    }

    ChainMember member(final int id)
    {
        return processes[id] == null ? null : processes[id].member;
    }

    /** The control plane of member {@code id} (a chain member's or a control-only member's), null while down. */
    ChainControlPlane control(final int id)
    {
        return processes[id] == null ? null : processes[id].control();
    }

    KvStateMachine machine(final int id)
    {
        return processes[id] == null ? null : processes[id].track.machine;
    }

    /** The Raft leader with the highest term among live members, or 0. */
    int controlLeader()
    {
        int leader = 0;
        long term = -1;
        for (int id = 1; id <= nodes; id++)
        {
            final ChainControlPlane control = control(id);
            if (control != null && control.role() == RaftRole.LEADER && control.term() > term)
            {
                leader = id;
                term = control.term();
            }
        }
        return leader;
    }

    /** Raft voters up: chain members when co-located, control-only members otherwise. */
    int votersUp()
    {
        int count = 0;
        for (int id = 1; id <= nodes; id++)
        {
            count += processes[id] != null && isVoter(id) ? 1 : 0;
        }
        return count;
    }

    private int voterCount()
    {
        return controlMembers == 0 ? size : controlMembers;
    }

    int crashes()
    {
        return crashes;
    }

    int restarts()
    {
        return restarts;
    }

    int partitions()
    {
        return partitions;
    }

    /** Peer messages handed to the network so far with plane tag {@code tag} (see {@link PlaneTag}). */
    long peerMessages(final byte tag)
    {
        return peerMessagesByTag[tag & 0xFF];
    }

    long configurationChanges()
    {
        return configurationChanges;
    }

    long committedHighWater()
    {
        return committedHighWater;
    }

    /** Totals of the counters behind {@code what}, over every process so far. */
    long total(final Totals what)
    {
        final long[] totals = retired.clone();
        for (int id = 1; id <= nodes; id++)
        {
            if (processes[id] != null)
            {
                addCounters(processes[id], totals);
            }
        }
        return totals[what.ordinal()];
    }

    private static void addCounters(final Process process, final long[] totals)
    {
        final ChainControlPlane control = process.control();
        totals[Totals.FAILURE_REPORTS.ordinal()] += control.failureReports();
        totals[Totals.LEASE_GRANTS.ordinal()] += control.leaseGrants();
        totals[Totals.CONTROL_SNAPSHOTS_INSTALLED.ordinal()] += control.snapshotsInstalled();
        final ChainMember member = process.member;
        if (member == null)
        {
            return;
        }
        totals[Totals.REPLICAS_RETIRED.ordinal()] += member.replicasRetired();
        totals[Totals.READS_WITHOUT_LEASE.ordinal()] += member.readsWithoutLease();
        totals[Totals.CHAIN_SNAPSHOTS_INSTALLED.ordinal()] += member.replica().snapshotsInstalled();
        totals[Totals.STALE_EPOCH_MESSAGES.ordinal()] += member.replica().staleEpochMessages();
        totals[Totals.READ_QUERIES.ordinal()] += member.replica().readQueries();
    }

    /** Whether {@code id}'s current replica holds its place in the latest configuration. */
    boolean isPlaced(final int id)
    {
        final Process process = processes[id];
        return process != null && latest != null && latest.contains(id) &&
            latestIncarnations[id] == process.member.incarnation();
    }

    /** Placed and holding every committed update. */
    boolean isInSync(final int id)
    {
        return isPlaced(id) && processes[id].member.replica().isSynced() &&
            processes[id].member.replica().role().isMember();
    }

    private boolean connectedInSyncBesides(final int id)
    {
        for (int other = 1; other <= size; other++)
        {
            if (other != id && isInSync(other) && !hasCutLink(other))
            {
                return true;
            }
        }
        return false;
    }

    private boolean hasCutLink(final int id)
    {
        for (int peer = 1; peer <= nodes; peer++)
        {
            if (cut[id][peer])
            {
                return true;
            }
        }
        return false;
    }

    int inSyncCount()
    {
        int count = 0;
        for (int id = 1; id <= size; id++)
        {
            count += isInSync(id) ? 1 : 0;
        }
        return count;
    }

    /** Every member up, placed, on the latest epoch, in sync, and known synced by the control state. */
    boolean isSettled()
    {
        if (latest == null || latest.size() != size)
        {
            return false;
        }
        for (int id = 1; id <= size; id++)
        {
            if (!isInSync(id) || processes[id].member.replica().epoch() != latest.epoch() ||
                !processes[id].member.control().state().isSynced(id))
            {
                return false;
            }
        }
        return true;
    }

    /** Settled, no chain message in flight, and every replica holds and knows committed the same updates. */
    boolean isQuiescent()
    {
        if (!isSettled() || network.stream().anyMatch(p -> p.kind == Kind.PEER && p.bytes[0] == PlaneTag.CHAIN))
        {
            return false;
        }
        final long last = member(latest.head()).replica().lastSequence();
        for (int id = 1; id <= size; id++)
        {
            final ChainReplica replica = member(id).replica();
            if (replica.lastSequence() != last || replica.committedSequence() != last)
            {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------ faults

    /**
     * Crashes {@code id} if a majority of members stays up (the control plane needs it) and an in-sync placed
     * replica with no cut link stays up elsewhere: it holds every committed update, and cannot be removed for seeming
     * dead. (Crashing the last in-sync replica, or all those the control plane can hear, loses the chain's state,
     * which no chain survives.)
     *
     * @return whether it crashed.
     */
    boolean crash(final int id)
    {
        final Process process = processes[id];
        if (process == null || isVoter(id) && votersUp() - 1 < voterCount() / 2 + 1 ||
            id <= size && !connectedInSyncBesides(id))
        {
            return false;
        }
        note("crash " + process.engine());
        addCounters(process, retired);
        unregister(process.track);
        processes[id] = null;
        network.removeIf(p -> p.to == id && p.kind != Kind.RESPONSE && p.kind != Kind.REQUEST ||
            !deliverFromCrashed && p.from == id && (p.kind == Kind.PEER || p.kind == Kind.RESPONSE));
        for (int peer = 1; peer <= nodes; peer++)
        {
            if (peer != id && processes[peer] != null && !cut[id][peer])
            {
                linkEvent(Kind.LINK_DOWN, id, peer);
            }
        }
        crashes++;
        return true;
    }

    /** Starts a crashed member again over its Raft storage, with a fresh replica. */
    boolean restart(final int id)
    {
        if (processes[id] != null)
        {
            return false;
        }
        start(id);
        note("restart " + id);
        for (int peer = 1; peer <= nodes; peer++)
        {
            if (peer != id && processes[peer] != null && !cut[id][peer])
            {
                linkEvent(Kind.LINK_UP, id, peer);
                linkEvent(Kind.LINK_UP, peer, id);
            }
        }
        restarts++;
        return true;
    }

    /** Cuts the link between {@code a} and {@code b}: what is in flight is lost, both ends hear LINK_DOWN. */
    void cut(final int a, final int b)
    {
        if (a == b || cut[a][b])
        {
            return;
        }
        note("cut " + a + "-" + b);
        cut[a][b] = true;
        cut[b][a] = true;
        network.removeIf(p -> p.kind == Kind.PEER && (p.from == a && p.to == b || p.from == b && p.to == a));
        if (processes[a] != null && processes[b] != null)
        {
            linkEvent(Kind.LINK_DOWN, a, b);
            linkEvent(Kind.LINK_DOWN, b, a);
        }
        partitions++;
    }

    /** Restores the link between {@code a} and {@code b}; both ends hear LINK_UP. */
    void heal(final int a, final int b)
    {
        if (a == b || !cut[a][b])
        {
            return;
        }
        note("heal " + a + "-" + b);
        cut[a][b] = false;
        cut[b][a] = false;
        if (processes[a] != null && processes[b] != null)
        {
            linkEvent(Kind.LINK_UP, a, b);
            linkEvent(Kind.LINK_UP, b, a);
        }
    }

    /** Cuts every link of {@code id}. */
    void isolate(final int id)
    {
        for (int peer = 1; peer <= nodes; peer++)
        {
            cut(id, peer);
        }
    }

    void healAll()
    {
        for (int a = 1; a <= nodes; a++)
        {
            for (int b = a + 1; b <= nodes; b++)
            {
                heal(a, b);
            }
        }
    }

    boolean isCut(final int a, final int b)
    {
        return cut[a][b];
    }

    // ------------------------------------------------------------------------------------------ running

    /** One millisecond: deliveries, clients, every live member's duty cycle, then the invariants. */
    void step()
    {
        nowNs += MS;
        while (!network.isEmpty() && network.peek().deliverAtNs - nowNs <= 0)
        {
            deliver(network.poll());
        }
        for (final SimKvClient client : clients)
        {
            client.onStep(nowNs);
        }
        for (int id = 1; id <= nodes; id++)
        {
            final Process process = processes[id];
            if (process != null)
            {
                process.engine().onTick(nowNs);
                process.engine().process(nowNs);
                observeLatest(process.control());
            }
        }
        // Once a step suffices: one member's change reaches another (or a client) only by a message, a step later.
        checkInvariants();
    }

    void runUntil(final String what, final BooleanSupplier condition, final long maxMs)
    {
        final long deadlineNs = nowNs + maxMs * MS;
        while (!condition.getAsBoolean())
        {
            if (nowNs - deadlineNs >= 0)
            {
                throw failure("not reached within " + maxMs + " ms: " + what);
            }
            step();
        }
    }

    void runMs(final long ms)
    {
        for (long i = 0; i < ms; i++)
        {
            step();
        }
    }

    private void deliver(final Packet packet)
    {
        if (packet.kind == Kind.RESPONSE)
        {
            clients.get(packet.to - 1).onResponse(nowNs, packet.from, packet.bytes);
            return;
        }
        final Process process = processes[packet.to];
        if (process == null || process.number != packet.toProcess)
        {
            return;
        }
        final MemberEngine member = process.engine();
        switch (packet.kind)
        {
            case PEER ->
            {
                deliveryView.wrap(packet.bytes);
                member.onPeerMessage(nowNs, packet.from, deliveryView, 0, packet.bytes.length);
            }
            case REQUEST ->
            {
                deliveryView.wrap(packet.bytes);
                member.onClientRequest(nowNs, packet.from, deliveryView, 0, packet.bytes.length);
            }
            case LINK_UP -> member.onPeerUp(nowNs, packet.from);
            case LINK_DOWN -> member.onPeerDown(nowNs, packet.from);
            default -> throw new IllegalStateException("unexpected " + packet.kind);
        }
    }

    private boolean sendPeer(final int from, final int to, final DirectBuffer buffer, final int offset,
        final int length)
    {
        if (length < 1 || !PlaneTag.isKnown(buffer.getByte(offset)) || to == from)
        {
            throw failure("member " + from + " sent an untagged message or one to itself");
        }
        if (processes[to] == null || cut[from][to])
        {
            // Refused as NOT_CONNECTED, or into the void as on a link that has failed but is not yet known to.
            return !refuseOnDeadLinks;
        }
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        peerMessagesByTag[bytes[0] & 0xFF]++;
        enqueue(0, Kind.PEER, from, to, 1 + random.nextInt(maxDelayMs), bytes);
        return true;
    }

    private boolean sendResponse(final int from, final int client, final DirectBuffer buffer, final int offset,
        final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        enqueue(3, Kind.RESPONSE, from, client, 1 + random.nextInt(maxDelayMs), bytes);
        return true;
    }

    /** A client's request to member {@code to}; lost if that member is down when it arrives. */
    void sendRequest(final int client, final int to, final byte[] request)
    {
        enqueue(2, Kind.REQUEST, client, to, 1 + random.nextInt(maxDelayMs), request);
    }

    /** {@code at} hears about its link to {@code about}; events on one link keep their order. */
    private void linkEvent(final Kind kind, final int about, final int at)
    {
        enqueue(1, kind, about, at, 1 + random.nextInt(5), null);
    }

    private void enqueue(final int channel, final Kind kind, final int from, final int to, final int delayMs,
        final byte[] bytes)
    {
        final long[] link = lastDeliveryNs[channel][from];
        final long deliverAtNs = Math.max(nowNs + delayMs * MS, link[to]);
        link[to] = deliverAtNs;
        final int toProcess = kind == Kind.RESPONSE ? -1 : processNumbers[to];
        network.add(new Packet(deliverAtNs, order++, kind, from, to, toProcess, bytes));
    }

    // ------------------------------------------------------------------------------------------ invariants

    /**
     * Tracks the newest applied configuration and unplaces the replicas it removed. (Several commands may be applied
     * between two looks; the state machine itself checks that each configuration it issues follows the last.)
     */
    private void observeLatest(final ChainControlPlane control)
    {
        final ChainControlStateMachine state = control.state();
        final ChainConfiguration applied = state.configuration();
        if (applied == null || (latest != null && applied.epoch() <= latest.epoch()))
        {
            return;
        }
        note("configuration " + applied + " (applied at " + control.memberId() + ")");
        latest = applied;
        configurationChanges++;
        for (int id = 1; id <= size; id++)
        {
            latestIncarnations[id] = state.incarnation(id);
            final Process process = processes[id];
            if (process != null && process.track.registered && !isPlaced(id))
            {
                unregister(process.track);
            }
        }
    }

    private void register(
        final Track track, final long index, final long term, final DirectBuffer command, final int offset,
        final int length)
    {
        final Process process = track.process;
        if (processes[process.id] != process || process.track != track || !isPlaced(process.id))
        {
            // A replica removed while alive may sequence updates the chain never sees; it is not compared.
            return;
        }
        if (track.registered && index != track.registeredTo + 1)
        {
            throw failure("member " + process.id + " applied " + index + " after " + track.registeredTo);
        }
        if (!track.registered)
        {
            track.registeredFrom = index;
            track.registered = true;
        }
        final byte[] bytes = new byte[length];
        command.getBytes(offset, bytes);
        final Registered known = registered(index);
        if (known == null)
        {
            final Registered entry = new Registered(term, bytes);
            entry.holders = 1;
            if (index >= registry.length)
            {
                registry = Arrays.copyOf(registry, (int)Math.max(registry.length * 2L, index + 1));
            }
            registry[(int)index] = entry;
        }
        else if (known.term != term || !Arrays.equals(known.command, bytes))
        {
            throw failure("member " + process.id + " applied different content at " + index + " than a placed member");
        }
        else
        {
            known.holders++;
        }
        track.registeredTo = index;
    }

    private Registered registered(final long index)
    {
        return index < registry.length ? registry[(int)index] : null;
    }

    private void unregister(final Track track)
    {
        if (track == null || !track.registered)
        {
            return;
        }
        for (long index = track.registeredFrom; index <= track.registeredTo; index++)
        {
            final Registered known = registry[(int)index];
            if (known != null && --known.holders == 0)
            {
                registry[(int)index] = null;
            }
        }
        track.registered = false;
        track.registeredFrom = track.registeredTo + 1;
    }

    private void checkInvariants()
    {
        if (latest == null)
        {
            return;
        }
        int previous = 0;
        for (final int id : latest.members())
        {
            final Process process = processes[id];
            if (process == null)
            {
                continue;
            }
            final ChainReplica replica = process.member.replica();
            if (!isPlaced(id))
            {
                continue;
            }
            if (previous != 0 && replica.lastSequence() > member(previous).replica().lastSequence())
            {
                throw failure("member " + id + " holds more than its predecessor " + previous);
            }
            if (replica.isSynced() && replica.role().isMember() && replica.lastSequence() < highestAcknowledged)
            {
                throw failure("acknowledged write " + highestAcknowledged + " missing at in-sync " + replica);
            }
            if (replica.role().isTail() && replica.isSynced() && replica.committedSequence() < committedHighWater)
            {
                throw failure("tail " + replica + " below the committed high water " + committedHighWater);
            }
            previous = id;
        }
        checkLeases();
        // What any in-sync replica knows committed is committed, whether or not it has learned it was removed.
        for (int id = 1; id <= size; id++)
        {
            final ChainReplica replica = processes[id] == null ? null : processes[id].member.replica();
            if (replica != null && replica.protocolViolations() != 0)
            {
                throw failure("protocol violation at " + replica + ": " + replica.lastViolation());
            }
            if (replica != null && replica.isSynced() && replica.role().isMember())
            {
                committedHighWater = Math.max(committedHighWater, replica.committedSequence());
            }
        }
    }

    /**
     * The read lease rule: while a member holds a lease at epoch E, no live replica has adopted a later configuration
     * without that member (once one has, the new chain may commit what the leased member will never see).
     */
    private void checkLeases()
    {
        for (int id = 1; id <= size; id++)
        {
            final Process leased = processes[id];
            if (leased == null || !leased.member.holdsLease(nowNs))
            {
                continue;
            }
            final long epoch = leased.member.replica().epoch();
            for (int other = 1; other <= size; other++)
            {
                final ChainReplica replica = processes[other] == null ? null : processes[other].member.replica();
                if (replica != null && replica.epoch() > epoch && !replica.configuration().contains(id))
                {
                    throw failure("member " + id + " holds a read lease at epoch " + epoch + " but member " + other +
                        " adopted " + replica.configuration());
                }
            }
        }
    }

    /** A client was told its write took effect at {@code index}: committed, and the client's request there. */
    void onAcknowledged(final long clientId, final long sequence, final long index)
    {
        if (index > committedHighWater)
        {
            throw failure("write acknowledged at " + index + " above the committed high water " + committedHighWater);
        }
        final Registered known = registered(index);
        if (known == null)
        {
            // Every placed replica holds it inside a snapshot it installed; the high water check above still holds.
            highestAcknowledged = Math.max(highestAcknowledged, index);
            return;
        }
        commandView.wrap(new UnsafeBuffer(known.command), 0, known.command.length);
        if (commandView.request().clientId() != clientId || commandView.request().sequence() != sequence)
        {
            throw failure("client " + clientId + "#" + sequence + " acknowledged at " + index +
                " which holds another request");
        }
        highestAcknowledged = Math.max(highestAcknowledged, index);
    }

    /** Every live member's state machine writes the same snapshot bytes (call when quiescent). */
    void checkIdenticalStates()
    {
        byte[] reference = null;
        int referenceId = 0;
        for (int id = 1; id <= size; id++)
        {
            if (processes[id] == null)
            {
                continue;
            }
            final ExpandableArrayBuffer image = new ExpandableArrayBuffer(1024);
            final int[] length = new int[1];
            processes[id].track.machine.writeSnapshot((buffer, offset, chunk) ->
            {
                image.putBytes(length[0], buffer, offset, chunk);
                length[0] += chunk;
            });
            final byte[] bytes = Arrays.copyOf(image.byteArray(), length[0]);
            if (reference == null)
            {
                reference = bytes;
                referenceId = id;
            }
            else if (!Arrays.equals(reference, bytes))
            {
                throw failure("members " + referenceId + " and " + id + " hold different states");
            }
        }
    }

    void note(final String event)
    {
        if (log.length() > 200_000)
        {
            log.delete(0, 100_000);
        }
        log.append(nowNs / MS).append("ms ").append(event).append('\n');
    }

    AssertionError failure(final String what)
    {
        return new AssertionError(what + "\n" + this);
    }

    @Override
    public String toString()
    {
        final StringBuilder state = new StringBuilder("seed " + seed + " at " + nowNs / MS + " ms, latest " + latest +
            ", high water " + committedHighWater + ", acknowledged " + highestAcknowledged + ", detector " +
            (phiDetector ? "phi" : "fixed") + ", lease " + leaseMs + " ms, control snapshots every " + snapshotEvery +
            "\n");
        for (int id = 1; id <= nodes; id++)
        {
            state.append("  ").append(processes[id] == null ? "member " + id + " down" : processes[id].engine())
                .append('\n');
        }
        for (final SimKvClient client : clients)
        {
            state.append("  ").append(client).append('\n');
        }
        final int from = Math.max(0, log.length() - 6_000);
        return state.append("recent events:\n").append(log, from, log.length()).toString();
    }
}
