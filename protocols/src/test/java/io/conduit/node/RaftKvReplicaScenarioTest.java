package io.conduit.node;

import java.util.List;
import java.util.function.UnaryOperator;

import io.conduit.kv.Consistency;
import io.conduit.kv.KvOperation;
import io.conduit.kv.KvStatus;
import io.conduit.linearizability.KvModel;
import io.conduit.linearizability.LinearizabilityChecker;
import io.conduit.raft.RaftConfig;
import io.conduit.raft.RaftRole;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One guarantee per test, on a simulated cluster driven into the situation that would break it. The simulator's
 * own checks run throughout (every final answer against the applied log; sequential reads never below minIndex).
 */
class RaftKvReplicaScenarioTest
{
    private static final long SEED = 42;

    private static KvClusterSim stable(
        final int size, final UnaryOperator<RaftConfig> raft, final UnaryOperator<RaftKvReplicaConfig> replica)
    {
        final KvClusterSim sim = new KvClusterSim(SEED, size, raft, replica);
        sim.delayNs(KvClusterSim.TICK_NS / 2, KvClusterSim.TICK_NS);
        sim.awaitLeader(300);
        sim.run(20);
        return sim;
    }

    private static KvClusterSim stable(final int size, final UnaryOperator<RaftConfig> raft)
    {
        return stable(size, raft, UnaryOperator.identity());
    }

    private static SimClient.Answer answered(final KvClusterSim sim, final SimClient client, final KvOperation op)
    {
        client.submit(op);
        return awaitAnswer(sim, client);
    }

    private static SimClient.Answer awaitAnswer(final KvClusterSim sim, final SimClient client)
    {
        sim.runUntil("client " + client.number() + " answered", () -> !client.isWaiting(), 400);
        return client.lastAnswer();
    }

    private static void awaitAppliedEverywhere(final KvClusterSim sim)
    {
        final long index = sim.oracle().appliedIndex();
        sim.runUntil("every member up applied " + index, () ->
        {
            for (int id = 1; id <= sim.size(); id++)
            {
                if (sim.isUp(id) && sim.replica(id).appliedIndex() < index)
                {
                    return false;
                }
            }
            return true;
        }, 300);
    }

    private static void assertLinearizable(final KvClusterSim sim)
    {
        final var result = LinearizabilityChecker.check(sim.history(), new KvModel());
        assertTrue(result.isLinearizable(), result::toString);
    }

    @Test
    void notLeaderNamesTheLeaderAndProposesNothing()
    {
        final KvClusterSim sim = stable(3, raft -> raft);
        final int leader = sim.leader();
        final int follower = leader % 3 + 1;
        final SimClient client = sim.addClient(Consistency.LINEARIZABLE, 1).target(follower);

        final SimClient.Answer last = answered(sim, client, KvOperation.put("k", "v"));

        final SimClient.Answer first = client.answers().get(0);
        assertEquals(KvStatus.NOT_LEADER, first.status());
        assertEquals(follower, first.replica());
        assertEquals(leader, first.leaderHint());
        assertEquals(KvStatus.OK, last.status());
        assertEquals(leader, last.replica());
        assertEquals(0, sim.replica(follower).proposals());
        assertEquals(1, sim.replica(follower).redirects());
        assertEquals(1, sim.oracle().countRequest(client.clientId(), 1));
    }

