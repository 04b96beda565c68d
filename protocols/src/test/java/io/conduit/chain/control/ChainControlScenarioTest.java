package io.conduit.chain.control;

import java.util.SplittableRandom;
import java.util.function.BiConsumer;

import io.conduit.chain.ChainConfiguration;
import io.conduit.transport.sim.SeededRuns;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One fault at a time, with what the control plane must make of it, over seeds that vary timing, chain length
 * (3 to 5), delays, the failure detector and the read mode (CRAQ on even seeds). Each run then ends as every
 * simulated run does ({@link ChainControlRuns#finish}: liveness, identical states, a linearizable history).
 */
class ChainControlScenarioTest
{
    /** Issue 6: at least 1,000 seeds per scenario family in CI; -Dconduit.seeds overrides. */
    private static final int DEFAULT_SEEDS = 1_000;

    @Test
    void headCrashMakesItsSuccessorHead()
    {
        run("headCrashMakesItsSuccessorHead", ChainCrashes::headCrashMakesItsSuccessorHead);
    }

    @Test
    void middleCrashLinksItsNeighbours()
    {
        run("middleCrashLinksItsNeighbours", ChainCrashes::middleCrashLinksItsNeighbours);
    }

    @Test
    void tailCrashMakesItsPredecessorTail()
    {
        run("tailCrashMakesItsPredecessorTail", ChainCrashes::tailCrashMakesItsPredecessorTail);
    }

    /** Two heads (or two tails) in a row, the second as soon as the first is removed; five members. */
    @Test
    void backToBackCrashes()
    {
        run("backToBackCrashes", 5, (sim, plan) ->
        {
            final boolean heads = plan.nextBoolean();
            for (int i = 0; i < 2; i++)
            {
                final int victim = heads ? sim.latest().head() : sim.latest().tail();
                assertTrue(sim.crash(victim));
                ChainControlRuns.awaitRemoved(sim, victim);
            }
            assertEquals(3, sim.latest().size());
        });
    }

    /** The Raft leader's process dies: a new leader is elected and removes the old one's chain member. */
    @Test
    void controlLeaderCrash()
    {
        run("controlLeaderCrash", (sim, plan) ->
        {
            final int leader = sim.controlLeader();
            assertNotEquals(0, leader);
            assertTrue(sim.crash(leader));
            ChainControlRuns.awaitRemoved(sim, leader);
            assertNotEquals(leader, sim.controlLeader());
        });
    }

    /** A member crashes, is removed, restarts empty and comes back as the tail after a state transfer. */
    @Test
    void restartedMemberRejoinsAsTail()
    {
        run("restartedMemberRejoinsAsTail", (sim, plan) ->
        {
            final int member = sim.latest().member(plan.nextInt(sim.latest().size()));
            assertTrue(sim.crash(member));
            ChainControlRuns.awaitRemoved(sim, member);
            sim.runMs(plan.nextInt(50));
            assertTrue(sim.restart(member));
            sim.runUntil("the member rejoins", sim::isSettled, 3_000);
            assertEquals(member, sim.latest().tail());
            assertTrue(sim.member(member).replica().committedSequence() > 0, "it took over the chain's history");
        });
    }

    /** A member restarts before anyone noticed it died: its join replaces the place its old replica held. */
    @Test
    void quickRestartReplacesTheOldIncarnation()
    {
        run("quickRestartReplacesTheOldIncarnation", (sim, plan) ->
        {
            final ChainConfiguration before = sim.latest();
            final int member = before.member(plan.nextInt(before.size()));
            assertTrue(sim.crash(member));
            sim.runMs(plan.nextInt(5));
            assertTrue(sim.restart(member));
            sim.runUntil("the member rejoins", sim::isSettled, 3_000);
            assertEquals(member, sim.latest().tail());
            assertTrue(sim.latest().epoch() >= before.epoch() + 2, "out, then back in");
        });
    }

    /**
     * The control plane's leader loses its link to the tail, which still talks to its predecessor: the leader
     * removes the live tail, whose lease runs out before the new tail commits anything (the linearizability check
     * would catch a stale read); once the link heals the old tail rejoins with a new replica.
     */
    @Test
    void tailCutOffFromTheControlPlaneStopsReading()
    {
        run("tailCutOffFromTheControlPlaneStopsReading", (sim, plan) ->
        {
            final ChainConfiguration before = sim.latest();
            final int tail = before.tail();
            final int predecessor = before.member(before.size() - 2);
            if (sim.controlLeader() != tail)
            {
                sim.cut(sim.controlLeader(), tail);
            }
            else
            {
                // The tail leads: cut it from everyone but its predecessor, so the others elect a leader without it.
                for (int id = 1; id <= sim.size(); id++)
                {
                    if (id != predecessor || sim.size() == 3)
                    {
                        sim.cut(tail, id);
                    }
                }
            }
            sim.runUntil("the tail is removed", () -> !sim.latest().contains(tail), 3_000);
            sim.runUntil("the removal is adopted", () -> sim.member(predecessor).replica().epoch() ==
                sim.latest().epoch(), 3_000);
            assertFalse(sim.member(tail).holdsLease(sim.nowNs()), "no lease once the chain has moved on");
            assertTrue(sim.member(tail).replica().role().isMember(), "still alive, and unaware of its removal");
            sim.healAll();
            sim.runUntil("the old tail rejoins", sim::isSettled, 3_000);
            assertTrue(sim.member(tail).replicasRetired() >= 1, "its old replica retired, a fresh one joined");
        });
    }

    /** The Raft leader is cut off from everyone: the majority elects another and removes the isolated member. */
    @Test
    void isolatedControlLeader()
    {
        run("isolatedControlLeader", (sim, plan) ->
        {
            final int leader = sim.controlLeader();
            sim.isolate(leader);
            sim.runUntil("another leader", () -> sim.controlLeader() != leader && sim.controlLeader() != 0 &&
                sim.member(sim.controlLeader()).control().term() > sim.member(leader).control().term(), 3_000);
            sim.runUntil("the isolated member is removed", () -> !sim.latest().contains(leader), 3_000);
            sim.runMs(plan.nextInt(100));
            sim.healAll();
            sim.runUntil("it rejoins", sim::isSettled, 3_000);
        });
    }

    /**
     * A link inside the chain fails while the control plane still hears both ends: nothing is reconfigured, writes
     * wait, and when the link returns the chain resynchronises (HELLO, RESUME) and goes on.
     */
    @Test
    void chainLinkCutWithoutReconfiguration()
    {
        run("chainLinkCutWithoutReconfiguration", (sim, plan) ->
        {
            final ChainConfiguration before = sim.latest();
            final int leader = sim.controlLeader();
            int position = plan.nextInt(before.size() - 1);
            for (int tries = 0; tries < before.size() && (before.member(position) == leader ||
                before.member(position + 1) == leader); tries++)
            {
                position = (position + 1) % (before.size() - 1);
            }
            final int a = before.member(position);
            final int b = before.member(position + 1);
            if (a == leader || b == leader)
            {
                return;
            }
            sim.cut(a, b);
            sim.runMs(100 + plan.nextInt(200));
            assertEquals(before, sim.latest(), "the control plane hears both ends: no reconfiguration");
            sim.heal(a, b);
        });
    }

    // ------------------------------------------------------------------------------------------ harness

    private static void run(final String name, final BiConsumer<ChainControlSim, SplittableRandom> fault)
    {
        run(name, 0, fault);
    }

    private static void run(final String name, final int size,
        final BiConsumer<ChainControlSim, SplittableRandom> fault)
    {
        SeededRuns.run("ChainControlScenarioTest#" + name, 1, DEFAULT_SEEDS, seed ->
        {
            final SplittableRandom plan = new SplittableRandom(seed ^ name.hashCode());
            final boolean craq = seed % 2 == 0;
            final ChainControlSim sim = size == 0 ? ChainControlRuns.formed(seed, craq, plan) :
                ChainControlRuns.formed(seed, size, craq, plan);
            ChainControlRuns.injectAndFinish(sim, plan, fault);
        });
    }
}
