package io.conduit.raft;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Predicate;

import io.conduit.transport.sim.SeededRuns;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Membership changes (Raft thesis §4.1–4.2) on {@link RaftSimCluster}, under a steady load of proposals, with the
 * harness's invariants after every step (configuration-aware: every node's applied configuration is the cluster's,
 * one change at a time, snapshots record the configuration). 10 seeds each; replay a failure with its {@code SEED=}
 * line.
 */
class RaftMembershipScenarioTest
{
    /** Issue 5: at least 1,000 seeds per scenario family in CI; -Dconduit.seeds overrides. */
    private static final int SEEDS = 1_000;
    private static final int ELECTION_BOUND_TICKS = 20 * RaftSimCluster.ELECTION_TICKS;
    private static final int CHANGE_BOUND_TICKS = 60 * RaftSimCluster.ELECTION_TICKS;

    private static byte[] payload(final long value)
    {
        return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
    }

    /**
     * Proposes {@code change} on whichever node leads, with a proposal of load every step, until the committed
     * configuration satisfies {@code done}. A proposal lost with a leader is proposed again by the next one.
     */
    private static void changeUnderLoad(
        final RaftSimCluster cluster, final ConfChange change, final Predicate<Configuration> done, final long[] load)
    {
        cluster.runUntil(change + " committed", () ->
        {
            final int leader = cluster.leader();
            if (leader != 0)
            {
                cluster.propose(leader, payload(load[0]++));
                if (!done.test(cluster.node(leader).log().configuration()))
                {
                    cluster.proposeConfChange(leader, change);
                }
            }
            return done.test(cluster.committedConfiguration());
        }, CHANGE_BOUND_TICKS);
    }