    @Test
    void aRetriedWriteIsAppliedExactlyOnceThoughProposedTwice()
    {
        final KvClusterSim sim = stable(3, raft -> raft);
        final int first = sim.leader();
        final SimClient a = sim.addClient(Consistency.LINEARIZABLE, 1).target(first);
        final SimClient b = sim.addClient(Consistency.LINEARIZABLE, 1);

        // A's put is applied but A never hears of it; then leadership moves and B overwrites the key.
        sim.dropResponsesTo(a.number(), true);
        a.submit(KvOperation.put("k", "a"));
        sim.runUntil("A's put applied", () -> sim.oracle().countRequest(a.clientId(), 1) == 1, 200);
        final long appliedAt = sim.oracle().indexesOf(a.clientId(), 1).get(0);
        final int second = first % 3 + 1;
        assertTrue(sim.replica(first).transferLeadership(second));
        sim.runUntil("leadership moved", () -> sim.leader() == second, 200);
        assertEquals(KvStatus.OK, answered(sim, b.target(second), KvOperation.put("k", "b")).status());

        // A keeps retrying the same sequence; the new leader has no record of it pending and proposes it again.
        sim.runUntil("A's retry applied again", () -> sim.oracle().countRequest(a.clientId(), 1) >= 2, 400);
        sim.dropResponsesTo(a.number(), false);
        a.resendNow();
        final SimClient.Answer answer = awaitAnswer(sim, a);

        assertEquals(KvStatus.OK, answer.status());
        assertEquals(appliedAt, answer.index(), "the session answers with the original application");
        assertEquals("b", sim.oracle().valueAt("k", sim.oracle().appliedIndex()), "the retry was not re-applied");
        assertLinearizable(sim);
    }

    @Test
    void aRetryOfAProposalStillPendingIsNotProposedAgain()
    {
        final KvClusterSim sim = stable(3, raft -> raft.withCheckQuorum(false));
        final int leader = sim.leader();
        sim.isolate(leader);
        final SimClient client = sim.addClient(Consistency.LINEARIZABLE, 1).target(leader).timeouts(1000, 2000);

        client.submit(KvOperation.put("k", "v"));
        sim.run(3);
        client.resendNow();
        sim.run(3);
        client.resendNow();
        sim.run(3);

        assertEquals(1, sim.replica(leader).proposals());
        assertEquals(1, sim.replica(leader).pendingWrites());
    }

    @Test
    void aProposalReplacedUnderANewLeaderIsAnsweredRetryThenAppliedOnce()
    {
        final KvClusterSim sim = stable(3, raft -> raft.withCheckQuorum(false));
        final int old = sim.leader();
        sim.isolate(old);
        final SimClient a = sim.addClient(Consistency.LINEARIZABLE, 1).target(old).timeouts(1000, 3000);
        a.submit(KvOperation.put("k", "a"));
        sim.run(3);
        final long proposedAt = sim.replica(old).lastIndex();
        assertEquals(1, sim.replica(old).pendingWrites());

        sim.runUntil("the majority elects a leader", () -> sim.leader() != old && sim.leader() != 0, 300);
        final SimClient b = sim.addClient(Consistency.LINEARIZABLE, 1).target(sim.leader());
        assertEquals(KvStatus.OK, answered(sim, b, KvOperation.put("k", "b")).status());
        sim.heal();
        sim.runUntil("the old leader applies past its proposal", () ->
            sim.replica(old).appliedIndex() >= proposedAt, 300);
        sim.run(5);

        assertTrue(a.answers().stream().anyMatch(x -> x.replica() == old && x.status() == KvStatus.RETRY),
            () -> "answers: " + a.answers());
        assertEquals(KvStatus.OK, awaitAnswer(sim, a).status());
        assertEquals(1, sim.oracle().countRequest(a.clientId(), 1));
        assertLinearizable(sim);
    }

    @Test
    void aFullPendingTableAnswersRetry()
    {
        final KvClusterSim sim = stable(3, raft -> raft.withCheckQuorum(false),
            replica -> replica.withPending(1, 1, replica.readTimeoutNs()));
        final int leader = sim.leader();
        sim.isolate(leader);
        final SimClient a = sim.addClient(Consistency.LINEARIZABLE, 1).target(leader).timeouts(1000, 2000);
        final SimClient b = sim.addClient(Consistency.LINEARIZABLE, 1).target(leader).timeouts(1000, 2000);

        a.submit(KvOperation.put("k", "a"));
        sim.run(3);
        b.submit(KvOperation.put("k", "b"));
        sim.run(3);

        assertEquals(KvStatus.RETRY, b.answers().get(0).status());
        assertEquals(leader, b.answers().get(0).replica());
        assertEquals(1, sim.replica(leader).proposals());
    }

