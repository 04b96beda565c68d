package io.conduit.chain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

import io.conduit.kv.KvCommandFlyweight;
import io.conduit.kv.KvConfig;
import io.conduit.kv.KvStateMachine;
import io.conduit.kv.ReplicatedStateMachine;
import io.conduit.kv.SnapshotSink;
import io.conduit.linearizability.History;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Chain members 1..N on virtual time (one tick = {@value #TICK_NS} ns), a seeded network, a configuration oracle
 * and session clients, all deterministic from one seed.
 * <p>
 * The network: member links are FIFO and lose nothing, as the messaging bindings promise, except at a link reset
 * (everything in flight between the two is dropped and each end hears of it after its own delay) and at a crash
 * (the member loses its state and everything sent to it; what it had already sent may still arrive, or not, by
 * the seed). Every message goes through {@link ChainMessageCodec}. Delays vary per message within a range.
 * <p>
 * The oracle stands in for the Raft-backed configuration manager: it learns of a crash with perfect accuracy after
 * a detection delay and issues the next epoch without that member, adds a restarted member as the new tail, and
 * hands each configuration to each member after its own delay (so members disagree about the epoch for a while,
 * and back-to-back failures overlap reconfigurations).
 * <p>
 * After every delivery and every tick the harness checks: each live member's applied sequence is a prefix of its
 * predecessor's (same length or shorter, same content at every sequence number any two live members hold); the
 * committed sequence of every in-sync tail never goes below the highest committed so far; every acknowledged write
 * is committed when acknowledged, is held by every in-sync member, and is the client's request at the acknowledged
 * sequence; no member reports a protocol violation. Failures throw {@link AssertionError} with the cluster's state
 * and its recent events.
 */
final class ChainSimCluster
{
    static final long TICK_NS = 100_000L;
    static final int MAX_ENDPOINTS = 64;
    /** Small limits: the workload's keys and values are short, and each replica's buffers are sized by these. */
    static final KvConfig KV_CONFIG = new KvConfig(64, 256, 64, 60_000, 1_000, 1_000_000);

    private enum Kind
    {
        MEMBER, REQUEST, RESPONSE, CONFIGURATION, LINK_RESET
    }

    /** Anything in flight: a member message, a client request or answer, a configuration, a reset notice. */
    private record Packet(
        long deliverAt, long order, Kind kind, int from, int to, int toIncarnation, byte[] bytes,
        ChainConfiguration configuration)
    {
    }

    /** One incarnation of a member: a crash ends it, a restart makes a new, empty one. */
    private final class Node
    {
        final int id;
        final int incarnation;
        final KvStateMachine machine = new KvStateMachine(KV_CONFIG);
        final ChainReplica replica;
        long registeredFrom = 1;
        long registeredTo;

        Node(final int id, final int incarnation)
        {
            this.id = id;
            this.incarnation = incarnation;
            this.replica = new ChainReplica(id, KV_CONFIG, new Recording(this),
                (request, out, offset) -> machine.read(request, 0, out, offset), options);
        }
    }

    /** The state machine as the replica sees it, registering every applied entry with the harness. */
    private final class Recording implements ReplicatedStateMachine
    {
        private final Node node;

        Recording(final Node node)
        {
            this.node = node;
        }

        @Override
        public int apply(
            final long index, final long term, final DirectBuffer command, final int offset, final int length,
            final MutableDirectBuffer out, final int outOffset)
        {
            register(node, index, term, command, offset, length);
            return node.machine.apply(index, term, command, offset, length, out, outOffset);
        }

        @Override
        public long appliedIndex()
        {
            return node.machine.appliedIndex();
        }

        @Override
        public long appliedTerm()
        {
            return node.machine.appliedTerm();
        }

        @Override
        public long snapshotLength()
        {
            return node.machine.snapshotLength();
        }

        @Override
        public void writeSnapshot(final SnapshotSink sink)
        {
            node.machine.writeSnapshot(sink);
        }

        @Override
        public int restoreSnapshot(final DirectBuffer snapshot, final int offset, final int length)
        {
            final int result = node.machine.restoreSnapshot(snapshot, offset, length);
            if (result == 0)
            {
                unregister(node);
                node.registeredFrom = node.machine.appliedIndex() + 1;
                node.registeredTo = node.machine.appliedIndex();
            }
            return result;
        }
    }

    /** What some live member applied at a sequence number, and how many live members hold it. */
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
    private final ChainOptions options;
    private final Node[] nodes;
    private final int[] incarnations;
    private final long[] crashedAtTick;
    private final PriorityQueue<Packet> network = new PriorityQueue<>(
        (a, b) -> a.deliverAt != b.deliverAt ? Long.compare(a.deliverAt, b.deliverAt) : Long.compare(a.order, b.order));
    /** Per kind, sender and receiver (member ids or client indexes, below {@value #MAX_ENDPOINTS}). */
    private final long[][][] lastDeliveryOnLink = new long[Kind.values().length][MAX_ENDPOINTS][MAX_ENDPOINTS];
    private final UnsafeBuffer deliveryView = new UnsafeBuffer(new byte[0]);
    private Registered[] registry = new Registered[1024];
    private final List<SimClient> clients = new ArrayList<>();
    private final History history = new History();
    private final UnsafeBuffer encodeBuffer = new UnsafeBuffer(new byte[1 << 20]);
    private final KvCommandFlyweight commandView = new KvCommandFlyweight();
    private final StringBuilder log = new StringBuilder();

    private ChainConfiguration latest;
    private long tick;
    private long order;
    private int minDelayTicks = 1;
    private int maxDelayTicks = 3;
    private int minDetectTicks = 5;
    private int maxDetectTicks = 40;
    private int maxConfigurationDelayTicks = 15;
    private boolean deliverFromCrashed;
    private long committedHighWater;
    private long highestAcknowledged;
    private int crashes;
    private int rejoins;
    private int linkResets;
    private final long[] retiredCounters = new long[Coverage.values().length];

    /** What a run exercised, summed over every incarnation of every member. */
    enum Coverage
    {
        SNAPSHOTS_INSTALLED, READ_QUERIES, FUTURE_EPOCH_MESSAGES, STALE_EPOCH_MESSAGES, OUT_OF_ORDER_UPDATES,
        RETRY_ANSWERS, ABANDONED_CLIENT_REQUESTS
    }

    ChainSimCluster(final long seed, final int size, final ChainOptions options)
    {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.size = size;
        this.options = options;
        this.nodes = new Node[size + 1];
        this.incarnations = new int[size + 1];
        this.crashedAtTick = new long[size + 1];
        this.deliverFromCrashed = random.nextBoolean();
        final int[] members = new int[size];
        for (int id = 1; id <= size; id++)
        {
            nodes[id] = new Node(id, ++incarnations[id]);
            members[id - 1] = id;
        }
        issue(new ChainConfiguration(ChainConfiguration.FIRST_EPOCH, members));
    }

    // ------------------------------------------------------------------------------------------ settings

    void delayTicks(final int min, final int max)
    {
        minDelayTicks = min;
        maxDelayTicks = max;
    }

    void detectTicks(final int min, final int max)
    {
        minDetectTicks = min;
        maxDetectTicks = max;
    }

    void configurationDelayTicks(final int max)
    {
        maxConfigurationDelayTicks = max;
    }

    SimClient addClient(final SimClient.Workload workload)
    {
        final SimClient client = new SimClient(this, clients.size() + 1, workload, random.split());
        clients.add(client);
        return client;
    }

    // ------------------------------------------------------------------------------------------ state

    long tick()
    {
        return tick;
    }

    long nowNs()
    {
        return tick * TICK_NS;
    }

    int size()
    {
        return size;
    }

    History history()
    {
        return history;
    }

    List<SimClient> clients()
    {
        return clients;
    }

    ChainConfiguration latest()
    {
        return latest;
    }

    boolean isUp(final int id)
    {
        return nodes[id] != null;
    }

    ChainReplica replica(final int id)
    {
        return nodes[id] == null ? null : nodes[id].replica;
    }

    KvStateMachine machine(final int id)
    {
        return nodes[id] == null ? null : nodes[id].machine;
    }

    /** Totals of the replica counters behind {@code what}, over every incarnation so far. */
    long coverage(final Coverage what)
    {
        final long[] totals = retiredCounters.clone();
        for (int id = 1; id <= size; id++)
        {
            if (nodes[id] != null)
            {
                addCounters(nodes[id].replica, totals);
            }
        }
        return totals[what.ordinal()];
    }

    private static void addCounters(final ChainReplica replica, final long[] totals)
    {
        totals[Coverage.SNAPSHOTS_INSTALLED.ordinal()] += replica.snapshotsInstalled();
        totals[Coverage.READ_QUERIES.ordinal()] += replica.readQueries();
        totals[Coverage.FUTURE_EPOCH_MESSAGES.ordinal()] += replica.futureEpochMessages();
        totals[Coverage.STALE_EPOCH_MESSAGES.ordinal()] += replica.staleEpochMessages();
        totals[Coverage.OUT_OF_ORDER_UPDATES.ordinal()] += replica.outOfOrderUpdates();
        totals[Coverage.RETRY_ANSWERS.ordinal()] += replica.retryAnswers();
        totals[Coverage.ABANDONED_CLIENT_REQUESTS.ordinal()] += replica.abandonedClientRequests();
    }

    int crashes()
    {
        return crashes;
    }

    int rejoins()
    {
        return rejoins;
    }

    int linkResets()
    {
        return linkResets;
    }

    long committedHighWater()
    {
        return committedHighWater;
    }

    long highestAcknowledged()
    {
        return highestAcknowledged;
    }

    /** Live members that hold every committed update. */
    int syncedUp()
    {
        int count = 0;
        for (int id = 1; id <= size; id++)
        {
            if (nodes[id] != null && nodes[id].replica.isSynced() && nodes[id].replica.role().isMember())
            {
                count++;
            }
        }
        return count;
    }

    /** Whether every live member has adopted the latest configuration, is in sync, and every crash is handled. */
    boolean isSettled()
    {
        for (int id = 1; id <= size; id++)
        {
            final boolean member = latest.contains(id);
            if (nodes[id] == null ? member : !member || nodes[id].replica.epoch() != latest.epoch() ||
                !nodes[id].replica.isSynced())
            {
                return false;
            }
        }
        return true;
    }

    /** Settled, nothing in flight between members, and every member holds and knows committed the same updates. */
    boolean isQuiescent()
    {
        if (!isSettled() || network.stream().anyMatch(packet -> packet.kind != Kind.RESPONSE))
        {
            return false;
        }
        final long last = nodes[latest.head()].replica.lastSequence();
        for (int id = 1; id <= size; id++)
        {
            if (nodes[id] != null && (nodes[id].replica.lastSequence() != last ||
                nodes[id].replica.committedSequence() != last))
            {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------ faults

    /**
     * Crashes {@code id} if that leaves a live in-sync member (which holds every committed update); the oracle
     * notices after the detection delay.
     *
     * @return whether it crashed.
     */
    boolean crash(final int id)
    {
        final Node node = nodes[id];
        if (node == null || (node.replica.isSynced() && syncedUp() <= 1) || !latest.contains(id))
        {
            return false;
        }
        note("crash " + node.replica);
        addCounters(node.replica, retiredCounters);
        unregister(node);
        nodes[id] = null;
        crashedAtTick[id] = tick + minDetectTicks + random.nextInt(maxDetectTicks - minDetectTicks + 1);
        network.removeIf(packet -> packet.to == id && packet.kind != Kind.RESPONSE ||
            !deliverFromCrashed && packet.from == id && (packet.kind == Kind.MEMBER || packet.kind == Kind.RESPONSE));
        crashes++;
        return true;
    }

    /** Restarts a crashed member that the oracle has removed as a fresh replica; the oracle adds it as the tail. */
    boolean rejoin(final int id)
    {
        if (nodes[id] != null || latest.contains(id))
        {
            return false;
        }
        nodes[id] = new Node(id, ++incarnations[id]);
        note("rejoin " + id);
        issue(latest.withTail(id));
        rejoins++;
        return true;
    }

    /** Fails the link between two members: what is in flight between them is lost; each end hears of it later. */
    void resetLink(final int a, final int b)
    {
        if (nodes[a] == null || nodes[b] == null || a == b)
        {
            return;
        }
        note("reset link " + a + "-" + b);
        network.removeIf(packet -> packet.kind == Kind.MEMBER &&
            (packet.from == a && packet.to == b || packet.from == b && packet.to == a));
        send(Kind.LINK_RESET, b, a, random.nextInt(4), null, null);
        send(Kind.LINK_RESET, a, b, random.nextInt(4), null, null);
        linkResets++;
    }

    // ------------------------------------------------------------------------------------------ running

    /** One tick: deliveries (each followed by the invariants), the oracle, the clients, every member's output. */
    void step()
    {
        tick++;
        while (!network.isEmpty() && network.peek().deliverAt <= tick)
        {
            deliver(network.poll());
            // After each delivery, not once per tick: a member can commit and change role within one tick.
            checkInvariants();
        }
        runOracle();
        for (final SimClient client : clients)
        {
            client.onTick();
        }
        for (int id = 1; id <= size; id++)
        {
            if (nodes[id] != null)
            {
                pollOutputs(nodes[id]);
            }
        }
        checkInvariants();
    }

    /** Steps until {@code condition} holds; fails after {@code maxTicks}. */
    void runUntil(final String what, final BooleanSupplier condition, final long maxTicks)
    {
        final long deadline = tick + maxTicks;
        while (!condition.getAsBoolean())
        {
            if (tick >= deadline)
            {
                throw failure("not reached within " + maxTicks + " ticks: " + what);
            }
            step();
        }
    }

    void runTicks(final long ticks)
    {
        for (long i = 0; i < ticks; i++)
        {
            step();
        }
    }

    private void deliver(final Packet packet)
    {
        if (packet.kind == Kind.RESPONSE)
        {
            clients.get(packet.to - 1).onResponse(packet.bytes);
            return;
        }
        final Node node = nodes[packet.to];
        if (node == null || node.incarnation != packet.toIncarnation)
        {
            return;
        }
        final ChainReplica replica = node.replica;
        switch (packet.kind)
        {
            case MEMBER ->
            {
                deliveryView.wrap(packet.bytes);
                final ChainMessage message = ChainMessageCodec.decode(deliveryView, 0, packet.bytes.length);
                if (message == null)
                {
                    throw failure("the codec refused its own encoding from " + packet.from);
                }
                replica.onMessage(nowNs(), packet.from, message);
            }
            case REQUEST ->
            {
                deliveryView.wrap(packet.bytes);
                replica.onClientRequest(nowNs(), packet.from, deliveryView, 0, packet.bytes.length);
            }
            case CONFIGURATION -> replica.onConfiguration(nowNs(), packet.configuration);
            case LINK_RESET -> replica.onLinkReset(nowNs(), packet.from);
            default -> throw new IllegalStateException("client packet to a member: " + packet.kind);
        }
    }

    /** Responses go to a client: {@code to} is the client's index, which is also its link id at the members. */
    private void send(
        final Kind kind, final int from, final int to, final int delayTicks, final byte[] bytes,
        final ChainConfiguration configuration)
    {
        final boolean toMember = kind != Kind.RESPONSE;
        final int toIncarnation = toMember ? incarnations[to] : -1;
        final long[] link = lastDeliveryOnLink[kind.ordinal()][from];
        final long deliverAt = Math.max(tick + delayTicks, link[to]);
        link[to] = deliverAt;
        network.add(new Packet(deliverAt, order++, kind, from, to, toIncarnation, bytes, configuration));
    }

    private int delay()
    {
        return minDelayTicks + random.nextInt(maxDelayTicks - minDelayTicks + 1);
    }

    /** A client's request to member {@code to}; dropped if that member is down when it arrives. */
    void sendRequest(final int clientIndex, final int to, final byte[] request)
    {
        send(Kind.REQUEST, clientIndex, to, delay(), request, null);
    }

    private void pollOutputs(final Node node)
    {
        node.replica.pollMessages((to, message) ->
        {
            final int length = ChainMessageCodec.encode(message, encodeBuffer, 0);
            send(Kind.MEMBER, node.id, to, delay(), Arrays.copyOf(encodeBuffer.byteArray(), length), null);
            return true;
        }, Integer.MAX_VALUE);
        node.replica.pollResponses((link, buffer, offset, length) ->
        {
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            send(Kind.RESPONSE, node.id, (int)link, delay(), bytes, null);
            return true;
        }, Integer.MAX_VALUE);
    }

    // ------------------------------------------------------------------------------------------ the oracle

    private void issue(final ChainConfiguration next)
    {
        if (latest != null && !next.followsFrom(latest))
        {
            throw failure("oracle bug: " + next + " does not follow " + latest);
        }
        latest = next;
        note("configuration " + next);
        for (final int member : next.members())
        {
            if (nodes[member] != null)
            {
                send(Kind.CONFIGURATION, 0, member, 1 + random.nextInt(maxConfigurationDelayTicks), null, next);
            }
        }
    }

    /** Removes crashed members once detected, one epoch each; re-sends the latest epoch to members behind it. */
    private void runOracle()
    {
        for (final int member : latest.members())
        {
            if (nodes[member] == null && tick >= crashedAtTick[member] && latest.size() > 1)
            {
                issue(latest.without(member));
                return;
            }
        }
        if (tick % 50 == 0)
        {
            for (final int member : latest.members())
            {
                if (nodes[member] != null && nodes[member].replica.epoch() < latest.epoch())
                {
                    send(Kind.CONFIGURATION, 0, member, 1 + random.nextInt(maxConfigurationDelayTicks), null, latest);
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------ invariants

    private void register(
        final Node node, final long index, final long term, final DirectBuffer command, final int offset,
        final int length)
    {
        if (nodes[node.id] != node)
        {
            throw failure("a crashed member applied " + index);
        }
        if (index != node.registeredTo + 1)
        {
            throw failure("member " + node.id + " applied " + index + " after " + node.registeredTo);
        }
        final byte[] bytes = new byte[length];
        command.getBytes(offset, bytes);
        final Registered known = registered(index);
        if (known == null)
        {
            final Registered registered = new Registered(term, bytes);
            registered.holders = 1;
            if (index >= registry.length)
            {
                registry = Arrays.copyOf(registry, (int)Math.max(registry.length * 2L, index + 1));
            }
            registry[(int)index] = registered;
        }
        else if (known.term != term || !Arrays.equals(known.command, bytes))
        {
            throw failure("member " + node.id + " applied different content at " + index + " than a live member");
        }
        else
        {
            known.holders++;
        }
        node.registeredTo = index;
    }

    private Registered registered(final long index)
    {
        return index < registry.length ? registry[(int)index] : null;
    }

    private void unregister(final Node node)
    {
        for (long index = node.registeredFrom; index <= node.registeredTo; index++)
        {
            final Registered known = registry[(int)index];
            if (--known.holders == 0)
            {
                registry[(int)index] = null;
            }
        }
    }

    private void checkInvariants()
    {
        int previous = 0;
        for (final int member : latest.members())
        {
            final Node node = nodes[member];
            if (node == null)
            {
                continue;
            }
            final ChainReplica replica = node.replica;
            if (replica.protocolViolations() != 0)
            {
                throw failure("protocol violation at " + replica);
            }
            if (previous != 0 && replica.lastSequence() > nodes[previous].replica.lastSequence())
            {
                throw failure("member " + member + " holds more than its predecessor " + previous);
            }
            if (replica.isSynced() && replica.lastSequence() < highestAcknowledged)
            {
                throw failure("acknowledged write " + highestAcknowledged + " missing at in-sync " + replica);
            }
            if (replica.role().isTail() && replica.isSynced())
            {
                if (replica.committedSequence() < committedHighWater)
                {
                    throw failure("tail " + replica + " below the committed high water " + committedHighWater);
                }
                committedHighWater = replica.committedSequence();
            }
            previous = member;
        }
    }

    /**
     * A client was told its write took effect at {@code index}: that must be committed, and the update held
     * there must be the client's request.
     */
    void onAcknowledged(final long clientId, final long sequence, final long index)
    {
        if (index > committedHighWater)
        {
            throw failure("write acknowledged at " + index + " above the committed high water " + committedHighWater);
        }
        final Registered known = registered(index);
        if (known != null)
        {
            commandView.wrap(new UnsafeBuffer(known.command), 0, known.command.length);
            if (commandView.request().clientId() != clientId || commandView.request().sequence() != sequence)
            {
                throw failure("client " + clientId + "#" + sequence + " acknowledged at " + index +
                    " which holds another request");
            }
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
            if (nodes[id] == null)
            {
                continue;
            }
            final ExpandableArrayBuffer image = new ExpandableArrayBuffer(1024);
            final int[] length = new int[1];
            nodes[id].machine.writeSnapshot((buffer, offset, chunk) ->
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
        log.append("t=").append(tick).append(' ').append(event).append('\n');
    }

    AssertionError failure(final String what)
    {
        return new AssertionError(what + "\n" + this);
    }

    @Override
    public String toString()
    {
        final StringBuilder state = new StringBuilder("seed " + seed + " tick " + tick + " latest " + latest +
            " high water " + committedHighWater + " acknowledged " + highestAcknowledged + "\n");
        for (int id = 1; id <= size; id++)
        {
            state.append("  ").append(nodes[id] == null ? "member " + id + " down" : nodes[id].replica.toString())
                .append('\n');
        }
        final int from = Math.max(0, log.length() - 4_000);
        return state.append("recent events:\n").append(log, from, log.length()).toString();
    }
}
