package io.conduit.chain;

import java.util.SplittableRandom;

import io.conduit.linearizability.CheckResult;
import io.conduit.linearizability.KvModel;
import io.conduit.linearizability.LinearizabilityChecker;
import io.conduit.transport.sim.SeededRuns;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Randomized churn: crashes of any member (head, middle, tail, joiners mid-transfer, back to back and during
 * reconfigurations), members rejoining as the tail after a state transfer, and link resets, under session clients
 * writing and reading three shared keys (some impatient enough to give up, leaving open operations).
 * {@link ChainSimCluster} checks its invariants after every delivery; after the faults stop, every client must
 * finish more operations (liveness), the chain must quiesce with identical states everywhere, and the whole
 * history must be linearizable. Tail reads and CRAQ reads are separate families, each also required to have
 * exercised crashes, rejoins, snapshots, link resets, epoch fencing and give-ups somewhere in its seeds.
 * {@value #DEFAULT_SEEDS} seeds each by default; {@code -Dconduit.seeds=N} for more, {@code -Dconduit.seed=N} to
 * replay one.
 */
class ChainChurnTest
{
    private static final int DEFAULT_SEEDS = 1_000;
    private static final int FAULT_TICKS = 1_500;
    private static final int OPERATIONS_AFTER_FAULTS = 3;
    /** Give-ups happen in a few percent of seeds, so coverage is only judged over many. */
    private static final int MIN_SEEDS_FOR_COVERAGE = 500;

    @Test
    void tailReadsStayLinearizableUnderChurn()
    {
        final long[] totals = new long[Totals.values().length];
        SeededRuns.run("ChainChurnTest#tailReadsStayLinearizableUnderChurn", 1, DEFAULT_SEEDS,
            seed -> runOneSeed(seed, false, totals));
        checkCoverage(totals, false);
    }

    @Test
    void craqReadsStayLinearizableUnderChurn()
    {
        final long[] totals = new long[Totals.values().length];
        SeededRuns.run("ChainChurnTest#craqReadsStayLinearizableUnderChurn", 1, DEFAULT_SEEDS,
            seed -> runOneSeed(seed, true, totals));
        checkCoverage(totals, true);
    }

    /** What the seeds exercised together; checked only over enough seeds to expect each at least once. */
    private enum Totals
    {
        SEEDS, CRASHES, REJOINS, LINK_RESETS, GIVE_UPS, SNAPSHOTS_INSTALLED, READ_QUERIES, FUTURE_EPOCH_MESSAGES,
        STALE_EPOCH_MESSAGES, OUT_OF_ORDER_UPDATES, RETRY_ANSWERS, ABANDONED_CLIENT_REQUESTS
    }

    private static void checkCoverage(final long[] totals, final boolean craq)
    {
        final StringBuilder summary = new StringBuilder();
        for (final Totals total : Totals.values())
        {
            summary.append(total).append('=').append(totals[total.ordinal()]).append(' ');
        }
        if (totals[Totals.SEEDS.ordinal()] < MIN_SEEDS_FOR_COVERAGE)
        {
            return;
        }
        for (final Totals total : Totals.values())
        {
            // Only a head removed while alive abandons clients; the oracle removes crashed members only.
            final boolean expected = total != Totals.ABANDONED_CLIENT_REQUESTS &&
                (craq || total != Totals.READ_QUERIES);
            assertTrue(!expected || totals[total.ordinal()] > 0, () -> "never exercised: " + total + "; " + summary);
        }
    }

    static void runOneSeed(final long seed, final boolean craq, final long[] totals)
    {
        final SplittableRandom plan = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
        final int size = 3 + plan.nextInt(3);
        final ChainOptions options = ChainOptions.DEFAULT
            .withCraqReads(craq)
            .withWindowLength(new int[]{2, 8, 64}[plan.nextInt(3)])
            .withBatching(1 + plan.nextInt(8), 1 << 16)
            .withSnapshotChunkBytes(new int[]{48, 512, 1 << 16}[plan.nextInt(3)]);
        final ChainSimCluster sim = new ChainSimCluster(seed, size, options);
        sim.delayTicks(1, 1 + plan.nextInt(4));
        sim.detectTicks(2 + plan.nextInt(5), 10 + plan.nextInt(40));
        sim.configurationDelayTicks(1 + plan.nextInt(20));
        final int clientCount = 2 + plan.nextInt(4);
        // Impatient clients give up during reconfigurations, leaving open operations that may still take effect.
        final int giveUpTicks = plan.nextInt(4) == 0 ? 100 : 2_000;
        for (int i = 0; i < clientCount; i++)
        {
            sim.addClient(SimClient.Workload.mixed(craq).withGiveUpTicks(giveUpTicks));
        }

        for (int tick = 0; tick < FAULT_TICKS; tick++)
        {
            churn(sim, plan);
            sim.step();
        }
        finish(sim, plan);

        totals[Totals.SEEDS.ordinal()]++;
        totals[Totals.CRASHES.ordinal()] += sim.crashes();
        totals[Totals.REJOINS.ordinal()] += sim.rejoins();
        totals[Totals.LINK_RESETS.ordinal()] += sim.linkResets();
        for (final SimClient client : sim.clients())
        {
            totals[Totals.GIVE_UPS.ordinal()] += client.gaveUp();
        }
        for (final ChainSimCluster.Coverage what : ChainSimCluster.Coverage.values())
        {
            totals[Totals.valueOf(what.name()).ordinal()] += sim.coverage(what);
        }
    }

    private static void churn(final ChainSimCluster sim, final SplittableRandom plan)
    {
        final int roll = plan.nextInt(1_000);
        final int id = 1 + plan.nextInt(sim.size());
        if (roll < 4)
        {
            sim.crash(id);
        }
        else if (roll < 10)
        {
            sim.rejoin(id);
        }
        else if (roll < 12)
        {
            final ChainConfiguration latest = sim.latest();
            if (latest.size() > 1)
            {
                final int position = plan.nextInt(latest.size() - 1);
                sim.resetLink(latest.member(position), latest.member(position + 1));
            }
        }
    }

    /**
     * Faults stop and removed members rejoin; every client must then complete more operations, the chain must
     * quiesce with one state everywhere, and the history must be linearizable.
     */
    static void finish(final ChainSimCluster sim, final SplittableRandom plan)
    {
        for (int id = 1; id <= sim.size(); id++)
        {
            if (plan.nextBoolean())
            {
                sim.rejoin(id);
            }
        }
        final int[] target = new int[sim.clients().size()];
        for (int i = 0; i < target.length; i++)
        {
            target[i] = sim.clients().get(i).completed() + OPERATIONS_AFTER_FAULTS + 1;
        }
        sim.runUntil("every client completes operations after the faults stop", () ->
        {
            for (int i = 0; i < target.length; i++)
            {
                if (sim.clients().get(i).completed() < target[i])
                {
                    return false;
                }
            }
            return true;
        }, 3_000);
        sim.clients().forEach(SimClient::stop);
        sim.runUntil("clients idle", () -> sim.clients().stream().allMatch(SimClient::isIdle), 3_000);
        sim.runUntil("quiescent", sim::isQuiescent, 3_000);
        sim.checkIdenticalStates();

        final CheckResult result = LinearizabilityChecker.check(sim.history(), new KvModel());
        assertTrue(result.isLinearizable(), () -> result + "\n" + sim);
    }
}
