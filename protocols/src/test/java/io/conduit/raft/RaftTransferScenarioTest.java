package io.conduit.raft;

import java.nio.ByteBuffer;

import io.conduit.transport.sim.SeededRuns;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Leadership transfer (Raft thesis §3.10) on {@link RaftSimCluster}, whose invariants are checked after every step.
 * Replay a failure with the command in its {@code SEED=} line.
 */
class RaftTransferScenarioTest
{
    /** Issue 5: at least 1,000 seeds per scenario family in CI; -Dconduit.seeds overrides. */
    private static final int SEEDS = 1_000;
    private static final int ELECTION_BOUND_TICKS = 20 * RaftSimCluster.ELECTION_TICKS;
    private static final int TRANSFER_BOUND_TICKS = 3 * RaftSimCluster.ELECTION_TICKS;

    private static byte[] payload(final long value)
    {
        return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
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

    /** A follower of {@code leader} chosen by the seed. */
    private static int chosenFollower(final RaftSimCluster cluster, final int leader, final long seed)
    {
        final int offset = 1 + (int)(seed % (cluster.size() - 1));
        return 1 + (leader - 1 + offset) % cluster.size();
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 5})
    void leadershipMovesToAnUpToDateFollowerAtTheNextTermKeepingEveryCommittedEntry(final int size)
    {
        SeededRuns.run("RaftTransferScenarioTest", 1000, SEEDS, seed ->
        {
            final RaftSimCluster cluster = new RaftSimCluster(size, seed);
            final int oldLeader = cluster.awaitStableLeader(RaftSimCluster.ELECTION_TICKS, ELECTION_BOUND_TICKS);
            long last = 0;
            for (int i = 0; i < 5; i++)
            {
                last = cluster.propose(oldLeader, payload(i));
            }
            cluster.awaitApplied(last, 100, all(cluster));
            transferAndCheck(cluster, oldLeader, chosenFollower(cluster, oldLeader, seed), last);
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 5})
    void aLaggingTargetCatchesUpBeforeItTakesOver(final int size)
    {
        SeededRuns.run("RaftTransferScenarioTest", 2000, SEEDS, seed ->
        {
            final RaftSimCluster cluster = new RaftSimCluster(size, seed);
            final int oldLeader = cluster.awaitStableLeader(RaftSimCluster.ELECTION_TICKS, ELECTION_BOUND_TICKS);
            final int target = chosenFollower(cluster, oldLeader, seed);
            cluster.crash(target);
            long last = 0;
            for (int i = 0; i < 30; i++)
            {
                last = cluster.propose(oldLeader, payload(i));
            }
            final long committed = last;
            cluster.runUntil("commit without the target", () -> cluster.node(oldLeader).commitIndex() >= committed,
                100);
            cluster.restart(target);
            assertTrue(cluster.node(target).lastIndex() < committed);
            transferAndCheck(cluster, oldLeader, target, committed);
        });
    }

    private static void transferAndCheck(final RaftSimCluster cluster, final int oldLeader, final int target,
        final long committed)
    {
        final long term = cluster.node(oldLeader).term();
        assertTrue(cluster.transferLeadership(oldLeader, target));
        final long refused = cluster.propose(oldLeader, payload(-1));
        assertTrue(refused <= 0, "the leader accepted a proposal while handing over");

        final int ticks = cluster.runUntil("leadership moves to " + target, () -> cluster.leader() == target,
            TRANSFER_BOUND_TICKS);
        assertTrue(ticks <= TRANSFER_BOUND_TICKS);
        // Thesis §3.10: the target campaigns at once, without pre-vote, and wins the first election it holds.
        assertEquals(term + 1, cluster.node(target).term(), cluster::toString);
        assertEquals(term + 1, cluster.maxTerm(), cluster::toString);

        // Nothing committed was lost: the new leader holds it, and a new write commits on top of it everywhere.
        for (long i = 1; i <= committed; i++)
        {
            assertSame(cluster.appliedLog().get((int)i - 1), cluster.node(target).log().allEntries().get((int)i - 1));
        }
        final long index = cluster.propose(target, payload(100));
        assertTrue(index > committed);
        cluster.awaitApplied(index, 100, all(cluster));
        cluster.runUntil("the old leader follows the new one", () -> cluster.node(oldLeader).leader() == target, 100);
        assertEquals(target, cluster.leader());
        cluster.checkLogMatching();
    }
}
