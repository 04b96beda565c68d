package io.conduit.raft;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * One Raft peer as a pure state machine, shaped like etcd/raft's {@code RawNode}.
 * <p>
 * Contract: the edge calls {@link #tick()} at a fixed period, {@link #step(RaftMessage)} for every message received
 * and {@link #propose(byte[])} for client commands; then, while {@link #hasReady()}, it takes {@link #ready()},
 * handles it as {@link Ready} describes (send, persist, send after persist, apply) and calls {@link #advance()}.
 * Between {@code ready()} and {@code advance()} no other method may be called; the node throws if one is, so a
 * message can never be answered from state that is not yet durable.
 * <p>
 * Features: pre-vote and check-quorum (thesis §9.6, §6.2), fast log backtracking with conflict hints, per-follower
 * progress with bounded pipelining and batching, commit only of current-term entries counted on a majority (Raft
 * §5.4.2, Figure 8), linearizable reads by ReadIndex (thesis §6.4, see {@link #readIndex(long)}), leadership
 * transfer (thesis §3.10, see {@link #transferLeadership(int)}), snapshots (Raft §7): a follower that needs entries
 * the leader has compacted receives the leader's snapshot in chunks ({@link MessageType#INSTALL_SNAPSHOT}) and hands
 * it to the edge in {@link Ready#snapshot()}; membership changes one server at a time with learners (thesis §4.1,
 * see {@link #proposeConfChange(ConfChange)}); optionally, lease-based reads (thesis §6.4.1, {@link ReadMode#LEASE}).
 * <p>
 * Not thread-safe: one thread (the node's work loop) owns it. Randomness only from {@link RaftConfig#random()}.
 */
public final class RaftNode
{
    /** No node: no vote cast, no leader known. */
    public static final int NONE = 0;

    /** Low bits of a heartbeat context: the round within one tick (see {@link #nextHeartbeatContext()}). */
    private static final int ROUND_BITS = 20;
    private static final long MAX_ROUND_IN_TICK = (1L << ROUND_BITS) - 1;

    private final int id;
    private final int electionTicks;
    private final int heartbeatTicks;
    private final boolean preVote;
    private final boolean checkQuorum;
    private final int maxEntriesPerAppend;
    private final long maxBytesPerAppend;
    private final int snapshotChunkBytes;
    private final long snapshotWindowBytes;
    private final long maxSnapshotBytes;
    private final int maxInflight;
    private final boolean leaseReads;
    private final int leaseTicks;
    private final long maxPromotionLagEntries;
    private final RandomGenerator random;
    private final RaftLog log;
    private final ReadIndexQueue reads;
    private final SnapshotReceiver snapshotReceiver = new SnapshotReceiver();

    /** The configuration in effect (thesis §4.1: the newest in the log), which the arrays below follow. */
    private Configuration configuration;
    /** One per member, voters first, in the configuration's order; this node's own when it is a member. */
    private Progress[] progress = new Progress[0];
    private int quorum;
    /** Per voter (configuration order): 0 no answer, 1 granted, -1 rejected, for the current (pre-)election. */
    private byte[] votes = new byte[0];
    private long[] matchScratch = new long[0];
    private final ArrayList<LogEntry> entryScratch = new ArrayList<>();
    private final Ready ready = new Ready();
    private ArrayList<RaftMessage> outbox = new ArrayList<>();
    private ArrayList<RaftMessage> outboxAfterPersist = new ArrayList<>();
    private ArrayList<ReadState> readStates = new ArrayList<>();

    private RaftRole role = RaftRole.FOLLOWER;
    private long term;
    private int vote;
    private int leader = NONE;
    private int electionElapsed;
    private int heartbeatElapsed;
    private int randomizedElectionTicks;
    private boolean readyOutstanding;
    private boolean appendPending;
    private boolean readHeartbeatPending;
    private int transferTarget = NONE;
    private int transferElapsed;
    /** Ticks since this node started: the leader's clock for its lease and its heartbeat contexts. */
    private long ticks;
    private long lastContextTick = -1;
    private long roundInTick;
    /** Set once this leader sent TIMEOUT_NOW in its term: the target may win past every voter's lease. */
    private boolean leaseRevoked;
    private ConfChange.Refusal confChangeRefusal;
    private long leaseReadsServed;
    private HardState persistedHardState;
    private long roleChanges;
    private long snapshotsRestored;
    private long snapshotsRefusedTooLarge;

    /**
     * Starts (or restarts) a node from what {@code storage} holds, as a follower with no known leader.
     *
     * @param config  identity, peers, timing and limits.
     * @param storage the persisted hard state and log; only read by the engine.
     */
    public RaftNode(final RaftConfig config, final RaftStorage storage)
    {
        this.id = config.id();
        this.electionTicks = config.electionTicks();
        this.heartbeatTicks = config.heartbeatTicks();
        this.preVote = config.preVote();
        this.checkQuorum = config.checkQuorum();
        this.maxEntriesPerAppend = config.maxEntriesPerAppend();
        this.maxBytesPerAppend = config.maxBytesPerAppend();
        this.snapshotChunkBytes = config.snapshotChunkBytes();
        this.snapshotWindowBytes = (long)config.snapshotChunkBytes() * config.maxSnapshotChunksInflight();
        this.maxSnapshotBytes = config.maxSnapshotBytes();
        this.random = config.random();
        this.maxInflight = config.maxInflight();
        this.leaseReads = config.readMode() == ReadMode.LEASE;
        this.leaseTicks = config.electionTicks() - config.leaseMarginTicks();
        this.maxPromotionLagEntries = config.maxPromotionLagEntries();
        this.log = new RaftLog(storage, config.voters());
        this.configuration = log.configuration();
        this.reads = new ReadIndexQueue(configuration.voters(), id);
        adoptConfiguration();
        final HardState hardState = storage.hardState();
        this.term = hardState.term();
        this.vote = hardState.vote();
        this.persistedHardState = hardState;
        resetTimers();
    }

    // ----------------------------------------------------------------------------------------------- inputs

    /** One logical tick: followers and candidates count towards an election, a leader towards a heartbeat. */
    public void tick()
    {
        checkNoReadyOutstanding("tick");
        ticks++;
        electionElapsed++;
        if (role != RaftRole.LEADER)
        {
            if (electionElapsed >= randomizedElectionTicks)
            {
                if (configuration.isVoter(id))
                {
                    electionElapsed = 0;
                    campaign();
                }
                else
                {
                    // Thesis §4.1: a learner, or a server not in the configuration, never campaigns. The timer
                    // stays expired, so it no longer holds off votes for a leader it stopped hearing from.
                    electionElapsed = randomizedElectionTicks;
                }
            }
            return;
        }
        heartbeatElapsed++;
        if (transferTarget != NONE && ++transferElapsed >= electionTicks)
        {
            // Thesis §3.10: a transfer that has not completed within an election timeout is abandoned.
            transferTarget = NONE;
        }
        tickSnapshotTransfers();
        if (electionElapsed >= electionTicks)
        {
            electionElapsed = 0;
            if (checkQuorum && !quorumRecentlyActive())
            {
                becomeFollower(term, NONE, "check-quorum: no majority heard within an election timeout");
                return;
            }
        }
        if (heartbeatElapsed >= heartbeatTicks)
        {
            heartbeatElapsed = 0;
            broadcastHeartbeat();
        }
    }

    /**
     * Proposes a command. Only a leader accepts; the entry is sent with the next {@link #ready()}, batched with other
     * proposals of the same cycle.
     *
     * @param payload the command, owned by the log from now on; null is an empty command.
     * @return the entry's index (positive), or {@code -leaderHint} (zero or negative) when this node is not the
     *         leader, or is a leader handing over to another node (then the hint names that node); decode with
     *         {@link #leaderHint(long)}.
     */
    public long propose(final byte[] payload)
    {
        checkNoReadyOutstanding("propose");
        if (role != RaftRole.LEADER)
        {
            return -leader;
        }
        if (transferTarget != NONE)
        {
            // Thesis §3.10: new entries would keep the target from catching up, and might be lost with the term.
            return -transferTarget;
        }
        final long index = log.append(new LogEntry(term, log.lastIndex() + 1, payload));
        appendPending = true;
        return index;
    }

    /**
     * Proposes a membership change (thesis §4.1, one server at a time). It takes effect on this leader at once, and
     * on every other node as soon as the entry is in its log: the leader counts majorities on the new configuration
     * from now on, replicates to an added member, stops replicating to a removed one, and a leader that removes
     * itself keeps leading until the change commits, then steps down (thesis §4.2.2). The entry reaches the edge in
     * {@link Ready#committedEntries()} with kind {@link EntryKind#CONF_CHANGE}: not for the state machine.
     * <p>
     * Refused (see {@link #confChangeRefusal()} for why) when this node is not the leader, hands over leadership,
     * has an earlier change not yet committed (one at a time), has not committed an entry of its own term yet, when
     * the change does not apply to the configuration, or when it promotes a learner whose match index is more than
     * {@link RaftConfig#maxPromotionLagEntries()} behind the last index (thesis §4.2.1: catch up first).
     *
     * @param change what to change.
     * @return the entry's index (positive); otherwise {@code -leaderHint} as {@link #propose}: the leader known, the
     *         transfer target, or this node's own id when it leads but refused (retry later, or not at all for
     *         {@link ConfChange.Refusal#NOT_APPLICABLE}).
     */
    public long proposeConfChange(final ConfChange change)
    {
        checkNoReadyOutstanding("proposeConfChange");
        confChangeRefusal = confChangeRefusalFor(change);
        if (confChangeRefusal != null)
        {
            return switch (confChangeRefusal)
            {
                case NOT_LEADER -> -leader;
                case LEADER_TRANSFER -> -transferTarget;
                default -> -id;
            };
        }
        final long index = log.append(
            new LogEntry(term, log.lastIndex() + 1, EntryKind.CONF_CHANGE, change.encode()));
        appendPending = true;
        adoptConfiguration();
        if (maybeCommit() && role == RaftRole.LEADER)
        {
            broadcastAppend(true); // removing a lagging voter can make entries committable at once
        }
        return index;
    }

    /** Why the last {@link #proposeConfChange} was refused, or null when it was accepted (or none was made). */
    public ConfChange.Refusal confChangeRefusal()
    {
        return confChangeRefusal;
    }

    private ConfChange.Refusal confChangeRefusalFor(final ConfChange change)
    {
        if (role != RaftRole.LEADER)
        {
            return ConfChange.Refusal.NOT_LEADER;
        }
        if (transferTarget != NONE)
        {
            return ConfChange.Refusal.LEADER_TRANSFER;
        }
        if (log.lastConfChangeIndex() > log.committed())
        {
            return ConfChange.Refusal.CHANGE_PENDING;
        }
        if (log.term(log.committed()) != term)
        {
            return ConfChange.Refusal.NO_COMMIT_IN_TERM;
        }
        if (!configuration.canApply(change))
        {
            return ConfChange.Refusal.NOT_APPLICABLE;
        }
        if (change.type() == ConfChange.Type.PROMOTE_LEARNER &&
            progress[memberSlot(change.nodeId())].match() < log.lastIndex() - maxPromotionLagEntries)
        {
            return ConfChange.Refusal.LEARNER_LAGGING;
        }
        return null;
    }

    /** For a non-positive {@link #propose} result: the leader this node knows of, or {@link #NONE}. */
    public static int leaderHint(final long proposeResult)
    {
        if (proposeResult > 0)
        {
            throw new IllegalArgumentException("proposal was accepted at index " + proposeResult);
        }
        return (int)-proposeResult;
    }

    /**
     * Asks for a linearizable read (Raft thesis §6.4, etcd's ReadOnlySafe). The answer is a {@link ReadState} in a
     * later {@link Ready#readStates()}; serve the read once {@link #appliedIndex()} reaches its index.
     * <ul>
     *   <li>On the leader: the read index is the commit index, taken once the leader has committed an entry of its
     *       own term (until then the read waits, since an earlier leader's commits may not be known yet); a
     *       heartbeat round then confirms that no newer leader exists, and the read is answered when a majority
     *       acknowledged a heartbeat sent after the read was registered.</li>
     *   <li>On a follower: forwarded to its leader, answered when the leader's READ_INDEX_RESP comes back.</li>
     *   <li>Otherwise dropped, and this returns false: there is no known leader (a candidate, or a follower that has
     *       not heard from one), or the leader holds {@value ReadIndexQueue#CAPACITY} reads already.</li>
     * </ul>
     * With {@link ReadMode#LEASE}, a leader whose lease holds (thesis §6.4.1) answers at once, without the heartbeat
     * round, once it has committed an entry of its term; its clock assumption is in {@link ReadMode#LEASE}.
     * <p>
     * A read can also be lost after this returns true: the message is lost, or the leader steps down, which drops
     * every pending read. No answer is ever wrong, but there may be none: callers retry after a timeout, perhaps on
     * another node. Request ids are the caller's; a follower does not check that an answer is for a read it asked.
     *
     * @param requestId the caller's id for this read, returned in the {@link ReadState}.
     * @return whether the read was registered or forwarded.
     */
    public boolean readIndex(final long requestId)
    {
        checkNoReadyOutstanding("readIndex");
        if (role == RaftRole.LEADER)
        {
            return registerRead(requestId, id);
        }
        if (role != RaftRole.FOLLOWER || leader == NONE)
        {
            return false;
        }
        send(new RaftMessage(MessageType.READ_INDEX, id, leader, term).context(requestId));
        return true;
    }

    /**
     * Hands leadership to {@code target} (thesis §3.10, etcd's MsgTransferLeader): the leader refuses proposals,
     * brings the target's log up to its own, then sends it TIMEOUT_NOW, on which the target campaigns at once at the
     * next term, without pre-vote and past the other voters' leader lease. A transfer that has not completed within
     * an election timeout is abandoned and proposals are accepted again; so is one overtaken by a role change.
     * Asking again for the same target changes nothing; asking for another one restarts the transfer towards it.
     *
     * @param target the voter to hand over to.
     * @return whether a transfer is now under way: false when this node is not the leader or is the target.
     * @throws IllegalArgumentException when {@code target} is not a voter.
     */
    public boolean transferLeadership(final int target)
    {
        checkNoReadyOutstanding("transferLeadership");
        if (!configuration.isVoter(target))
        {
            throw new IllegalArgumentException("cannot transfer leadership to " + target + ": not a voter");
        }
        if (role != RaftRole.LEADER || target == id)
        {
            return false;
        }
        if (transferTarget == target)
        {
            return true;
        }
        transferTarget = target;
        transferElapsed = 0;
        final Progress p = progress[memberSlot(target)];
        if (p.match() == log.lastIndex())
        {
            sendTimeoutNow(target);
        }
        else
        {
            sendAppend(p, true);
        }
        return true;
    }

    /**
     * Handles one message from a peer. Messages for another node, or from this node itself, are rejected. A message
     * from a node outside the configuration is handled as any other (thesis §4.1: servers process requests without
     * consulting their configurations, so a new member accepts its first entries and a removed one is answered), but
     * its answers to a leader count for nothing.
     */
    public void step(final RaftMessage m)
    {
        checkNoReadyOutstanding("step");
        if (m.to() != id || m.from() <= 0 || m.from() == id)
        {
            throw new IllegalArgumentException("message not for node " + id + " from a peer: " + m);
        }
        if (m.term() > term)
        {
            if (!stepHigherTerm(m))
            {
                return;
            }
        }
        else if (m.term() < term)
        {
            stepLowerTerm(m);
            return;
        }
        switch (m.type())
        {
            case PRE_VOTE, VOTE -> handleVoteRequest(m);
            case PRE_VOTE_RESPONSE, VOTE_RESPONSE -> handleVoteResponse(m);
            case APPEND, HEARTBEAT -> handleFromLeader(m);
            case APPEND_RESPONSE -> handleAppendResponse(m);
            case HEARTBEAT_RESPONSE -> handleHeartbeatResponse(m);
            case READ_INDEX -> handleReadIndex(m);
            case READ_INDEX_RESP -> handleReadIndexResponse(m);
            case TIMEOUT_NOW -> handleTimeoutNow(m);
            case INSTALL_SNAPSHOT -> handleFromLeader(m);
            case INSTALL_SNAPSHOT_RESPONSE -> handleSnapshotResponse(m);
            default -> throw new IllegalArgumentException("unknown message type " + m.type());
        }
    }

    // ---------------------------------------------------------------------------------------------- outputs

    /** Whether {@link #ready()} has anything to hand out. */
    public boolean hasReady()
    {
        if (readyOutstanding)
        {
            return false;
        }
        return appendPending || (readHeartbeatPending && canStartRound()) || log.hasUnstable() ||
            log.pendingSnapshot() != null || hardStateChanged() ||
            !outbox.isEmpty() || !outboxAfterPersist.isEmpty() || log.hasEntriesToApply() || !readStates.isEmpty();
    }

    /** Collects what the edge must do; call {@link #advance()} once done. The returned object is reused. */
    public Ready ready()
    {
        checkNoReadyOutstanding("ready");
        flushPendingAppends();
        if (readHeartbeatPending && canStartRound())
        {
            // One heartbeat round confirms every read registered in this cycle.
            readHeartbeatPending = false;
            broadcastHeartbeat();
        }
        ready.clear();
        ready.snapshot = log.pendingSnapshot();
        log.unstableEntries(ready.entries);
        if (hardStateChanged())
        {
            ready.hardState = new HardState(term, vote, log.committed());
        }
        log.entriesToApply(maxBytesPerAppend, ready.committedEntries);
        final ArrayList<RaftMessage> sent = outbox;
        outbox = ready.messages;
        ready.messages = sent;
        final ArrayList<RaftMessage> sentAfterPersist = outboxAfterPersist;
        outboxAfterPersist = ready.messagesAfterPersist;
        ready.messagesAfterPersist = sentAfterPersist;
        outbox.clear();
        outboxAfterPersist.clear();
        final ArrayList<ReadState> confirmedReads = readStates;
        readStates = ready.readStates;
        ready.readStates = confirmedReads;
        readStates.clear();
        readyOutstanding = true;
        return ready;
    }

    /** The last {@link #ready()} was persisted, sent and applied. A leader may now count its own log as durable. */
    public void advance()
    {
        if (!readyOutstanding)
        {
            throw new IllegalStateException("advance without an outstanding ready");
        }
        if (ready.snapshot != null)
        {
            log.snapshotPersisted(ready.snapshot);
        }
        if (!ready.entries.isEmpty())
        {
            final LogEntry last = ready.entries.get(ready.entries.size() - 1);
            log.stableTo(last.index(), last.term());
        }
        if (ready.hardState != null)
        {
            persistedHardState = ready.hardState;
        }
        if (!ready.committedEntries.isEmpty())
        {
            log.appliedTo(ready.committedEntries.get(ready.committedEntries.size() - 1).index());
        }
        log.checkSnapshotInvariants();
        ready.clear();
        readyOutstanding = false;
        final int self = memberSlot(id);
        if (role == RaftRole.LEADER && self >= 0 && progress[self].maybeUpdate(log.stableIndex()) && maybeCommit() &&
            role == RaftRole.LEADER)
        {
            broadcastAppend(true);
        }
    }

    // ------------------------------------------------------------------------------------------ term rules

    /** Raft §5.1 with thesis §9.6 and §6.2 refinements; returns false when the message is to be dropped. */
    private boolean stepHigherTerm(final RaftMessage m)
    {
        final MessageType type = m.type();
        if (type == MessageType.PRE_VOTE || type == MessageType.VOTE)
        {
            // Leader lease on votes: a node that heard from a live leader recently does not help unseat it.
            // A campaign the leader asked for (thesis §3.10) is exempt. With lease reads, a node that just started
            // keeps the lease it may have granted before a crash (thesis §6.4.1 relies on it; it is not durable).
            final boolean inLease = checkQuorum && !m.leaderTransfer() &&
                ((leader != NONE && electionElapsed < electionTicks) || (leaseReads && ticks < electionTicks));
            if (inLease)
            {
                return false;
            }
        }
        if (type == MessageType.PRE_VOTE || (type == MessageType.PRE_VOTE_RESPONSE && !m.reject()))
        {
            return true; // pre-votes ask about a future term without anyone moving to it
        }
        final boolean fromLeader = type == MessageType.APPEND || type == MessageType.HEARTBEAT ||
            type == MessageType.INSTALL_SNAPSHOT;
        becomeFollower(m.term(), fromLeader ? m.from() : NONE, "message at higher term " + m.term());
        return true;
    }

    private void stepLowerTerm(final RaftMessage m)
    {
        if ((checkQuorum || preVote) && (m.type() == MessageType.APPEND || m.type() == MessageType.HEARTBEAT ||
            m.type() == MessageType.INSTALL_SNAPSHOT))
        {
            // A stale leader may never hear a higher term otherwise: pre-vote and leases stop us from campaigning
            // at it. Answering with our term makes it step down.
            send(new RaftMessage(MessageType.APPEND_RESPONSE, id, m.from(), term));
        }
        else if (m.type() == MessageType.PRE_VOTE)
        {
            send(new RaftMessage(MessageType.PRE_VOTE_RESPONSE, id, m.from(), term).reject(true));
        }
    }

    // ------------------------------------------------------------------------------------------- elections

    private void campaign()
    {
        if (preVote)
        {
            becomePreCandidate();
            requestVotes(MessageType.PRE_VOTE, term + 1, false);
        }
        else
        {
            becomeCandidate();
            requestVotes(MessageType.VOTE, term, false);
        }
    }

    /** Thesis §3.10: the leader handed over to us; pre-vote would only cost a round trip, as the leader consented. */
    private void handleTimeoutNow(final RaftMessage m)
    {
        if ((role == RaftRole.FOLLOWER || role == RaftRole.PRE_CANDIDATE) && configuration.isVoter(id))
        {
            becomeCandidate();
            requestVotes(MessageType.VOTE, term, true);
        }
    }

    private void requestVotes(final MessageType type, final long electionTerm, final boolean leaderTransfer)
    {
        // A single-node cluster wins on its own vote.
        if (pollVote(id, true))
        {
            return;
        }
        for (int i = 0; i < configuration.voterCount(); i++)
        {
            final int voter = configuration.voter(i);
            if (voter != id)
            {
                send(new RaftMessage(type, id, voter, electionTerm).index(log.lastIndex()).logTerm(log.lastTerm())
                    .leaderTransfer(leaderTransfer));
            }
        }
    }

    private void handleVoteRequest(final RaftMessage m)
    {
        final boolean isPreVote = m.type() == MessageType.PRE_VOTE;
        final boolean canVote = vote == m.from() || (vote == NONE && leader == NONE) || (isPreVote && m.term() > term);
        final MessageType responseType = isPreVote ? MessageType.PRE_VOTE_RESPONSE : MessageType.VOTE_RESPONSE;
        if (canVote && log.isUpToDate(m.index(), m.logTerm()))
        {
            // Raft §5.4.1 granted; a real vote also restarts our election timer so we do not compete with it.
            send(new RaftMessage(responseType, id, m.from(), m.term()));
            if (!isPreVote)
            {
                vote = m.from();
                electionElapsed = 0;
            }
        }
        else
        {
            send(new RaftMessage(responseType, id, m.from(), term).reject(true));
        }
    }

    private void handleVoteResponse(final RaftMessage m)
    {
        final boolean mine = (role == RaftRole.PRE_CANDIDATE && m.type() == MessageType.PRE_VOTE_RESPONSE) ||
            (role == RaftRole.CANDIDATE && m.type() == MessageType.VOTE_RESPONSE);
        if (!mine)
        {
            return;
        }
        // A pre-vote grant names the term asked about; one for any other round is stale.
        if (role == RaftRole.PRE_CANDIDATE && !m.reject() && m.term() != term + 1)
        {
            return;
        }
        pollVote(m.from(), !m.reject());
    }

    /** Records a vote and acts on the outcome; returns true when the election was decided. */
    private boolean pollVote(final int from, final boolean granted)
    {
        final int slot = voterSlot(from);
        if (slot < 0)
        {
            return false; // not a voter in this node's configuration: its answer counts for nothing
        }
        if (votes[slot] == 0)
        {
            votes[slot] = granted ? (byte)1 : (byte)-1;
        }
        int grants = 0;
        int rejects = 0;
        for (final byte v : votes)
        {
            grants += v == 1 ? 1 : 0;
            rejects += v == -1 ? 1 : 0;
        }
        if (grants >= quorum)
        {
            if (role == RaftRole.PRE_CANDIDATE)
            {
                becomeCandidate();
                requestVotes(MessageType.VOTE, term, false);
            }
            else
            {
                becomeLeader();
            }
            return true;
        }
        if (rejects > votes.length - quorum)
        {
            becomeFollower(term, NONE, "lost the " + (role == RaftRole.PRE_CANDIDATE ? "pre-vote" : "election"));
            return true;
        }
        return false;
    }

    private boolean quorumRecentlyActive()
    {
        int active = 0;
        for (int i = 0; i < progress.length; i++)
        {
            final Progress p = progress[i];
            if (i < quorumMembers() && (p.id() == id || p.recentActive()))
            {
                active++;
            }
            p.recentActive(false);
        }
        return active >= quorum;
    }

    // -------------------------------------------------------------------------------------- replication

    private void handleFromLeader(final RaftMessage m)
    {
        if (role == RaftRole.LEADER)
        {
            throw new IllegalStateException("two leaders in term " + term + ": " + id + " and " + m.from());
        }
        if (role != RaftRole.FOLLOWER || leader != m.from())
        {
            becomeFollower(term, m.from(), "leader " + m.from() + " is active in term " + term);
        }
        electionElapsed = 0;
        if (m.type() == MessageType.INSTALL_SNAPSHOT)
        {
            handleSnapshotChunk(m);
            return;
        }
        if (m.type() == MessageType.HEARTBEAT)
        {
            log.commitTo(m.commit());
            snapshotReceiver.dropIfCovered(log.committed());
            send(new RaftMessage(MessageType.HEARTBEAT_RESPONSE, id, m.from(), term).context(m.context()));
            return;
        }
        if (m.index() < log.committed())
        {
            send(new RaftMessage(MessageType.APPEND_RESPONSE, id, m.from(), term).index(log.committed()));
            return;
        }
        final long lastNewIndex = log.maybeAppend(m.index(), m.logTerm(), m.commit(), m.entries());
        if (lastNewIndex >= 0)
        {
            adoptConfiguration();
            snapshotReceiver.dropIfCovered(log.committed());
            send(new RaftMessage(MessageType.APPEND_RESPONSE, id, m.from(), term).index(lastNewIndex));
            return;
        }
        // Fast backtracking: name our last entry at or below the probe whose term is at most the leader's, so the
        // leader can skip every entry of terms we do not have.
        final long hintIndex = log.conflictIndexByTerm(Math.min(m.index(), log.lastIndex()), m.logTerm());
        send(new RaftMessage(MessageType.APPEND_RESPONSE, id, m.from(), term)
            .index(m.index()).reject(true).rejectHint(hintIndex).logTerm(log.term(hintIndex)));
    }

    private void handleAppendResponse(final RaftMessage m)
    {
        final int slot = memberSlot(m.from());
        if (role != RaftRole.LEADER || slot < 0)
        {
            return;
        }
        final Progress p = progress[slot];
        p.recentActive(true);
        if (m.reject())
        {
            final long hintMatch = m.logTerm() > 0 ?
                log.conflictIndexByTerm(m.rejectHint(), m.logTerm()) : m.rejectHint();
            if (p.maybeDecreaseTo(m.index(), hintMatch))
            {
                if (p.state() == Progress.State.REPLICATE)
                {
                    p.becomeProbe();
                }
                sendAppend(p, true);
            }
            return;
        }
        final boolean wasPaused = p.isPaused();
        if (!p.maybeUpdate(m.index()))
        {
            return;
        }
        if (p.state() == Progress.State.PROBE ||
            (p.state() == Progress.State.SNAPSHOT && p.match() + 1 >= log.firstIndex()))
        {
            // After a snapshot: whatever index the follower reached, if the log can serve it from there, replicate.
            p.becomeReplicate();
        }
        if (m.from() == transferTarget && p.match() == log.lastIndex())
        {
            sendTimeoutNow(m.from());
        }
        if (maybeCommit())
        {
            if (role != RaftRole.LEADER)
            {
                return; // it committed its own removal and stepped down
            }
            broadcastAppend(true);
        }
        else if (wasPaused)
        {
            sendAppend(p, false);
        }
        while (sendAppend(p, false))
        {
            // Fill the pipeline window while there are entries to send.
        }
    }

    private void handleHeartbeatResponse(final RaftMessage m)
    {
        final int slot = memberSlot(m.from());
        if (role != RaftRole.LEADER || slot < 0)
        {
            return;
        }
        final Progress p = progress[slot];
        p.recentActive(true);
        p.heartbeatAnswered();
        reads.ack(m.from(), m.context());
        releaseConfirmedReads();
        if (m.from() == transferTarget && p.match() == log.lastIndex())
        {
            sendTimeoutNow(m.from()); // the first TIMEOUT_NOW may have been lost: the target is still at our term
        }
        if (p.match() < log.lastIndex())
        {
            // Even with nothing new to send (an optimistic append was lost), an empty append makes the follower
            // reject it and the leader fall back to probing from the follower's match.
            sendAppend(p, true);
        }
    }

    /**
     * Sends the next entries to one follower unless paused, or the next snapshot chunk when the entries it needs are
     * compacted (Raft §7); returns whether a message was sent.
     */
    private boolean sendAppend(final Progress p, final boolean sendIfEmpty)
    {
        if (p.id() == id)
        {
            return false;
        }
        if (p.state() == Progress.State.SNAPSHOT)
        {
            return sendSnapshotWindow(p);
        }
        if (p.isPaused())
        {
            return false;
        }
        if (p.next() < log.firstIndex())
        {
            p.becomeSnapshot(log.snapshotMetadata().index());
            return sendSnapshotWindow(p);
        }
        entryScratch.clear();
        if (p.next() <= log.lastIndex())
        {
            log.entries(p.next(), maxEntriesPerAppend, maxBytesPerAppend, entryScratch);
        }
        if (entryScratch.isEmpty() && !sendIfEmpty)
        {
            return false;
        }
        final long prevIndex = p.next() - 1;
        send(new RaftMessage(MessageType.APPEND, id, p.id(), term)
            .index(prevIndex).logTerm(log.term(prevIndex)).commit(log.committed()).entries(entryScratch));
        p.sent(prevIndex + entryScratch.size(), entryScratch.size());
        return true;
    }

    private void broadcastAppend(final boolean sendIfEmpty)
    {
        for (final Progress p : progress)
        {
            if (sendAppend(p, sendIfEmpty))
            {
                while (sendAppend(p, false))
                {
                    // Pipelining: fill the follower's inflight window with batches.
                }
            }
        }
    }

    private void flushPendingAppends()
    {
        if (appendPending)
        {
            appendPending = false;
            broadcastAppend(false);
        }
    }

    private void broadcastHeartbeat()
    {
        final long context = nextHeartbeatContext();
        reads.sent(context);
        readHeartbeatPending = false; // this round confirms every read registered so far
        for (final Progress p : progress)
        {
            if (p.id() != id)
            {
                // Only what the follower is known to hold: it may not have the rest, or hold a stale version of it.
                send(new RaftMessage(MessageType.HEARTBEAT, id, p.id(), term)
                    .commit(Math.min(p.match(), log.committed())).context(context));
            }
        }
    }

    /**
     * A fresh heartbeat context: the tick count at sending (plus one, so no context is 0) in the high bits and the
     * round within that tick in the low {@value #ROUND_BITS}. Contexts rise for the node's whole life, so an echo
     * names one round (confirming reads registered before it), and its high bits say when that round left (the
     * lease's start, thesis §6.4.1).
     */
    private long nextHeartbeatContext()
    {
        if (!canStartRound())
        {
            throw new IllegalStateException("more than " + MAX_ROUND_IN_TICK + " heartbeat rounds in one tick");
        }
        roundInTick = lastContextTick == ticks ? roundInTick + 1 : 0;
        lastContextTick = ticks;
        return (ticks + 1) << ROUND_BITS | roundInTick;
    }

    /** Whether another heartbeat round fits in this tick's contexts (reads left over wait for the next tick). */
    private boolean canStartRound()
    {
        return lastContextTick != ticks || roundInTick < MAX_ROUND_IN_TICK;
    }

    /**
     * Raft §5.4.2 (Figure 8): commit the highest index on a majority, but only if it is of the current term; earlier
     * entries then commit with it.
     */
    private boolean maybeCommit()
    {
        // Thesis §4.1: majorities of the configuration in effect (voters only; the leader only if it is one).
        for (int i = 0; i < matchScratch.length; i++)
        {
            matchScratch[i] = progress[i].match();
        }
        Arrays.sort(matchScratch);
        final long quorumIndex = matchScratch[matchScratch.length - quorum];
        if (quorumIndex > log.committed() && log.term(quorumIndex) == term)
        {
            final long before = log.committed();
            log.commitTo(quorumIndex);
            assert log.committed() > before;
            // Thesis §6.4 step 1: the first commit of our term makes the commit index a safe read index.
            if (reads.startWaiting(log.committed()))
            {
                releaseConfirmedReads();
            }
            maybeStepDownRemoved();
            return true;
        }
        return false;
    }

    /**
     * Thesis §4.2.2: a leader that removed itself manages the cluster until the removal commits, then steps down. It
     * first tells followers the commit, and hands over to the most caught-up voter (thesis §3.10) so the cluster
     * need not wait out an election timeout.
     */
    private void maybeStepDownRemoved()
    {
        if (configuration.isVoter(id) || log.lastConfChangeIndex() > log.committed())
        {
            return;
        }
        broadcastAppend(true);
        Progress best = null;
        for (int i = 0; i < quorumMembers(); i++)
        {
            if (best == null || progress[i].match() > best.match())
            {
                best = progress[i];
            }
        }
        if (best != null && best.match() == log.lastIndex())
        {
            sendTimeoutNow(best.id());
        }
        becomeFollower(term, NONE, "removed from the configuration, and the removal committed");
    }

    // ------------------------------------------------------------------------------------------ snapshots

    /** Sends snapshot chunks to a follower in SNAPSHOT state until its window is full; returns whether any left. */
    private boolean sendSnapshotWindow(final Progress p)
    {
        boolean sent = false;
        while (sendSnapshotChunk(p))
        {
            sent = true;
        }
        return sent;
    }

    /** Sends the next chunk of the snapshot to a follower in SNAPSHOT state, within its window. */
    private boolean sendSnapshotChunk(final Progress p)
    {
        final SnapshotMetadata snapshot = log.snapshotMetadata();
        if (snapshot.index() != p.pendingSnapshot())
        {
            // This leader snapshotted again during the transfer: the old data is gone, start over with the new one.
            p.becomeSnapshot(snapshot.index());
        }
        if (!p.canSendSnapshotChunk(snapshotWindowBytes))
        {
            return false;
        }
        final long size = log.snapshotSizeBytes();
        final long offset = p.snapshotSentOffset();
        final byte[] chunk = log.snapshotChunk(offset, snapshotChunkBytes);
        send(new RaftMessage(MessageType.INSTALL_SNAPSHOT, id, p.id(), term)
            .index(snapshot.index()).logTerm(snapshot.term()).voters(snapshot.voters()).learners(snapshot.learners())
            .snapshotOffset(offset).snapshotSizeBytes(size).data(chunk));
        p.snapshotChunkSent(offset + chunk.length, size);
        return true;
    }

    private void handleSnapshotResponse(final RaftMessage m)
    {
        final int slot = memberSlot(m.from());
        if (role != RaftRole.LEADER || slot < 0)
        {
            return;
        }
        final Progress p = progress[slot];
        p.recentActive(true);
        if (p.state() != Progress.State.SNAPSHOT || m.index() != p.pendingSnapshot())
        {
            return; // about a transfer that is over
        }
        if (m.reject())
        {
            p.snapshotRefused();
            return;
        }
        p.snapshotReported(m.snapshotOffset());
        sendSnapshotWindow(p);
    }

    /** Resends from the last acknowledged offset to followers whose transfer made no progress for a while. */
    private void tickSnapshotTransfers()
    {
        for (final Progress p : progress)
        {
            if (p.state() == Progress.State.SNAPSHOT && p.snapshotStalled(electionTicks))
            {
                sendSnapshotWindow(p);
            }
        }
    }

    /**
     * One chunk of the leader's snapshot (Raft §7). A snapshot the log already covers (at or below the commit
     * index, or whose last entry the log holds) is not transferred: the follower skips ahead to it and answers with
     * its commit index, as etcd does. Otherwise chunks accumulate in order; the last one replaces the log by the
     * snapshot, which the edge persists before the acknowledgement (an APPEND_RESPONSE) leaves.
     */
    private void handleSnapshotChunk(final RaftMessage m)
    {
        if (m.index() <= log.committed() || log.matchTerm(m.index(), m.logTerm()))
        {
            snapshotReceiver.reset();
            log.commitTo(m.index());
            send(new RaftMessage(MessageType.APPEND_RESPONSE, id, m.from(), term).index(log.committed()));
            return;
        }
        final RaftMessage answer = new RaftMessage(MessageType.INSTALL_SNAPSHOT_RESPONSE, id, m.from(), term)
            .index(m.index()).logTerm(m.logTerm());
        switch (snapshotReceiver.offer(m, maxSnapshotBytes))
        {
            case PARTIAL -> send(answer.snapshotOffset(snapshotReceiver.expectedOffset()));
            case REFUSED ->
            {
                snapshotsRefusedTooLarge++;
                send(answer.reject(true));
            }
            case COMPLETE ->
            {
                log.restore(snapshotReceiver.take());
                adoptConfiguration();
                snapshotsRestored++;
                send(new RaftMessage(MessageType.APPEND_RESPONSE, id, m.from(), term).index(log.lastIndex()));
            }
            default -> throw new IllegalStateException("unknown outcome");
        }
    }

    private void sendTimeoutNow(final int target)
    {
        // The target's campaign passes every voter's lease (thesis §3.10), so ours can no longer be trusted.
        leaseRevoked = true;
        send(new RaftMessage(MessageType.TIMEOUT_NOW, id, target, term));
    }

    // ----------------------------------------------------------------------------------------------- reads

    private boolean registerRead(final long requestId, final int from)
    {
        if (log.term(log.committed()) != term)
        {
            return reads.addWaiting(requestId, from);
        }
        if (!reads.add(requestId, from, log.committed()))
        {
            return false;
        }
        releaseConfirmedReads(); // a single-node cluster is its own majority; a valid lease confirms at once
        return true;
    }

    private void handleReadIndex(final RaftMessage m)
    {
        if (role == RaftRole.LEADER)
        {
            registerRead(m.context(), m.from());
        }
    }

    private void handleReadIndexResponse(final RaftMessage m)
    {
        // The leader confirmed its leadership after our request reached it, so the answer holds in any role.
        readStates.add(new ReadState(m.context(), m.index()));
    }

    private void releaseConfirmedReads()
    {
        final boolean lease = leaseHolds();
        ReadIndexQueue.PendingRead read;
        while ((read = lease ? reads.pollIndexed() : reads.pollConfirmed()) != null)
        {
            leaseReadsServed += lease ? 1 : 0;
            if (read.from() == id)
            {
                readStates.add(new ReadState(read.requestId(), read.index()));
            }
            else
            {
                send(new RaftMessage(MessageType.READ_INDEX_RESP, id, read.from(), term)
                    .index(read.index()).context(read.requestId()));
            }
        }
        // Whatever is left waits for a heartbeat round sent after it: one round per Ready cycle confirms them all.
        readHeartbeatPending = reads.needsRound();
    }

    /**
     * Thesis §6.4.1 ({@link ReadMode#LEASE}): no other leader can exist until {@code electionTicks} after the sending
     * of the newest heartbeat round a majority of voters echoed, since each of them ignores vote requests that long
     * after hearing from us (check-quorum). The lease ends {@code leaseMarginTicks} earlier for clock drift, and for
     * good once we sent TIMEOUT_NOW, whose campaign passes those leases.
     */
    private boolean leaseHolds()
    {
        if (!leaseReads || role != RaftRole.LEADER || leaseRevoked)
        {
            return false;
        }
        final long acked = reads.quorumAckedContext();
        if (acked == Long.MAX_VALUE)
        {
            return true; // this node alone is a majority
        }
        final long sentTick = (acked >>> ROUND_BITS) - 1;
        return acked > 0 && ticks - sentTick < leaseTicks;
    }

    // ------------------------------------------------------------------------------------- role transitions

    private void becomeFollower(final long newTerm, final int newLeader, final String reason)
    {
        transition(RaftRole.FOLLOWER, newTerm, newLeader, reason);
    }

    private void becomePreCandidate()
    {
        transition(RaftRole.PRE_CANDIDATE, term, NONE, "election timeout, pre-vote");
    }

    private void becomeCandidate()
    {
        transition(RaftRole.CANDIDATE, term + 1, NONE, "campaign");
        vote = id;
    }

    private void becomeLeader()
    {
        transition(RaftRole.LEADER, term, id, "won the election");
        final long next = log.lastIndex() + 1;
        for (final Progress p : progress)
        {
            p.reset(next);
        }
        // Only a voter campaigns, so this node has its own progress.
        final Progress self = progress[memberSlot(id)];
        self.becomeReplicate();
        self.maybeUpdate(log.stableIndex());
        // Raft §8: a no-op entry of the new term lets earlier entries commit (Figure 8) and confirms leadership.
        log.append(new LogEntry(term, next, null));
        broadcastAppend(true);
    }

    /**
     * The one place the role changes. Validates the move against the role diagram and the term rules (terms never
     * go back; a leader is made only from a candidate of the same term), then resets per-role state.
     */
    private void transition(final RaftRole next, final long newTerm, final int newLeader, final String reason)
    {
        if (!role.canMoveTo(next) || newTerm < term || (next == RaftRole.LEADER && newTerm != term))
        {
            throw new IllegalStateException("illegal transition " + role + "@" + term + " -> " + next + "@" +
                newTerm + " on node " + id + " (" + reason + ")");
        }
        if (newTerm > term)
        {
            term = newTerm;
            vote = NONE;
        }
        role = next;
        leader = newLeader;
        Arrays.fill(votes, (byte)0);
        appendPending = false;
        // Pending reads were registered under the old role; their requesters retry.
        reads.reset();
        readHeartbeatPending = false;
        leaseRevoked = false;
        transferTarget = NONE;
        snapshotReceiver.reset();
        resetTimers();
        roleChanges++;
    }

    private void resetTimers()
    {
        electionElapsed = 0;
        heartbeatElapsed = 0;
        randomizedElectionTicks = electionTicks + random.nextInt(electionTicks);
    }

    // ------------------------------------------------------------------------------------------- helpers

    private void send(final RaftMessage m)
    {
        switch (m.type())
        {
            // Answers that promise durable state (a vote, appended entries) wait for the fsync.
            case APPEND_RESPONSE, VOTE_RESPONSE, PRE_VOTE_RESPONSE -> outboxAfterPersist.add(m);
            default -> outbox.add(m);
        }
    }

    private boolean hardStateChanged()
    {
        return term != persistedHardState.term() || vote != persistedHardState.vote() ||
            log.committed() != persistedHardState.commit();
    }

    /** Position of {@code nodeId} in {@link #progress} (voters first, then learners), or -1 for a non-member. */
    private int memberSlot(final int nodeId)
    {
        for (int i = 0; i < progress.length; i++)
        {
            if (progress[i].id() == nodeId)
            {
                return i;
            }
        }
        return -1;
    }

    /** Position of {@code nodeId} among the voters (its slot in {@link #votes}), or -1 for a non-voter. */
    private int voterSlot(final int nodeId)
    {
        final int slot = memberSlot(nodeId);
        return slot < quorumMembers() ? slot : -1;
    }

    /** How many leading entries of {@link #progress} are voters. */
    private int quorumMembers()
    {
        return votes.length;
    }

    /**
     * Follows the log's configuration (thesis §4.1: in effect once appended, undone if truncated): one progress per
     * member, keeping those of members that stay; the quorum and the read confirmations count the new voters. A
     * leader probes a new member at once; a transfer to a node that is no longer a voter is abandoned.
     */
    private void adoptConfiguration()
    {
        final Configuration next = log.configuration();
        if (next == configuration && progress.length == next.voterCount() + next.learnerCount())
        {
            return;
        }
        configuration = next;
        final Progress[] old = progress;
        final byte[] oldVotes = votes;
        final int members = next.voterCount() + next.learnerCount();
        progress = new Progress[members];
        votes = new byte[next.voterCount()];
        matchScratch = new long[next.voterCount()];
        quorum = next.voterCount() / 2 + 1;
        for (int i = 0; i < members; i++)
        {
            final int member = i < next.voterCount() ? next.voter(i) : next.learner(i - next.voterCount());
            for (int j = 0; j < old.length && progress[i] == null; j++)
            {
                if (old[j].id() == member)
                {
                    progress[i] = old[j];
                    if (i < votes.length && j < oldVotes.length)
                    {
                        votes[i] = oldVotes[j];
                    }
                }
            }
            if (progress[i] == null)
            {
                progress[i] = newProgress(member);
            }
        }
        reads.reconfigure(next.voters());
        if (transferTarget != NONE && !next.isVoter(transferTarget))
        {
            transferTarget = NONE;
        }
    }

    private Progress newProgress(final int member)
    {
        final Progress p = new Progress(member, maxInflight);
        p.reset(log.lastIndex() + 1);
        if (role == RaftRole.LEADER && member == id)
        {
            p.becomeReplicate();
            p.maybeUpdate(log.stableIndex());
        }
        else if (role == RaftRole.LEADER)
        {
            sendAppend(p, true);
        }
        return p;
    }

    private void checkNoReadyOutstanding(final String operation)
    {
        if (readyOutstanding)
        {
            throw new IllegalStateException(operation + " between ready() and advance() on node " + id);
        }
    }

    // ------------------------------------------------------------------------------------------ accessors

    public int id()
    {
        return id;
    }

    public RaftRole role()
    {
        return role;
    }

    public long term()
    {
        return term;
    }

    public int vote()
    {
        return vote;
    }

    /** The leader this node follows (itself when leading), or {@link #NONE}. */
    public int leader()
    {
        return leader;
    }

    public long commitIndex()
    {
        return log.committed();
    }

    public long appliedIndex()
    {
        return log.applied();
    }

    public long lastIndex()
    {
        return log.lastIndex();
    }

    /** Read-only use: the log including entries not yet persisted. */
    public RaftLog log()
    {
        return log;
    }

    /** The leader's view of {@code nodeId}, for tests and metrics; meaningful only while leading. */
    public Progress progress(final int nodeId)
    {
        final int slot = memberSlot(nodeId);
        if (slot < 0)
        {
            throw new IllegalArgumentException("not a member: " + nodeId);
        }
        return progress[slot];
    }

    /** Thesis §4.1: the voters of the configuration in effect, the newest in this node's log (committed or not). */
    public int[] voters()
    {
        return configuration.voters();
    }

    /** The learners of the configuration in effect: they receive the log but never vote or count in a majority. */
    public int[] learners()
    {
        return configuration.learners();
    }

    /**
     * The voters as of {@link #appliedIndex()}: what a snapshot of the state machine at the applied index records
     * ({@link RaftStorage#createSnapshot}). May differ from {@link #voters()} while a change is not yet applied.
     */
    public int[] appliedVoters()
    {
        return log.appliedConfiguration().voters();
    }

    /** The learners as of {@link #appliedIndex()}, for {@link RaftStorage#createSnapshot} with the voters. */
    public int[] appliedLearners()
    {
        return log.appliedConfiguration().learners();
    }

    /** How many reads this node answered on its lease alone ({@link ReadMode#LEASE}) since it started. */
    public long leaseReadsServed()
    {
        return leaseReadsServed;
    }

    /** The voter this leader is handing over to, or {@link #NONE}. */
    public int transferTarget()
    {
        return transferTarget;
    }

    /** How many snapshots from a leader this node restored its log from since it started. */
    public long snapshotsRestored()
    {
        return snapshotsRestored;
    }

    /** How many snapshots this node refused since it started, for being larger than its configured limit. */
    public long snapshotsRefusedTooLarge()
    {
        return snapshotsRefusedTooLarge;
    }

    /** How many role transitions this node made since it started. */
    public long roleChanges()
    {
        return roleChanges;
    }

    @Override
    public String toString()
    {
        return "RaftNode{id=" + id + " " + role + " term=" + term + " vote=" + vote + " leader=" + leader +
            " last=" + log.lastIndex() + " commit=" + log.committed() + " applied=" + log.applied() + '}';
    }
}