    @Test
    void aClosedLinkIsNotAnswered()
    {
        final KvClusterSim sim = stable(3, raft -> raft.withCheckQuorum(false));
        final int leader = sim.leader();
        sim.isolate(leader);
        final SimClient client = sim.addClient(Consistency.LINEARIZABLE, 1).target(leader).timeouts(1000, 2000);
        client.submit(KvOperation.put("k", "v"));
        sim.run(3);

        sim.replica(leader).onClientLinkClosed(KvClusterSim.linkId(client, leader));
        sim.heal();
        sim.runUntil("the proposal is applied", () -> sim.oracle().countRequest(client.clientId(), 1) == 1, 200);
        sim.run(5);

        assertTrue(client.answers().isEmpty(), () -> "answers: " + client.answers());
        assertEquals(leader, sim.leader());
    }

    /** Writes v0 everywhere, cuts off one follower, writes v1..v3; returns {leader, lagging, upToDate}. */
    private static int[] laggingFollower(final KvClusterSim sim, final SimClient writer)
    {
        final int leader = sim.leader();
        final int lagging = leader % 3 + 1;
        final int upToDate = lagging % 3 + 1;
        writer.target(leader);
        assertEquals(KvStatus.OK, answered(sim, writer, KvOperation.put("k", "v0")).status());
        awaitAppliedEverywhere(sim);
        sim.isolate(lagging);
        for (int i = 1; i <= 3; i++)
        {
            assertEquals(KvStatus.OK, answered(sim, writer, KvOperation.put("k", "v" + i)).status());
        }
        sim.runUntil("the connected follower caught up", () ->
            sim.replica(upToDate).appliedIndex() >= sim.oracle().appliedIndex(), 200);
        return new int[]{leader, lagging, upToDate};
    }

    @Test
    void sequentialReadsNeverGoBackInTimeAcrossReplicas()
    {
        final KvClusterSim sim = stable(3, raft -> raft);
        final int[] members = laggingFollower(sim, sim.addClient(Consistency.LINEARIZABLE, 1));
        final int lagging = members[1];
        final SimClient reader = sim.addClient(Consistency.SEQUENTIAL, 1).target(members[2]).timeouts(1000, 3000);

        final SimClient.Answer fresh = answered(sim, reader, KvOperation.get("k"));
        assertEquals("v3", fresh.value());
        final long seen = fresh.index();

        // The lagging member has v0 only; with the client's minIndex it must hold the read, then answer RETRY.
        reader.target(lagging).submit(KvOperation.get("k"));
        assertEquals(seen, reader.minIndexSent());
        sim.run(10);
        assertEquals(1, sim.replica(lagging).pendingReads(), "held while behind minIndex");
        sim.run(15);
        assertEquals(List.of(KvStatus.RETRY), reader.answers().stream().map(SimClient.Answer::status).toList());
        assertTrue(sim.replica(lagging).appliedIndex() < seen);

        // Once the member catches up it serves the read itself, at or above what the client has seen.
        sim.heal();
        final SimClient.Answer caughtUp = awaitAnswer(sim, reader);
        assertEquals("v3", caughtUp.value());
        assertTrue(caughtUp.index() >= seen);
        assertTrue(reader.answers().stream().allMatch(a -> a.status() == KvStatus.RETRY ||
            (a.value().equals("v3") && a.index() >= seen)), () -> "answers: " + reader.answers());
    }

