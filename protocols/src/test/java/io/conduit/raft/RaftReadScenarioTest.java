package io.conduit.raft;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import io.conduit.transport.sim.SeededRuns;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ReadIndex (Raft thesis §6.4) on {@link RaftSimCluster}, which checks every answered read against what was committed
 * anywhere in the cluster when the read was issued. Replay a failure with the command in its {@code SEED=} line.
 */
class RaftReadScenarioTest
{
    /** Issue 5: at least 1,000 seeds per scenario family in CI; -Dconduit.seeds overrides. */
    private static final int SEEDS = 1_000;
    private static final int ELECTION_BOUND_TICKS = 20 * RaftSimCluster.ELECTION_TICKS;

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

    @ParameterizedTest
    @CsvSource({"3, true", "3, false", "5, true", "5, false"})
    void aDeposedLeaderNeverAnswersAReadWithAStaleIndex(final int size, final boolean checkQuorum)
    {
        SeededRuns.run("RaftReadScenarioTest", 1000, SEEDS, seed ->
        {
            final RaftSimCluster cluster = new RaftSimCluster(size, seed, c -> c.withCheckQuorum(checkQuorum));
            final int oldLeader = cluster.awaitStableLeader(RaftSimCluster.ELECTION_TICKS, ELECTION_BOUND_TICKS);
            final long first = cluster.propose(oldLeader, payload(1));
            cluster.awaitApplied(first, 100, all(cluster));

            // The old leader, with a follower on a 5-node cluster, loses the majority, which elects a new leader
            // and commits a write the old one never sees.
            final int[] minority = new int[size / 2];
            minority[0] = oldLeader;
            for (int i = 1, id = 1; i < minority.length; id++)
            {
                if (id != oldLeader)
                {
                    minority[i++] = id;
                }
            }
            cluster.isolate(minority);
            cluster.runUntil("a leader in the majority", () ->
            {
                final int leader = cluster.leader();
                return leader != 0 && leader != oldLeader && cluster.node(leader).term() > cluster.node(oldLeader)
                    .term();
            }, ELECTION_BOUND_TICKS);
            final int newLeader = cluster.leader();
            final long write = cluster.propose(newLeader, payload(2));
            cluster.runUntil("the write commits", () -> cluster.node(newLeader).commitIndex() >= write, 100);

            // Without check-quorum the old leader still believes it leads and takes the read; it must never answer.
            final boolean accepted = cluster.readIndex(oldLeader, 1);
            if (!checkQuorum)
            {
                assertTrue(accepted && cluster.node(oldLeader).role() == RaftRole.LEADER, cluster::toString);
            }
            cluster.run(5 * RaftSimCluster.ELECTION_TICKS);
            assertNull(cluster.readResult(1), cluster::toString);

            // Healed, the old leader learns of the new term and drops the read; the caller retries and gets an index
            // covering the write.
            cluster.heal();
            cluster.runUntil("the old leader follows the new one",
                () -> cluster.node(oldLeader).leader() == newLeader, ELECTION_BOUND_TICKS);
            assertNull(cluster.readResult(1), cluster::toString);
            assertTrue(cluster.readIndex(oldLeader, 2));
            cluster.runUntil("the retried read is answered", () -> cluster.readResult(2) != null, 100);
            assertTrue(cluster.readResult(2) >= write);
            cluster.awaitApplied(cluster.readResult(2), 100, oldLeader);
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 5})
    void readsThroughAnyNodeCoverEveryWriteAcknowledgedBeforeThem(final int size)
    {
        SeededRuns.run("RaftReadScenarioTest", 2000, SEEDS, seed ->
        {
            final RaftSimCluster cluster = new RaftSimCluster(size, seed);
            cluster.delayTicks(1, 3);
            final int leader = cluster.awaitStableLeader(RaftSimCluster.ELECTION_TICKS, ELECTION_BOUND_TICKS);
            final SplittableRandom plan = new SplittableRandom(seed);
            final int reads = 40;
            for (int i = 0; i < reads; i++)
            {
                cluster.propose(leader, payload(i));
                cluster.run(plan.nextInt(4));
                assertTrue(cluster.readIndex(1 + plan.nextInt(size), i));
            }
            cluster.runUntil("every read answered", () -> cluster.answeredReadCount() == reads, 100);
            long lastBound = 0;
            for (int i = 0; i < reads; i++)
            {
                // The harness already failed any answer below its bound; this names the property in the test.
                assertTrue(cluster.readResult(i) >= cluster.readBound(i));
                lastBound = Math.max(lastBound, cluster.readBound(i));
            }
            assertTrue(lastBound > reads / 2, "writes did not commit while reads were issued: " + lastBound);
            assertEquals(leader, cluster.leader());
        });
    }
}
