package io.conduit.raft;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Spec tests for single rules, driving one {@link RaftNode} by hand as node 1 of {1, 2, 3}. */
class RaftNodeTest
{
    private static final int[] VOTERS = {1, 2, 3};

    private final MemoryRaftStorage storage = new MemoryRaftStorage();
    private final List<RaftMessage> sent = new ArrayList<>();
    private final List<RaftMessage> sentAfterPersist = new ArrayList<>();
    private final List<ReadState> readStates = new ArrayList<>();
    private final List<LogEntry> applied = new ArrayList<>();

    private RaftNode node(final long seed)
    {
        return node(RaftConfig.defaults(1, VOTERS, new SplittableRandom(seed)));
    }

    private RaftNode node(final RaftConfig config)
    {
        return new RaftNode(config, storage);
    }

    /** Handles every ready as an edge would, keeping the messages. */
    private void drain(final RaftNode node)
    {
        while (node.hasReady())
        {
            final Ready ready = node.ready();
            sent.addAll(ready.messages());
            if (ready.snapshot() != null)
            {
                storage.applySnapshot(ready.snapshot().metadata(), ready.snapshot().data());
            }
            storage.append(ready.entries());
            if (ready.hardState() != null)
            {
                storage.saveHardState(ready.hardState());
            }
            sentAfterPersist.addAll(ready.messagesAfterPersist());
            readStates.addAll(ready.readStates());
            applied.addAll(ready.committedEntries());
            node.advance();
        }
    }

    private List<RaftMessage> sentOf(final MessageType type, final int to)
    {
        final List<RaftMessage> out = new ArrayList<>();
        for (final RaftMessage m : sent)
        {
            if (m.type() == type && m.to() == to)
            {
                out.add(m);
            }
        }
        for (final RaftMessage m : sentAfterPersist)
        {
            if (m.type() == type && m.to() == to)
            {
                out.add(m);
            }
        }
        return out;
    }

    private void elect(final RaftNode node)
    {
        while (node.role() != RaftRole.PRE_CANDIDATE)
        {
            node.tick();
        }
        node.step(new RaftMessage(MessageType.PRE_VOTE_RESPONSE, 2, 1, node.term() + 1));
        assertEquals(RaftRole.CANDIDATE, node.role());
        node.step(new RaftMessage(MessageType.VOTE_RESPONSE, 2, 1, node.term()));
        assertEquals(RaftRole.LEADER, node.role());
        drain(node);
    }

    private void storeLog(final long... terms)
    {
        final List<LogEntry> entries = new ArrayList<>();
        for (int i = 0; i < terms.length; i++)
        {
            entries.add(new LogEntry(terms[i], i + 1, new byte[]{(byte)i}));
        }
        storage.append(entries);
        storage.saveHardState(new HardState(terms[terms.length - 1], RaftNode.NONE, 0));
    }

    @Test
    void electionTimeoutIsDrawnFromOneToTwoElectionTimeouts()
    {
        // Raft §5.2: randomized timeouts split votes rarely; etcd draws from [election, 2 * election).
        final Set<Integer> seen = new HashSet<>();
        for (long seed = 0; seed < 50; seed++)
        {
            final RaftNode node = new RaftNode(RaftConfig.defaults(1, VOTERS, new SplittableRandom(seed)),
                new MemoryRaftStorage());
            int ticks = 0;
            while (node.role() == RaftRole.FOLLOWER)
            {
                node.tick();
                ticks++;
            }
            assertTrue(ticks >= 10 && ticks < 20, "timeout " + ticks);
            seen.add(ticks);
        }
        assertTrue(seen.size() > 3, "not randomized: " + seen);
    }

    @Test
    void preVoteKeepsAnIsolatedNodeFromBumpingItsTerm()
    {
        // Thesis §9.6: a node that cannot win an election must not raise the cluster's term.
        final RaftNode withPreVote = node(7);
        for (int i = 0; i < 200; i++)
        {
            withPreVote.tick();
            drain(withPreVote);
        }
        assertEquals(0, withPreVote.term());
        assertEquals(RaftRole.PRE_CANDIDATE, withPreVote.role());
        assertFalse(sentOf(MessageType.PRE_VOTE, 2).isEmpty());
        assertTrue(sentOf(MessageType.VOTE, 2).isEmpty());

        final RaftNode withoutPreVote = new RaftNode(
            RaftConfig.defaults(1, VOTERS, new SplittableRandom(7)).withPreVote(false), new MemoryRaftStorage());
        for (int i = 0; i < 200; i++)
        {
            withoutPreVote.tick();
        }
        assertTrue(withoutPreVote.term() > 5);
    }

    @Test
    void votesOnlyForAnUpToDateLogAndOncePerTermAndOnlyAfterPersisting()
    {
        storeLog(1, 2);
        final RaftNode node = node(1);

        // Raft §5.4.1: a longer log of an older last term is less up to date.
        node.step(new RaftMessage(MessageType.VOTE, 2, 1, 3).index(5).logTerm(1));
        drain(node);
        assertTrue(sentOf(MessageType.VOTE_RESPONSE, 2).get(0).reject());
        assertEquals(3, node.term());

        node.step(new RaftMessage(MessageType.VOTE, 2, 1, 3).index(2).logTerm(2));
        final Ready ready = node.ready();
        assertTrue(ready.messages().isEmpty(), "a vote must wait for the fsync");
        assertEquals(1, ready.messagesAfterPersist().size());
        assertFalse(ready.messagesAfterPersist().get(0).reject());
        assertEquals(new HardState(3, 2, 0), ready.hardState());
        assertThrows(IllegalStateException.class, () -> node.step(new RaftMessage(MessageType.VOTE, 3, 1, 3)));
        storage.saveHardState(ready.hardState());
        node.advance();

        // Raft §5.2: one vote per term, even for an equally good candidate.
        node.step(new RaftMessage(MessageType.VOTE, 3, 1, 3).index(2).logTerm(2));
        drain(node);
        assertTrue(sentOf(MessageType.VOTE_RESPONSE, 3).get(0).reject());
        assertEquals(2, storage.hardState().vote());
    }

    @Test
    void aFollowerThatHeardFromItsLeaderIgnoresVoteRequests()
    {
        // Thesis §6.2 (check-quorum's lease): a rejoining node cannot depose a leader that is still heard from.
        final RaftNode node = node(3);
        node.step(new RaftMessage(MessageType.HEARTBEAT, 2, 1, 1));
        drain(node);
        sent.clear();
        sentAfterPersist.clear();

        node.step(new RaftMessage(MessageType.VOTE, 3, 1, 2).index(10).logTerm(5));
        node.step(new RaftMessage(MessageType.PRE_VOTE, 3, 1, 2).index(10).logTerm(5));
        drain(node);

        assertEquals(1, node.term());
        assertEquals(2, node.leader());
        assertTrue(sent.isEmpty() && sentAfterPersist.isEmpty());
    }

    @Test
    void aLeaderThatHearsFromNoMajorityStepsDown()
    {
        final RaftNode node = node(4);
        elect(node);
        final long term = node.term();
        for (int i = 0; i < 2 * 10 && node.role() == RaftRole.LEADER; i++)
        {
            node.tick();
            drain(node);
        }
        assertEquals(RaftRole.FOLLOWER, node.role());
        assertEquals(term, node.term());
    }