    @Test
    void eventualReadsMayBeStaleButReturnOnlyWrittenValues()
    {
        final KvClusterSim sim = stable(3, raft -> raft);
        final int[] members = laggingFollower(sim, sim.addClient(Consistency.LINEARIZABLE, 1));
        final SimClient reader = sim.addClient(Consistency.EVENTUAL, 1).target(members[1]);

        final SimClient.Answer stale = answered(sim, reader, KvOperation.get("k"));

        // What a sequential read would get if minIndex were ignored: v0, long overwritten, yet a value once written
        // (the simulator checked it is the key's value at the index the answer reports).
        assertEquals(KvStatus.VALUE, stale.status());
        assertEquals(members[1], stale.replica());
        assertEquals("v0", stale.value());
        assertTrue(stale.index() < sim.oracle().appliedIndex());
        assertEquals("v3", sim.oracle().valueAt("k", sim.oracle().appliedIndex()));
    }

    @Test
    void aLinearizableReadThroughADeposedLeaderInTheMinorityIsNeverStale()
    {
        final KvClusterSim sim = stable(5, raft -> raft.withCheckQuorum(false));
        final int old = sim.leader();
        final int minorityFollower = old % 5 + 1;
        final SimClient writer = sim.addClient(Consistency.LINEARIZABLE, 1).target(old);
        assertEquals(KvStatus.OK, answered(sim, writer, KvOperation.put("k", "old")).status());
        awaitAppliedEverywhere(sim);

        sim.isolate(old, minorityFollower);
        sim.runUntil("the majority elects a leader", () -> sim.leader() != old && sim.leader() != 0, 300);
        assertEquals(KvStatus.OK, answered(sim, writer.target(sim.leader()), KvOperation.put("k", "new")).status());
        assertEquals(RaftRole.LEADER, sim.replica(old).role(), "the old leader does not know it was deposed");

        final SimClient viaLeader = sim.addClient(Consistency.LINEARIZABLE, 1).target(old).timeouts(1000, 3000);
        final SimClient viaFollower = sim.addClient(Consistency.LINEARIZABLE, 1).target(minorityFollower)
            .timeouts(1000, 3000);
        viaLeader.submit(KvOperation.get("k"));
        viaFollower.submit(KvOperation.get("k"));
        awaitAnswer(sim, viaLeader);
        awaitAnswer(sim, viaFollower);

        for (final SimClient reader : List.of(viaLeader, viaFollower))
        {
            assertTrue(reader.answers().stream().anyMatch(a -> a.status() == KvStatus.RETRY &&
                (a.replica() == old || a.replica() == minorityFollower)), () -> "answers: " + reader.answers());
            for (final SimClient.Answer answer : reader.answers())
            {
                if (answer.status() == KvStatus.VALUE)
                {
                    assertEquals("new", answer.value(), () -> "stale read: " + answer);
                    assertNotEquals(old, answer.replica());
                    assertNotEquals(minorityFollower, answer.replica());
                }
            }
            assertEquals("new", reader.lastAnswer().value());
        }
        assertLinearizable(sim);
    }

    @Test
    void aLinearizableReadOnALaggingFollowerWaitsUntilItsReadIndexIsApplied()
    {
        final KvClusterSim sim = stable(3, raft -> raft);
        final int leader = sim.leader();
        final int follower = leader % 3 + 1;
        final SimClient writer = sim.addClient(Consistency.LINEARIZABLE, 1).target(leader);
        answered(sim, writer, KvOperation.put("k", "v0"));
        awaitAppliedEverywhere(sim);

        // The follower still hears heartbeats (so it confirms reads) but no longer receives entries.
        sim.dropAppendsTo(follower, true);
        answered(sim, writer, KvOperation.put("k", "v1"));
        final SimClient reader = sim.addClient(Consistency.LINEARIZABLE, 1).target(follower).timeouts(1000, 3000);
        reader.submit(KvOperation.get("k"));
        sim.run(10);

        assertTrue(reader.answers().isEmpty(), () -> "answered before applying the read index: " + reader.answers());
        assertEquals(1, sim.replica(follower).pendingReads());
        sim.dropAppendsTo(follower, false);
        final SimClient.Answer answer = awaitAnswer(sim, reader);
        assertEquals("v1", answer.value());
        assertEquals(follower, answer.replica());
        assertLinearizable(sim);
    }

