package io.conduit.chain.control;

import java.util.SplittableRandom;

import io.conduit.chain.ChainConfiguration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Crashes of one chain member by its place in the chain, with what the control plane must make of each; faults for
 * {@link ChainControlRuns#injectAndFinish}, injected with the control plane on the chain's members
 * ({@link ChainControlScenarioTest}) and on members of its own ({@link ChainControlSeparateTest}).
 */
final class ChainCrashes
{
    private ChainCrashes()
    {
    }

    static void headCrashMakesItsSuccessorHead(final ChainControlSim sim, final SplittableRandom plan)
    {
        final ChainConfiguration before = sim.latest();
        assertTrue(sim.crash(before.head()));
        ChainControlRuns.awaitRemoved(sim, before.head());
        assertEquals(before.member(1), sim.latest().head());
    }

    static void middleCrashLinksItsNeighbours(final ChainControlSim sim, final SplittableRandom plan)
    {
        final ChainConfiguration before = sim.latest();
        final int middle = before.member(1 + plan.nextInt(before.size() - 2));
        assertTrue(sim.crash(middle));
        ChainControlRuns.awaitRemoved(sim, middle);
        assertEquals(before.head(), sim.latest().head());
        assertEquals(before.tail(), sim.latest().tail());
    }

    static void tailCrashMakesItsPredecessorTail(final ChainControlSim sim, final SplittableRandom plan)
    {
        final ChainConfiguration before = sim.latest();
        assertTrue(sim.crash(before.tail()));
        ChainControlRuns.awaitRemoved(sim, before.tail());
        assertEquals(before.member(before.size() - 2), sim.latest().tail());
    }
}