    @Test
    void aLeaderCommitsOnlyEntriesOfItsOwnTermByCounting()
    {
        // Raft §5.4.2, Figure 8: an entry of an earlier term on a majority is not yet committed.
        storeLog(1, 2);
        final RaftNode node = node(5);
        elect(node);
        assertEquals(3, node.term());
        assertEquals(3, node.lastIndex());

        node.step(new RaftMessage(MessageType.APPEND_RESPONSE, 2, 1, 3).index(2));
        drain(node);
        assertEquals(0, node.commitIndex());

        node.step(new RaftMessage(MessageType.APPEND_RESPONSE, 2, 1, 3).index(3));
        drain(node);
        assertEquals(3, node.commitIndex());
    }

    @Test
    void aRejectionHintSkipsAWholeTermOfConflictingEntries()
    {
        // The follower holds 1,1,4,4,4,4 where the leader holds 1,1,5,5,5,5,5: one rejection, then a match.
        final RaftLog leaderLog = logOf(1, 1, 5, 5, 5, 5, 5);
        final RaftLog followerLog = logOf(1, 1, 4, 4, 4, 4);

        final long hint = followerLog.conflictIndexByTerm(Math.min(7, followerLog.lastIndex()), 5);
        assertEquals(6, hint);
        assertEquals(4, followerLog.term(hint));
        assertEquals(2, leaderLog.conflictIndexByTerm(hint, followerLog.term(hint)));
    }

    private static RaftLog logOf(final long... terms)
    {
        final MemoryRaftStorage stored = new MemoryRaftStorage();
        final List<LogEntry> entries = new ArrayList<>();
        for (int i = 0; i < terms.length; i++)
        {
            entries.add(new LogEntry(terms[i], i + 1, null));
        }
        stored.append(entries);
        return new RaftLog(stored);
    }

    @Test
    void appendsArePipelinedUpToTheInflightWindowAndBatched()
    {
        final RaftNode node = node(RaftConfig.defaults(1, VOTERS, new SplittableRandom(6)).withBatching(2, 3, 1 << 20));
        elect(node);
        node.step(new RaftMessage(MessageType.APPEND_RESPONSE, 2, 1, node.term()).index(1));
        drain(node);
        assertEquals(Progress.State.REPLICATE, node.progress(2).state());
        sent.clear();

        for (int i = 0; i < 10; i++)
        {
            node.propose(new byte[]{(byte)i});
        }
        drain(node);
        final List<RaftMessage> appends = sentOf(MessageType.APPEND, 2);
        assertEquals(2, appends.size(), appends::toString);
        assertEquals(3, appends.get(0).entries().size());
        assertEquals(3, appends.get(1).entries().size());
        assertEquals(2, node.progress(2).inflightCount());

        // An acknowledgement frees a slot: exactly one more batch leaves.
        node.step(new RaftMessage(MessageType.APPEND_RESPONSE, 2, 1, node.term()).index(4));
        drain(node);
        final List<RaftMessage> after = sentOf(MessageType.APPEND, 2);
        assertEquals(3, after.size(), after::toString);
        assertEquals(7, after.get(2).index());
    }

    @Test
    void aFollowerRefusesProposalsAndNamesItsLeader()
    {
        final RaftNode node = node(8);
        assertEquals(RaftNode.NONE, RaftNode.leaderHint(node.propose(new byte[]{1})));
        node.step(new RaftMessage(MessageType.HEARTBEAT, 2, 1, 1));
        drain(node);
        final long result = node.propose(new byte[]{1});
        assertTrue(result <= 0);
        assertEquals(2, RaftNode.leaderHint(result));
    }

    @Test
    void appendAcknowledgementsLeaveOnlyAfterTheEntriesArePersisted()
    {
        final RaftNode node = node(9);
        node.step(new RaftMessage(MessageType.APPEND, 2, 1, 1).index(0).logTerm(0).commit(0)
            .entries(List.of(new LogEntry(1, 1, null), new LogEntry(1, 2, null))));
        final Ready ready = node.ready();
        assertEquals(2, ready.entries().size());
        assertTrue(ready.messages().isEmpty());
        assertEquals(2, ready.messagesAfterPersist().get(0).index());
        node.advance();
    }

    private RaftMessage lastSent(final MessageType type, final int to)
    {
        final List<RaftMessage> of = sentOf(type, to);
        assertFalse(of.isEmpty(), () -> "nothing of type " + type + " sent to " + to + ": " + sent);
        return of.get(of.size() - 1);
    }

    /** Elects node 1 and commits its no-op through node 2's acknowledgement. */
    private RaftNode leaderWithCommitInTerm(final long seed)
    {
        final RaftNode node = node(seed);
        elect(node);
        node.step(new RaftMessage(MessageType.APPEND_RESPONSE, 2, 1, node.term()).index(node.lastIndex()));
        drain(node);
        assertEquals(node.lastIndex(), node.commitIndex());
        sent.clear();
        sentAfterPersist.clear();
        return node;
    }

    @Test
    void aNewLeaderAnswersReadsOnlyAfterCommittingAnEntryOfItsTerm()
    {
        // Thesis §6.4 step 1: until its no-op commits, a new leader may not know everything committed before it.
        storeLog(1, 1);
        final RaftNode node = node(10);
        elect(node);
        sent.clear();
        assertTrue(node.readIndex(42));
        drain(node);
        assertTrue(sentOf(MessageType.HEARTBEAT, 2).isEmpty(), "no confirmation round before the read has an index");

        node.step(new RaftMessage(MessageType.APPEND_RESPONSE, 2, 1, node.term()).index(3));
        drain(node);
        assertEquals(3, node.commitIndex());
        final long context = lastSent(MessageType.HEARTBEAT, 3).context();
        assertTrue(context > 0);
        assertTrue(readStates.isEmpty(), "leadership not yet confirmed");

        node.step(new RaftMessage(MessageType.HEARTBEAT_RESPONSE, 3, 1, node.term()).context(context));
        drain(node);
        assertEquals(List.of(new ReadState(42, 3)), readStates);
    }

    @Test
    void aLeaderAnswersAReadOnlyAfterAMajorityEchoesAHeartbeatSentAfterIt()
    {
        // Thesis §6.4 step 3: only a heartbeat round begun after the read proves no newer leader existed then.
        final RaftNode node = leaderWithCommitInTerm(11);
        node.tick();
        drain(node);
        final long before = lastSent(MessageType.HEARTBEAT, 2).context();
        sent.clear();

        assertTrue(node.readIndex(7));
        drain(node);
        final long context = lastSent(MessageType.HEARTBEAT, 2).context();
        assertTrue(context > before);
        assertEquals(context, lastSent(MessageType.HEARTBEAT, 3).context());
        node.step(new RaftMessage(MessageType.HEARTBEAT_RESPONSE, 2, 1, node.term()).context(before));
        drain(node);
        assertTrue(readStates.isEmpty(), "an echo of an older heartbeat confirmed the read");

        // The read index is the commit index when the read was registered, not when it is confirmed.
        final long readIndex = node.commitIndex();
        node.propose(new byte[]{1});
        drain(node);
        node.step(new RaftMessage(MessageType.APPEND_RESPONSE, 2, 1, node.term()).index(node.lastIndex()));
        drain(node);
        assertTrue(node.commitIndex() > readIndex);
        node.step(new RaftMessage(MessageType.HEARTBEAT_RESPONSE, 2, 1, node.term()).context(context));
        drain(node);
        assertEquals(List.of(new ReadState(7, readIndex)), readStates);
    }