    @Test
    void aRestartedMemberRebuildsItsStateFromItsLog()
    {
        final KvClusterSim sim = stable(3, raft -> raft);
        final SimClient writer = sim.addClient(Consistency.LINEARIZABLE, 1).target(sim.leader());
        answered(sim, writer, KvOperation.put("k", "a"));
        answered(sim, writer, KvOperation.put("k", "b"));
        awaitAppliedEverywhere(sim);
        final int follower = sim.leader() % 3 + 1;

        sim.crash(follower);
        answered(sim, writer, KvOperation.put("k", "c"));
        sim.restart(follower);
        awaitAppliedEverywhere(sim);

        final RaftKvReplica restarted = sim.replica(follower);
        assertEquals(restarted.appliedIndex(), restarted.appliedEntries(), "re-applied from index 1");
        final SimClient reader = sim.addClient(Consistency.EVENTUAL, 1).target(follower);
        final SimClient.Answer answer = answered(sim, reader, KvOperation.get("k"));
        assertEquals("c", answer.value());
        assertEquals(follower, answer.replica());
    }

    // ------------------------------------------------------------------------------------------- snapshots

    @Test
    void aMemberRestartedFromASnapshotServesTheSameState()
    {
        final KvClusterSim sim = stable(3, raft -> raft, replica -> replica.withSnapshots(5, 2));
        final SimClient writer = sim.addClient(Consistency.LINEARIZABLE, 1).target(sim.leader());
        for (int i = 0; i < 12; i++)
        {
            assertEquals(KvStatus.OK, answered(sim, writer, KvOperation.put("k" + i % 4, "v" + i)).status());
        }
        awaitAppliedEverywhere(sim);
        final int follower = sim.leader() % 3 + 1;
        final long appliedBefore = sim.replica(follower).appliedIndex();
        assertTrue(sim.firstIndex(follower) > 1, "the follower compacted its log");

        // Restarted where no one can feed it: what it serves comes from its snapshot and the log it kept.
        sim.crash(follower);
        sim.isolate(follower);
        sim.restart(follower);
        sim.run(5);

        final RaftKvReplica restarted = sim.replica(follower);
        assertEquals(1, sim.restartsFromSnapshot());
        assertTrue(restarted.snapshotIndex() > 0);
        assertEquals(appliedBefore, restarted.appliedIndex());
        assertEquals(restarted.appliedIndex() - restarted.snapshotIndex(), restarted.appliedEntries(),
            "only the entries after the snapshot were re-applied");
        final SimClient reader = sim.addClient(Consistency.EVENTUAL, 1).target(follower);
        for (int key = 0; key < 4; key++)
        {
            final SimClient.Answer answer = answered(sim, reader, KvOperation.get("k" + key));
            assertEquals("v" + (8 + key), answer.value());
            assertEquals(appliedBefore, answer.index());
            assertEquals(follower, answer.replica());
        }
    }

