package io.conduit.node;

import java.util.SplittableRandom;

import io.conduit.kv.Consistency;
import io.conduit.linearizability.CheckResult;
import io.conduit.linearizability.KvModel;
import io.conduit.linearizability.LinearizabilityChecker;
import io.conduit.raft.RaftConfig;
import io.conduit.transport.sim.SeededRuns;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients with sessions against 3 or 5 replicas under loss, reordering delays, partitions and crashes (some between
 * a member's writes and its fsync), then a liveness phase with every member up and the network healed. Every final
 * answer is checked against the applied log as it arrives ({@link KvClusterSim#checkAnswer}); every history is
 * checked for linearizability at the end. {@value #DEFAULT_SEEDS} seeds by default; {@code -Dconduit.seeds=N} for
 * more, {@code -Dconduit.seed=N} to replay one.
 * <p>
 * The compaction family runs the same faults plus one long outage of one member, with members snapshotting every 5
 * to 20 entries (a run commits only some tens of entries) and keeping at most 5 behind, and snapshots sent in small
 * chunks: crashed, restarted and cut-off members then come back through InstallSnapshot, and every snapshot taken,
 * installed or restarted from is checked against the agreed log. About three runs in four install a snapshot from a
 * leader and as many restart a member from its own; the test fails if either drops below half.
 */
class RaftKvLinearizabilityTest
{
    private static final int DEFAULT_SEEDS = 1_000;
    private static final int FAULT_TICKS = 400;
    private static final int LIVENESS_TICKS = 600;

    @Test
    void linearizableHistoriesUnderFaults()
    {
        SeededRuns.run("RaftKvLinearizabilityTest#linearizableHistoriesUnderFaults", 1, DEFAULT_SEEDS,
            seed -> runOneSeed(seed, Consistency.LINEARIZABLE, false, false));
    }

    @Test
    void linearizableHistoriesUnderFaultsWithCompaction()
    {
        final long[] seedsInstalling = new long[1];
        final long[] seedsRestoring = new long[1];
        final long[] seedsRun = new long[1];
        SeededRuns.run("RaftKvLinearizabilityTest#linearizableHistoriesUnderFaultsWithCompaction", 1, DEFAULT_SEEDS,
            seed ->
            {
                final KvClusterSim sim = runOneSeed(seed, Consistency.LINEARIZABLE, false, true).sim();
                seedsRun[0]++;
                seedsInstalling[0] += sim.snapshotsInstalled() > 0 ? 1 : 0;
                seedsRestoring[0] += sim.restartsFromSnapshot() > 0 ? 1 : 0;
            });
        // Replaying one seed proves nothing about the mix; the full family must really exercise snapshots.
        final long seeds = seedsRun[0];
        assertTrue(seeds < 100 || seedsInstalling[0] * 2 >= seeds,
            () -> "only " + seedsInstalling[0] + " of " + seeds + " runs installed a snapshot from a leader");
        assertTrue(seeds < 100 || seedsRestoring[0] * 2 >= seeds,
            () -> "only " + seedsRestoring[0] + " of " + seeds + " runs restarted a member from its snapshot");
    }

    @Test
    void sequentialAndEventualReadsStayConsistentUnderFaults()
    {
        // Reads at these levels are not linearizable by design; the sim checks each against the log as it arrives
        // (sequential: never below the client's minIndex), and the writes' history must still be linearizable.
        SeededRuns.run("RaftKvLinearizabilityTest#sequentialAndEventualReadsStayConsistentUnderFaults", 1, DEFAULT_SEEDS,
            seed -> runOneSeed(seed, seed % 2 == 0 ? Consistency.SEQUENTIAL : Consistency.EVENTUAL, false, false));
    }

    @Test
    void theCheckerCatchesAReplicaServingLinearizableReadsLocally()
    {
        // A fixed range, not the seed flags: replaying another test's seed must not make this one vacuous.
        final int seeds = 200;
        long caught = -1;
        for (long seed = 1; seed <= seeds; seed++)
        {
            final CheckResult result = runOneSeed(seed, Consistency.LINEARIZABLE, true, false).result();
            if (result.verdict() == CheckResult.Verdict.NOT_LINEARIZABLE)
            {
                caught = seed;
                break;
            }
        }
        final long firstCaught = caught;
        assertTrue(firstCaught > 0, () -> "no seed in " + seeds + " produced a stale linearizable read");
    }

    private record Run(KvClusterSim sim, CheckResult result)
    {
    }

    /**
     * @param broken     serve linearizable reads from local state (wrong on purpose); the history is then returned
     *                   unchecked instead of asserted.
     * @param compaction snapshot and compact often, and send snapshots in small chunks.
     */
    private static Run runOneSeed(
        final long seed, final Consistency consistency, final boolean broken, final boolean compaction)
    {
        final SplittableRandom plan = new SplittableRandom(seed ^ 0x6A09E667F3BCC909L);
        final int size = plan.nextBoolean() ? 3 : 5;
        final boolean preVote = plan.nextInt(4) != 0;
        final int inflight = 1 + plan.nextInt(8);
        final int batch = 1 + plan.nextInt(16);
        // Drawn from their own generator so the families without compaction keep their seeds' meaning.
        final SplittableRandom snapshotPlan = new SplittableRandom(seed ^ 0xBB67AE8584CAA73BL);
        final long snapshotEvery = compaction ? 5 + snapshotPlan.nextInt(16) : 0;
        final long retained = snapshotPlan.nextInt(6);
        final int chunkBytes = 64 + snapshotPlan.nextInt(512);
        final int chunksInflight = 1 + snapshotPlan.nextInt(4);
        final KvClusterSim sim = new KvClusterSim(seed, size,
            raft -> raft.withPreVote(preVote).withBatching(inflight, batch, 1 << 12)
                .withSnapshotTransfer(compaction ? chunkBytes : RaftConfig.DEFAULT_SNAPSHOT_CHUNK_BYTES,
                    compaction ? chunksInflight : RaftConfig.DEFAULT_SNAPSHOT_CHUNKS_INFLIGHT,
                    RaftConfig.DEFAULT_MAX_SNAPSHOT_BYTES),
            replica -> compaction ? replica.withSnapshots(snapshotEvery, retained) : replica);
        sim.lossRate(plan.nextDouble() * 0.15);
        final long maxDelayNs = KvClusterSim.TICK_NS / 2 + plan.nextLong(4 * KvClusterSim.TICK_NS);
        sim.delayNs(KvClusterSim.TICK_NS / 4, maxDelayNs);
        sim.crashBeforePersistRate(0.002);
        sim.brokenLinearizableReads(broken);
        final int clientCount = 3 + plan.nextInt(3);
        for (int i = 0; i < clientCount; i++)
        {
            sim.addClient(consistency, 2 + plan.nextInt(2)).workload(true);
        }

        // With compaction, one long outage per run, so a member surely misses entries its peers have compacted.
        final int outageStart = snapshotPlan.nextInt(FAULT_TICKS / 2);
        final int outageEnd = outageStart + 60 + snapshotPlan.nextInt(FAULT_TICKS / 2);
        final int outageMember = 1 + snapshotPlan.nextInt(size);
        for (int tick = 0; tick < FAULT_TICKS; tick++)
        {
            if (compaction && tick == outageStart)
            {
                sim.crash(outageMember);
            }
            if (compaction && tick == outageEnd)
            {
                sim.restart(outageMember);
            }
            churn(sim, plan);
            sim.step();
        }

        sim.crashBeforePersistRate(0);
        sim.lossRate(0);
        sim.heal();
        for (int id = 1; id <= size; id++)
        {
            sim.restart(id);
        }
        for (final SimClient client : sim.clients())
        {
            client.mark();
        }
        sim.runUntil("every client completes an operation after the faults stopped", () ->
            sim.clients().stream().allMatch(SimClient::completedSinceMark), LIVENESS_TICKS);

        final CheckResult result = LinearizabilityChecker.check(sim.history(), new KvModel());
        if (!broken)
        {
            assertEquals(CheckResult.Verdict.LINEARIZABLE, result.verdict(), () -> result + "\n" + sim);
        }
        return new Run(sim, result);
    }

    private static void churn(final KvClusterSim sim, final SplittableRandom plan)
    {
        final int size = sim.size();
        final int roll = plan.nextInt(1000);
        final int id = 1 + plan.nextInt(size);
        if (roll < 6)
        {
            sim.crash(id);
        }
        else if (roll < 25)
        {
            sim.restart(id);
        }
        else if (roll < 31)
        {
            sim.isolate(id);
        }
        else if (roll < 35)
        {
            sim.isolate(id, 1 + plan.nextInt(size));
        }
        else if (roll < 45)
        {
            sim.heal();
        }
    }
}