    @Test
    void aFollowerForwardsReadsToItsLeaderAndReportsTheAnswer()
    {
        final RaftNode node = node(12);
        assertFalse(node.readIndex(5), "with no known leader the read is dropped for the caller to retry");
        drain(node);
        assertTrue(sent.isEmpty());

        node.step(new RaftMessage(MessageType.HEARTBEAT, 2, 1, 1));
        drain(node);
        assertTrue(node.readIndex(5));
        drain(node);
        assertEquals(5, lastSent(MessageType.READ_INDEX, 2).context());
        assertTrue(readStates.isEmpty());

        node.step(new RaftMessage(MessageType.READ_INDEX_RESP, 2, 1, 1).index(4).context(5));
        drain(node);
        assertEquals(List.of(new ReadState(5, 4)), readStates);
    }

    @Test
    void aLeaderAnswersAForwardedReadToTheFollowerThatAsked()
    {
        final RaftNode node = leaderWithCommitInTerm(13);
        node.step(new RaftMessage(MessageType.READ_INDEX, 3, 1, node.term()).context(99));
        drain(node);
        final long context = lastSent(MessageType.HEARTBEAT, 2).context();
        assertTrue(sentOf(MessageType.READ_INDEX_RESP, 3).isEmpty());

        node.step(new RaftMessage(MessageType.HEARTBEAT_RESPONSE, 2, 1, node.term()).context(context));
        drain(node);
        final RaftMessage answer = lastSent(MessageType.READ_INDEX_RESP, 3);
        assertEquals(99, answer.context());
        assertEquals(node.commitIndex(), answer.index());
        assertTrue(readStates.isEmpty(), "a forwarded read is the follower's to report");
    }

    @Test
    void aLeaderThatStepsDownDropsItsPendingReads()
    {
        final RaftNode node = leaderWithCommitInTerm(14);
        assertTrue(node.readIndex(3));
        drain(node);
        final long context = lastSent(MessageType.HEARTBEAT, 2).context();
        final long term = node.term();

        node.step(new RaftMessage(MessageType.HEARTBEAT, 2, 1, term + 1));
        drain(node);
        assertEquals(RaftRole.FOLLOWER, node.role());
        node.step(new RaftMessage(MessageType.HEARTBEAT_RESPONSE, 3, 1, term).context(context));
        drain(node);
        assertTrue(readStates.isEmpty(), "a deposed leader answered a read");
    }

    @Test
    void aSingleNodeClusterIsItsOwnMajorityForReads()
    {
        final RaftNode node = new RaftNode(RaftConfig.defaults(1, new int[]{1}, new SplittableRandom(15)), storage);
        while (node.role() != RaftRole.LEADER)
        {
            node.tick();
        }
        // The no-op is not yet persisted, so not committed: the read waits for it.
        assertTrue(node.readIndex(1));
        drain(node);
        assertEquals(List.of(new ReadState(1, 1)), readStates);
    }

    @Test
    void aTransferToAnUpToDateFollowerSendsTimeoutNowAndProposalsAreRefusedMeanwhile()
    {
        // Thesis §3.10: no new entries while handing over, so the target stays caught up.
        final RaftNode node = leaderWithCommitInTerm(20);
        assertTrue(node.transferLeadership(2));
        drain(node);
        assertEquals(node.term(), lastSent(MessageType.TIMEOUT_NOW, 2).term());
        assertTrue(sentOf(MessageType.TIMEOUT_NOW, 3).isEmpty());
        final long refused = node.propose(new byte[]{1});
        assertTrue(refused <= 0);
        assertEquals(2, RaftNode.leaderHint(refused));
        assertEquals(2, node.transferTarget());
        assertFalse(node.transferLeadership(1), "a leader cannot hand over to itself");
        assertThrows(IllegalArgumentException.class, () -> node.transferLeadership(9));
    }

    @Test
    void aLaggingTargetIsBroughtUpToDateBeforeItIsToldToCampaign()
    {
        storeLog(1, 1);
        final RaftNode node = leaderWithCommitInTerm(21);
        assertEquals(3, node.lastIndex());
        node.step(new RaftMessage(MessageType.APPEND_RESPONSE, 3, 1, node.term()).index(2));
        assertTrue(node.transferLeadership(3));
        drain(node);
        assertTrue(sentOf(MessageType.TIMEOUT_NOW, 3).isEmpty(), "the target lacks entry 3");
        assertTrue(sentOf(MessageType.APPEND, 3).stream().anyMatch(m -> m.entries().size() == 1 &&
            m.entries().get(0).index() == 3), () -> "entry 3 not sent: " + sent);

        node.step(new RaftMessage(MessageType.APPEND_RESPONSE, 3, 1, node.term()).index(3));
        drain(node);
        assertEquals(1, sentOf(MessageType.TIMEOUT_NOW, 3).size());
    }

    @Test
    void aTransferNotCompletedWithinAnElectionTimeoutIsAbandoned()
    {
        final RaftNode node = leaderWithCommitInTerm(22);
        assertTrue(node.transferLeadership(3));
        drain(node);
        for (int i = 0; i < 10; i++)
        {
            assertTrue(node.propose(new byte[]{1}) <= 0, "accepted a proposal while handing over, tick " + i);
            node.tick();
            node.step(new RaftMessage(MessageType.HEARTBEAT_RESPONSE, 2, 1, node.term()));
            drain(node);
        }
        assertEquals(RaftRole.LEADER, node.role());
        assertEquals(RaftNode.NONE, node.transferTarget());
        assertTrue(node.propose(new byte[]{1}) > 0);
    }

    @Test
    void timeoutNowMakesAFollowerCampaignAtOnceWithoutPreVote()
    {
        final RaftNode node = node(23);
        node.step(new RaftMessage(MessageType.HEARTBEAT, 2, 1, 1));
        drain(node);
        node.step(new RaftMessage(MessageType.TIMEOUT_NOW, 2, 1, 1));
        drain(node);
        assertEquals(RaftRole.CANDIDATE, node.role());
        assertEquals(2, node.term());
        assertTrue(sentOf(MessageType.PRE_VOTE, 3).isEmpty());
        assertTrue(lastSent(MessageType.VOTE, 3).leaderTransfer());
        assertTrue(lastSent(MessageType.VOTE, 2).leaderTransfer());
    }

    @Test
    void aFollowerInItsLeaderLeaseVotesInATransferCampaignOnly()
    {
        // Check-quorum's lease (thesis §6.2) ignores disruptive candidates, but not one the leader asked to run.
        final RaftNode node = node(24);
        node.step(new RaftMessage(MessageType.HEARTBEAT, 2, 1, 1));
        drain(node);
        node.step(new RaftMessage(MessageType.VOTE, 3, 1, 2).index(0).logTerm(0));
        drain(node);
        assertEquals(1, node.term());
        assertTrue(sentOf(MessageType.VOTE_RESPONSE, 3).isEmpty());

        node.step(new RaftMessage(MessageType.VOTE, 3, 1, 2).index(0).logTerm(0).leaderTransfer(true));
        drain(node);
        assertEquals(2, node.term());
        assertEquals(3, node.vote());
        assertFalse(lastSent(MessageType.VOTE_RESPONSE, 3).reject());
    }