    @Test
    void aFollowerFarBehindACompactedLeaderCatchesUpBySnapshotThenServesSequentialReads()
    {
        // Small chunks so the transfer takes several; a read timeout long enough to wait out the catch-up.
        final KvClusterSim sim = stable(3, raft -> raft.withSnapshotTransfer(64, 2, 1 << 20),
            replica -> replica.withSnapshots(10, 2).withPending(64, 64, 300 * KvClusterSim.TICK_NS));
        final SimClient writer = sim.addClient(Consistency.LINEARIZABLE, 2);
        final int[] members = laggingFollower(sim, writer);
        final int leader = members[0];
        final int lagging = members[1];
        for (int i = 4; i <= 30; i++)
        {
            assertEquals(KvStatus.OK, answered(sim, writer, KvOperation.put("k" + i % 2, "v" + i)).status());
        }
        final long laggingLast = sim.replica(lagging).lastIndex();
        sim.runUntil("the leader compacted past the lagging member's log", () ->
            sim.firstIndex(leader) > laggingLast + 1, 100);
        final SimClient reader = sim.addClient(Consistency.SEQUENTIAL, 1).target(members[2]).timeouts(1000, 3000);
        final SimClient.Answer fresh = answered(sim, reader, KvOperation.get("k0"));
        assertEquals("v30", fresh.value());

        // Held while the member is behind the client's minIndex, served by it once the snapshot brought it there.
        reader.target(lagging).submit(KvOperation.get("k0"));
        sim.run(5);
        assertEquals(1, sim.replica(lagging).pendingReads());
        sim.heal();
        final SimClient.Answer caughtUp = awaitAnswer(sim, reader);

        final RaftKvReplica follower = sim.replica(lagging);
        assertEquals(1, follower.snapshotsInstalled());
        assertEquals(List.of(KvStatus.VALUE), reader.answers().stream().map(SimClient.Answer::status).toList());
        assertEquals(lagging, caughtUp.replica());
        assertEquals("v30", caughtUp.value());
        assertTrue(caughtUp.index() >= fresh.index(), () -> caughtUp + " below " + fresh);
        assertTrue(follower.snapshotIndex() > laggingLast);
        assertTrue(follower.appliedEntries() < follower.appliedIndex() - laggingLast,
            "the compacted entries were not applied one by one");
    }

    @Test
    void aPendingWriteOvertakenByASnapshotIsAnsweredRetryAndItsRetryIsAppliedOnce()
    {
        final KvClusterSim sim = stable(3, raft -> raft, replica -> replica.withSnapshots(5, 1));
        final int old = sim.leader();
        final SimClient a = sim.addClient(Consistency.LINEARIZABLE, 1).target(old).timeouts(1000, 3000);

        // The followers get the proposal but the old leader hears no acknowledgement, then loses touch entirely.
        sim.dropPeerMessagesTo(old, true);
        a.submit(KvOperation.put("k", "a"));
        sim.run(4);
        final long proposedAt = sim.replica(old).lastIndex();
        sim.isolate(old);
        sim.dropPeerMessagesTo(old, false);
        assertEquals(1, sim.replica(old).pendingWrites());

        // A new leader commits it (it holds the entry) and compacts far past it while the old leader is away.
        sim.runUntil("the majority elects a leader", () -> sim.leader() != old && sim.leader() != 0, 300);
        final SimClient b = sim.addClient(Consistency.LINEARIZABLE, 1).target(sim.leader());
        for (int i = 0; i < 12; i++)
        {
            assertEquals(KvStatus.OK, answered(sim, b, KvOperation.put("k", "b" + i)).status());
        }
        assertEquals(List.of(proposedAt), sim.oracle().indexesOf(a.clientId(), 1), "committed by the new leader");
        assertTrue(sim.firstIndex(sim.leader()) > proposedAt + 1);
        assertTrue(a.answers().isEmpty());

        sim.heal();
        sim.runUntil("the old leader installs a snapshot", () -> sim.replica(old).snapshotsInstalled() == 1, 200);
        final long installedAt = sim.replica(old).snapshotIndex();
        assertTrue(installedAt >= proposedAt);
        assertEquals(0, sim.replica(old).pendingWrites(), "answered when the snapshot replaced the state");
        final SimClient.Answer answer = awaitAnswer(sim, a);

        final SimClient.Answer first = a.answers().get(0);
        assertEquals(KvStatus.RETRY, first.status(), () -> "answers: " + a.answers());
        assertEquals(old, first.replica());
        assertEquals(installedAt, first.index(), "the RETRY names the snapshot's index");
        assertEquals(KvStatus.OK, answer.status());
        assertEquals(proposedAt, answer.index(), "the session answers with the original application");
        assertEquals("b11", sim.oracle().valueAt("k", sim.oracle().appliedIndex()), "the retry was not re-applied");
        assertLinearizable(sim);
    }
}
