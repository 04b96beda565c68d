package io.conduit.chain;

import java.util.SplittableRandom;
import java.util.function.BiConsumer;

import io.conduit.transport.sim.SeededRuns;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The failure cases of chain replication (CR §3) one at a time, each over seeds that vary the timing, the chain
 * length, the network delays and the read mode (CRAQ on even seeds): the fault hits while clients keep writing,
 * then {@link ChainChurnTest#finish} requires liveness, one state everywhere and a linearizable history, on top of
 * the harness's per-step invariants. {@value #DEFAULT_SEEDS} seeds per scenario; {@code -Dconduit.seeds=N} and
 * {@code -Dconduit.seed=N} as usual.
 */
class ChainScenarioTest
{
    private static final int DEFAULT_SEEDS = 1_000;

    @Test
    void headFailure()
    {
        run("headFailure", (sim, plan) ->
        {
            final int head = sim.latest().head();
            assertTrue(sim.crash(head));
            awaitSettled(sim);
            assertNotEquals(head, sim.latest().head());
            assertFalse(sim.latest().contains(head));
        });
    }

    @Test
    void middleFailure()
    {
        run("middleFailure", (sim, plan) ->
        {
            final ChainConfiguration before = sim.latest();
            final int middle = before.member(1 + plan.nextInt(before.size() - 2));
            assertTrue(sim.crash(middle));
            awaitSettled(sim);
            assertEquals(before.head(), sim.latest().head());
            assertEquals(before.tail(), sim.latest().tail());
        });
    }

    @Test
    void tailFailure()
    {
        run("tailFailure", (sim, plan) ->
        {
            final ChainConfiguration before = sim.latest();
            assertTrue(sim.crash(before.tail()));
            awaitSettled(sim);
            assertEquals(before.member(before.size() - 2), sim.latest().tail(), "the predecessor is the new tail");
        });
    }

    /** Two failures of the same role, the second once the first is repaired: the chain shrinks twice. */
    @Test
    void backToBackFailures()
    {
        run("backToBackFailures", (sim, plan) ->
        {
            final boolean heads = plan.nextBoolean();
            for (int i = 0; i < 2; i++)
            {
                assertTrue(sim.crash(heads ? sim.latest().head() : sim.latest().tail()));
                awaitSettled(sim);
                sim.runTicks(plan.nextInt(30));
            }
            assertEquals(sim.size() - 2, sim.latest().size());
        });
    }

    /** A second member fails while the configuration that removes the first is still reaching the members. */
    @Test
    void failureDuringReconfiguration()
    {
        run("failureDuringReconfiguration", (sim, plan) ->
        {
            final ChainConfiguration before = sim.latest();
            assertTrue(sim.crash(before.member(plan.nextInt(before.size()))));
            sim.runUntil("the oracle reconfigures", () -> sim.latest().epoch() > before.epoch(), 500);
            sim.runTicks(plan.nextInt(8));
            final ChainConfiguration during = sim.latest();
            assertTrue(sim.crash(during.member(plan.nextInt(during.size()))));
            awaitSettled(sim);
        });
    }

    /** Many clients writing with a small window: the head answers RETRY, then a member fails mid-stream. */
    @Test
    void failureUnderHeavyWriteLoad()
    {
        final long[] retries = new long[1];
        run("failureUnderHeavyWriteLoad", 12, (sim, plan) ->
        {
            final ChainConfiguration before = sim.latest();
            assertTrue(sim.crash(before.member(plan.nextInt(before.size()))));
            awaitSettled(sim);
            for (int id = 1; id <= sim.size(); id++)
            {
                retries[0] += sim.isUp(id) ? sim.replica(id).retryAnswers() : 0;
            }
        });
        if (SeededRuns.seeds(1, DEFAULT_SEEDS).length >= 100)
        {
            assertTrue(retries[0] > 0, "the window never filled: the load was not heavy");
        }
    }

    /** A member fails, is removed, comes back empty and joins as the tail after a state transfer. */
    @Test
    void rejoinAsTail()
    {
        run("rejoinAsTail", (sim, plan) ->
        {
            final int member = sim.latest().member(plan.nextInt(sim.latest().size()));
            assertTrue(sim.crash(member));
            awaitSettled(sim);
            sim.runTicks(plan.nextInt(50));
            assertTrue(sim.rejoin(member));
            awaitSettled(sim);
            assertEquals(member, sim.latest().tail());
            final ChainReplica joined = sim.replica(member);
            assertTrue(joined.isSynced());
            assertTrue(joined.committedSequence() > 0, "the new tail took over the chain's history");
        });
    }

    /** The member a joiner copies its state from fails in the middle of the transfer. */
    @Test
    void rejoinWhileItsSourceFails()
    {
        run("rejoinWhileItsSourceFails", (sim, plan) ->
        {
            final int member = sim.latest().tail();
            assertTrue(sim.crash(member));
            awaitSettled(sim);
            assertTrue(sim.rejoin(member));
            sim.runTicks(plan.nextInt(12));
            final int source = sim.latest().member(sim.latest().size() - 2);
            sim.crash(source);
            awaitSettled(sim);
            assertTrue(sim.replica(member).isSynced());
        });
    }

    private static void run(final String name, final BiConsumer<ChainSimCluster, SplittableRandom> fault)
    {
        run(name, 3, fault);
    }

    private static void run(
        final String name, final int clients, final BiConsumer<ChainSimCluster, SplittableRandom> fault)
    {
        SeededRuns.run("ChainScenarioTest#" + name, 1, DEFAULT_SEEDS, seed ->
        {
            final SplittableRandom plan = new SplittableRandom(seed ^ name.hashCode());
            final boolean craq = seed % 2 == 0;
            final boolean heavy = clients > 4;
            final ChainOptions options = ChainOptions.DEFAULT.withCraqReads(craq)
                .withWindowLength(heavy ? 4 : 64)
                .withBatching(1 + plan.nextInt(8), 1 << 16)
                .withSnapshotChunkBytes(new int[]{48, 1 << 16}[plan.nextInt(2)]);
            final ChainSimCluster sim = new ChainSimCluster(seed, 3 + plan.nextInt(3), options);
            sim.delayTicks(1, 1 + plan.nextInt(3));
            sim.detectTicks(2, 5 + plan.nextInt(20));
            sim.configurationDelayTicks(1 + plan.nextInt(10));
            for (int i = 0; i < clients; i++)
            {
                sim.addClient(heavy ? new SimClient.Workload(3, 90, 25, 5, 0, 60, 2_000, craq) :
                    SimClient.Workload.mixed(craq));
            }
            sim.runTicks(20 + plan.nextInt(150));
            fault.accept(sim, plan);
            sim.runTicks(plan.nextInt(50));
            ChainChurnTest.finish(sim, plan);
        });
    }

    private static void awaitSettled(final ChainSimCluster sim)
    {
        sim.runUntil("the chain settles after a failure", sim::isSettled, 2_000);
    }
}
