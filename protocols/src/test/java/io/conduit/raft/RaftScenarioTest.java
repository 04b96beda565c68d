package io.conduit.raft;

import java.nio.ByteBuffer;
import java.util.Arrays;

import io.conduit.transport.sim.SeededRuns;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The classic Raft lab scenarios on 3 and 5 nodes, each over several seeds on {@link RaftSimCluster}; invariants are
 * checked after every step by the harness. Replay a failure with the command in its {@code SEED=} line.
 */
class RaftScenarioTest
{
    /** Issue 5: at least 1,000 seeds per scenario family in CI; -Dconduit.seeds overrides. */
    private static final int SEEDS = 1_000;
    private static final int ELECTION_BOUND_TICKS = 20 * RaftSimCluster.ELECTION_TICKS;

    private static byte[] payload(final long value)
    {
        return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
    }

    private static int follower(final RaftSimCluster cluster, final int leader, final int nth)
    {
        int seen = 0;
        for (int id = 1; id <= cluster.size(); id++)
        {
            if (id != leader && cluster.isUp(id) && seen++ == nth)
            {
                return id;
            }
        }
        throw new IllegalStateException("no follower number " + nth);
    }

    private static int[] all(final RaftSimCluster cluster)
    {
        final int[] ids = new int[cluster.size()];
        for (int i = 0; i < ids.length; i++)
        {
            ids[i] = i + 1;
        }
        return ids;
    }

