package io.conduit.raft;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * N in-memory Raft nodes on virtual time (one tick per step, or one every few steps for a node whose clock runs
 * slow, see {@link #tickEvery(int, int)}) joined by a seeded network with loss, delay (in ticks, so reordering),
 * partitions and crash/restart. Nodes 1..N start as the bootstrap voters; up to a capacity more can be started later
 * ({@link #addNode(int)}) and joined by membership changes ({@link #proposeConfChange(int, ConfChange)}). A crash
 * keeps what the node persisted ({@link MemoryRaftStorage}, snapshots included) and loses everything else, including
 * its state machine, which is restored from the stored snapshot (if any) and re-applied from there after restart.
 * <p>
 * Each node's state machine is its applied index and a running digest of every entry applied so far (index, term
 * and payload). With {@link #compaction(int, int)} on, a node snapshots it every N applied entries (the snapshot's
 * data is the index, the digest and filler bytes derived from the digest, so a damaged or misassembled chunk is
 * caught) and compacts its log; a follower that falls behind the compaction point gets the snapshot by
 * InstallSnapshot, and the harness restores its state machine from it, as an edge would.
 * <p>
 * Invariants are checked as the run goes, and throw {@link AssertionError} on violation: at most one leader per term,
 * log matching (every persisted (index, term) holds the same entry after the same previous term), leader
 * completeness (over the part of a leader's log not compacted into its snapshot), state machine safety (one entry
 * per applied index across all nodes; every node's digest after applying index i equals the first digest recorded
 * for i; a state restored from a snapshot at i carries exactly that digest, and the committed entry's term at i),
 * applied indexes that never go back except by a crash, and a monotonic commit index per node. Configuration-aware
 * (thesis §4.1): the harness derives the cluster's configurations from the committed log, and checks that every
 * node's configuration as of its applied index is that one, that every snapshot records the configuration as of its
 * index, that a leader is a voter when elected, and that a conf change was proposed only once every earlier one was
 * committed (one at a time). Reads issued through
 * {@link #readIndex(int, long)} are checked for linearizability as they are answered: a read's index must cover
 * every entry known committed anywhere in the cluster when the read was issued (so every write acknowledged before
 * it), must itself be committed, and each read is answered at most once.
 */
final class RaftSimCluster
{
    static final int ELECTION_TICKS = 10;

    private record InFlight(long deliverAt, long sequence, RaftMessage message)
    {
    }

    private record EntryKey(long index, long term)
    {
    }

    private record Registered(LogEntry entry, long previousTerm)
    {
    }

    /** A read issued on {@code node} when {@code committedBound} was the highest index known committed anywhere. */
    private record IssuedRead(int node, long committedBound)
    {
    }

    private final int size;
    private final SplittableRandom random;
    private final boolean[] started;
    private final int[] tickEvery;
    /** The cluster's configurations by the index of the committed conf change that made each (0: bootstrap). */
    private final ArrayList<Long> configIndexes = new ArrayList<>();
    private final ArrayList<Configuration> configs = new ArrayList<>();
    /** Per conf change proposed through the harness: the proposing leader's commit index at that moment. */
    private final Map<EntryKey, Long> commitWhenProposed = new HashMap<>();
    private final RaftRole[] lastRole;
    /** Per node: the applied index whose configuration was last checked (the check is per change of it). */
    private final long[] configurationCheckedAt;
    private long removedLeaderStepDowns;
    private final UnaryOperator<RaftConfig> configure;
    private final MemoryRaftStorage[] storages;
    private final RaftNode[] nodes;
    private final int[] groups;
    private final PriorityQueue<InFlight> network = new PriorityQueue<>(
        (a, b) -> a.deliverAt != b.deliverAt ? Long.compare(a.deliverAt, b.deliverAt) :
            Long.compare(a.sequence, b.sequence));
    private final long[] sentByType = new long[MessageType.values().length];
    private final long[][] sentTo;
    private final long[] rejectedAppendsFrom;

    private final Map<Long, Integer> leaderByTerm = new HashMap<>();
    private final Map<EntryKey, Registered> persistedEntries = new HashMap<>();
    private final ArrayList<LogEntry> appliedLog = new ArrayList<>();
    private final ArrayList<LogEntry> committedLog = new ArrayList<>();
    private final ArrayList<Long> commitTerms = new ArrayList<>();
    private final long[] lastApplied;
    /** Per node: the state machine's running digest over every entry applied (or restored) up to lastApplied. */
    private final long[] digest;
    /** Position i: the digest after applying index i + 1, as the first node to apply it computed it. */
    private final ArrayList<Long> digestAt = new ArrayList<>();
    private final int[] voters;
    private final long[] lastCommit;
    private final long[] verifiedTerm;
    private final long[] verifiedUpTo;
    private final Map<Long, IssuedRead> issuedReads = new HashMap<>();
    private final Map<Long, Long> answeredReads = new HashMap<>();

    private long now;
    private long sequence;
    private double lossRate;
    private int minDelayTicks = 1;
    private int maxDelayTicks = 1;
    private double crashBeforePersistRate;
    private final double[] lossRateByType = new double[MessageType.values().length];
    private int compactEveryEntries;
    private int retainEntries;
    private int snapshotFillerBytes = 100;
    private long snapshotsRestored;
    private Predicate<RaftMessage> dropFilter = m -> false;
    private long snapshotsCreated;

    RaftSimCluster(final int size, final long seed)
    {
        this(size, seed, UnaryOperator.identity());
    }

    RaftSimCluster(final int size, final long seed, final UnaryOperator<RaftConfig> configure)
    {
        this(size, size, seed, configure);
    }

    /**
     * @param voters   nodes 1..voters start at once as the bootstrap configuration.
     * @param capacity the highest node id: nodes voters+1..capacity exist only once {@link #addNode(int)} starts them.
     */
    RaftSimCluster(final int voters, final int capacity, final long seed, final UnaryOperator<RaftConfig> configure)
    {
        final int size = capacity;
        this.size = size;
        this.random = new SplittableRandom(seed);
        this.configure = configure;
        this.started = new boolean[size + 1];
        this.lastRole = new RaftRole[size + 1];
        this.configurationCheckedAt = new long[size + 1];
        this.tickEvery = new int[size + 1];
        Arrays.fill(tickEvery, 1);
        this.storages = new MemoryRaftStorage[size + 1];
        this.nodes = new RaftNode[size + 1];
        this.groups = new int[size + 1];
        this.sentTo = new long[MessageType.values().length][size + 1];
        this.rejectedAppendsFrom = new long[size + 1];
        this.lastApplied = new long[size + 1];
        this.digest = new long[size + 1];
        this.voters = new int[voters];
        for (int i = 0; i < voters; i++)
        {
            this.voters[i] = i + 1;
        }
        configIndexes.add(0L);
        configs.add(new Configuration(this.voters, new int[0]));
        this.lastCommit = new long[size + 1];
        this.verifiedTerm = new long[size + 1];
        this.verifiedUpTo = new long[size + 1];
        for (int id = 1; id <= voters; id++)
        {
            storages[id] = new MemoryRaftStorage();
            start(id);
        }
    }

    // ------------------------------------------------------------------------------------------ faults

    void lossRate(final double rate)
    {
        lossRate = rate;
    }

    void delayTicks(final int min, final int max)
    {
        minDelayTicks = min;
        maxDelayTicks = max;
    }

    void crashBeforePersistRate(final double rate)
    {
        crashBeforePersistRate = rate;
    }

    /** Drops every message {@code filter} accepts (it may keep state, e.g. to drop only the first match). */
    void drop(final Predicate<RaftMessage> filter)
    {
        dropFilter = filter;
    }

    /** Drops messages of {@code type} with this probability, on top of {@link #lossRate}. */
    void lossRate(final MessageType type, final double rate)
    {
        lossRateByType[type.ordinal()] = rate;
    }

    /**
     * Every {@code everyEntries} applied entries (0: never), each node snapshots its state machine and compacts its
     * log through {@code retainEntries} entries before the snapshot's index.
     */
    void compaction(final int everyEntries, final int retainEntries)
    {
        this.compactEveryEntries = everyEntries;
        this.retainEntries = retainEntries;
    }

    /** Filler bytes in each snapshot after index and digest, so a snapshot spans several chunks. */
    void snapshotFillerBytes(final int bytes)
    {
        this.snapshotFillerBytes = bytes;
    }

    void crash(final int id)
    {
        nodes[id] = null;
    }

    /** Restarts a crashed node from its storage; a node never started stays absent. */
    void restart(final int id)
    {
        if (nodes[id] == null && started[id])
        {
            start(id);
        }
    }

    /**
     * Starts node {@code id} (up to the capacity) with the bootstrap voters as its configuration, as an edge starts
     * a server that is to join: it is no voter, so it waits for the leader. A node started before is restarted with
     * what it persisted, as a server that comes back.
     */
    void addNode(final int id)
    {
        if (!started[id])
        {
            storages[id] = new MemoryRaftStorage();
            start(id);
        }
        else
        {
            restart(id);
        }
    }

    boolean wasStarted(final int id)
    {
        return started[id];
    }

    /** Node {@code id} ticks once every {@code steps} steps: its clock runs slow by that factor. */
    void tickEvery(final int id, final int steps)
    {
        tickEvery[id] = steps;
    }

    boolean isUp(final int id)
    {
        return nodes[id] != null;
    }

    /** Puts {@code ids} in their own partition; everyone else stays in theirs. */
    void isolate(final int... ids)
    {
        final int group = 1 + Arrays.stream(groups).max().orElse(0);
        for (final int id : ids)
        {
            groups[id] = group;
        }
    }

    void heal()
    {
        Arrays.fill(groups, 0);
    }

    // ------------------------------------------------------------------------------------------- running

    /** One tick: deliver what is due, tick every live node, handle readies, check invariants. */
    void step()
    {
        now++;
        while (!network.isEmpty() && network.peek().deliverAt <= now)
        {
            final RaftMessage m = network.poll().message;
            final RaftNode target = nodes[m.to()];
            if (target != null && groups[m.from()] == groups[m.to()])
            {
                target.step(m);
                drain(m.to());
            }
        }
        for (int id = 1; id <= size; id++)
        {
            if (nodes[id] != null && now % tickEvery[id] == 0)
            {
                nodes[id].tick();
                drain(id);
            }
        }
        checkLeaderCompleteness();
    }

    void run(final int ticks)
    {
        for (int i = 0; i < ticks; i++)
        {
            step();
        }
    }

    /** Steps until {@code condition} holds; fails with the cluster state after {@code maxTicks}. */
    int runUntil(final String what, final BooleanSupplier condition, final int maxTicks)
    {
        for (int i = 0; i < maxTicks; i++)
        {
            if (condition.getAsBoolean())
            {
                return i;
            }
            step();
        }
        if (condition.getAsBoolean())
        {
            return maxTicks;
        }
        throw new AssertionError("not reached in " + maxTicks + " ticks: " + what + "\n" + this);
    }

    /**
     * The live leader whose term is the highest of all live participants, or 0. Participants are the members of the
     * committed configuration and of the configurations in their logs; a removed server that never learnt of its
     * removal may campaign at ever higher terms (thesis §4.2.3) without being part of the cluster.
     */
    int leader()
    {
        int found = 0;
        long maxTerm = -1;
        final boolean[] participant = participants();
        for (int id = 1; id <= size; id++)
        {
            if (nodes[id] != null && participant[id])
            {
                maxTerm = Math.max(maxTerm, nodes[id].term());
            }
        }
        for (int id = 1; id <= size; id++)
        {
            if (nodes[id] != null && nodes[id].role() == RaftRole.LEADER && nodes[id].term() == maxTerm)
            {
                found = id;
            }
        }
        return found;
    }

    int awaitLeader(final int maxTicks)
    {
        runUntil("a leader", () -> leader() != 0, maxTicks);
        return leader();
    }

    /** Waits for a leader that keeps its role and term for {@code stableTicks}. */
    int awaitStableLeader(final int stableTicks, final int maxTicks)
    {
        final long[] since = {-1, -1, -1};
        runUntil("a stable leader", () ->
        {
            final int l = leader();
            if (l == 0)
            {
                since[0] = -1;
                return false;
            }
            if (since[0] != l || since[1] != nodes[l].term())
            {
                since[0] = l;
                since[1] = nodes[l].term();
                since[2] = now;
            }
            return now - since[2] >= stableTicks;
        }, maxTicks);
        return leader();
    }

    /** Proposes to node {@code id} (handled at once); returns propose's result. */
    long propose(final int id, final byte[] payload)
    {
        final long result = nodes[id].propose(payload);
        drain(id);
        return result;
    }

    /**
     * Issues a ReadIndex request on node {@code id} (handled at once) and remembers what was committed anywhere at
     * this moment, against which the answer is checked. Request ids must be unique over the run.
     */
    boolean readIndex(final int id, final long requestId)
    {
        if (issuedReads.putIfAbsent(requestId, new IssuedRead(id, committedLog.size())) != null)
        {
            throw new IllegalArgumentException("request id " + requestId + " reused");
        }
        final boolean accepted = nodes[id].readIndex(requestId);
        drain(id);
        return accepted;
    }

    /** Asks node {@code id} to hand leadership to {@code target}; false when it is down or declines. */
    boolean transferLeadership(final int id, final int target)
    {
        if (!isUp(id))
        {
            return false;
        }
        final boolean started = nodes[id].transferLeadership(target);
        drain(id);
        return started;
    }

    /**
     * Proposes a membership change to node {@code id} (handled at once); returns its result. An accepted one is
     * remembered with the leader's commit index, so the harness can check that it was the only change uncommitted.
     */
    long proposeConfChange(final int id, final ConfChange change)
    {
        if (!isUp(id))
        {
            return 0;
        }
        final RaftNode node = nodes[id];
        final long commit = node.commitIndex();
        final long result = node.proposeConfChange(change);
        if (result > 0)
        {
            commitWhenProposed.put(new EntryKey(result, node.term()), commit);
        }
        drain(id);
        return result;
    }

    /** Membership changes committed so far. */
    long committedConfChanges()
    {
        return configIndexes.size() - 1;
    }

    /** Leaders that stepped down no longer voters (thesis §4.2.2: having committed their own removal). */
    long removedLeaderStepDowns()
    {
        return removedLeaderStepDowns;
    }

    /** The configuration as of the highest index known committed anywhere. */
    Configuration committedConfiguration()
    {
        return configs.get(configs.size() - 1);
    }

    /** The cluster's configuration as of committed index {@code index}. */
    Configuration configurationAt(final long index)
    {
        for (int i = configIndexes.size() - 1; i >= 0; i--)
        {
            if (configIndexes.get(i) <= index)
            {
                return configs.get(i);
            }
        }
        throw new IllegalStateException("no configuration at " + index);
    }

    /**
     * Members of the committed configuration, and of the configuration in effect on any of them that is up: what
     * may take part in the cluster now (an uncommitted change may yet commit).
     */
    boolean[] participants()
    {
        final boolean[] participant = new boolean[size + 1];
        final Configuration committed = committedConfiguration();
        for (int id = 1; id <= size; id++)
        {
            if (committed.isMember(id))
            {
                participant[id] = true;
                if (nodes[id] != null)
                {
                    Arrays.stream(nodes[id].voters()).forEach(v -> participant[v] = true);
                    Arrays.stream(nodes[id].learners()).forEach(l -> participant[l] = true);
                }
            }
        }
        return participant;
    }

    /** The read index answered for {@code requestId}, or null while unanswered. */
    Long readResult(final long requestId)
    {
        return answeredReads.get(requestId);
    }

    /** The highest index known committed anywhere when {@code requestId} was issued. */
    long readBound(final long requestId)
    {
        return issuedReads.get(requestId).committedBound();
    }

    long answeredReadCount()
    {
        return answeredReads.size();
    }

    void awaitApplied(final long index, final int maxTicks, final int... ids)
    {
        runUntil("index " + index + " applied on " + Arrays.toString(ids), () ->
        {
            for (final int id : ids)
            {
                if (nodes[id] == null || nodes[id].appliedIndex() < index)
                {
                    return false;
                }
            }
            return true;
        }, maxTicks);
    }

    // -------------------------------------------------------------------------------------------- readies

    private void start(final int id)
    {
        started[id] = true;
        lastRole[id] = null;
        configurationCheckedAt[id] = -1;
        final RaftConfig config = configure.apply(
            RaftConfig.defaults(id, voters, new SplittableRandom(random.nextLong())));
        nodes[id] = new RaftNode(config, storages[id]);
        lastApplied[id] = 0;
        digest[id] = 0;
        final Snapshot stored = storages[id].snapshot();
        if (stored != null)
        {
            // As an edge does on start: the state machine comes back from the latest snapshot.
            restore(id, stored);
        }
        if (nodes[id].appliedIndex() != lastApplied[id])
        {
            throw new AssertionError("node " + id + " starts at applied " + nodes[id].appliedIndex() +
                " but its state machine is at " + lastApplied[id]);
        }
        lastCommit[id] = nodes[id].commitIndex();
        verifiedTerm[id] = -1;
    }

    private void drain(final int id)
    {
        final RaftNode node = nodes[id];
        while (node.hasReady())
        {
            final Ready ready = node.ready();
            ready.messages().forEach(this::send);
            if (crashBeforePersistRate > 0 && random.nextDouble() < crashBeforePersistRate)
            {
                // A commit index in memory is real (counted on durable acknowledgements, or the leader's), and the
                // messages already sent may carry it (a lease read's index): record it before the node goes.
                checkNode(id);
                nodes[id] = null; // the fsync never happened; nothing that waited for it leaves
                return;
            }
            persist(id, ready);
            ready.messagesAfterPersist().forEach(this::send);
            final List<ReadState> reads = List.copyOf(ready.readStates());
            if (ready.snapshot() != null)
            {
                restore(id, ready.snapshot());
            }
            for (final LogEntry entry : ready.committedEntries())
            {
                apply(id, entry);
            }
            node.advance();
            checkNode(id);
            checkAppliedConfiguration(id);
            // After checkNode, so what this node committed is recorded before its log is compacted.
            maybeCompact(id);
            // After checkNode, so the commits this node made in the same step are known.
            for (final ReadState read : reads)
            {
                checkRead(id, read);
            }
        }
        checkNode(id);
    }

    private void persist(final int id, final Ready ready)
    {
        final MemoryRaftStorage storage = storages[id];
        if (ready.snapshot() != null)
        {
            storage.applySnapshot(ready.snapshot().metadata(), ready.snapshot().data());
        }
        storage.append(ready.entries());
        if (ready.hardState() != null)
        {
            storage.saveHardState(ready.hardState());
        }
        for (final LogEntry entry : ready.entries())
        {
            final Registered seen = new Registered(entry, storage.term(entry.index() - 1));
            final Registered first = persistedEntries.putIfAbsent(new EntryKey(entry.index(), entry.term()), seen);
            if (first != null && (first.entry != entry || first.previousTerm != seen.previousTerm))
            {
                throw new AssertionError("log matching: node " + id + " persisted " + entry + " after term " +
                    seen.previousTerm + " but " + first.entry + " after term " + first.previousTerm + " exists");
            }
        }
    }

    private void apply(final int id, final LogEntry entry)
    {
        if (entry.index() != lastApplied[id] + 1)
        {
            throw new AssertionError("node " + id + " applied " + entry + " after " + lastApplied[id]);
        }
        lastApplied[id] = entry.index();
        digest[id] = digestAfter(digest[id], entry);
        final int position = (int)entry.index() - 1;
        if (position < appliedLog.size())
        {
            if (appliedLog.get(position) != entry || digestAt.get(position) != digest[id])
            {
                throw new AssertionError("state machine safety: node " + id + " applied " + entry + " where " +
                    appliedLog.get(position) + " was applied, or reached another state (digest " + digest[id] +
                    " vs " + digestAt.get(position) + ")");
            }
        }
        else if (position == appliedLog.size())
        {
            appliedLog.add(entry);
            digestAt.add(digest[id]);
        }
        else
        {
            throw new AssertionError("node " + id + " applied " + entry + " but nobody applied index " +
                (appliedLog.size() + 1) + " before it");
        }
    }

    private static long digestAfter(final long before, final LogEntry entry)
    {
        long h = (before ^ entry.index()) * 0x9E3779B97F4A7C15L + entry.term();
        for (final byte b : entry.payload())
        {
            h = (h ^ b) * 0x100000001B3L;
        }
        return h;
    }

    // ------------------------------------------------------------------------------------------ snapshots

    /** Snapshots node {@code id}'s state machine and compacts its log, once enough was applied since the last. */
    private void maybeCompact(final int id)
    {
        final MemoryRaftStorage storage = storages[id];
        if (compactEveryEntries == 0 || nodes[id] == null ||
            lastApplied[id] - storage.snapshotMetadata().index() < compactEveryEntries)
        {
            return;
        }
        storage.createSnapshot(lastApplied[id], nodes[id].appliedVoters(), nodes[id].appliedLearners(),
            encodeState(lastApplied[id], digest[id], snapshotFillerBytes));
        storage.compact(Math.max(0, lastApplied[id] - retainEntries));
        snapshotsCreated++;
    }

    private static byte[] encodeState(final long index, final long stateDigest, final int fillerBytes)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(2 * Long.BYTES + fillerBytes);
        buffer.putLong(index).putLong(stateDigest);
        for (int i = 0; i < fillerBytes; i++)
        {
            buffer.put(filler(stateDigest, i));
        }
        return buffer.array();
    }

    private static byte filler(final long stateDigest, final int position)
    {
        return (byte)((stateDigest >>> (position % 57)) + position);
    }

    /**
     * Restores node {@code id}'s state machine from {@code snapshot}, checking it is exactly the state every node
     * reached at that index: the same digest, the committed entry's term, whole filler, the cluster's configuration
     * as of that index.
     */
    private void restore(final int id, final Snapshot snapshot)
    {
        final SnapshotMetadata metadata = snapshot.metadata();
        final ByteBuffer data = ByteBuffer.wrap(snapshot.data());
        final long index = data.getLong();
        final long stateDigest = data.getLong();
        for (int i = 0; data.hasRemaining(); i++)
        {
            if (data.get() != filler(stateDigest, i))
            {
                throw new AssertionError("node " + id + " got a damaged snapshot " + metadata + " at byte " + i);
            }
        }
        if (index != metadata.index() || index > appliedLog.size() || index <= lastApplied[id] ||
            digestAt.get((int)index - 1) != stateDigest || committedLog.get((int)index - 1).term() != metadata.term() ||
            !new Configuration(metadata.voters(), metadata.learners()).equals(configurationAt(index)))
        {
            throw new AssertionError("state machine safety: node " + id + " at applied " + lastApplied[id] +
                " restored " + metadata + " holding index " + index + " digest " + stateDigest +
                ", which is not the state at that index (digest " +
                (index <= digestAt.size() && index > 0 ? digestAt.get((int)index - 1) : "none") + ")");
        }
        lastApplied[id] = index;
        digest[id] = stateDigest;
        snapshotsRestored++;
    }

    private void send(final RaftMessage m)
    {
        sentByType[m.type().ordinal()]++;
        sentTo[m.type().ordinal()][m.to()]++;
        if (m.type() == MessageType.APPEND_RESPONSE && m.reject())
        {
            rejectedAppendsFrom[m.from()]++;
        }
        final double typeLoss = lossRateByType[m.type().ordinal()];
        if (groups[m.from()] != groups[m.to()] || (lossRate > 0 && random.nextDouble() < lossRate) ||
            (typeLoss > 0 && random.nextDouble() < typeLoss) || dropFilter.test(m))
        {
            return;
        }
        final int delay = minDelayTicks + random.nextInt(maxDelayTicks - minDelayTicks + 1);
        network.add(new InFlight(now + delay, sequence++, m));
    }

    // ----------------------------------------------------------------------------------------- invariants

    private void checkNode(final int id)
    {
        final RaftNode node = nodes[id];
        if (node == null)
        {
            return;
        }
        if (node.role() == RaftRole.LEADER)
        {
            final Integer other = leaderByTerm.putIfAbsent(node.term(), id);
            if (other != null && other != id)
            {
                throw new AssertionError("two leaders in term " + node.term() + ": " + other + " and " + id);
            }
            if (other == null && !Arrays.stream(node.voters()).anyMatch(v -> v == id))
            {
                throw new AssertionError("node " + id + " was elected in term " + node.term() + " but is no voter " +
                    "in its configuration " + Arrays.toString(node.voters()));
            }
        }
        else if (lastRole[id] == RaftRole.LEADER && Arrays.stream(node.voters()).noneMatch(v -> v == id))
        {
            removedLeaderStepDowns++;
        }
        lastRole[id] = node.role();
        final long previousCommit = lastCommit[id];
        if (node.commitIndex() < previousCommit)
        {
            throw new AssertionError("node " + id + " commit went back from " + previousCommit + " to " +
                node.commitIndex());
        }
        lastCommit[id] = node.commitIndex();
        if (node.appliedIndex() > node.commitIndex() || (!node.hasReady() && node.appliedIndex() != lastApplied[id]))
        {
            throw new AssertionError("node " + id + " applied beyond its commit index, or not what its state " +
                "machine holds (" + lastApplied[id] + "): " + node);
        }
        // Record what is newly known committed, with the committing node's term as an upper bound of the term in
        // which it was committed.
        if (node.commitIndex() > committedLog.size())
        {
            if (committedLog.size() + 1 < node.log().firstIndex())
            {
                throw new AssertionError("node " + id + " committed " + node.commitIndex() + " past a compacted " +
                    "prefix nobody was known to commit (" + committedLog.size() + "): " + node);
            }
            final List<LogEntry> fresh = new ArrayList<>();
            node.log().entries(committedLog.size() + 1, (int)(node.commitIndex() - committedLog.size()),
                Long.MAX_VALUE, fresh);
            for (final LogEntry entry : fresh)
            {
                committedLog.add(entry);
                commitTerms.add(node.term());
                recordCommittedConfChange(entry);
            }
        }
        // Below the compaction point only the snapshot's own index still has a known term.
        for (long i = Math.max(previousCommit + 1, node.log().firstIndex() - 1); i <= node.commitIndex(); i++)
        {
            if (node.log().term(i) != committedLog.get((int)i - 1).term())
            {
                throw new AssertionError("node " + id + " committed a different entry at " + i + ": " + node);
            }
        }
    }

    /** Thesis §4.1: one change at a time, so every committed change was proposed after the one before committed. */
    private void recordCommittedConfChange(final LogEntry entry)
    {
        if (entry.kind() != EntryKind.CONF_CHANGE)
        {
            return;
        }
        final Long commitThen = commitWhenProposed.get(new EntryKey(entry.index(), entry.term()));
        final long previous = configIndexes.get(configIndexes.size() - 1);
        if (commitThen == null || commitThen < previous)
        {
            throw new AssertionError("conf change " + entry + " was proposed at commit index " + commitThen +
                ", before the previous change at " + previous + " committed");
        }
        configIndexes.add(entry.index());
        configs.add(committedConfiguration().apply(ConfChange.decode(entry.payload())));
    }

    /** Every node's configuration as of its applied index is the cluster's configuration at that index. */
    private void checkAppliedConfiguration(final int id)
    {
        final RaftNode node = nodes[id];
        if (node.appliedIndex() == configurationCheckedAt[id])
        {
            return;
        }
        configurationCheckedAt[id] = node.appliedIndex();
        final Configuration expected = configurationAt(node.appliedIndex());
        if (!new Configuration(node.appliedVoters(), node.appliedLearners()).equals(expected))
        {
            throw new AssertionError("node " + id + " at applied " + node.appliedIndex() + " has voters " +
                Arrays.toString(node.appliedVoters()) + " learners " + Arrays.toString(node.appliedLearners()) +
                " but the cluster had " + expected);
        }
    }

    /** Thesis §6.4: a read answered with an index below a write acknowledged before it began would be stale. */
    private void checkRead(final int id, final ReadState read)
    {
        final IssuedRead issued = issuedReads.get(read.requestId());
        if (issued == null || issued.node() != id)
        {
            throw new AssertionError("node " + id + " answered " + read + " it never issued (" + issued + ")");
        }
        if (read.index() < issued.committedBound())
        {
            throw new AssertionError("stale read: node " + id + " answered " + read + " but index " +
                issued.committedBound() + " was committed before the read was issued\n" + this);
        }
        if (read.index() > committedLog.size())
        {
            throw new AssertionError("node " + id + " answered " + read + " beyond any commit " + committedLog.size());
        }
        if (answeredReads.putIfAbsent(read.requestId(), read.index()) != null)
        {
            throw new AssertionError("node " + id + " answered " + read + " twice");
        }
    }

    /** Raft §5.4: a leader of term T holds every entry committed in a term before T. */
    private void checkLeaderCompleteness()
    {
        for (int id = 1; id <= size; id++)
        {
            final RaftNode node = nodes[id];
            if (node == null || node.role() != RaftRole.LEADER)
            {
                continue;
            }
            if (verifiedTerm[id] != node.term())
            {
                verifiedTerm[id] = node.term();
                verifiedUpTo[id] = 0;
            }
            // Entries compacted into the leader's snapshot are in its state, which was checked when it was made.
            final long compactedBelow = node.log().firstIndex() - 1;
            for (long i = verifiedUpTo[id] + 1; i <= committedLog.size(); i++)
            {
                final LogEntry committed = committedLog.get((int)i - 1);
                if (i >= compactedBelow && commitTerms.get((int)i - 1) < node.term() &&
                    node.log().term(i) != committed.term())
                {
                    throw new AssertionError("leader completeness: leader " + id + " of term " + node.term() +
                        " lacks committed " + committed + "\n" + this);
                }
                verifiedUpTo[id] = i;
            }
        }
    }

    /**
     * Log matching over every pair of live logs, in full, over the indexes both still hold (expensive: call at the
     * end of a run): up to the last index where both hold an entry of the same term, the entries are the same.
     */
    void checkLogMatching()
    {
        for (int a = 1; a <= size; a++)
        {
            for (int b = a + 1; b <= size; b++)
            {
                if (nodes[a] == null || nodes[b] == null)
                {
                    continue;
                }
                final RaftLog logA = nodes[a].log();
                final RaftLog logB = nodes[b].log();
                final long from = Math.max(logA.firstIndex(), logB.firstIndex());
                long common = Math.min(logA.lastIndex(), logB.lastIndex());
                while (common >= from && logA.term(common) != logB.term(common))
                {
                    common--;
                }
                if (common < from)
                {
                    continue;
                }
                final List<LogEntry> entriesA = new ArrayList<>();
                final List<LogEntry> entriesB = new ArrayList<>();
                logA.entries(from, (int)(common - from + 1), Long.MAX_VALUE, entriesA);
                logB.entries(from, (int)(common - from + 1), Long.MAX_VALUE, entriesB);
                for (int i = 0; i < entriesA.size(); i++)
                {
                    if (entriesA.get(i) != entriesB.get(i))
                    {
                        throw new AssertionError("log matching: nodes " + a + " and " + b + " differ at " +
                            (from + i));
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------- queries

    RaftNode node(final int id)
    {
        return nodes[id];
    }

    int size()
    {
        return size;
    }

    long now()
    {
        return now;
    }

    long sent(final MessageType type)
    {
        return sentByType[type.ordinal()];
    }

    long sentTo(final MessageType type, final int id)
    {
        return sentTo[type.ordinal()][id];
    }

    long rejectedAppendsFrom(final int id)
    {
        return rejectedAppendsFrom[id];
    }

    /** Entries applied by some node, by index (position 0 is index 1). */
    List<LogEntry> appliedLog()
    {
        return appliedLog;
    }

    /** Snapshots restored into state machines, from InstallSnapshot or on restart. */
    long snapshotsRestored()
    {
        return snapshotsRestored;
    }

    /** Snapshots nodes made of their own state machines. */
    long snapshotsCreated()
    {
        return snapshotsCreated;
    }

    MemoryRaftStorage storage(final int id)
    {
        return storages[id];
    }

    long maxTerm()
    {
        long max = 0;
        for (int id = 1; id <= size; id++)
        {
            if (nodes[id] != null)
            {
                max = Math.max(max, nodes[id].term());
            }
        }
        return max;
    }

    SplittableRandom random()
    {
        return random;
    }

    @Override
    public String toString()
    {
        final StringBuilder text = new StringBuilder("tick " + now + ":");
        for (int id = 1; id <= size; id++)
        {
            text.append("\n  ").append(id).append(" group ").append(groups[id]).append(": ")
                .append(nodes[id] == null ? "DOWN" : nodes[id].toString());
            if (nodes[id] != null)
            {
                text.append(" first=").append(nodes[id].log().firstIndex());
            }
            if (nodes[id] != null)
            {
                text.append(" voters=").append(Arrays.toString(nodes[id].voters())).append(" learners=")
                    .append(Arrays.toString(nodes[id].learners()));
            }
            if (nodes[id] != null && nodes[id].role() == RaftRole.LEADER)
            {
                for (final int peer : nodes[id].voters())
                {
                    text.append("\n    ").append(nodes[id].progress(peer));
                }
                for (final int peer : nodes[id].learners())
                {
                    text.append("\n    learner ").append(nodes[id].progress(peer));
                }
            }
        }
        return text.toString();
    }
}
