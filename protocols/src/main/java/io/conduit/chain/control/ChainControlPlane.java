package io.conduit.chain.control;

import java.util.Arrays;
import java.util.List;

import io.conduit.chain.ChainConfiguration;
import io.conduit.failure.FailureCounter;
import io.conduit.failure.FailureDetectorNode;
import io.conduit.failure.MemberState;
import io.conduit.failure.MembershipView;
import io.conduit.kv.KvCodecError;
import io.conduit.kv.SnapshotSink;
import io.conduit.messaging.MessageHandler;
import io.conduit.messaging.Messaging;
import io.conduit.messaging.PeerEventHandler;
import io.conduit.node.PeerOutbox;
import io.conduit.raft.ConfChange;
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
 * The chain's configuration manager on one member: a {@link RaftNode} whose log drives a
 * {@link ChainControlStateMachine}, a {@link FailureDetectorNode} watching the other members, and the requests of
 * the local chain replica. Pure and single-threaded, like {@code RaftKvReplica}, whose Ready order it follows.
 *
 * <h2>Contract</h2>
 * {@link #onTick(long)} every duty cycle (Raft ticks once per elapsed {@code tickNs}, the detector and the timers
 * below fire when due); {@link #onPeerMessage} for each RAFT, DETECTOR or CONTROL plane message (the bytes after the
 * {@link PlaneTag}); {@link #onPeerUp}/{@link #onPeerDown} for link events; {@link #localReplica} with the local
 * chain replica's incarnation, adopted epoch and sync state; then {@link #process(long)}. Messages leave through the
 * {@link PeerOutbox} already tagged. The {@code persist} hook runs once per Ready that wrote to storage, before
 * anything promising those writes is sent (the durable storage's fsync; a no-op for memory).
 *
 * <h2>What the Raft leader does</h2>
 * <ul>
 *   <li><b>Learners</b> (separate control plane): adds every chain member that is no voter as a Raft learner, so it
 *       applies the control log like a voter but never votes; see {@link ChainControlConfig}.</li>
 *   <li><b>Failures</b>: proposes REPORT_FAILED(m, epoch) for every chain member its detector holds DEAD, again every
 *       {@code requestRetryNs} while it stays DEAD and in the chain. Liveness comes from the failure detector's
 *       heartbeats on the same peer links rather than from Raft's heartbeat responses: its detection time and
 *       false-positive rate are measured and tunable apart from election timing (docs/failure-detection.md), and
 *       since every member runs it, a new leader acts on a view that is already warm.</li>
 *   <li><b>Proposals</b>: proposes the REQUEST_JOIN and REPORT_SYNCED that members send about themselves.</li>
 *   <li><b>Read leases</b>: collects LEASE_REQUESTs, confirms each batch with a ReadIndex round (Raft thesis §6.4)
 *       registered after the requests arrived, and once the state machine has applied the confirmed index, answers
 *       LEASE_GRANT to each whose epoch is the current one with its incarnation in it.</li>
 * </ul>
 *
 * <h2>What every member does</h2>
 * Asks the leader for REQUEST_JOIN while its replica's incarnation holds no place, for REPORT_SYNCED once that
 * replica is synced, and for a lease every {@code leaseRenewNs}. A grant makes reads safe until
 * {@code sentNs + leaseNs} of the request.
 *
 * <h2>Why leases and the adoption wait</h2>
 * A member removed while alive (cut off from the leader, falsely suspected) does not learn the new epoch, and as tail
 * (or as a CRAQ member) would keep answering reads from a state the new chain moves past. So members serve reads only
 * under a lease, and nobody adopts a configuration that removed a member until {@code adoptWaitNs} after applying
 * it. A grant confirmed by ReadIndex shows the epoch was current after the request was sent, so the removal
 * committed after it; every member applies the removal after its commit and waits at least a lease before adopting
 * it; no write can commit in the new epoch before then, and by then every lease of the removed member has ended. A
 * deposed leader cannot grant: its ReadIndex round never completes. Writes need no lease: a removed head's updates
 * reach a commit only through members still in the old epoch, and then they are in the new chain too.
 */
public final class ChainControlPlane
{
    /** Most Ready cycles one {@link #process} call runs, so a long catch-up does not starve the edge's inputs. */
    public static final int MAX_READIES_PER_PROCESS = 64;

    private static final long NONE = 0;

    private final int memberId;
    /** Every other member (voters and chain members), ascending: whom this one talks to. */
    private final int[] otherMembers;
    /** Chain members that are not voters (separate control plane): the leader adds them as Raft learners. */
    private final int[] learnersWanted;
    private final int[] sortedMembers;
    private final ChainControlConfig config;
    private final long tickNs;
    private final int maxCatchUpTicks;
    private final long leaseRoundTimeoutNs;
    private final RaftStorage storage;
    private final Runnable persist;
    private final PeerOutbox peers;
    private final RaftMessageCodec codec;
    private final ChainControlStateMachine state;
    private final RaftNode node;
    private final FailureDetectorNode detector;

    private final UnsafeBuffer sendBuffer;
    private final UnsafeBuffer detectorBuffer;
    private final UnsafeBuffer controlBuffer = new UnsafeBuffer(new byte[PlaneTag.TAG_LENGTH +
        ControlMessageFlyweight.LENGTH]);
    private final UnsafeBuffer commandBuffer = new UnsafeBuffer(new byte[ControlCommandFlyweight.LENGTH]);
    private final UnsafeBuffer responseBuffer = new UnsafeBuffer(new byte[ChainControlStateMachine.RESPONSE_LENGTH]);
    private final UnsafeBuffer entryBuffer = new UnsafeBuffer(new byte[0]);
    private final ControlMessageFlyweight control = new ControlMessageFlyweight();
    private final ControlCommandFlyweight command = new ControlCommandFlyweight();
    private final SnapshotCollector snapshotCollector = new SnapshotCollector();

    /** Per chain member: when the leader may report it failed again. */
    private final long[] nextReportNs;
    /** Per chain member: when this leader last had a lease request from it, and from which incarnation (0: none). */
    private final long[] evidenceNs;
    private final long[] evidenceIncarnation;
    /** Per chain member: the latest lease request not yet in a round (epoch 0 = none). */
    private final long[] waitingEpoch;
    private final long[] waitingIncarnation;
    private final long[] waitingSentNs;
    /** Per chain member: the request the current ReadIndex round confirms (epoch 0 = none). */
    private final long[] roundEpoch;
    private final long[] roundIncarnation;
    private final long[] roundSentNs;

    private boolean learnersInPlace;
    private boolean clockStarted;
    private long nextTickNs;
    private boolean leading;
    private long leadingTerm;
    private long nextRoundId;
    private long roundId = NONE;
    private long roundIndex = -1;
    private long roundStartedNs;

    private long localIncarnation;
    private long localEpoch;
    private boolean localSynced;
    private long nextJoinNs;
    private long nextSyncedNs;
    private long nextLeaseRequestNs;
    private boolean joinDue;
    private boolean syncedDue;
    private boolean leaseRequestDue;
    private long grantedEpoch;
    private long leaseUntilNs;

    private long seenRemovalEpoch;
    private long adoptNotBeforeNs;
    private boolean adoptWaiting;

    private long snapshotIndex;
    private long nextSnapshotIndex;

    private long malformedPeerMessages;
    private long droppedPeerMessages;
    private long proposals;
    private long failureReports;
    private long leaseRounds;
    private long leaseGrants;
    private long leasesReceived;
    private long snapshotsTaken;
    private long snapshotsInstalled;

    /**
     * Starts (or restarts) from what {@code storage} holds: the state machine is restored from its snapshot, and the
     * engine re-applies the committed log after it.
     *
     * @param config  identity, timing, chain members, detector, leases.
     * @param storage the persisted log and hard state; written here, made durable by {@code persist}.
     * @param persist the durable storage's fsync; a no-op for memory.
     * @param peers   where tagged messages for other members go (the edge copies the bytes before returning).
     */
    public ChainControlPlane(
        final ChainControlConfig config, final RaftStorage storage, final Runnable persist, final PeerOutbox peers)
    {
        final RaftConfig raft = config.raft();
        this.memberId = raft.id();
        this.otherMembers = Arrays.stream(config.allMembers()).filter(member -> member != memberId).toArray();
        this.learnersWanted = config.learners();
        this.learnersInPlace = learnersWanted.length == 0;
        this.config = config;
        this.tickNs = config.tickNs();
        this.maxCatchUpTicks = raft.electionTicks();
        this.leaseRoundTimeoutNs = 2L * raft.electionTicks() * config.tickNs();
        this.storage = storage;
        this.persist = persist;
        this.peers = peers;
        this.codec = RaftMessageCodec.forConfig(raft, ControlCommandFlyweight.LENGTH);
        final long raftLength = codec.maxMessageLength(Math.max(raft.maxBytesPerAppend(), codec.maxEntryLength()));
        if (raftLength > Integer.MAX_VALUE - 16)
        {
            throw new IllegalArgumentException("maxBytesPerAppend " + raft.maxBytesPerAppend() + " is too large");
        }
        this.sendBuffer = new UnsafeBuffer(new byte[PlaneTag.TAG_LENGTH + (int)raftLength]);
        this.detectorBuffer = new UnsafeBuffer(new byte[PlaneTag.TAG_LENGTH + 64]);
        this.state = new ChainControlStateMachine(config.chainMembers());
        this.sortedMembers = state.members();
        final int slots = sortedMembers.length;
        this.nextReportNs = new long[slots];
        this.evidenceNs = new long[slots];
        this.evidenceIncarnation = new long[slots];
        this.waitingEpoch = new long[slots];
        this.waitingIncarnation = new long[slots];
        this.waitingSentNs = new long[slots];
        this.roundEpoch = new long[slots];
        this.roundIncarnation = new long[slots];
        this.roundSentNs = new long[slots];
        // Round ids start at a random point so an answer meant for an earlier incarnation matches nothing.
        this.nextRoundId = raft.random().nextLong();
        this.nextSnapshotIndex = nextSnapshotIndex(0);
        final Snapshot snapshot = storage.snapshot();
        if (snapshot != null)
        {
            restore(snapshot);
        }
        this.node = new RaftNode(raft, storage);
        if (node.appliedIndex() != state.appliedIndex())
        {
            throw new IllegalStateException("the engine starts applying after " + node.appliedIndex() +
                " but the control state was restored to " + state.appliedIndex());
        }
        this.detector = new FailureDetectorNode(memberId, config.allMembers(), config.detector(), new DetectorLink());
        this.seenRemovalEpoch = state.removalEpoch();
    }

    // ------------------------------------------------------------------------------------------------ inputs

    /**
     * Ticks Raft once per {@code tickNs} elapsed (the first call only starts the clock; after a stall longer than an
     * election timeout the extra ticks are dropped), runs the failure detector when due, and fires the leader's and
     * the member's timers.
     *
     * @return the work done.
     */
    public int onTick(final long nowNs)
    {
        int work = 0;
        if (!clockStarted)
        {
            clockStarted = true;
            nextTickNs = nowNs + tickNs;
            detector.start(nowNs);
            joinDue = true;
            syncedDue = true;
            leaseRequestDue = true;
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
            nextTickNs = nowNs + tickNs;
        }
        work += taken;
        if (detector.nextDeadlineNs() - nowNs <= 0)
        {
            detector.onTick(nowNs);
            work++;
        }
        observeLeadership();
        if (leading)
        {
            work += addLearners();
            work += reportFailures(nowNs);
            work += startLeaseRound(nowNs);
        }
        return work + memberRequests(nowNs);
    }

    /**
     * One message of the RAFT, DETECTOR or CONTROL plane from {@code fromMemberId} (the bytes after the tag).
     * Malformed or misaddressed messages are counted and dropped; CHAIN messages are not for this class.
     */
    public void onPeerMessage(
        final long nowNs, final int fromMemberId, final byte tag, final DirectBuffer buffer, final int offset,
        final int length)
    {
        switch (tag)
        {
            case PlaneTag.RAFT -> onRaftMessage(fromMemberId, buffer, offset, length);
            case PlaneTag.DETECTOR -> detector.onMessage(nowNs, fromMemberId, buffer, offset, length);
            case PlaneTag.CONTROL -> onControlMessage(nowNs, fromMemberId, buffer, offset, length);
            default -> malformedPeerMessages++;
        }
    }

    private void onRaftMessage(final int fromMemberId, final DirectBuffer buffer, final int offset, final int length)
    {
        if (codec.decode(buffer, offset, length) < 0)
        {
            malformedPeerMessages++;
            return;
        }
        final RaftMessage m = codec.message();
        if (m.to() != memberId || m.from() != fromMemberId || !isPeer(m.from()))
        {
            malformedPeerMessages++;
            return;
        }
        node.step(m);
        observeLeadership();
    }

    private void onControlMessage(
        final long nowNs, final int fromMemberId, final DirectBuffer buffer, final int offset, final int length)
    {
        if (!isPeer(fromMemberId) || ControlMessageFlyweight.validate(buffer, offset, length) < 0)
        {
            malformedPeerMessages++;
            return;
        }
        control.wrap(buffer, offset);
        final int slot = chainSlot(fromMemberId);
        if (slot < 0 && control.type() != ControlMessageFlyweight.LEASE_GRANT)
        {
            // Only chain members ask for leases or speak for themselves; any voter may lead and grant.
            malformedPeerMessages++;
            return;
        }
        switch (control.type())
        {
            case ControlMessageFlyweight.LEASE_REQUEST ->
                onLeaseRequest(nowNs, slot, control.epoch(), control.incarnation(), control.sentNs());
            case ControlMessageFlyweight.LEASE_GRANT ->
                onLeaseGrant(control.epoch(), control.incarnation(), control.sentNs());
            default -> onProposal(fromMemberId, buffer, control.commandOffset());
        }
    }

    /** The link to {@code member} came up (again): the detector contacts it at once. */
    public void onPeerUp(final long nowNs, final int member)
    {
        detector.onPeerUp(nowNs, member);
    }

    /** The link to {@code member} went down: the detector suspects it until heard from. */
    public void onPeerDown(final long nowNs, final int member)
    {
        detector.onPeerDown(nowNs, member);
    }

    /**
     * What the local chain replica is now: the incarnation it runs as (0 for none: a member that only runs the
     * control plane), the epoch it adopted (0 for none) and whether it holds everything committed. A change of
     * incarnation or epoch sends the matching request at once.
     */
    public void localReplica(final long incarnation, final long adoptedEpoch, final boolean synced)
    {
        if (incarnation != localIncarnation)
        {
            localIncarnation = incarnation;
            joinDue = true;
            grantedEpoch = 0;
        }
        if (adoptedEpoch != localEpoch)
        {
            localEpoch = adoptedEpoch;
            leaseRequestDue = true;
        }
        syncedDue |= synced && !localSynced;
        localSynced = synced;
    }

    // ----------------------------------------------------------------------------------------------- process

    /**
     * Drains the engine's Ready cycles (at most {@link #MAX_READIES_PER_PROCESS}) in etcd's order, grants the leases
     * a completed ReadIndex round confirms, and notes removals for the adoption wait.
     *
     * @return the work done; 0 when idle.
     */
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
        if (state.removalEpoch() != seenRemovalEpoch)
        {
            seenRemovalEpoch = state.removalEpoch();
            adoptNotBeforeNs = nowNs + config.adoptWaitNs();
            adoptWaiting = true;
        }
        return work + grantLeases(nowNs);
    }

    private int handle(final Ready ready)
    {
        final List<RaftMessage> messages = ready.messages();
        sendAll(messages);
        final Snapshot snapshot = ready.snapshot();
        if (snapshot != null)
        {
            storage.applySnapshot(snapshot.metadata(), snapshot.data());
        }
        final List<LogEntry> entries = ready.entries();
        if (!entries.isEmpty())
        {
            storage.append(entries);
        }
        if (ready.hardState() != null)
        {
            storage.saveHardState(ready.hardState());
        }
        if (snapshot != null || !entries.isEmpty() || ready.hardState() != null)
        {
            persist.run();
        }
        final List<RaftMessage> afterPersist = ready.messagesAfterPersist();
        sendAll(afterPersist);
        if (snapshot != null)
        {
            restore(snapshot);
            snapshotsInstalled++;
        }
        final List<LogEntry> committed = ready.committedEntries();
        for (int i = 0, n = committed.size(); i < n; i++)
        {
            apply(committed.get(i));
        }
        final List<ReadState> readStates = ready.readStates();
        for (int i = 0, n = readStates.size(); i < n; i++)
        {
            if (readStates.get(i).requestId() == roundId)
            {
                roundIndex = readStates.get(i).index();
            }
        }
        return (snapshot != null ? 1 : 0) + messages.size() + entries.size() + afterPersist.size() +
            committed.size() + readStates.size();
    }

    private void apply(final LogEntry entry)
    {
        // A membership change (a learner added) is the engine's, not the state machine's: it applies as a no-op.
        final byte[] payload = entry.payload();
        final int length = entry.kind() == EntryKind.NORMAL ? payload.length : 0;
        if (length > 0)
        {
            entryBuffer.wrap(payload);
        }
        state.apply(entry.index(), entry.term(), entryBuffer, 0, length, responseBuffer, 0);
    }

    private void sendAll(final List<RaftMessage> messages)
    {
        for (int i = 0, n = messages.size(); i < n; i++)
        {
            final RaftMessage m = messages.get(i);
            final int length = codec.encode(m, sendBuffer, PlaneTag.TAG_LENGTH);
            if (length < 0)
            {
                droppedPeerMessages++;
                continue;
            }
            sendBuffer.putByte(0, PlaneTag.RAFT);
            if (!peers.send(m.to(), sendBuffer, 0, PlaneTag.TAG_LENGTH + length))
            {
                droppedPeerMessages++;
            }
        }
    }

    private void restore(final Snapshot snapshot)
    {
        final byte[] data = snapshot.data();
        final UnsafeBuffer view = new UnsafeBuffer(data);
        final int result = state.restoreSnapshot(view, 0, data.length);
        if (result < 0 || state.appliedIndex() != snapshot.metadata().index())
        {
            // A snapshot is written by a control state at exactly its index; anything else is corruption.
            throw new IllegalStateException("snapshot " + snapshot.metadata() + " does not restore the control " +
                "state: " + (result < 0 ? KvCodecError.describe(result) : "it holds index " + state.appliedIndex()));
        }
        snapshotIndex = snapshot.metadata().index();
        nextSnapshotIndex = nextSnapshotIndex(snapshotIndex);
    }

    private long nextSnapshotIndex(final long fromIndex)
    {
        final long every = config.snapshotEveryEntries();
        return every == 0 ? Long.MAX_VALUE : fromIndex + every;
    }

    /** Snapshots the control state once the policy's count is reached, then compacts the log behind it. */
    private void maybeSnapshot()
    {
        final long applied = state.appliedIndex();
        if (applied < nextSnapshotIndex || applied <= snapshotIndex)
        {
            return;
        }
        final byte[] data = snapshotCollector.collect(state);
        storage.createSnapshot(applied, node.appliedVoters(), node.appliedLearners(), data);
        snapshotIndex = applied;
        nextSnapshotIndex = nextSnapshotIndex(applied);
        snapshotsTaken++;
        final long compactTo = applied - config.entriesRetainedBehindSnapshot();
        if (compactTo >= storage.firstIndex())
        {
            storage.compact(compactTo);
        }
    }

    // ------------------------------------------------------------------------------------------ leader duties

    /** Leadership lost or changed term: lease rounds and the requests waiting for them are void. */
    private void observeLeadership()
    {
        final boolean nowLeading = node.role() == RaftRole.LEADER;
        if (nowLeading == leading && (!nowLeading || node.term() == leadingTerm))
        {
            return;
        }
        leading = nowLeading;
        leadingTerm = node.term();
        // A change this member proposed in an earlier term may have been overwritten since: look again.
        learnersInPlace = learnersWanted.length == 0;
        roundId = NONE;
        roundIndex = -1;
        for (int slot = 0; slot < waitingEpoch.length; slot++)
        {
            waitingEpoch[slot] = 0;
            roundEpoch[slot] = 0;
            nextReportNs[slot] = 0;
            evidenceIncarnation[slot] = 0;
        }
    }

    /**
     * Separate control plane: makes every chain member that is no voter a Raft learner, one change at a time (thesis
     * §4.1), so it receives the control log and applies each configuration after its commit, as a voter would. A
     * refused change (an earlier one pending, nothing committed in this term yet) is tried again on the next tick;
     * learners are never removed, so once all are in this term's configuration this leader is done.
     */
    private int addLearners()
    {
        if (learnersInPlace)
        {
            return 0;
        }
        final int[] learners = node.learners();
        for (final int member : learnersWanted)
        {
            if (Arrays.stream(learners).noneMatch(learner -> learner == member))
            {
                return node.proposeConfChange(new ConfChange(ConfChange.Type.ADD_LEARNER, member)) > 0 ? 1 : 0;
            }
        }
        learnersInPlace = true;
        return 0;
    }

    private int reportFailures(final long nowNs)
    {
        final ChainConfiguration configuration = state.configuration();
        if (configuration == null)
        {
            return 0;
        }
        final MembershipView view = detector.view();
        int reported = 0;
        for (int position = 0; position < configuration.size(); position++)
        {
            final int member = configuration.member(position);
            final int slot = chainSlot(member);
            if (member != memberId && view.contains(member) && view.state(member) == MemberState.DEAD &&
                nowNs - nextReportNs[slot] >= 0 && syncedReplicaSurvives(member, nowNs))
            {
                nextReportNs[slot] = nowNs + config.requestRetryNs();
                ControlCommandFlyweight.encodeReportFailed(commandBuffer, 0, member, configuration.epoch());
                if (propose(commandBuffer, 0))
                {
                    failureReports++;
                    reported++;
                }
            }
        }
        return reported;
    }

    /**
     * Whether a synced replica other than {@code failed} is known to be running: this member's own, if it holds its
     * place, or one whose member the detector holds ALIVE and that asked for a lease, with the incarnation holding
     * its place, within the last two renewal intervals. The state machine only keeps a synced member in the chain;
     * this keeps it from being one that died with its data (a crash just restarted, whose place is still held by
     * the old incarnation) while a live one is removed for seeming dead (cut off from this leader).
     */
    private boolean syncedReplicaSurvives(final int failed, final long nowNs)
    {
        final ChainConfiguration configuration = state.configuration();
        final MembershipView view = detector.view();
        for (int position = 0; position < configuration.size(); position++)
        {
            final int member = configuration.member(position);
            if (member == failed || !state.isSynced(member))
            {
                continue;
            }
            if (member == memberId)
            {
                if (localEpoch != 0 && state.holdsPlace(memberId, localIncarnation))
                {
                    return true;
                }
                continue;
            }
            final int slot = chainSlot(member);
            if (view.contains(member) && view.state(member) == MemberState.ALIVE && evidenceIncarnation[slot] != 0 &&
                nowNs - evidenceNs[slot] - 2 * config.leaseRenewNs() <= 0 &&
                evidenceIncarnation[slot] == state.incarnation(member))
            {
                return true;
            }
        }
        return false;
    }

    private void onProposal(final int fromMemberId, final DirectBuffer buffer, final int commandOffset)
    {
        command.wrap(buffer, commandOffset);
        final byte type = command.type();
        if (type == ControlCommandFlyweight.REPORT_FAILED || command.member() != fromMemberId)
        {
            // Members only speak for themselves; failures are the leader's to judge.
            malformedPeerMessages++;
            return;
        }
        if (!leading || alreadyTrue(type, command.member(), command.incarnation()))
        {
            return;
        }
        propose(buffer, commandOffset);
    }

    private boolean alreadyTrue(final byte type, final int member, final long incarnation)
    {
        return state.holdsPlace(member, incarnation) &&
            (type == ControlCommandFlyweight.REQUEST_JOIN || state.isSynced(member));
    }

    private boolean propose(final DirectBuffer buffer, final int offset)
    {
        final byte[] payload = new byte[ControlCommandFlyweight.LENGTH];
        buffer.getBytes(offset, payload);
        if (node.propose(payload) > 0)
        {
            proposals++;
            return true;
        }
        return false;
    }

    private void onLeaseRequest(
        final long nowNs, final int slot, final long epoch, final long incarnation, final long sentNs)
    {
        if (!leading)
        {
            return;
        }
        evidenceNs[slot] = nowNs;
        evidenceIncarnation[slot] = incarnation;
        waitingEpoch[slot] = epoch;
        waitingIncarnation[slot] = incarnation;
        waitingSentNs[slot] = sentNs;
    }

    /**
     * Starts a ReadIndex round for the lease requests received so far, unless one is running or the last started
     * less than half a renewal interval ago (each round is a heartbeat to every follower, so requests arriving close
     * together share one); a round that has not completed within two election timeouts is dropped (its members ask
     * again).
     */
    private int startLeaseRound(final long nowNs)
    {
        if (roundId != NONE)
        {
            if (nowNs - roundStartedNs - leaseRoundTimeoutNs < 0)
            {
                return 0;
            }
            roundId = NONE;
            roundIndex = -1;
            Arrays.fill(roundEpoch, 0);
        }
        if (leaseRounds > 0 && nowNs - roundStartedNs - config.leaseRenewNs() / 2 < 0)
        {
            return 0;
        }
        boolean any = false;
        for (final long epoch : waitingEpoch)
        {
            any |= epoch != 0;
        }
        if (nextRoundId == NONE)
        {
            // NONE marks "no round running", so it is never a round's id.
            nextRoundId++;
        }
        final long id = nextRoundId;
        if (!any || !node.readIndex(id))
        {
            return 0;
        }
        nextRoundId++;
        roundId = id;
        roundIndex = -1;
        roundStartedNs = nowNs;
        for (int slot = 0; slot < waitingEpoch.length; slot++)
        {
            roundEpoch[slot] = waitingEpoch[slot];
            roundIncarnation[slot] = waitingIncarnation[slot];
            roundSentNs[slot] = waitingSentNs[slot];
            waitingEpoch[slot] = 0;
        }
        leaseRounds++;
        return 1;
    }

    /** Grants what the confirmed round covers, judged on state at least as new as the confirmed index. */
    private int grantLeases(final long nowNs)
    {
        if (roundId == NONE || roundIndex < 0 || state.appliedIndex() < roundIndex)
        {
            return 0;
        }
        roundId = NONE;
        roundIndex = -1;
        int granted = 0;
        final int[] members = state.members();
        for (int slot = 0; slot < roundEpoch.length; slot++)
        {
            final long epoch = roundEpoch[slot];
            roundEpoch[slot] = 0;
            if (epoch != 0 && epoch == state.epoch() && state.holdsPlace(members[slot], roundIncarnation[slot]))
            {
                sendLease(members[slot], ControlMessageFlyweight.LEASE_GRANT, epoch, roundIncarnation[slot],
                    roundSentNs[slot]);
                leaseGrants++;
                granted++;
            }
        }
        return granted;
    }

    // ------------------------------------------------------------------------------------------ member duties

    private int memberRequests(final long nowNs)
    {
        final int myself = chainSlot(memberId);
        if (myself < 0 || localIncarnation == 0)
        {
            return 0;
        }
        int sent = 0;
        final boolean placed = state.holdsPlace(memberId, localIncarnation);
        if (!placed && (joinDue || nowNs - nextJoinNs >= 0))
        {
            joinDue = false;
            nextJoinNs = nowNs + config.requestRetryNs();
            ControlCommandFlyweight.encodeRequestJoin(commandBuffer, 0, memberId, localIncarnation);
            sent += askLeader(commandBuffer) ? 1 : 0;
        }
        if (placed && localSynced && !state.isSynced(memberId) && localEpoch >= state.joinedEpoch(memberId) &&
            (syncedDue || nowNs - nextSyncedNs >= 0))
        {
            syncedDue = false;
            nextSyncedNs = nowNs + config.requestRetryNs();
            ControlCommandFlyweight.encodeReportSynced(commandBuffer, 0, memberId, localIncarnation);
            sent += askLeader(commandBuffer) ? 1 : 0;
        }
        if (localEpoch != 0 && (leaseRequestDue || nowNs - nextLeaseRequestNs >= 0))
        {
            leaseRequestDue = false;
            nextLeaseRequestNs = nowNs + config.leaseRenewNs();
            if (leading)
            {
                onLeaseRequest(nowNs, myself, localEpoch, localIncarnation, nowNs);
                sent++;
            }
            else if (node.leader() != RaftNode.NONE)
            {
                sent += sendLease(node.leader(), ControlMessageFlyweight.LEASE_REQUEST, localEpoch, localIncarnation,
                    nowNs) ? 1 : 0;
            }
        }
        return sent;
    }

    private boolean askLeader(final UnsafeBuffer commandBytes)
    {
        if (leading)
        {
            return propose(commandBytes, 0);
        }
        final int leader = node.leader();
        if (leader == RaftNode.NONE)
        {
            return false;
        }
        ControlMessageFlyweight.encodeProposal(controlBuffer, PlaneTag.TAG_LENGTH, commandBytes, 0);
        return sendControl(leader);
    }

    private boolean sendLease(
        final int to, final byte type, final long epoch, final long incarnation, final long sentNs)
    {
        if (to == memberId)
        {
            onLeaseGrant(epoch, incarnation, sentNs);
            return true;
        }
        ControlMessageFlyweight.encodeLease(controlBuffer, PlaneTag.TAG_LENGTH, type, epoch, incarnation, sentNs);
        return sendControl(to);
    }

    private boolean sendControl(final int to)
    {
        controlBuffer.putByte(0, PlaneTag.CONTROL);
        if (peers.send(to, controlBuffer, 0, controlBuffer.capacity()))
        {
            return true;
        }
        droppedPeerMessages++;
        return false;
    }

    private void onLeaseGrant(final long epoch, final long incarnation, final long sentNs)
    {
        if (incarnation != localIncarnation || epoch != localEpoch)
        {
            return;
        }
        final long untilNs = sentNs + config.leaseNs();
        if (grantedEpoch != epoch || untilNs - leaseUntilNs > 0)
        {
            grantedEpoch = epoch;
            leaseUntilNs = untilNs;
        }
        leasesReceived++;
    }

    // ----------------------------------------------------------------------------------------------- queries

    /** Whether the local replica may serve reads at {@code epoch} now: a lease for that epoch has not ended. */
    public boolean holdsLease(final long nowNs, final long epoch)
    {
        return epoch != 0 && grantedEpoch == epoch && leaseUntilNs - nowNs > 0;
    }

    /**
     * Whether the local replica may adopt the current configuration now: false for {@code adoptWaitNs} after this
     * member applied a configuration that removed someone.
     */
    public boolean mayAdopt(final long nowNs)
    {
        if (adoptWaiting && nowNs - adoptNotBeforeNs >= 0)
        {
            adoptWaiting = false;
        }
        return !adoptWaiting;
    }

    /** When something here is next due without input: the next tick, detector deadline or adoption. */
    public long nextDeadlineNs()
    {
        long deadlineNs = nextTickNs;
        if (detector.isStarted() && detector.nextDeadlineNs() - deadlineNs < 0)
        {
            deadlineNs = detector.nextDeadlineNs();
        }
        if (adoptWaiting && adoptNotBeforeNs - deadlineNs < 0)
        {
            deadlineNs = adoptNotBeforeNs;
        }
        return deadlineNs;
    }

    /** The applied control state. */
    public ChainControlStateMachine state()
    {
        return state;
    }

    /** The applied configuration, or null before the first member joined. */
    public ChainConfiguration configuration()
    {
        return state.configuration();
    }

    public int memberId()
    {
        return memberId;
    }

    public RaftRole role()
    {
        return node.role();
    }

    public long term()
    {
        return node.term();
    }

    /** The Raft leader this member follows (itself when leading), or {@link RaftNode#NONE}. */
    public int leader()
    {
        return node.leader();
    }

    public long commitIndex()
    {
        return node.commitIndex();
    }

    /** The failure detector's view of the other members. */
    public MembershipView membership()
    {
        return detector.view();
    }

    /** The longest tagged message this plane sends. */
    public int maxPeerMessageLength()
    {
        return sendBuffer.capacity();
    }

    /** Peer messages dropped as undecodable, misaddressed or not allowed from their sender (detector's included). */
    public long malformedPeerMessages()
    {
        return malformedPeerMessages + detector.counter(FailureCounter.MALFORMED) +
            detector.counter(FailureCounter.UNKNOWN_SENDER);
    }

    /** Messages the outbox refused (or the codec could not encode). */
    public long droppedPeerMessages()
    {
        return droppedPeerMessages;
    }

    /** Commands this member proposed as leader (failure reports, joins, sync reports). */
    public long proposals()
    {
        return proposals;
    }

    /** REPORT_FAILED commands this member proposed as leader. */
    public long failureReports()
    {
        return failureReports;
    }

    /** ReadIndex rounds started for leases. */
    public long leaseRounds()
    {
        return leaseRounds;
    }

    /** Lease grants sent (to itself included). */
    public long leaseGrants()
    {
        return leaseGrants;
    }

    /** Lease grants received for the local replica's current epoch. */
    public long leasesReceived()
    {
        return leasesReceived;
    }

    public long snapshotsTaken()
    {
        return snapshotsTaken;
    }

    public long snapshotsInstalled()
    {
        return snapshotsInstalled;
    }

    /** Whether {@code id} is another member this one may hear from: a voter or a chain member. */
    private boolean isPeer(final int id)
    {
        return Arrays.binarySearch(otherMembers, id) >= 0;
    }

    /** The member's index in the state machine's ascending member list, or -1 for a member outside it. */
    private int chainSlot(final int member)
    {
        final int slot = Arrays.binarySearch(sortedMembers, member);
        return slot >= 0 ? slot : -1;
    }

    @Override
    public String toString()
    {
        return "ChainControlPlane{member=" + memberId + " " + node.role() + " term=" + node.term() + " leader=" +
            node.leader() + " " + state + '}';
    }

    /** The detector's view of the peer links: its messages leave tagged through the outbox; nothing is polled. */
    private final class DetectorLink implements Messaging
    {
        @Override
        public int localMemberId()
        {
            return memberId;
        }

        @Override
        public long send(final int member, final DirectBuffer buffer, final int offset, final int length)
        {
            detectorBuffer.putByte(0, PlaneTag.DETECTOR);
            detectorBuffer.putBytes(PlaneTag.TAG_LENGTH, buffer, offset, length);
            return peers.send(member, detectorBuffer, 0, PlaneTag.TAG_LENGTH + length) ? 0 : NOT_CONNECTED;
        }

        @Override
        public int poll(final MessageHandler handler, final int limit)
        {
            return 0;
        }

        @Override
        public int pollPeerEvents(final PeerEventHandler handler, final int limit)
        {
            return 0;
        }

        @Override
        public boolean isConnected(final int member)
        {
            return true;
        }

        @Override
        public int doWork()
        {
            return 0;
        }

        @Override
        public int maxMessageLength()
        {
            return detectorBuffer.capacity() - PlaneTag.TAG_LENGTH;
        }

        @Override
        public void close()
        {
        }
    }

    /** Copies the control state's snapshot into one array. */
    private static final class SnapshotCollector implements SnapshotSink
    {
        private byte[] data;
        private int position;

        byte[] collect(final ChainControlStateMachine machine)
        {
            data = new byte[(int)machine.snapshotLength()];
            position = 0;
            machine.writeSnapshot(this);
            if (position != data.length)
            {
                throw new IllegalStateException("the control state wrote " + position + " snapshot bytes of the " +
                    data.length + " it announced");
            }
            final byte[] result = data;
            data = null;
            return result;
        }

        @Override
        public void write(final DirectBuffer buffer, final int offset, final int length)
        {
            buffer.getBytes(offset, data, position, length);
            position += length;
        }
    }
}
