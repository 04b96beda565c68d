package io.conduit.raft;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import io.conduit.transport.sim.SeededRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Lease-based reads ({@link ReadMode#LEASE}, Raft thesis §6.4.1) on {@link RaftSimCluster}, whose read check fails
 * any answer below what was committed anywhere when the read was issued. With clocks ticking at equal rates the
 * lease never outlives the deposed leader's authority; with a leader whose clock runs slow it does, which is the
 * documented limitation of the mode, shown here so nobody mistakes it for a bug. (With equal clocks check-quorum
 * also deposes a cut-off leader within two election timeouts, so these runs rarely probe the lease's exact end;
 * {@code RaftNodeTest} pins that to the tick.)
 */
class RaftLeaseReadScenarioTest
{
    /** Issue 5: at least 1,000 seeds per scenario family in CI; -Dconduit.seeds overrides. */
    private static final int SEEDS = 1_000;
    private static final int ELECTION_BOUND_TICKS = 20 * RaftSimCluster.ELECTION_TICKS;
    private static final int MARGIN_TICKS = 2;

    private static byte[] payload(final long value)
    {
        return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
    }

    private static RaftSimCluster leaseCluster(final int size, final long seed)
    {
        return new RaftSimCluster(size, seed, c -> c.withReadMode(ReadMode.LEASE, MARGIN_TICKS));
    }

    /** Cuts the leader and, on 5 nodes, one follower off from the majority; returns the minority. */
    private static int[] isolateWithMinority(final RaftSimCluster cluster, final int oldLeader)
    {
        final int[] minority = new int[cluster.size() / 2];
        minority[0] = oldLeader;
        for (int i = 1, id = 1; i < minority.length; id++)
        {
            if (id != oldLeader)
            {
                minority[i++] = id;
            }
        }
        cluster.isolate(minority);
        return minority;
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 5})
    void aDeposedLeaderAnswersLeaseReadsOnlyWhileNoOtherLeaderCanExist(final int size)
    {
        SeededRuns.run("RaftLeaseReadScenarioTest", 7000, SEEDS, seed ->
        {
            final RaftSimCluster cluster = leaseCluster(size, seed);
            final int oldLeader = cluster.awaitStableLeader(RaftSimCluster.ELECTION_TICKS, ELECTION_BOUND_TICKS);
            final long first = cluster.propose(oldLeader, payload(1));
            cluster.runUntil("the first write commits", () -> cluster.node(oldLeader).commitIndex() >= first, 100);
            cluster.run(2);

            // Equal clocks: a read every step on the cut-off leader; the harness fails any stale answer.
            isolateWithMinority(cluster, oldLeader);
            long readId = 0;
            final long servedBefore = cluster.node(oldLeader).leaseReadsServed();
            final long[] write = {Long.MAX_VALUE};
            final long[] reads = {0};
            cluster.runUntil("a write of the new leader committed, the old one deposed", () ->
            {
                if (cluster.node(oldLeader).role() == RaftRole.LEADER)
                {
                    cluster.readIndex(oldLeader, reads[0]++);
                }
                final int leader = cluster.leader();
                if (write[0] == Long.MAX_VALUE && leader != 0 && leader != oldLeader)
                {
                    write[0] = cluster.propose(leader, payload(2));
                }
                return cluster.node(oldLeader).role() != RaftRole.LEADER && write[0] <= cluster.appliedLog().size();
            }, ELECTION_BOUND_TICKS);
            readId = reads[0];
            assertTrue(cluster.node(oldLeader).leaseReadsServed() > servedBefore,
                "the old leader never used its lease, so this proves nothing");
            // The harness failed any stale answer already; this names the property: once the majority's write was
            // committed, the old leader answered nothing more.
            for (long r = 0; r < readId; r++)
            {
                if (cluster.readBound(r) >= write[0])
                {
                    assertEquals(null, cluster.readResult(r), "read " + r + " answered after the write committed");
                }
            }
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 5})
    void leaseReadsThroughAnyNodeCoverEveryWriteAcknowledgedBeforeThem(final int size)
    {
        SeededRuns.run("RaftLeaseReadScenarioTest", 8000, SEEDS, seed ->
        {
            final RaftSimCluster cluster = leaseCluster(size, seed);
            cluster.delayTicks(1, 3);
            final SplittableRandom plan = new SplittableRandom(seed);
            cluster.awaitStableLeader(RaftSimCluster.ELECTION_TICKS, ELECTION_BOUND_TICKS);
            long readId = 0;
            for (int step = 0; step < 40 * RaftSimCluster.ELECTION_TICKS; step++)
            {
                final int leader = cluster.leader();
                if (leader != 0)
                {
                    cluster.propose(leader, payload(step));
                }
                final int reader = 1 + plan.nextInt(size);
                if (cluster.isUp(reader))
                {
                    cluster.readIndex(reader, readId++);
                }
                if (plan.nextInt(100) == 0)
                {
                    cluster.isolate(1 + plan.nextInt(size));
                }
                else if (plan.nextInt(50) == 0)
                {
                    cluster.heal();
                }
                cluster.step();
            }
            long leaseReads = 0;
            for (int id = 1; id <= size; id++)
            {
                leaseReads += cluster.node(id).leaseReadsServed();
            }
            assertTrue(leaseReads > 0, "no read was answered on a lease");
            // Reads issued on a node cut off by the random partitions are dropped by design (no leader, or a leader
            // that cannot confirm itself), so only a floor is asserted: most runs answer over half, the worst of the
            // first 1,000 seeds about a fifth (seed 8891, a node isolated for most of the run).
            assertTrue(cluster.answeredReadCount() > readId / 10, "too few reads answered: " +
                cluster.answeredReadCount() + " of " + readId);
        });
    }

    /**
     * A 3-node cluster in {@code mode} whose leader's clock runs 10 times slow is cut off; the other two elect a new
     * leader and commit a write, while the old leader, counting in its own slow ticks, still believes it leads.
     */
    private static RaftSimCluster deposedSlowLeader(final ReadMode mode, final long seed, final int[] oldLeaderOut)
    {
        final RaftSimCluster cluster = new RaftSimCluster(3, seed, c -> c.withReadMode(mode, MARGIN_TICKS));
        final int oldLeader = cluster.awaitStableLeader(RaftSimCluster.ELECTION_TICKS, ELECTION_BOUND_TICKS);
        cluster.tickEvery(oldLeader, 10);
        cluster.run(2 * RaftSimCluster.ELECTION_TICKS);
        assertEquals(oldLeader, cluster.leader());

        isolateWithMinority(cluster, oldLeader);
        cluster.runUntil("a new leader", () -> cluster.leader() != 0 && cluster.leader() != oldLeader,
            ELECTION_BOUND_TICKS);
        final int newLeader = cluster.leader();
        final long write = cluster.propose(newLeader, payload(2));
        cluster.runUntil("the write commits", () -> cluster.node(newLeader).commitIndex() >= write, 100);
        assertEquals(RaftRole.LEADER, cluster.node(oldLeader).role(), "check-quorum already deposed it");
        oldLeaderOut[0] = oldLeader;
        return cluster;
    }

    @Test
    void documentedLimitationADeposedLeaderWhoseClockRunsSlowServesAStaleLeaseRead()
    {
        // ReadMode.LEASE assumes bounded clock drift between members. Its lease, counted in its own slow ticks,
        // outlasts the election timeout the others count in theirs, so it answers from its old commit index: the
        // harness's linearizability check catches the stale read.
        for (long seed = 9000; seed < 9000 + SEEDS; seed++)
        {
            final int[] oldLeader = new int[1];
            final RaftSimCluster cluster = deposedSlowLeader(ReadMode.LEASE, seed, oldLeader);
            final AssertionError stale = assertThrows(AssertionError.class, () -> cluster.readIndex(oldLeader[0], 1));
            assertTrue(stale.getMessage().startsWith("stale read"), stale.getMessage());
        }
    }

    @Test
    void safeReadsMakeNoClockAssumption()
    {
        // The same slow deposed leader in SAFE mode takes the read but can never confirm it: no answer, never a
        // stale one.
        for (long seed = 9000; seed < 9000 + SEEDS; seed++)
        {
            final int[] oldLeader = new int[1];
            final RaftSimCluster cluster = deposedSlowLeader(ReadMode.SAFE, seed, oldLeader);
            assertTrue(cluster.readIndex(oldLeader[0], 1));
            cluster.run(5 * RaftSimCluster.ELECTION_TICKS);
            assertEquals(null, cluster.readResult(1), cluster::toString);
        }
    }
}
