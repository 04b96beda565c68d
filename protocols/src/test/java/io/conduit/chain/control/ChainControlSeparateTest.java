package io.conduit.chain.control;

import java.util.SplittableRandom;
import java.util.function.BiConsumer;

import io.conduit.chain.ChainConfiguration;
import io.conduit.raft.RaftRole;
import io.conduit.transport.sim.SeededRuns;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The control plane on its own members (issue 6: "or on a separate set of nodes"): three control-only Raft voters
 * ({@link ChainControlMember}) and a chain of 3 to 5 members that are Raft learners of the same group. One family of
 * {@value #DEFAULT_SEEDS} seeds; each seed checks that the chain members are learners following a control-only
 * leader, then injects one fault chosen by the seed (head, middle or tail crash, the control leader's crash, the tail
 * cut off from the control plane, the whole chain cut off from it, the first control leader's crash while the chain
 * forms) and checks what the control plane must make of it.
 * Seeds also vary timing, chain length, delays, detector and read mode (CRAQ on even seeds). The simulator checks its
 * invariants after every step (prefix property, acknowledged writes kept, the lease rule), and every run ends as
 * every simulated run does ({@link ChainControlRuns#finish}: liveness, identical states, a linearizable history).
 * {@code -Dconduit.seeds=N} for more, {@code -Dconduit.seed=N} to replay one.
 */
class ChainControlSeparateTest
{
    /** Issue 6: at least 1,000 seeds per scenario family in CI. */
    private static final int DEFAULT_SEEDS = 1_000;
    private static final int CONTROL_MEMBERS = 3;

    private enum Fault
    {
        HEAD_CRASH(ChainCrashes::headCrashMakesItsSuccessorHead),
        MIDDLE_CRASH(ChainCrashes::middleCrashLinksItsNeighbours),
        TAIL_CRASH(ChainCrashes::tailCrashMakesItsPredecessorTail),
        CONTROL_LEADER_CRASH(ChainControlSeparateTest::controlLeaderCrashLeavesTheChainAlone),
        TAIL_CUT_FROM_CONTROL(ChainControlSeparateTest::tailCutOffFromTheControlPlaneIsRemoved),
        CHAIN_CUT_FROM_CONTROL(ChainControlSeparateTest::chainPartitionedFromTheControlPlane),
        /** The first control leader dies while it adds the learners and forms the chain (see {@link #atStart}). */
        CONTROL_LEADER_CRASH_AT_START((sim, plan) ->
        {
        });

        final BiConsumer<ChainControlSim, SplittableRandom> inject;

        Fault(final BiConsumer<ChainControlSim, SplittableRandom> inject)
        {
            this.inject = inject;
        }
    }

    @Test
    void separateControlPlaneSurvivesChainAndControlFaults()
    {
        final int[] runs = new int[Fault.values().length];
        final long[] totals = new long[ChainControlSim.Totals.values().length];
        SeededRuns.run("ChainControlSeparateTest#separateControlPlaneSurvivesChainAndControlFaults", 1,
            DEFAULT_SEEDS, seed ->
            {
                final SplittableRandom plan = new SplittableRandom(seed * 0x9E3779B97F4A7C15L);
                final boolean craq = seed % 2 == 0;
                final Fault fault = Fault.values()[(int)(seed % Fault.values().length)];
                final ChainControlSim sim = ChainControlRuns.formed(seed, 3 + plan.nextInt(3), CONTROL_MEMBERS, craq,
                    plan, fault == Fault.CONTROL_LEADER_CRASH_AT_START ? started -> atStart(started, plan) : started ->
                    {
                    });
                chainMembersAreLearnersAndNeverLead(sim, plan);
                sim.note("fault " + fault);
                ChainControlRuns.injectAndFinish(sim, plan, fault.inject);
                runs[fault.ordinal()]++;
                for (final ChainControlSim.Totals total : ChainControlSim.Totals.values())
                {
                    totals[total.ordinal()] += sim.total(total);
                }
            });
        if (SeededRuns.seeds(1, DEFAULT_SEEDS).length >= 100)
        {
            // Each fault ran, and the runs did what they are about somewhere: removals, retirements, refusals.
            for (final Fault fault : Fault.values())
            {
                assertTrue(runs[fault.ordinal()] > 0, "no run with " + fault);
            }
            for (final ChainControlSim.Totals total : new ChainControlSim.Totals[] {
                ChainControlSim.Totals.FAILURE_REPORTS, ChainControlSim.Totals.REPLICAS_RETIRED,
                ChainControlSim.Totals.READS_WITHOUT_LEASE, ChainControlSim.Totals.LEASE_GRANTS,
                ChainControlSim.Totals.CHAIN_SNAPSHOTS_INSTALLED, ChainControlSim.Totals.READ_QUERIES})
            {
                assertTrue(totals[total.ordinal()] > 0, "no " + total + " in any run");
            }
        }
    }

    /**
     * The first control leader crashes soon after its election, perhaps with learners not yet added or an ADD_LEARNER
     * not yet committed: the next leader must add whichever are missing, or the chain never forms.
     */
    private static void atStart(final ChainControlSim sim, final SplittableRandom plan)
    {
        sim.runUntil("a control leader", () -> sim.controlLeader() != 0, 3_000);
        sim.runMs(plan.nextInt(30));
        final int leader = sim.controlLeader();
        assertTrue(leader > sim.size() && sim.crash(leader), "control leader " + leader + " crashes");
    }

    /** The chain members learn the chain as learners and never vote; only control members ever lead. */
    private static void chainMembersAreLearnersAndNeverLead(final ChainControlSim sim, final SplittableRandom plan)
    {
        // After a crash at the start the next election may still be running.
        sim.runUntil("a control leader", () -> sim.controlLeader() != 0 &&
            sim.control(1).leader() == sim.controlLeader(), 3_000);
        final int leader = sim.controlLeader();
        assertTrue(leader > sim.size(), () -> "a control-only member leads: " + leader + "\n" + sim);
        for (int id = 1; id <= sim.size(); id++)
        {
            final ChainControlPlane control = sim.control(id);
            assertEquals(RaftRole.FOLLOWER, control.role(), "member " + id);
            assertEquals(leader, control.leader(), "member " + id + " follows the control leader");
            assertEquals(sim.latest(), control.configuration(), "member " + id + " applied the latest chain");
        }
        assertTrue(sim.member(1).control().leasesReceived() > 0, "leases come from the control plane");
    }

    /**
     * The control leader's process dies: the other two control members elect a leader, the chain is untouched (no
     * chain member failed) and keeps serving, with leases from the new leader.
     */
    private static void controlLeaderCrashLeavesTheChainAlone(final ChainControlSim sim, final SplittableRandom plan)
    {
        final ChainConfiguration before = sim.latest();
        final int leader = sim.controlLeader();
        assertTrue(sim.crash(leader));
        sim.runUntil("another control leader", () -> sim.controlLeader() != 0 && sim.controlLeader() != leader,
            3_000);
        final int tail = before.tail();
        final long received = sim.member(tail).control().leasesReceived();
        sim.runUntil("the tail's lease is renewed by the new leader",
            () -> sim.member(tail).control().leasesReceived() > received &&
                sim.member(tail).holdsLease(sim.nowNs()), 3_000);
        assertEquals(before, sim.latest(), "no chain member failed: no reconfiguration");
    }

    /**
     * The tail loses every link to the control plane but keeps its chain links: it is removed while alive, stops
     * reading once its lease ends (before the new chain adopts the removal — the simulator's lease rule and the
     * linearizability check would catch a stale read), and rejoins with a new replica once the links heal.
     */
    private static void tailCutOffFromTheControlPlaneIsRemoved(final ChainControlSim sim, final SplittableRandom plan)
    {
        final ChainConfiguration before = sim.latest();
        final int tail = before.tail();
        final int predecessor = before.member(before.size() - 2);
        for (final int control : sim.controlMembers())
        {
            sim.cut(tail, control);
        }
        sim.runUntil("the tail is removed", () -> !sim.latest().contains(tail), 3_000);
        sim.runUntil("the removal is adopted", () -> sim.member(predecessor).replica().epoch() ==
            sim.latest().epoch(), 3_000);
        assertFalse(sim.member(tail).holdsLease(sim.nowNs()), "no lease once the chain has moved on");
        assertTrue(sim.member(tail).replica().role().isMember(), "still alive, and unaware of its removal");
        sim.healAll();
        sim.runUntil("the old tail rejoins", sim::isSettled, 3_000);
        assertTrue(sim.member(tail).replicasRetired() >= 1, "its old replica retired, a fresh one joined");
    }

    /**
     * The whole chain loses the control plane for longer than any lease: the leader sees every chain member dead but
     * removes none (no synced replica is known to survive, so removing any could lose the chain's state); leases run
     * out and reads stop while writes go on along the chain; once the links heal, leases resume. The finish checks
     * liveness and linearizability.
     */
    private static void chainPartitionedFromTheControlPlane(final ChainControlSim sim, final SplittableRandom plan)
    {
        final ChainConfiguration before = sim.latest();
        for (int id = 1; id <= sim.size(); id++)
        {
            for (final int control : sim.controlMembers())
            {
                sim.cut(id, control);
            }
        }
        sim.runMs(300 + plan.nextInt(300));
        assertEquals(before, sim.latest(), "no chain member removed while none can be confirmed alive");
        for (final int id : before.members())
        {
            assertFalse(sim.member(id).holdsLease(sim.nowNs()), "member " + id + " holds no lease");
        }
        sim.healAll();
        sim.runUntil("the tail reads again", () -> sim.member(before.tail()).holdsLease(sim.nowNs()), 3_000);
    }
}
