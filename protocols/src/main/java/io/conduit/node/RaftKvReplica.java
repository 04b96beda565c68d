package io.conduit.node;

import java.util.List;

import io.conduit.kv.Consistency;
import io.conduit.kv.KvCodecError;
import io.conduit.kv.KvCommandFlyweight;
import io.conduit.kv.KvConfig;
import io.conduit.kv.KvOp;
import io.conduit.kv.KvRequestFlyweight;
import io.conduit.kv.KvResponseFlyweight;
import io.conduit.kv.KvStateMachine;
import io.conduit.kv.KvStatus;
import io.conduit.kv.SnapshotSink;
import io.conduit.raft.EntryKind;
import io.conduit.raft.LogEntry;
import io.conduit.raft.RaftConfig;
import io.conduit.raft.RaftMessage;
import io.conduit.raft.RaftNode;
import io.conduit.raft.RaftRole;
import io.conduit.raft.RaftStorage;
import io.conduit.raft.ReadState;
import io.conduit.raft.Ready;
import io.conduit.raft.Snapshot;
import io.conduit.raft.codec.RaftMessageCodec;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One member of a replicated key-value store: a {@link RaftNode} whose committed log drives a {@link KvStateMachine},
 * answering clients in the {@code io.conduit.kv} wire formats. Pure and single-threaded: the node's edge loop owns
 * it, passes time in, and moves bytes between it and the network.
 *
 * <h2>Contract for the edge</h2>
 * Every duty cycle, with one clock reading {@code nowNs}: {@link #onTick(long)}; {@link #onPeerMessage} for each
 * peer message and {@link #onClientRequest} for each client request received (in bounded batches);
 * {@link #onClientLinkClosed(long)} when a client connection goes; then {@link #process(long)}, repeated while it
 * returns work and there is nothing new to read. Outputs leave synchronously through {@link PeerOutbox} and
 * {@link ClientOutbox}, whose implementations must copy the bytes before returning. The {@code persist} hook is
 * called once per Ready that wrote to storage, after the writes and before anything that promises them is sent; it
 * must make them durable (the durable storage's fsync) or throw, after which this replica is unusable and the
 * process restarts from storage.
 *
 * <h2>Order within one Ready (etcd's contract, see {@link Ready})</h2>
 * send messages; install a received snapshot in storage; append entries and save the hard state; run the persist
 * hook; send messages-after-persist; restore the state machine from the received snapshot; apply committed entries
 * to the state machine, answering the clients whose proposals they are; note confirmed reads; advance; then, if the
 * policy says so, snapshot and compact. Reads whose index has been applied are then served.
 *
 * <h2>Snapshots and compaction (Raft §7)</h2>
 * Once {@link RaftKvReplicaConfig#snapshotEveryEntries()} entries have been applied since the latest snapshot, the
 * replica writes the state machine's snapshot into one {@code byte[]} and hands it to
 * {@link RaftStorage#createSnapshot}, then {@link RaftStorage#compact compacts} the log up to
 * {@link RaftKvReplicaConfig#entriesRetainedBehindSnapshot()} entries behind it. Both calls run inside
 * {@link #process(long)} on the edge's thread; with the durable storage they are a file write and an fsync, which
 * stalls the replica for as long, acceptable once every several thousand entries. A snapshot received from the
 * leader replaces the state machine; proposals at or below its index can no longer be matched to their entries, so
 * their clients get RETRY and learn the outcome by retrying the same sequence, which the session (part of the
 * snapshot) answers without applying it twice. Pending reads keep their rules: the applied index only jumps forward.
 * A restarted replica restores its state machine from the storage's snapshot and re-applies the log after it.
 *
 * <h2>Writes (put, cas, delete, lease)</h2>
 * A leader stamps the request with its term and {@code nowNs} ({@link KvCommandFlyweight}) and proposes it,
 * remembering (index, term) and the client. When that index is applied: if the entry there has the proposal's term
 * it is the proposal (Raft log matching), and the state machine's response goes to the client; otherwise the leader
 * changed and the proposal was replaced, and the client gets RETRY. A retry of a request still pending in the current
 * term is not proposed again; one from an earlier term is, and the state machine's session answers it without
 * applying it twice (dissertation §6.3). A replica that is not the leader answers NOT_LEADER with the leader it
 * knows (0 for none) and proposes nothing. Losing leadership answers nothing early: a pending proposal is answered
 * when its index is applied, here or after this replica becomes leader again, or never (the client times out and
 * retries); ERROR is sent only for requests certainly not applied (malformed ones).
 *
 * <h2>Reads (get)</h2>
 * LINEARIZABLE: {@link RaftNode#readIndex(long)} (a follower forwards it to the leader), served once the applied
 * index reaches the confirmed read index (thesis §6.4); answered RETRY if leadership changes before the
 * confirmation, or after {@link RaftKvReplicaConfig#readTimeoutNs()}. SEQUENTIAL: served from local state once the
 * applied index reaches the request's {@code minIndex}, held until then, RETRY at the timeout. EVENTUAL: local state
 * at once. Every response carries the index it reflects so a sequential client can carry it forward.
 *
 * <h2>Allocation</h2>
 * Requests, responses and outgoing peer messages use flyweights over buffers allocated at construction. What the
 * engine forces: each proposal allocates its {@code byte[]} payload (owned by the log), each decoded peer message
 * allocates a {@link RaftMessage}, its entry list and payloads (or a snapshot chunk's data), and the engine allocates
 * its own outgoing messages. Each snapshot taken allocates one array of the state machine's snapshot length.
 */
public final class RaftKvReplica implements MemberEngine
{
    /** Most Ready cycles one {@link #process} call runs, so a long catch-up does not starve the edge's inputs. */
    public static final int MAX_READIES_PER_PROCESS = 64;

    private static final long NO_REQUEST_ID = -1;
    private static final int[] NO_LEARNERS = new int[0];

    private final int memberId;
    private final int[] voters;
    private final long tickNs;
    private final int maxCatchUpTicks;
    private final long readTimeoutNs;
    private final long snapshotEveryEntries;
    private final long entriesRetainedBehindSnapshot;
    private final KvConfig kvConfig;
    private final RaftNode node;
    private final RaftStorage storage;
    private final Runnable persist;
    private final KvStateMachine stateMachine;
    private final PeerOutbox peers;
    private final ClientOutbox clients;
    private final RaftMessageCodec codec;
    private final PendingWrites writes;
    private final PendingReads reads;

    private final KvRequestFlyweight request = new KvRequestFlyweight();
    private final KvRequestFlyweight heldRequest = new KvRequestFlyweight();
    private final KvResponseFlyweight response = new KvResponseFlyweight();
    private final UnsafeBuffer peerBuffer;
    private final UnsafeBuffer responseBuffer;
    private final UnsafeBuffer entryBuffer = new UnsafeBuffer(new byte[0]);
    private final UnsafeBuffer commandBuffer = new UnsafeBuffer(new byte[0]);
    private final UnsafeBuffer snapshotBuffer = new UnsafeBuffer(new byte[0]);
    private final SnapshotWriter snapshotWriter = new SnapshotWriter();

    private boolean clockStarted;
    private long nextTickNs;
    private long nextReadRequestId;
    private long leadershipEpoch;
    private long observedTerm;
    private int observedLeader;
    private RaftRole observedRole;
    private long snapshotIndex;
    private long nextSnapshotIndex;

    private long ticks;
    private long skippedTicks;
    private long proposals;
    private long readsServed;
    private long redirects;
    private long retries;
    private long malformedPeerMessages;
    private long malformedClientRequests;
    private long droppedPeerMessages;
    private long droppedResponses;
    private long appliedEntries;
    private long snapshotsTaken;
    private long snapshotsInstalled;
    private long snapshotsTooLarge;

    /**
     * Starts (or restarts) a member from what {@code storage} holds. The state machine must be fresh: it is
     * restored from the storage's snapshot, if there is one, and the engine then re-applies the committed log after
     * it.
     *
     * @param config       identity, timing and limits.
     * @param storage      the persisted log and hard state; written here, made durable by {@code persist}.
     * @param persist      the durable storage's fsync ({@code DurableRaftStorage::persist}); a no-op for memory.
     * @param stateMachine the key-value state machine, with {@code config.kv()}, that has applied nothing.
     * @param peers        where Raft messages go.
     * @param clients      where client responses go.
     * @throws IllegalArgumentException for a state machine that has applied entries or has another configuration.
     * @throws IllegalStateException    when the storage's snapshot does not restore the state machine to its index.
     */
    public RaftKvReplica(
        final RaftKvReplicaConfig config,
        final RaftStorage storage,
        final Runnable persist,
        final KvStateMachine stateMachine,
        final PeerOutbox peers,
        final ClientOutbox clients)
    {
        final RaftConfig raft = config.raft();
        if (stateMachine.appliedIndex() != 0)
        {
            throw new IllegalArgumentException("the state machine has applied " + stateMachine.appliedIndex() +
                ": pass a fresh one, it is restored from the storage's snapshot and log");
        }
        if (!stateMachine.config().equals(config.kv()))
        {
            throw new IllegalArgumentException("the state machine's KvConfig differs from the replica's");
        }
        this.memberId = raft.id();
        this.voters = raft.voters();
        this.tickNs = config.tickNs();
        this.maxCatchUpTicks = raft.electionTicks();
        this.readTimeoutNs = config.readTimeoutNs();
        this.snapshotEveryEntries = config.snapshotEveryEntries();
        this.entriesRetainedBehindSnapshot = config.entriesRetainedBehindSnapshot();
        this.kvConfig = config.kv();
        this.storage = storage;
        this.persist = persist;
        this.stateMachine = stateMachine;
        this.peers = peers;
        this.clients = clients;
        this.codec = RaftMessageCodec.forConfig(raft, KvCommandFlyweight.maxLength(kvConfig));
        final long peerLength = codec.maxMessageLength(Math.max(raft.maxBytesPerAppend(), codec.maxEntryLength()));
        if (peerLength > Integer.MAX_VALUE - 8)
        {
            throw new IllegalArgumentException("maxBytesPerAppend " + raft.maxBytesPerAppend() + " is too large");
        }
        this.peerBuffer = new UnsafeBuffer(new byte[(int)peerLength]);
        this.responseBuffer = new UnsafeBuffer(new byte[stateMachine.responseCapacity()]);
        this.writes = new PendingWrites(config.maxPendingWrites());
        this.reads = new PendingReads(config.maxPendingReads(),
            KvRequestFlyweight.HEADER_LENGTH + kvConfig.maxKeyLength());
        // Request ids start at a random point so a READ_INDEX_RESP meant for an earlier incarnation of this member
        // (the engine does not check which read an answer belongs to) is all but certain to match nothing.
        this.nextReadRequestId = raft.random().nextLong();
        this.nextSnapshotIndex = nextSnapshotIndex(0);
        final Snapshot snapshot = storage.snapshot();
        if (snapshot != null)
        {
            restore(snapshot);
        }
        this.node = new RaftNode(raft, storage);
        if (node.appliedIndex() != stateMachine.appliedIndex())
        {
            throw new IllegalStateException("the engine starts applying after " + node.appliedIndex() +
                " but the state machine was restored to " + stateMachine.appliedIndex());
        }
        observeLeadership();
    }

    // ------------------------------------------------------------------------------------------------ inputs

    /**
     * Ticks the engine once per {@code tickNs} elapsed since the previous tick; the first call only starts the
     * clock. After a stall longer than an election timeout the extra ticks are dropped (counted in
     * {@link #skippedTicks()}): one election timeout is all the engine can act on anyway.
     *
     * @return the number of ticks taken.
     */
    @Override
    public int onTick(final long nowNs)
    {
        if (!clockStarted)
        {
            clockStarted = true;
            nextTickNs = nowNs + tickNs;
            return 0;
        }
        int taken = 0;
        while (nowNs - nextTickNs >= 0 && taken < maxCatchUpTicks)
        {
            node.tick();
            nextTickNs += tickNs;
            taken++;
        }
        if (nowNs - nextTickNs >= 0)
        {
            skippedTicks += (nowNs - nextTickNs) / tickNs + 1;
            nextTickNs = nowNs + tickNs;
        }
        ticks += taken;
        observeLeadership();
        return taken;
    }

    /** When the next tick is due; the edge may sleep until then if nothing else arrives. */
    public long nextTickDeadlineNs()
    {
        return nextTickNs;
    }

    /**
     * One message from a peer. Malformed bytes, and messages not addressed to this member or not from another voter,
     * are counted in {@link #malformedPeerMessages()} and dropped.
     */
    @Override
    public void onPeerMessage(final long nowNs, final int fromMemberId, final DirectBuffer buffer, final int offset,
        final int length)
    {
        // The sender is named inside every Raft message, and checked against it there.
        onPeerMessage(nowNs, buffer, offset, length);
    }

    public void onPeerMessage(final long nowNs, final DirectBuffer buffer, final int offset, final int length)
    {
        if (codec.decode(buffer, offset, length) < 0)
        {
            malformedPeerMessages++;
            return;
        }
        final RaftMessage m = codec.message();
        if (m.to() != memberId || !isVoter(m.from()))
        {
            malformedPeerMessages++;
            return;
        }
        node.step(m);
        observeLeadership();
    }

    /**
     * One client request ({@link KvRequestFlyweight}) on link {@code linkId}. A malformed request is answered ERROR
     * (it is certainly not applied) and counted.
     */
    @Override
    public void onClientRequest(
        final long nowNs, final long linkId, final DirectBuffer buffer, final int offset, final int length)
    {
        final int valid = request.wrap(buffer, offset, length).validate(kvConfig);
        if (valid < 0)
        {
            malformedClientRequests++;
            final boolean readable = length >= KvRequestFlyweight.HEADER_LENGTH;
            respond(linkId, KvResponseFlyweight.encodeError(responseBuffer, 0, readable ? request.clientId() : 0,
                readable ? request.sequence() : 0, 0, "malformed request: " + KvCodecError.describe(valid)));
            return;
        }
        if (request.op() == KvOp.GET)
        {
            onRead(nowNs, linkId, buffer, offset, length);
        }
        else
        {
            onWrite(nowNs, linkId, buffer, offset, length);
        }
    }

    /** The client's link is gone: nothing pending is answered on it any more. */
    @Override
    public void onClientLinkClosed(final long linkId)
    {
        writes.forgetLink(linkId);
        for (int i = reads.activeCount() - 1; i >= 0; i--)
        {
            if (reads.linkId(reads.activeSlot(i)) == linkId)
            {
                reads.removeAt(i);
            }
        }
    }

    /**
     * Asks the engine to hand leadership to {@code target} (thesis §3.10), e.g. before a graceful shutdown; writes
     * arriving meanwhile are answered NOT_LEADER naming the target.
     *
     * @return whether a transfer is under way.
     */
    public boolean transferLeadership(final int target)
    {
        final boolean started = node.transferLeadership(target);
        observeLeadership();
        return started;
    }

    private void onWrite(
        final long nowNs, final long linkId, final DirectBuffer buffer, final int offset, final int length)
    {
        final long clientId = request.clientId();
        final long sequence = request.sequence();
        if (node.role() != RaftRole.LEADER)
        {
            notLeader(linkId, clientId, sequence, node.leader());
            return;
        }
        final int inFlight = writes.find(clientId, sequence, node.term());
        if (inFlight >= 0)
        {
            writes.linkId(inFlight, linkId);
            return;
        }
        if (writes.isFull())
        {
            retry(linkId, clientId, sequence, stateMachine.appliedIndex());
            return;
        }
        final byte[] payload = new byte[KvCommandFlyweight.HEADER_LENGTH + length];
        commandBuffer.wrap(payload);
        KvCommandFlyweight.encode(commandBuffer, 0, node.term(), nowNs, buffer, offset, length);
        final long index = node.propose(payload);
        if (index <= 0)
        {
            notLeader(linkId, clientId, sequence, RaftNode.leaderHint(index));
            return;
        }
        proposals++;
        evictFrom(index);
        writes.add(index, node.term(), linkId, clientId, sequence);
    }

    /** Proposals at {@code index} or later were cut from this log; their clients retry (see {@link PendingWrites}). */
    private void evictFrom(final long index)
    {
        while (writes.size() > 0 && writes.tailIndex() >= index)
        {
            retry(writes.tailLinkId(), writes.tailClientId(), writes.tailSequence(), stateMachine.appliedIndex());
            writes.removeTail();
        }
    }

    private void onRead(
        final long nowNs, final long linkId, final DirectBuffer buffer, final int offset, final int length)
    {
        final Consistency consistency = request.consistency();
        if (consistency == Consistency.EVENTUAL ||
            (consistency == Consistency.SEQUENTIAL && stateMachine.appliedIndex() >= request.minIndex()))
        {
            serve(linkId, request, 0);
            return;
        }
        if (reads.isFull())
        {
            retry(linkId, request.clientId(), request.sequence(), stateMachine.appliedIndex());
            return;
        }
        if (consistency == Consistency.SEQUENTIAL)
        {
            reads.add(PendingReads.AWAITING_APPLY, NO_REQUEST_ID, linkId, nowNs + readTimeoutNs, leadershipEpoch,
                buffer, offset, length);
            return;
        }
        final long requestId = nextRequestId();
        if (!node.readIndex(requestId))
        {
            // A leader refuses only when its ReadIndex queue is full; anyone else knows no leader to ask.
            if (node.role() == RaftRole.LEADER)
            {
                retry(linkId, request.clientId(), request.sequence(), stateMachine.appliedIndex());
            }
            else
            {
                notLeader(linkId, request.clientId(), request.sequence(), node.leader());
            }
            return;
        }
        reads.add(PendingReads.AWAITING_READ_INDEX, requestId, linkId, nowNs + readTimeoutNs, leadershipEpoch,
            buffer, offset, length);
    }

    private long nextRequestId()
    {
        if (nextReadRequestId == NO_REQUEST_ID)
        {
            nextReadRequestId++;
        }
        return nextReadRequestId++;
    }

    // ----------------------------------------------------------------------------------------------- process

    /**
     * Drains the engine's Ready cycles (at most {@link #MAX_READIES_PER_PROCESS}) in the documented order, then
     * serves and expires pending reads.
     *
     * @return how much was done (messages, entries, reads); 0 when idle.
     */
    @Override
    public int process(final long nowNs)
    {
        int work = 0;
        for (int i = 0; i < MAX_READIES_PER_PROCESS && node.hasReady(); i++)
        {
            work += handle(node.ready());
            node.advance();
            observeLeadership();
            maybeSnapshot();
        }
        return work + servePendingReads(nowNs);
    }

    private int handle(final Ready ready)
    {
        final List<RaftMessage> messages = ready.messages();
        sendAll(messages);
        final Snapshot snapshot = ready.snapshot();
        if (snapshot != null)
        {
            // Before the entries, which follow the snapshot; the storage discards the whole log it replaces.
            storage.applySnapshot(snapshot.metadata(), snapshot.data());
        }
        final List<LogEntry> entries = ready.entries();
        final boolean wrote = snapshot != null || !entries.isEmpty() || ready.hardState() != null;
        if (!entries.isEmpty())
        {
            storage.append(entries);
        }
        if (ready.hardState() != null)
        {
            storage.saveHardState(ready.hardState());
        }
        if (wrote)
        {
            persist.run();
        }
        final List<RaftMessage> afterPersist = ready.messagesAfterPersist();
        sendAll(afterPersist);
        if (snapshot != null)
        {
            install(snapshot);
        }
        final List<LogEntry> committed = ready.committedEntries();
        for (int i = 0, n = committed.size(); i < n; i++)
        {
            apply(committed.get(i));
        }
        final List<ReadState> readStates = ready.readStates();
        for (int i = 0, n = readStates.size(); i < n; i++)
        {
            onReadState(readStates.get(i));
        }
        return (snapshot != null ? 1 : 0) + messages.size() + entries.size() + afterPersist.size() +
            committed.size() + readStates.size();
    }

    /**
     * The leader's snapshot replaces the state machine. Proposals at or below its index cannot be matched to their
     * entries any more (the log that held them is gone), so their clients retry; the session in the snapshot
     * answers a retry of anything it applied without applying it twice.
     */
    private void install(final Snapshot snapshot)
    {
        restore(snapshot);
        final long index = snapshot.metadata().index();
        while (writes.size() > 0 && writes.headIndex() <= index)
        {
            retry(writes.headLinkId(), writes.headClientId(), writes.headSequence(), index);
            writes.removeHead();
        }
        snapshotsInstalled++;
    }

    private void restore(final Snapshot snapshot)
    {
        final byte[] data = snapshot.data();
        final long index = snapshot.metadata().index();
        snapshotBuffer.wrap(data);
        final int result = stateMachine.restoreSnapshot(snapshotBuffer, 0, data.length);
        if (result < 0 || stateMachine.appliedIndex() != index)
        {
            // The snapshot was written by a state machine at exactly this index; anything else is corruption.
            throw new IllegalStateException("snapshot " + snapshot.metadata() + " does not restore the state " +
                "machine: " + (result < 0 ? KvCodecError.describe(result) : "it holds index " +
                stateMachine.appliedIndex()));
        }
        snapshotIndex = index;
        nextSnapshotIndex = nextSnapshotIndex(index);
    }

    private long nextSnapshotIndex(final long fromIndex)
    {
        return snapshotEveryEntries == 0 ? Long.MAX_VALUE : fromIndex + snapshotEveryEntries;
    }

    /**
     * Snapshots the state machine at its applied index once the policy's count of entries is reached, then
     * compacts the log behind it. Runs after {@link RaftNode#advance()}, so the engine's applied index matches.
     */
    private void maybeSnapshot()
    {
        final long applied = stateMachine.appliedIndex();
        if (applied < nextSnapshotIndex || applied <= snapshotIndex)
        {
            return;
        }
        final long length = stateMachine.snapshotLength();
        if (length > RaftConfig.MAX_SNAPSHOT_BYTES_LIMIT)
        {
            // One array cannot hold it; keep the log (and try again later) rather than fail the replica.
            snapshotsTooLarge++;
            nextSnapshotIndex = nextSnapshotIndex(applied);
            return;
        }
        final byte[] data = new byte[(int)length];
        snapshotWriter.start(data);
        stateMachine.writeSnapshot(snapshotWriter);
        final int written = snapshotWriter.finish();
        if (written != data.length)
        {
            throw new IllegalStateException("the state machine wrote " + written + " snapshot bytes of the " +
                data.length + " it announced");
        }
        // The configuration as of the applied index, not the bootstrap one: membership changes may have moved it.
        storage.createSnapshot(applied, node.appliedVoters(), node.appliedLearners(), data);
        snapshotIndex = applied;
        nextSnapshotIndex = nextSnapshotIndex(applied);
        snapshotsTaken++;
        final long compactTo = applied - entriesRetainedBehindSnapshot;
        if (compactTo >= storage.firstIndex())
        {
            storage.compact(compactTo);
        }
    }

    private void sendAll(final List<RaftMessage> messages)
    {
        for (int i = 0, n = messages.size(); i < n; i++)
        {
            final RaftMessage m = messages.get(i);
            final int length = codec.encode(m, peerBuffer, 0);
            if (length < 0 || !peers.send(m.to(), peerBuffer, 0, length))
            {
                droppedPeerMessages++;
            }
        }
    }

    private void apply(final LogEntry entry)
    {
        // Proposals below this index were never seen applied (cannot happen while the log only grows; kept safe).
        // Answered before applying, since the answer and the state machine's response share one buffer.
        while (writes.size() > 0 && writes.headIndex() < entry.index())
        {
            retry(writes.headLinkId(), writes.headClientId(), writes.headSequence(), entry.index());
            writes.removeHead();
        }
        // A membership change is the engine's business: the state machine sees it as a no-op that only advances its
        // index, so applied indexes and snapshots stay aligned with the log.
        final int commandLength = entry.kind() == EntryKind.NORMAL ? entry.payload().length : 0;
        if (commandLength > 0)
        {
            entryBuffer.wrap(entry.payload());
        }
        final int responseLength = stateMachine.apply(entry.index(), entry.term(), entryBuffer, 0, commandLength,
            responseBuffer, 0);
        appliedEntries++;
        if (writes.size() > 0 && writes.headIndex() == entry.index())
        {
            // Same index and term is the same entry (Raft §5.3): this is our proposal and its response is final.
            if (writes.headTerm() == entry.term() && responseLength > 0)
            {
                respond(writes.headLinkId(), responseLength);
            }
            else
            {
                retry(writes.headLinkId(), writes.headClientId(), writes.headSequence(), entry.index());
            }
            writes.removeHead();
        }
    }

    private void onReadState(final ReadState readState)
    {
        final int slot = reads.slotOfRequest(readState.requestId());
        if (slot >= 0 && reads.state(slot) == PendingReads.AWAITING_READ_INDEX)
        {
            reads.readIndex(slot, readState.index());
        }
    }

    private int servePendingReads(final long nowNs)
    {
        int served = 0;
        final long applied = stateMachine.appliedIndex();
        for (int i = reads.activeCount() - 1; i >= 0; i--)
        {
            final int slot = reads.activeSlot(i);
            heldRequest.wrap(reads.requests(), reads.requestOffset(slot), reads.requestLength(slot));
            final byte state = reads.state(slot);
            final long requiredIndex = reads.isLinearizable(slot) ? reads.readIndex(slot) : heldRequest.minIndex();
            final boolean servable = state == PendingReads.AWAITING_APPLY && applied >= requiredIndex;
            if (servable)
            {
                serve(reads.linkId(slot), heldRequest, reads.readIndex(slot));
            }
            else if (nowNs - reads.deadlineNs(slot) >= 0 ||
                (state == PendingReads.AWAITING_READ_INDEX && reads.leadershipEpoch(slot) != leadershipEpoch))
            {
                // The engine drops pending reads when leadership changes; no answer is coming, so the client retries.
                retry(reads.linkId(slot), heldRequest.clientId(), heldRequest.sequence(), applied);
            }
            else
            {
                continue;
            }
            reads.removeAt(i);
            served++;
        }
        return served;
    }

    private void serve(final long linkId, final KvRequestFlyweight get, final long readIndex)
    {
        final int length = stateMachine.read(get, readIndex, responseBuffer, 0);
        if (response.wrap(responseBuffer, 0, length).status() == KvStatus.RETRY)
        {
            retries++;
        }
        else
        {
            readsServed++;
        }
        respond(linkId, length);
    }

    // ------------------------------------------------------------------------------------------------ output

    private void notLeader(final long linkId, final long clientId, final long sequence, final int hint)
    {
        redirects++;
        respond(linkId, KvResponseFlyweight.encodeNotLeader(responseBuffer, 0, clientId, sequence, hint));
    }

    private void retry(final long linkId, final long clientId, final long sequence, final long index)
    {
        if (linkId == PendingWrites.NO_LINK)
        {
            return;
        }
        retries++;
        respond(linkId, KvResponseFlyweight.encode(responseBuffer, 0, clientId, sequence, KvStatus.RETRY, index));
    }

    private void respond(final long linkId, final int length)
    {
        if (linkId == PendingWrites.NO_LINK)
        {
            return;
        }
        if (!clients.send(linkId, responseBuffer, 0, length))
        {
            droppedResponses++;
        }
    }

    /** Counts a change of term, role or leader; reads registered under an earlier one will get no ReadState. */
    private void observeLeadership()
    {
        if (node.term() != observedTerm || node.role() != observedRole || node.leader() != observedLeader)
        {
            observedTerm = node.term();
            observedRole = node.role();
            observedLeader = node.leader();
            leadershipEpoch++;
        }
    }

    private boolean isVoter(final int id)
    {
        if (id == memberId)
        {
            return false;
        }
        for (final int voter : voters)
        {
            if (voter == id)
            {
                return true;
            }
        }
        return false;
    }

    // ----------------------------------------------------------------------------------------------- queries

    public int memberId()
    {
        return memberId;
    }

    public RaftRole role()
    {
        return node.role();
    }

    @Override
    public long term()
    {
        return node.term();
    }

    /** The leader this member follows (itself when leading), or {@link RaftNode#NONE}. */
    @Override
    public int leader()
    {
        return node.leader();
    }

    public long commitIndex()
    {
        return node.commitIndex();
    }

    /** The state machine's applied index: what local reads reflect. */
    public long appliedIndex()
    {
        return stateMachine.appliedIndex();
    }

    public long lastIndex()
    {
        return node.lastIndex();
    }

    /** The longest peer message this replica sends; the edge checks it against its messaging's limit. */
    public int maxPeerMessageLength()
    {
        return peerBuffer.capacity();
    }

    public int pendingWrites()
    {
        return writes.size();
    }

    public int pendingReads()
    {
        return reads.activeCount();
    }

    /** Engine ticks taken. */
    public long ticks()
    {
        return ticks;
    }

    /** Ticks dropped after stalls longer than an election timeout. */
    public long skippedTicks()
    {
        return skippedTicks;
    }

    /** Writes proposed to the log (retries of a pending proposal are not proposed again). */
    public long proposals()
    {
        return proposals;
    }

    /** Reads answered with a value or MISSING. */
    public long readsServed()
    {
        return readsServed;
    }

    /** NOT_LEADER responses sent. */
    public long redirects()
    {
        return redirects;
    }

    /** RETRY responses sent (back pressure, replaced proposals, unconfirmed or timed-out reads). */
    public long retries()
    {
        return retries;
    }

    /** Peer messages dropped as undecodable or misaddressed. */
    public long malformedPeerMessages()
    {
        return malformedPeerMessages;
    }

    /** Client requests answered ERROR as malformed. */
    public long malformedClientRequests()
    {
        return malformedClientRequests;
    }

    /** Peer messages the outbox refused (or that exceeded the codec's limits). */
    public long droppedPeerMessages()
    {
        return droppedPeerMessages;
    }

    /** Client responses the outbox refused. */
    public long droppedResponses()
    {
        return droppedResponses;
    }

    /**
     * Log entries applied to the state machine since this replica started (re-applied ones included; those a
     * snapshot restored are not).
     */
    public long appliedEntries()
    {
        return appliedEntries;
    }

    /** The index of the latest snapshot the state machine was taken or restored at; 0 for none. */
    public long snapshotIndex()
    {
        return snapshotIndex;
    }

    /** Snapshots of the state machine this replica wrote to storage (each followed by a compaction). */
    public long snapshotsTaken()
    {
        return snapshotsTaken;
    }

    /** Snapshots received from a leader that replaced this replica's state machine. */
    public long snapshotsInstalled()
    {
        return snapshotsInstalled;
    }

    /** Snapshots skipped because the state machine's snapshot would not fit one array; the log was kept. */
    public long snapshotsTooLarge()
    {
        return snapshotsTooLarge;
    }

    @Override
    public String toString()
    {
        return "RaftKvReplica{" + node + " applied=" + stateMachine.appliedIndex() + " snapshot=" + snapshotIndex +
            " pendingWrites=" + writes.size() + " pendingReads=" + reads.activeCount() + '}';
    }

    /** Copies the state machine's snapshot into one array, checking it stays within the announced length. */
    private static final class SnapshotWriter implements SnapshotSink
    {
        private static final byte[] NO_BYTES = new byte[0];

        private final UnsafeBuffer target = new UnsafeBuffer(NO_BYTES);
        private int position;

        void start(final byte[] data)
        {
            target.wrap(data);
            position = 0;
        }

        /** Lets go of the array (the storage owns it now, and it may be large); returns the bytes written. */
        int finish()
        {
            target.wrap(NO_BYTES);
            return position;
        }

        @Override
        public void write(final DirectBuffer buffer, final int offset, final int length)
        {
            if (length > target.capacity() - position)
            {
                throw new IllegalStateException("the state machine wrote more snapshot bytes than it announced");
            }
            target.putBytes(position, buffer, offset, length);
            position += length;
        }
    }
}