    @Test
    void theRoleDiagramAllowsOnlyRaftsTransitions()
    {
        assertFalse(RaftRole.FOLLOWER.canMoveTo(RaftRole.LEADER));
        assertFalse(RaftRole.PRE_CANDIDATE.canMoveTo(RaftRole.LEADER));
        assertFalse(RaftRole.LEADER.canMoveTo(RaftRole.CANDIDATE));
        assertFalse(RaftRole.LEADER.canMoveTo(RaftRole.LEADER));
        assertTrue(RaftRole.CANDIDATE.canMoveTo(RaftRole.LEADER));
        assertTrue(RaftRole.LEADER.canMoveTo(RaftRole.FOLLOWER));
    }

    // ------------------------------------------------------------------------------------------ snapshots

    private static final byte[] SNAPSHOT_DATA = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};

    private void clearSent()
    {
        sent.clear();
        sentAfterPersist.clear();
    }

    /** Chunk {@code [offset, offset + length)} of SNAPSHOT_DATA as the leader (node 2, term 1) sends it. */
    private static RaftMessage chunk(final int offset, final int length)
    {
        return new RaftMessage(MessageType.INSTALL_SNAPSHOT, 2, 1, 1).index(10).logTerm(1).voters(VOTERS)
            .snapshotOffset(offset).snapshotSizeBytes(SNAPSHOT_DATA.length)
            .data(Arrays.copyOfRange(SNAPSHOT_DATA, offset, offset + length));
    }

    /**
     * Node 1 leads term 2 over a log compacted through 10 (snapshot of SNAPSHOT_DATA at 10, term 1), with 4-byte
     * chunks, two in flight; node 3 is caught up, node 2 has just rejected a probe from an empty log.
     */
    private RaftNode leaderSendingASnapshotToNodeTwo(final long seed)
    {
        storeLog(1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        storage.saveHardState(new HardState(1, RaftNode.NONE, 10));
        storage.createSnapshot(10, VOTERS, new int[0], SNAPSHOT_DATA);
        storage.compact(10);
        final RaftNode node = node(RaftConfig.defaults(1, VOTERS, new SplittableRandom(seed))
            .withSnapshotTransfer(4, 2, 1 << 20));
        assertEquals(10, node.appliedIndex(), "a restarted node starts from its snapshot");
        elect(node);
        node.step(new RaftMessage(MessageType.APPEND_RESPONSE, 3, 1, node.term()).index(node.lastIndex()));
        drain(node);
        clearSent();
        node.step(new RaftMessage(MessageType.APPEND_RESPONSE, 2, 1, node.term()).index(10).reject(true));
        drain(node);
        return node;
    }

    @Test
    void aLeaderSendsItsSnapshotInChunksWhenAFollowerNeedsCompactedEntries()
    {
        // Raft §7: entries 1..10 are gone, so the snapshot replaces them; then replication resumes from 11.
        final RaftNode node = leaderSendingASnapshotToNodeTwo(30);
        assertEquals(Progress.State.SNAPSHOT, node.progress(2).state());
        assertEquals(10, node.progress(2).pendingSnapshot());
        final List<RaftMessage> chunks = sentOf(MessageType.INSTALL_SNAPSHOT, 2);
        assertEquals(2, chunks.size(), "the window holds two 4-byte chunks: " + chunks);
        for (int i = 0; i < 2; i++)
        {
            final RaftMessage c = chunks.get(i);
            assertEquals(10, c.index());
            assertEquals(1, c.logTerm());
            assertArrayEquals(VOTERS, c.voters());
            assertEquals(10, c.snapshotSizeBytes());
            assertEquals(4L * i, c.snapshotOffset());
            assertArrayEquals(Arrays.copyOfRange(SNAPSHOT_DATA, 4 * i, 4 * i + 4), c.data());
        }
        assertTrue(sentOf(MessageType.APPEND, 2).isEmpty(), "no appends while the snapshot is sent");

        node.step(new RaftMessage(MessageType.INSTALL_SNAPSHOT_RESPONSE, 2, 1, node.term())
            .index(10).logTerm(1).snapshotOffset(4));
        drain(node);
        final RaftMessage last = lastSent(MessageType.INSTALL_SNAPSHOT, 2);
        assertEquals(8, last.snapshotOffset());
        assertArrayEquals(new byte[]{8, 9}, last.data());
        assertEquals(3, sentOf(MessageType.INSTALL_SNAPSHOT, 2).size());

        // The follower installed it and acknowledges index 10: the log can serve it from 11 on.
        clearSent();
        node.step(new RaftMessage(MessageType.APPEND_RESPONSE, 2, 1, node.term()).index(10));
        drain(node);
        assertEquals(Progress.State.REPLICATE, node.progress(2).state());
        assertEquals(10, node.progress(2).match());
        final RaftMessage append = lastSent(MessageType.APPEND, 2);
        assertEquals(10, append.index());
        assertEquals(1, append.logTerm());
        assertEquals(11, append.entries().get(0).index());
        assertTrue(sentOf(MessageType.INSTALL_SNAPSHOT, 2).isEmpty());
    }

    @Test
    void aLostChunkIsResentOnceOnARepeatedReportAndAgainAfterAStall()
    {
        final RaftNode node = leaderSendingASnapshotToNodeTwo(31);
        node.step(new RaftMessage(MessageType.INSTALL_SNAPSHOT_RESPONSE, 2, 1, node.term())
            .index(10).logTerm(1).snapshotOffset(4));
        drain(node);
        clearSent();

        // The chunk at 4 was lost: the follower, given the chunk at 8, reports 4 again. Resend from 4, once.
        for (int i = 0; i < 2; i++)
        {
            node.step(new RaftMessage(MessageType.INSTALL_SNAPSHOT_RESPONSE, 2, 1, node.term())
                .index(10).logTerm(1).snapshotOffset(4));
            drain(node);
        }
        final List<RaftMessage> resent = sentOf(MessageType.INSTALL_SNAPSHOT, 2);
        assertEquals(2, resent.size(), () -> "one window from offset 4: " + resent);
        assertEquals(4, resent.get(0).snapshotOffset());
        assertEquals(8, resent.get(1).snapshotOffset());

        // Those are lost too, and nothing is heard: after an election timeout without progress, resend from 4.
        clearSent();
        for (int tick = 0; tick < 10; tick++)
        {
            node.tick();
            node.step(new RaftMessage(MessageType.HEARTBEAT_RESPONSE, 3, 1, node.term()));
            drain(node);
        }
        assertEquals(RaftRole.LEADER, node.role());
        final List<RaftMessage> afterStall = sentOf(MessageType.INSTALL_SNAPSHOT, 2);
        assertFalse(afterStall.isEmpty(), "nothing resent after a stall");
        assertEquals(4, afterStall.get(0).snapshotOffset());
    }

    @Test
    void aFollowerAssemblesChunksInOrderAndAnswersAnyOtherWithTheOffsetItExpects()
    {
        final RaftNode node = node(32);
        node.step(chunk(0, 4));
        drain(node);
        assertEquals(4, lastSent(MessageType.INSTALL_SNAPSHOT_RESPONSE, 2).snapshotOffset());
        assertTrue(sentAfterPersist.isEmpty(), "a chunk's answer promises nothing durable");

        node.step(chunk(8, 2)); // the chunk at 4 was lost
        drain(node);
        assertEquals(4, lastSent(MessageType.INSTALL_SNAPSHOT_RESPONSE, 2).snapshotOffset());
        node.step(chunk(0, 4)); // a duplicate
        drain(node);
        assertEquals(4, lastSent(MessageType.INSTALL_SNAPSHOT_RESPONSE, 2).snapshotOffset());
        node.step(chunk(4, 4));
        drain(node);
        assertEquals(8, lastSent(MessageType.INSTALL_SNAPSHOT_RESPONSE, 2).snapshotOffset());
        clearSent();

        node.step(chunk(8, 2));
        final Ready ready = node.ready();
        assertEquals(new SnapshotMetadata(10, 1, VOTERS, new int[0]), ready.snapshot().metadata());
        assertArrayEquals(SNAPSHOT_DATA, ready.snapshot().data());
        assertEquals(10, ready.hardState().commit());
        assertTrue(ready.messages().isEmpty());
        assertEquals(10, ready.messagesAfterPersist().get(0).index(), "acknowledged once persisted");
        assertEquals(MessageType.APPEND_RESPONSE, ready.messagesAfterPersist().get(0).type());
        assertTrue(ready.committedEntries().isEmpty());
        storage.applySnapshot(ready.snapshot().metadata(), ready.snapshot().data());
        storage.saveHardState(ready.hardState());
        node.advance();
        assertEquals(10, node.appliedIndex());
        assertEquals(10, node.commitIndex());
        assertEquals(1, node.snapshotsRestored());

        // Replication continues after the snapshot.
        node.step(new RaftMessage(MessageType.APPEND, 2, 1, 1).index(10).logTerm(1).commit(11)
            .entries(List.of(new LogEntry(1, 11, null))));
        drain(node);
        assertEquals(11, lastSent(MessageType.APPEND_RESPONSE, 2).index());
        assertFalse(lastSent(MessageType.APPEND_RESPONSE, 2).reject());
    }

    @Test
    void aFollowerRefusesASnapshotItsCommitIndexAlreadyCovers()
    {
        // The check runs on the last chunk too: here the commit index passed the snapshot during the transfer.
        storeLog(1, 1, 1, 1, 1);
        final RaftNode node = node(33);
        node.step(chunk(0, 4));
        node.step(new RaftMessage(MessageType.APPEND, 2, 1, 1).index(5).logTerm(1).commit(12)
            .entries(List.of(new LogEntry(1, 6, null), new LogEntry(1, 7, null), new LogEntry(1, 8, null),
                new LogEntry(1, 9, null), new LogEntry(1, 10, null), new LogEntry(1, 11, null),
                new LogEntry(1, 12, null))));
        drain(node);
        assertEquals(12, node.commitIndex());
        clearSent();

        node.step(chunk(4, 4));
        node.step(chunk(8, 2));
        final Ready ready = node.ready();
        assertEquals(null, ready.snapshot(), "a stale snapshot was surfaced");
        final List<RaftMessage> answers = List.copyOf(ready.messagesAfterPersist());
        node.advance();
        assertEquals(MessageType.APPEND_RESPONSE, answers.get(answers.size() - 1).type());
        assertEquals(12, answers.get(answers.size() - 1).index(), "answers with its own state");
        assertEquals(0, node.snapshotsRestored());
        assertEquals(12, node.commitIndex());
    }

    @Test
    void aFollowerHoldingTheSnapshotsLastEntrySkipsTheTransfer()
    {
        // etcd's restore: the log already has (10, term 1), so it commits to 10 instead of replacing itself.
        storeLog(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        final RaftNode node = node(34);
        node.step(chunk(0, 4));
        drain(node);
        assertEquals(10, node.commitIndex());
        assertEquals(11, node.lastIndex(), "the entry after the snapshot is kept");
        assertEquals(10, lastSent(MessageType.APPEND_RESPONSE, 2).index());
        assertTrue(sentOf(MessageType.INSTALL_SNAPSHOT_RESPONSE, 2).isEmpty());
        assertEquals(0, node.snapshotsRestored());
    }

    @Test
    void installSnapshotFollowsTheTermRules()
    {
        // Raft §5.1: a chunk from a stale leader is answered with the current term and changes nothing.
        final RaftNode node = node(35);
        node.step(new RaftMessage(MessageType.HEARTBEAT, 2, 1, 3));
        drain(node);
        clearSent();
        node.step(new RaftMessage(MessageType.INSTALL_SNAPSHOT, 3, 1, 2).index(10).logTerm(1).voters(VOTERS)
            .snapshotSizeBytes(2).data(new byte[]{1, 2}));
        drain(node);
        assertEquals(3, node.term());
        assertEquals(2, node.leader());
        assertEquals(3, lastSent(MessageType.APPEND_RESPONSE, 3).term());
        assertTrue(sentOf(MessageType.INSTALL_SNAPSHOT_RESPONSE, 3).isEmpty());
        assertEquals(0, node.snapshotsRestored());

        // A chunk of a higher term makes its sender the leader of that term.
        node.step(new RaftMessage(MessageType.INSTALL_SNAPSHOT, 3, 1, 4).index(10).logTerm(4).voters(VOTERS)
            .snapshotSizeBytes(4).data(new byte[]{1, 2}));
        drain(node);
        assertEquals(4, node.term());
        assertEquals(3, node.leader());
        assertEquals(RaftRole.FOLLOWER, node.role());
        assertEquals(2, lastSent(MessageType.INSTALL_SNAPSHOT_RESPONSE, 3).snapshotOffset());
        assertEquals(4, lastSent(MessageType.INSTALL_SNAPSHOT_RESPONSE, 3).term());
    }

    @Test
    void aSnapshotLargerThanTheLimitIsRefusedAndCounted()
    {
        final RaftNode follower = node(RaftConfig.defaults(1, VOTERS, new SplittableRandom(36))
            .withSnapshotTransfer(4, 2, 9));
        follower.step(chunk(0, 4));
        drain(follower);
        assertTrue(lastSent(MessageType.INSTALL_SNAPSHOT_RESPONSE, 2).reject());
        assertEquals(1, follower.snapshotsRefusedTooLarge());
    }

    @Test
    void aLeaderWhoseSnapshotIsRefusedWaitsAStallBeforeTryingAgain()
    {
        final RaftNode node = leaderSendingASnapshotToNodeTwo(37);
        clearSent();
        node.step(new RaftMessage(MessageType.INSTALL_SNAPSHOT_RESPONSE, 2, 1, node.term())
            .index(10).logTerm(1).reject(true));
        node.step(new RaftMessage(MessageType.HEARTBEAT_RESPONSE, 2, 1, node.term()));
        drain(node);
        assertTrue(sentOf(MessageType.INSTALL_SNAPSHOT, 2).isEmpty(), "retried at once: " + sent);
        for (int tick = 0; tick < 10; tick++)
        {
            node.tick();
            node.step(new RaftMessage(MessageType.HEARTBEAT_RESPONSE, 3, 1, node.term()));
            drain(node);
        }
        assertEquals(0, sentOf(MessageType.INSTALL_SNAPSHOT, 2).get(0).snapshotOffset(), "not retried from 0");
    }

    @Test
    void advanceFailsLoudlyWhenTheEdgeDidNotInstallTheSnapshot()
    {
        final RaftNode node = node(38);
        node.step(chunk(0, 10));
        final Ready ready = node.ready();
        assertTrue(ready.snapshot() != null);
        final IllegalStateException ex = assertThrows(IllegalStateException.class, node::advance);
        assertTrue(ex.getMessage().contains("did not install"), ex.getMessage());
    }

    @Test
    void aRestartedNodeAppliesOnlyTheEntriesAfterItsSnapshot()
    {
        storeLog(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        storage.saveHardState(new HardState(1, RaftNode.NONE, 12));
        storage.createSnapshot(10, VOTERS, new int[0], SNAPSHOT_DATA);
        storage.compact(8);
        final RaftNode node = node(39);
        assertEquals(10, node.appliedIndex());
        assertEquals(12, node.commitIndex());
        assertEquals(9, node.log().firstIndex());
        final Ready ready = node.ready();
        assertEquals(List.of(11L, 12L), ready.committedEntries().stream().map(LogEntry::index).toList());
        node.advance();
        assertEquals(12, node.appliedIndex());
    }

    // ----------------------------------------------------------------------------------------- membership

    /** Node 1 leads {@code config}'s cluster and has committed its no-op through node 2. */
    private RaftNode leaderWithCommitInTerm(final RaftConfig config)
    {
        final RaftNode node = node(config);
        elect(node);
        ack(node, 2);
        assertEquals(node.lastIndex(), node.commitIndex());
        clearSent();
        return node;
    }

    /** Node {@code from} acknowledges everything the leader holds. */
    private void ack(final RaftNode node, final int from)
    {
        node.step(new RaftMessage(MessageType.APPEND_RESPONSE, from, 1, node.term()).index(node.lastIndex()));
        drain(node);
    }

    private static LogEntry confEntry(final long term, final long index, final ConfChange change)
    {
        return new LogEntry(term, index, EntryKind.CONF_CHANGE, change.encode());
    }

    @Test
    void aConfChangeRoundTripsThroughItsPayloadAndAMalformedOneIsRefused()
    {
        for (final ConfChange.Type type : ConfChange.Type.values())
        {
            final ConfChange change = new ConfChange(type, 0x7F00_0102);
            assertEquals(change, ConfChange.decode(change.encode()));
        }
        assertThrows(IllegalArgumentException.class, () -> ConfChange.decode(new byte[]{1, 2, 3}));
        assertThrows(IllegalArgumentException.class, () -> ConfChange.decode(new byte[]{2, 0, 1, 0, 0, 0}));
        assertThrows(IllegalArgumentException.class, () -> ConfChange.decode(new byte[]{1, 9, 1, 0, 0, 0}));
        assertThrows(IllegalArgumentException.class, () -> new ConfChange(ConfChange.Type.ADD_VOTER, 0));
    }

    @Test
    void oneChangeAtATimeAndOnlyOnceTheLeaderCommittedInItsTerm()
    {
        final RaftNode follower = node(40);
        assertEquals(RaftNode.NONE, RaftNode.leaderHint(follower.proposeConfChange(ConfChange.addLearner(4))));
        assertEquals(ConfChange.Refusal.NOT_LEADER, follower.confChangeRefusal());

        final RaftNode node = node(41);
        elect(node);
        // Ongaro's single-server fix: no change until an entry of this term commits.
        assertEquals(1, RaftNode.leaderHint(node.proposeConfChange(ConfChange.addLearner(4))));
        assertEquals(ConfChange.Refusal.NO_COMMIT_IN_TERM, node.confChangeRefusal());
        ack(node, 2);

        final long first = node.proposeConfChange(ConfChange.addLearner(4));
        assertTrue(first > 0);
        assertNull(node.confChangeRefusal());
        drain(node);
        // Thesis §4.1: a second change waits until the first is committed.
        assertEquals(1, RaftNode.leaderHint(node.proposeConfChange(ConfChange.addLearner(5))));
        assertEquals(ConfChange.Refusal.CHANGE_PENDING, node.confChangeRefusal());
        ack(node, 2);
        assertEquals(first, node.commitIndex());
        assertTrue(node.proposeConfChange(ConfChange.addLearner(5)) > 0);
        ack(node, 3);

        assertTrue(node.proposeConfChange(ConfChange.addVoter(2)) <= 0, "2 is a voter already");
        assertEquals(ConfChange.Refusal.NOT_APPLICABLE, node.confChangeRefusal());
        assertTrue(node.proposeConfChange(ConfChange.removeLearner(9)) <= 0);
        assertEquals(ConfChange.Refusal.NOT_APPLICABLE, node.confChangeRefusal());
        assertArrayEquals(new int[]{4, 5}, node.learners());

        // The change reaches the edge as a committed entry marked for the engine, not the state machine.
        final List<LogEntry> changes = applied.stream().filter(e -> e.kind() == EntryKind.CONF_CHANGE).toList();
        assertEquals(List.of(ConfChange.addLearner(4), ConfChange.addLearner(5)),
            changes.stream().map(e -> ConfChange.decode(e.payload())).toList());
    }

    @Test
    void aConfigurationTakesEffectWhenAppendedAndIsUndoneWithItsEntry()
    {
        // Thesis §4.1: a server uses the newest configuration in its log, committed or not.
        final RaftNode node = node(42);
        node.step(new RaftMessage(MessageType.APPEND, 2, 1, 1).index(0).logTerm(0).commit(0)
            .entries(List.of(new LogEntry(1, 1, null), confEntry(1, 2, ConfChange.addVoter(4)))));
        drain(node);
        assertEquals(0, node.commitIndex());
        assertArrayEquals(new int[]{1, 2, 3, 4}, node.voters());
        assertArrayEquals(VOTERS, node.appliedVoters(), "a snapshot at the applied index predates the change");

        // A new leader of term 2 never had the change: overwriting its entry restores the configuration before it.
        node.step(new RaftMessage(MessageType.APPEND, 3, 1, 2).index(1).logTerm(1).commit(0)
            .entries(List.of(new LogEntry(2, 2, null))));
        drain(node);
        assertArrayEquals(VOTERS, node.voters());
    }

    @Test
    void theLeaderCountsMajoritiesOnTheNewConfigurationOnceAppended()
    {
        final RaftNode node = leaderWithCommitInTerm(RaftConfig.defaults(1, VOTERS, new SplittableRandom(43)));
        final long index = node.proposeConfChange(ConfChange.addVoter(4));
        drain(node);
        assertArrayEquals(new int[]{1, 2, 3, 4}, node.voters());
        assertFalse(sentOf(MessageType.APPEND, 4).isEmpty(), "the new member is probed at once");

        // Two of {1, 2, 3, 4} are no majority, though they were of {1, 2, 3}.
        node.step(new RaftMessage(MessageType.APPEND_RESPONSE, 2, 1, node.term()).index(index));
        drain(node);
        assertTrue(node.commitIndex() < index);
        node.step(new RaftMessage(MessageType.APPEND_RESPONSE, 4, 1, node.term()).index(index));
        drain(node);
        assertEquals(index, node.commitIndex());
    }

    @Test
    void aLearnerGetsTheLogButNeverCountsInAMajority()
    {
        final RaftNode node = leaderWithCommitInTerm(RaftConfig.defaults(1, VOTERS, new SplittableRandom(44)));
        final long change = node.proposeConfChange(ConfChange.addLearner(4));
        drain(node);
        ack(node, 2);
        assertEquals(change, node.commitIndex());
        assertArrayEquals(VOTERS, node.voters());
        assertArrayEquals(new int[]{4}, node.learners());
        node.step(new RaftMessage(MessageType.APPEND_RESPONSE, 4, 1, node.term()).index(change));
        drain(node);
        clearSent();

        final long proposal = node.propose(new byte[]{7});
        drain(node);
        assertEquals(proposal, lastSent(MessageType.APPEND, 4).entries().get(0).index(), "the learner replicates");
        node.step(new RaftMessage(MessageType.APPEND_RESPONSE, 4, 1, node.term()).index(proposal));
        drain(node);
        assertTrue(node.commitIndex() < proposal, "a learner's acknowledgement made a majority");
        ack(node, 3);
        assertEquals(proposal, node.commitIndex());
    }

    @Test
    void aLearnerIsNeitherAskedForNorCountedAsAVote()
    {
        // Restarted from a log holding the change: node 4 is a learner of {1, 2, 3}.
        storage.append(List.of(confEntry(1, 1, ConfChange.addLearner(4))));
        storage.saveHardState(new HardState(1, RaftNode.NONE, 1));
        final RaftNode node = node(45);
        assertArrayEquals(new int[]{4}, node.learners());
        while (node.role() != RaftRole.PRE_CANDIDATE)
        {
            node.tick();
        }
        drain(node);
        assertTrue(sentOf(MessageType.PRE_VOTE, 4).isEmpty());
        node.step(new RaftMessage(MessageType.PRE_VOTE_RESPONSE, 4, 1, node.term() + 1));
        assertEquals(RaftRole.PRE_CANDIDATE, node.role(), "a learner's grant made a majority");
        node.step(new RaftMessage(MessageType.PRE_VOTE_RESPONSE, 2, 1, node.term() + 1));
        assertEquals(RaftRole.CANDIDATE, node.role());
    }

    @Test
    void aNodeOutsideTheVotersNeverCampaignsUntilPromoted()
    {
        // Node 1 joins a running cluster {2, 3, 4}: started with its bootstrap voters, it is no member at all.
        final RaftNode node = node(RaftConfig.defaults(1, new int[]{2, 3, 4}, new SplittableRandom(46)));
        for (int i = 0; i < 100; i++)
        {
            node.tick();
            drain(node);
        }
        assertTrue(sent.isEmpty(), () -> "a non-member campaigned: " + sent);

        node.step(new RaftMessage(MessageType.APPEND, 2, 1, 1).index(0).logTerm(0).commit(1)
            .entries(List.of(confEntry(1, 1, ConfChange.addLearner(1)))));
        drain(node);
        assertArrayEquals(new int[]{1}, node.learners());
        node.step(new RaftMessage(MessageType.TIMEOUT_NOW, 2, 1, 1));
        for (int i = 0; i < 100; i++)
        {
            node.tick();
            drain(node);
        }
        assertEquals(RaftRole.FOLLOWER, node.role(), "a learner campaigned");
        assertTrue(sentOf(MessageType.PRE_VOTE, 3).isEmpty() && sentOf(MessageType.VOTE, 3).isEmpty());

        node.step(new RaftMessage(MessageType.APPEND, 2, 1, 1).index(1).logTerm(1).commit(2)
            .entries(List.of(confEntry(1, 2, ConfChange.promoteLearner(1)))));
        drain(node);
        assertArrayEquals(new int[]{2, 3, 4, 1}, node.voters());
        for (int i = 0; i < 20; i++)
        {
            node.tick();
            drain(node);
        }
        assertFalse(sentOf(MessageType.PRE_VOTE, 3).isEmpty(), "a voter that hears no leader campaigns");
    }

    @Test
    void promotionIsRefusedWhileTheLearnerLagsBeyondTheConfiguredLag()
    {
        // Thesis §4.2.1: a new voter that cannot keep up would stall commits.
        final RaftNode node = leaderWithCommitInTerm(
            RaftConfig.defaults(1, VOTERS, new SplittableRandom(47)).withMaxPromotionLag(2));
        final long change = node.proposeConfChange(ConfChange.addLearner(4));
        drain(node);
        ack(node, 2);
        for (int i = 0; i < 5; i++)
        {
            node.propose(new byte[]{(byte)i});
        }
        drain(node);
        ack(node, 2);
        node.step(new RaftMessage(MessageType.APPEND_RESPONSE, 4, 1, node.term()).index(change + 2));
        drain(node);
        assertEquals(change + 5, node.lastIndex());

        assertEquals(1, RaftNode.leaderHint(node.proposeConfChange(ConfChange.promoteLearner(4))));
        assertEquals(ConfChange.Refusal.LEARNER_LAGGING, node.confChangeRefusal());
        node.step(new RaftMessage(MessageType.APPEND_RESPONSE, 4, 1, node.term()).index(node.lastIndex() - 2));
        drain(node);
        assertTrue(node.proposeConfChange(ConfChange.promoteLearner(4)) > 0);
        assertArrayEquals(new int[]{1, 2, 3, 4}, node.voters());
        assertEquals(0, node.learners().length);
    }

    @Test
    void aLeaderThatRemovesItselfLeadsUntilTheRemovalCommitsThenStepsDownForGood()
    {
        // Thesis §4.2.2: it keeps replicating, without counting itself, and steps down once the removal commits.
        final RaftNode node = leaderWithCommitInTerm(RaftConfig.defaults(1, VOTERS, new SplittableRandom(48)));
        final long removal = node.proposeConfChange(ConfChange.removeVoter(1));
        drain(node);
        assertEquals(RaftRole.LEADER, node.role());
        assertArrayEquals(new int[]{2, 3}, node.voters());
        node.step(new RaftMessage(MessageType.APPEND_RESPONSE, 2, 1, node.term()).index(removal));
        drain(node);
        assertEquals(RaftRole.LEADER, node.role());
        assertTrue(node.commitIndex() < removal, "the leader counted itself after removing itself");

        node.step(new RaftMessage(MessageType.APPEND_RESPONSE, 3, 1, node.term()).index(removal));
        drain(node);
        assertEquals(removal, node.commitIndex());
        assertEquals(RaftRole.FOLLOWER, node.role());
        assertEquals(1, sentOf(MessageType.TIMEOUT_NOW, 2).size() + sentOf(MessageType.TIMEOUT_NOW, 3).size(),
            "hands over to a caught-up voter");
        assertEquals(removal, lastSent(MessageType.APPEND, 3).commit(), "followers learn the commit first");

        clearSent();
        for (int i = 0; i < 100; i++)
        {
            node.tick();
            drain(node);
        }
        assertEquals(RaftRole.FOLLOWER, node.role());
        assertTrue(sent.isEmpty(), () -> "the removed node campaigned: " + sent);
    }

    @Test
    void aRemovedServerCannotDisruptAFollowerThatHearsItsLeader()
    {
        // Thesis §4.2.3: node 3 was removed but never learnt it; its vote requests must not unseat leader 2.
        final RaftNode node = node(49);
        node.step(new RaftMessage(MessageType.APPEND, 2, 1, 1).index(0).logTerm(0).commit(1)
            .entries(List.of(confEntry(1, 1, ConfChange.removeVoter(3)))));
        drain(node);
        assertArrayEquals(new int[]{1, 2}, node.voters());
        clearSent();
        node.step(new RaftMessage(MessageType.PRE_VOTE, 3, 1, 2).index(9).logTerm(1));
        node.step(new RaftMessage(MessageType.VOTE, 3, 1, 3).index(9).logTerm(1));
        drain(node);
        assertEquals(1, node.term());
        assertEquals(2, node.leader());
        assertTrue(sent.isEmpty() && sentAfterPersist.isEmpty(), () -> "answered the removed server: " + sent);
    }

    @Test
    void theConfigurationIsDerivedFromTheSnapshotAndTheLogOnRestart()
    {
        storeLog(1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        storage.saveHardState(new HardState(1, RaftNode.NONE, 10));
        storage.createSnapshot(10, new int[]{1, 2, 3, 4}, new int[]{5}, SNAPSHOT_DATA);
        storage.compact(10);
        storage.append(List.of(confEntry(1, 11, ConfChange.removeLearner(5)),
            confEntry(1, 12, ConfChange.addLearner(6))));
        storage.saveHardState(new HardState(1, RaftNode.NONE, 11));

        final RaftNode node = node(50);
        assertArrayEquals(new int[]{1, 2, 3, 4}, node.voters());
        assertArrayEquals(new int[]{6}, node.learners(), "in effect though not committed");
        assertArrayEquals(new int[]{5}, node.appliedLearners(), "as of the snapshot, the applied index");
        drain(node);
        assertEquals(11, node.appliedIndex());
        assertEquals(0, node.appliedLearners().length);
        assertArrayEquals(new int[]{6}, node.learners());
    }

    @Test
    void aSnapshotCarriesTheConfigurationAsOfItsIndex()
    {
        // The leader streams its stored snapshot's configuration; a follower installing it adopts it.
        final RaftNode follower = node(51);
        follower.step(new RaftMessage(MessageType.INSTALL_SNAPSHOT, 2, 1, 1).index(10).logTerm(1)
            .voters(new int[]{1, 2, 3, 4}).learners(new int[]{5}).snapshotSizeBytes(SNAPSHOT_DATA.length)
            .data(SNAPSHOT_DATA));
        final Ready ready = follower.ready();
        assertEquals(new SnapshotMetadata(10, 1, new int[]{1, 2, 3, 4}, new int[]{5}), ready.snapshot().metadata());
        storage.applySnapshot(ready.snapshot().metadata(), ready.snapshot().data());
        storage.saveHardState(ready.hardState());
        follower.advance();
        assertArrayEquals(new int[]{1, 2, 3, 4}, follower.voters());
        assertArrayEquals(new int[]{5}, follower.learners());
        assertArrayEquals(new int[]{5}, follower.appliedLearners());
        final RaftNode restarted = new RaftNode(RaftConfig.defaults(1, VOTERS, new SplittableRandom(53)), storage);
        assertArrayEquals(new int[]{5}, restarted.learners(), "the installed snapshot's configuration survives");
    }

    // --------------------------------------------------------------------------------------------- leases

    private static RaftConfig leaseConfig(final long seed)
    {
        return RaftConfig.defaults(1, VOTERS, new SplittableRandom(seed)).withReadMode(ReadMode.LEASE, 2);
    }

    /** The leader ticks once and node 2 echoes the heartbeat: a majority heard it at this tick. */
    private long echoedRound(final RaftNode node)
    {
        node.tick();
        drain(node);
        final long context = lastSent(MessageType.HEARTBEAT, 2).context();
        node.step(new RaftMessage(MessageType.HEARTBEAT_RESPONSE, 2, 1, node.term()).context(context));
        drain(node);
        clearSent();
        return context;
    }

    @Test
    void aLeaseReadIsAnsweredAtOnceWithoutAHeartbeatRound()
    {
        // Thesis §6.4.1: a majority heard this leader within the lease, so no other leader can exist yet.
        final RaftNode node = leaderWithCommitInTerm(leaseConfig(60));
        echoedRound(node);
        assertTrue(node.readIndex(7));
        drain(node);
        assertEquals(List.of(new ReadState(7, node.commitIndex())), readStates);
        assertTrue(sentOf(MessageType.HEARTBEAT, 2).isEmpty(), "a lease read needs no round");
        node.step(new RaftMessage(MessageType.READ_INDEX, 3, 1, node.term()).context(99));
        drain(node);
        assertEquals(99, lastSent(MessageType.READ_INDEX_RESP, 3).context());
        assertEquals(2, node.leaseReadsServed());
    }

    @Test
    void theLeaseRunsFromTheSendingOfTheLastEchoedRoundAndThenReadsFallBackToARound()
    {
        final RaftNode node = leaderWithCommitInTerm(leaseConfig(61));
        final long echoed = echoedRound(node);
        // Later rounds go unanswered (their echoes are old), for electionTicks - margin - 1 = 7 ticks.
        for (int i = 0; i < 7; i++)
        {
            node.tick();
            node.step(new RaftMessage(MessageType.HEARTBEAT_RESPONSE, 2, 1, node.term()).context(echoed));
            drain(node);
        }
        assertTrue(node.readIndex(1));
        drain(node);
        assertEquals(List.of(new ReadState(1, node.commitIndex())), readStates, "still within the lease");

        node.tick();
        node.step(new RaftMessage(MessageType.HEARTBEAT_RESPONSE, 2, 1, node.term()).context(echoed));
        drain(node);
        clearSent();
        assertTrue(node.readIndex(2));
        drain(node);
        assertEquals(1, readStates.size(), "answered on an expired lease");
        final long round = lastSent(MessageType.HEARTBEAT, 3).context();
        node.step(new RaftMessage(MessageType.HEARTBEAT_RESPONSE, 3, 1, node.term()).context(round));
        drain(node);
        assertEquals(new ReadState(2, node.commitIndex()), readStates.get(1));
        assertEquals(RaftRole.LEADER, node.role());
    }

    @Test
    void leaseReadsNeedCheckQuorumAndEndWithATransfer()
    {
        assertThrows(IllegalArgumentException.class, () -> leaseConfig(62).withCheckQuorum(false));
        assertThrows(IllegalArgumentException.class,
            () -> RaftConfig.defaults(1, VOTERS, new SplittableRandom(62)).withReadMode(ReadMode.LEASE, 10));

        // TIMEOUT_NOW lets its target win past every voter's lease (thesis §3.10): the lease is void from then on.
        final RaftNode node = leaderWithCommitInTerm(leaseConfig(63));
        echoedRound(node);
        assertTrue(node.transferLeadership(2));
        drain(node);
        assertFalse(sentOf(MessageType.TIMEOUT_NOW, 2).isEmpty());
        assertTrue(node.readIndex(3));
        drain(node);
        assertTrue(readStates.isEmpty(), "answered on a lease a transfer voided");
    }

    @Test
    void aNodeWithLeaseReadsIgnoresVotesForAnElectionTimeoutAfterStarting()
    {
        // The lease it may have granted before a crash is not durable; the votes it holds back stand in for it.
        final RaftNode lease = node(leaseConfig(64));
        lease.step(new RaftMessage(MessageType.VOTE, 2, 1, 1).index(0).logTerm(0));
        drain(lease);
        assertEquals(0, lease.term());
        assertTrue(sentOf(MessageType.VOTE_RESPONSE, 2).isEmpty());
        for (int i = 0; i < 10; i++)
        {
            lease.tick();
            drain(lease);
        }
        lease.step(new RaftMessage(MessageType.VOTE, 2, 1, 5).index(0).logTerm(0));
        drain(lease);
        assertFalse(lastSent(MessageType.VOTE_RESPONSE, 2).reject());

        final RaftNode safe = new RaftNode(RaftConfig.defaults(1, VOTERS, new SplittableRandom(64)),
            new MemoryRaftStorage());
        safe.step(new RaftMessage(MessageType.VOTE, 3, 1, 1).index(0).logTerm(0));
        assertEquals(3, safe.vote(), "SAFE mode votes at once");
    }
}