    private static void awaitAppliedOnMembers(final RaftSimCluster cluster, final long index)
    {
        final Configuration members = cluster.committedConfiguration();
        final int[] ids = new int[members.voterCount() + members.learnerCount()];
        for (int i = 0; i < ids.length; i++)
        {
            ids[i] = i < members.voterCount() ? members.voter(i) : members.learner(i - members.voterCount());
        }
        cluster.awaitApplied(index, ELECTION_BOUND_TICKS, ids);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void growsFromThreeToFiveAndShrinksBackToThreeUnderLoad(final boolean snapshots)
    {
        SeededRuns.run("RaftMembershipScenarioTest", 4000, SEEDS, seed ->
        {
            final RaftSimCluster cluster = new RaftSimCluster(3, 5, seed, c -> c.withSnapshotTransfer(16, 2, 1 << 20));
            cluster.delayTicks(1, 3);
            if (snapshots)
            {
                // The newcomers then catch up by InstallSnapshot, and learn the configuration from it.
                cluster.compaction(10, 2);
            }
            cluster.awaitStableLeader(RaftSimCluster.ELECTION_TICKS, ELECTION_BOUND_TICKS);
            final long[] load = {0};
            for (final int joining : new int[]{4, 5})
            {
                // Thesis §4.2.1: join as a learner, and become a voter only once caught up.
                cluster.addNode(joining);
                changeUnderLoad(cluster, ConfChange.addLearner(joining), c -> c.isMember(joining), load);
                changeUnderLoad(cluster, ConfChange.promoteLearner(joining), c -> c.isVoter(joining), load);
            }
            assertArrayEquals(new int[]{1, 2, 3, 4, 5}, cluster.committedConfiguration().voters());

            // Shrink by removing the leader itself first (thesis §4.2.2), then another of the original voters.
            final int removedLeader = cluster.awaitLeader(ELECTION_BOUND_TICKS);
            changeUnderLoad(cluster, ConfChange.removeVoter(removedLeader), c -> !c.isVoter(removedLeader), load);
            cluster.runUntil("the removed leader steps down",
                () -> cluster.node(removedLeader).role() != RaftRole.LEADER, ELECTION_BOUND_TICKS);
            final int other = removedLeader == 1 ? 2 : 1;
            changeUnderLoad(cluster, ConfChange.removeVoter(other), c -> !c.isVoter(other), load);
            final Configuration end = cluster.committedConfiguration();
            assertEquals(3, end.voterCount(), end::toString);
            assertEquals(0, end.learnerCount());
            if (snapshots)
            {
                assertTrue(cluster.sent(MessageType.INSTALL_SNAPSHOT) > 0, "no newcomer caught up by snapshot");
            }

            // The three that remain commit on their own: the removed ones are switched off.
            cluster.crash(removedLeader);
            cluster.crash(other);
            final int leader = cluster.awaitStableLeader(RaftSimCluster.ELECTION_TICKS, ELECTION_BOUND_TICKS);
            final long last = cluster.propose(leader, payload(-1));
            assertTrue(last > 0, cluster::toString);
            awaitAppliedOnMembers(cluster, last);
            for (final int voter : end.voters())
            {
                assertArrayEquals(end.voters(), cluster.node(voter).voters(), cluster::toString);
            }
            cluster.checkLogMatching();
        });
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aRemovedServerThatMissedItsRemovalDoesNotDisruptTheCluster(final boolean preVote)
    {
        // Thesis §4.2.3: the removed server times out and campaigns, but check-quorum's lease (and pre-vote) make the
        // voters that hear their leader ignore it.
        SeededRuns.run("RaftMembershipScenarioTest", 5000, SEEDS, seed ->
        {
            final RaftSimCluster cluster = new RaftSimCluster(3, seed, c -> c.withPreVote(preVote));
            final int leader = cluster.awaitStableLeader(RaftSimCluster.ELECTION_TICKS, ELECTION_BOUND_TICKS);
            final int removed = leader == 3 ? 2 : 3;
            cluster.isolate(removed);
            final long[] load = {0};
            changeUnderLoad(cluster, ConfChange.removeVoter(removed), c -> !c.isVoter(removed), load);
            assertTrue(Arrays.stream(cluster.node(removed).voters()).anyMatch(v -> v == removed),
                "the removed server must not have learnt of its removal");
            final int stableLeader = cluster.awaitStableLeader(RaftSimCluster.ELECTION_TICKS, ELECTION_BOUND_TICKS);
            final long term = cluster.node(stableLeader).term();

            cluster.heal();
            final long removedTermBefore = cluster.node(removed).term();
            for (int i = 0; i < 20 * RaftSimCluster.ELECTION_TICKS; i++)
            {
                cluster.propose(stableLeader, payload(load[0]++));
                cluster.step();
            }
            assertEquals(RaftRole.LEADER, cluster.node(stableLeader).role(), cluster::toString);
            assertEquals(term, cluster.node(stableLeader).term(), "the removed server disrupted the leader");
            if (!preVote)
            {
                assertTrue(cluster.node(removed).term() > removedTermBefore, "the removed server never campaigned");
            }
            final long last = cluster.propose(stableLeader, payload(-1));
            awaitAppliedOnMembers(cluster, last);
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 5})
    void everyNodeRestartsWithTheConfigurationItsLogAndSnapshotImply(final int size)
    {
        SeededRuns.run("RaftMembershipScenarioTest", 6000, SEEDS, seed ->
        {
            final RaftSimCluster cluster = new RaftSimCluster(size, size + 1, seed, c -> c);
            cluster.compaction(3 + new SplittableRandom(seed).nextInt(5), 1);
            final int first = cluster.awaitStableLeader(RaftSimCluster.ELECTION_TICKS, ELECTION_BOUND_TICKS);
            final long[] load = {0};
            for (int i = 0; i < 20; i++)
            {
                cluster.propose(first, payload(load[0]++));
                cluster.step();
            }
            final int learner = size + 1;
            cluster.addNode(learner);
            changeUnderLoad(cluster, ConfChange.addLearner(learner), c -> c.isMember(learner), load);
            changeUnderLoad(cluster, ConfChange.removeVoter(1), c -> !c.isVoter(1), load);
            final Configuration expected = cluster.committedConfiguration();

            // Every node comes back with the configuration it had (a lagging one may not hold the last change yet).
            final Configuration[] before = new Configuration[cluster.size() + 1];
            for (int id = 1; id <= cluster.size(); id++)
            {
                before[id] = new Configuration(cluster.node(id).voters(), cluster.node(id).learners());
                cluster.crash(id);
            }
            for (int id = 2; id <= cluster.size(); id++)
            {
                cluster.restart(id);
                final Configuration after = new Configuration(cluster.node(id).voters(), cluster.node(id).learners());
                assertEquals(before[id], after, "node " + id + " after restart\n" + cluster);
            }
            final int leader = cluster.awaitStableLeader(RaftSimCluster.ELECTION_TICKS, ELECTION_BOUND_TICKS);
            assertTrue(expected.isVoter(leader));
            final long last = cluster.propose(leader, payload(-1));
            awaitAppliedOnMembers(cluster, last);
            assertTrue(cluster.snapshotsCreated() > 0, "the configuration was never restored from a snapshot");
        });
    }
}