    private static int awaitLeaderOtherThan(final RaftSimCluster cluster, final int... excluded)
    {
        cluster.runUntil("a leader other than " + Arrays.toString(excluded), () ->
        {
            final int leader = cluster.leader();
            return leader != 0 && Arrays.stream(excluded).noneMatch(id -> id == leader);
        }, ELECTION_BOUND_TICKS);
        return cluster.leader();
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 5})
    void initialElectionElectsOneLeaderWhoKeepsItsTermInAHealthyNetwork(final int size)
    {
        SeededRuns.run("RaftScenarioTest", 1000, SEEDS, seed ->
        {
            final RaftSimCluster cluster = new RaftSimCluster(size, seed);
            final int leader = cluster.awaitLeader(ELECTION_BOUND_TICKS);
            final long term = cluster.node(leader).term();
            assertTrue(term >= 1);

            cluster.run(20 * RaftSimCluster.ELECTION_TICKS);

            // Raft §5.2: with heartbeats flowing nobody times out, so no term changes.
            assertEquals(leader, cluster.leader());
            assertEquals(term, cluster.maxTerm(), cluster::toString);
            for (int id = 1; id <= size; id++)
            {
                assertEquals(leader, cluster.node(id).leader(), cluster::toString);
            }
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 5})
    void reElectionAfterLeaderFailureAndNoLeaderWithoutAMajority(final int size)
    {
        SeededRuns.run("RaftScenarioTest", 2000, SEEDS, seed ->
        {
            final RaftSimCluster cluster = new RaftSimCluster(size, seed);
            final int first = cluster.awaitLeader(ELECTION_BOUND_TICKS);
            final long firstTerm = cluster.node(first).term();

            cluster.crash(first);
            final int second = cluster.awaitLeader(ELECTION_BOUND_TICKS);
            assertNotEquals(first, second);
            assertTrue(cluster.node(second).term() > firstTerm);

            // The old leader rejoins as a follower without disrupting the new one (pre-vote).
            cluster.restart(first);
            cluster.run(10 * RaftSimCluster.ELECTION_TICKS);
            assertEquals(second, cluster.leader(), cluster::toString);

            // Take down all but a minority: nobody can be elected.
            for (int i = 0; i < size / 2 + 1; i++)
            {
                cluster.crash(follower(cluster, 0, 0));
            }
            cluster.run(20 * RaftSimCluster.ELECTION_TICKS);
            assertEquals(0, cluster.leader(), cluster::toString);
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 5})
    void basicAgreementAppliesTheSameEntriesEverywhere(final int size)
    {
        SeededRuns.run("RaftScenarioTest", 3000, SEEDS, seed ->
        {
            final RaftSimCluster cluster = new RaftSimCluster(size, seed);
            final int leader = cluster.awaitLeader(ELECTION_BOUND_TICKS);
            long last = 0;
            for (int i = 0; i < 20; i++)
            {
                last = cluster.propose(leader, payload(i));
                assertTrue(last > 0);
            }
            cluster.awaitApplied(last, 100, all(cluster));
            for (int i = 0; i < 20; i++)
            {
                final LogEntry entry = cluster.appliedLog().get((int)(last - 20 + i));
                assertEquals(i, ByteBuffer.wrap(entry.payload()).getLong());
            }
            cluster.checkLogMatching();
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 5})
    void agreementDespiteAFailedFollowerWhichCatchesUpOnRestart(final int size)
    {
        SeededRuns.run("RaftScenarioTest", 4000, SEEDS, seed ->
        {
            final RaftSimCluster cluster = new RaftSimCluster(size, seed);
            final int leader = cluster.awaitLeader(ELECTION_BOUND_TICKS);
            final int down = follower(cluster, leader, 0);
            cluster.crash(down);
            long last = 0;
            for (int i = 0; i < 10; i++)
            {
                last = cluster.propose(leader, payload(i));
            }
            final long committed = last;
            cluster.runUntil("commit without the failed follower",
                () -> cluster.node(leader).commitIndex() >= committed, 100);

            cluster.restart(down);
            cluster.awaitApplied(last, 200, all(cluster));
            assertEquals(leader, cluster.leader());
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 5})
    void noAgreementWithoutAMajority(final int size)
    {
        SeededRuns.run("RaftScenarioTest", 5000, SEEDS, seed ->
        {
            final RaftSimCluster cluster = new RaftSimCluster(size, seed);
            final int leader = cluster.awaitLeader(ELECTION_BOUND_TICKS);
            final long before = cluster.node(leader).commitIndex();
            for (int i = 0; i < size / 2 + 1; i++)
            {
                cluster.crash(follower(cluster, leader, 0));
            }
            final long index = cluster.propose(leader, payload(1));
            assertTrue(index > before);

            cluster.run(10 * RaftSimCluster.ELECTION_TICKS);
            for (int id = 1; id <= size; id++)
            {
                if (cluster.isUp(id))
                {
                    assertTrue(cluster.node(id).commitIndex() < index, cluster::toString);
                }
            }
            // Check-quorum: the leader noticed it lost its majority.
            assertNotEquals(RaftRole.LEADER, cluster.node(leader).role());

            for (int id = 1; id <= size; id++)
            {
                cluster.restart(id);
            }
            final int newLeader = cluster.awaitStableLeader(3 * RaftSimCluster.ELECTION_TICKS, ELECTION_BOUND_TICKS);
            final long after = cluster.propose(newLeader, payload(2));
            cluster.awaitApplied(after, 200, all(cluster));
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 5})
    void aPartitionedNodeRejoiningDoesNotDisruptTheHealthyLeader(final int size)
    {
        SeededRuns.run("RaftScenarioTest", 6000, SEEDS, seed ->
        {
            final RaftSimCluster cluster = new RaftSimCluster(size, seed);
            final int oldLeader = cluster.awaitLeader(ELECTION_BOUND_TICKS);
            final long oldTerm = cluster.node(oldLeader).term();

            // The leader is cut off: the majority elects a new one, the old one steps down by check-quorum.
            cluster.isolate(oldLeader);
            final int newLeader = awaitLeaderOtherThan(cluster, oldLeader);
            assertNotEquals(oldLeader, newLeader);
            final long newTerm = cluster.node(newLeader).term();
            assertTrue(newTerm > oldTerm);
            cluster.run(5 * RaftSimCluster.ELECTION_TICKS);
            assertNotEquals(RaftRole.LEADER, cluster.node(oldLeader).role());
            // Pre-vote: failing to reach anyone, it never bumped its term.
            assertEquals(oldTerm, cluster.node(oldLeader).term(), cluster::toString);

            cluster.heal();
            cluster.run(10 * RaftSimCluster.ELECTION_TICKS);
            assertEquals(newLeader, cluster.leader(), cluster::toString);
            assertEquals(newTerm, cluster.maxTerm(), cluster::toString);
            assertEquals(newLeader, cluster.node(oldLeader).leader());

            // Same for a follower cut off for a long time.
            final int loner = follower(cluster, newLeader, 0);
            cluster.isolate(loner);
            cluster.run(30 * RaftSimCluster.ELECTION_TICKS);
            cluster.heal();
            cluster.run(10 * RaftSimCluster.ELECTION_TICKS);
            assertEquals(newLeader, cluster.leader(), cluster::toString);
            assertEquals(newTerm, cluster.maxTerm(), cluster::toString);
            final long index = cluster.propose(newLeader, payload(3));
            cluster.awaitApplied(index, 100, all(cluster));
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 5})
    void aFarBehindFollowerIsBackedUpInRoundsBoundedByTermsNotEntries(final int size)
    {
        SeededRuns.run("RaftScenarioTest", 7000, SEEDS, seed ->
        {
            final int entries = 200;
            final RaftSimCluster cluster = new RaftSimCluster(size, seed);
            final int oldLeader = cluster.awaitLeader(ELECTION_BOUND_TICKS);
            final int behind = oldLeader;

            // The old leader, in a minority, gets many entries of its term that can never commit.
            final int[] minority = new int[size / 2];
            minority[0] = oldLeader;
            for (int i = 1; i < minority.length; i++)
            {
                minority[i] = follower(cluster, oldLeader, i - 1);
            }
            cluster.isolate(minority);
            for (int i = 0; i < entries; i++)
            {
                cluster.propose(oldLeader, payload(i));
            }
            final int newLeader = awaitLeaderOtherThan(cluster, minority);
            long last = 0;
            for (int i = 0; i < entries; i++)
            {
                last = cluster.propose(newLeader, payload(entries + i));
            }
            final long committed = last;
            cluster.runUntil("the majority commits", () -> cluster.node(newLeader).commitIndex() >= committed, 300);

            final long rejectsBefore = cluster.rejectedAppendsFrom(behind);
            final long appendsBefore = cluster.sentTo(MessageType.APPEND, behind);
            cluster.heal();
            cluster.awaitApplied(last, 300, all(cluster));

            // One rejection per conflicting term plus one for the probe past its end, not one per entry.
            final long rejects = cluster.rejectedAppendsFrom(behind) - rejectsBefore;
            assertTrue(rejects <= 3, () -> "rejections " + rejects);
            // Pipelined and batched (64 entries per message): a few messages beyond heartbeats, not 200.
            final long appends = cluster.sentTo(MessageType.APPEND, behind) - appendsBefore;
            assertTrue(appends <= 20, () -> "appends " + appends);
            assertSame(cluster.appliedLog().get((int)last - 1), cluster.node(behind).log().allEntries()
                .get((int)last - 1));
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 5})
    void persistenceAcrossCrashesOfEveryNode(final int size)
    {
        SeededRuns.run("RaftScenarioTest", 8000, SEEDS, seed ->
        {
            final RaftSimCluster cluster = new RaftSimCluster(size, seed);
            long last = 0;
            for (int round = 0; round < 3; round++)
            {
                final int leader = cluster.awaitStableLeader(RaftSimCluster.ELECTION_TICKS, ELECTION_BOUND_TICKS);
                for (int i = 0; i < 5; i++)
                {
                    last = cluster.propose(leader, payload(round * 10 + i));
                }
                cluster.awaitApplied(last, 200, all(cluster));
                final long term = cluster.maxTerm();

                for (int id = 1; id <= size; id++)
                {
                    cluster.crash(id);
                }
                for (int id = 1; id <= size; id++)
                {
                    cluster.restart(id);
                    // The hard state and log survived; the state machine is re-applied from index 1.
                    assertEquals(term, cluster.node(id).term());
                    assertTrue(cluster.node(id).lastIndex() >= last);
                    assertEquals(0, cluster.node(id).appliedIndex());
                }
                cluster.awaitApplied(last, ELECTION_BOUND_TICKS, all(cluster));
            }
            cluster.checkLogMatching();
        });
    }
}
