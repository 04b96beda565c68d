package io.conduit.chain.control;

import java.util.SplittableRandom;

import io.conduit.chain.ChainConfiguration;
import io.conduit.transport.sim.SeededRuns;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Randomized faults against the whole member (replica and co-located control plane) with session clients, CRAQ
 * reads on even seeds and tail reads on odd ones. {@link ChainControlSim} checks its invariants after every duty
 * cycle; {@link ChainControlRuns#finish} then requires liveness, identical states and a linearizable history.
 *
 * <ul>
 *   <li><b>Crashes</b>: head, middle, tail or the Raft leader's member, alone or back to back (the next fault may
 *       come before the last reconfiguration lands), and restarts that rejoin as the tail, sometimes before the
 *       crash was even detected.</li>
 *   <li><b>Partitions</b>: the Raft leader cut from one member (a live member removed, which must stop reading), a
 *       member or the leader isolated, the leader split off with a minority it can still reach, a link inside the
 *       chain cut, heals, and crashes among them.</li>
 * </ul>
 * {@value #DEFAULT_SEEDS} seeds per family by default; {@code -Dconduit.seeds=N} for more, {@code -Dconduit.seed=N}
 * to replay one. Each family must have exercised what it is about somewhere in its seeds.
 */
class ChainControlChurnTest
{
    private static final int DEFAULT_SEEDS = 1_000;
    private static final int FAULT_MS = 800;
    private static final int MIN_SEEDS_FOR_COVERAGE = 200;

    private enum Totals
    {
        SEEDS, CRASHES, RESTARTS, PARTITIONS, CONFIGURATIONS, GIVE_UPS, REPLICAS_RETIRED, READS_WITHOUT_LEASE,
        FAILURE_REPORTS, CONTROL_SNAPSHOTS_INSTALLED, CHAIN_SNAPSHOTS_INSTALLED, READ_QUERIES
    }

    @Test
    void crashesOfAnyRoleStayLinearizable()
    {
        final long[] totals = new long[Totals.values().length];
        SeededRuns.run("ChainControlChurnTest#crashesOfAnyRoleStayLinearizable", 1, DEFAULT_SEEDS,
            seed -> runOneSeed(seed, false, totals));
        checkCoverage(totals, Totals.CRASHES, Totals.RESTARTS, Totals.FAILURE_REPORTS, Totals.GIVE_UPS,
            Totals.CONTROL_SNAPSHOTS_INSTALLED, Totals.CHAIN_SNAPSHOTS_INSTALLED, Totals.READ_QUERIES);
    }

    @Test
    void partitionsBetweenChainAndControlPlaneStayLinearizable()
    {
        final long[] totals = new long[Totals.values().length];
        SeededRuns.run("ChainControlChurnTest#partitionsBetweenChainAndControlPlaneStayLinearizable", 1,
            DEFAULT_SEEDS, seed -> runOneSeed(seed, true, totals));
        checkCoverage(totals, Totals.PARTITIONS, Totals.REPLICAS_RETIRED, Totals.READS_WITHOUT_LEASE,
            Totals.FAILURE_REPORTS, Totals.READ_QUERIES);
    }

    private static void runOneSeed(final long seed, final boolean partitions, final long[] totals)
    {
        final SplittableRandom plan = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + (partitions ? 1 : 0));
        final ChainControlSim sim = ChainControlRuns.formed(seed, seed % 2 == 0, plan);
        final long endNs = sim.nowNs() + FAULT_MS * ChainControlSim.MS;
        while (sim.nowNs() - endNs < 0)
        {
            sim.runMs(plan.nextInt(plan.nextInt(4) == 0 ? 10 : 250));
            if (partitions)
            {
                partitionFault(sim, plan);
            }
            else
            {
                crashFault(sim, plan);
            }
        }
        ChainControlRuns.finish(sim);
        add(totals, sim);
    }

    private static void crashFault(final ChainControlSim sim, final SplittableRandom plan)
    {
        final ChainConfiguration latest = sim.latest();
        switch (plan.nextInt(6))
        {
            case 0 -> sim.crash(latest.head());
            case 1 -> sim.crash(latest.tail());
            case 2 -> sim.crash(latest.member(plan.nextInt(latest.size())));
            case 3 -> sim.crash(sim.controlLeader() == 0 ? 1 + plan.nextInt(sim.size()) : sim.controlLeader());
            default -> sim.restart(1 + plan.nextInt(sim.size()));
        }
    }

    private static void partitionFault(final ChainControlSim sim, final SplittableRandom plan)
    {
        final ChainConfiguration latest = sim.latest();
        final int leader = sim.controlLeader();
        final int member = 1 + plan.nextInt(sim.size());
        switch (plan.nextInt(9))
        {
            case 0, 1 -> sim.cut(leader == 0 ? 1 + plan.nextInt(sim.size()) : leader, member);
            case 8 -> splitOffLeader(sim, leader == 0 ? member : leader, plan);
            case 2 -> sim.isolate(member);
            case 3 ->
            {
                final int position = plan.nextInt(Math.max(1, latest.size() - 1));
                if (latest.size() > 1)
                {
                    sim.cut(latest.member(position), latest.member(position + 1));
                }
            }
            case 4 -> sim.heal(member, 1 + plan.nextInt(sim.size()));
            case 5 -> sim.healAll();
            case 6 -> sim.crash(member);
            default -> sim.restart(member);
        }
    }

    /**
     * The leader and as many others as still leave a majority outside: a deposed leader that keeps believing it leads
     * for a while (until check-quorum) with members it can still reach, which must not get leases from it.
     */
    private static void splitOffLeader(final ChainControlSim sim, final int leader, final SplittableRandom plan)
    {
        final boolean[] minority = new boolean[sim.size() + 1];
        minority[leader] = true;
        for (int extra = (sim.size() - 1) / 2 - 1; extra > 0; extra--)
        {
            minority[1 + plan.nextInt(sim.size())] = true;
        }
        for (int a = 1; a <= sim.size(); a++)
        {
            for (int b = 1; b <= sim.size(); b++)
            {
                if (minority[a] && !minority[b])
                {
                    sim.cut(a, b);
                }
            }
        }
    }

    private static void add(final long[] totals, final ChainControlSim sim)
    {
        totals[Totals.SEEDS.ordinal()]++;
        totals[Totals.CRASHES.ordinal()] += sim.crashes();
        totals[Totals.RESTARTS.ordinal()] += sim.restarts();
        totals[Totals.PARTITIONS.ordinal()] += sim.partitions();
        totals[Totals.CONFIGURATIONS.ordinal()] += sim.configurationChanges();
        totals[Totals.GIVE_UPS.ordinal()] += sim.clients().stream().mapToInt(SimKvClient::gaveUp).sum();
        totals[Totals.REPLICAS_RETIRED.ordinal()] += sim.total(ChainControlSim.Totals.REPLICAS_RETIRED);
        totals[Totals.READS_WITHOUT_LEASE.ordinal()] += sim.total(ChainControlSim.Totals.READS_WITHOUT_LEASE);
        totals[Totals.FAILURE_REPORTS.ordinal()] += sim.total(ChainControlSim.Totals.FAILURE_REPORTS);
        totals[Totals.CONTROL_SNAPSHOTS_INSTALLED.ordinal()] +=
            sim.total(ChainControlSim.Totals.CONTROL_SNAPSHOTS_INSTALLED);
        totals[Totals.CHAIN_SNAPSHOTS_INSTALLED.ordinal()] +=
            sim.total(ChainControlSim.Totals.CHAIN_SNAPSHOTS_INSTALLED);
        totals[Totals.READ_QUERIES.ordinal()] += sim.total(ChainControlSim.Totals.READ_QUERIES);
    }

    private static void checkCoverage(final long[] totals, final Totals... expected)
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
        for (final Totals total : expected)
        {
            assertTrue(totals[total.ordinal()] > 0, () -> "never exercised: " + total + "; " + summary);
        }
    }
}
