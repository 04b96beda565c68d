package io.conduit.chain.control;

import java.util.SplittableRandom;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import io.conduit.chain.ChainOptions;
import io.conduit.linearizability.CheckResult;
import io.conduit.linearizability.KvModel;
import io.conduit.linearizability.LinearizabilityChecker;

/**
 * The start and the end every simulated run shares: form the chain, inject the run's fault and let it play out, and
 * judge the run once the faults stop.
 */
final class ChainControlRuns
{
    /** Operations every client must finish after the faults stop. */
    static final int OPERATIONS_AFTER_FAULTS = 3;
    /** A fault plays out for a random time below this before the run ends, so the end meets it at any stage. */
    private static final int PLAY_OUT_MS_BOUND = 50;

    private ChainControlRuns()
    {
    }

    /**
     * A cluster of 3 to 5 members whose chain has formed (every member joined and synced), with two or three clients
     * running; CRAQ reads as asked, batching and snapshot chunk sizes by the plan.
     */
    static ChainControlSim formed(final long seed, final boolean craq, final SplittableRandom plan)
    {
        return formed(seed, 3 + plan.nextInt(3), craq, plan);
    }

    static ChainControlSim formed(final long seed, final int size, final boolean craq, final SplittableRandom plan)
    {
        return formed(seed, size, 0, craq, plan);
    }

    /** As above, with {@code controlMembers} control-only members (a separate control plane; 0 co-located). */
    static ChainControlSim formed(final long seed, final int size, final int controlMembers, final boolean craq,
        final SplittableRandom plan)
    {
        return formed(seed, size, controlMembers, craq, plan, sim ->
        {
        });
    }

    /** As above; {@code whileForming} runs on the new cluster before the chain has formed (a fault at start). */
    static ChainControlSim formed(final long seed, final int size, final int controlMembers, final boolean craq,
        final SplittableRandom plan, final Consumer<ChainControlSim> whileForming)
    {
        final ChainOptions options = ChainOptions.DEFAULT.withCraqReads(craq)
            .withWindowLength(64)
            .withBatching(1 + plan.nextInt(8), 1 << 16)
            .withSnapshotChunkBytes(new int[]{48, 1 << 16}[plan.nextInt(2)]);
        final ChainControlSim sim = new ChainControlSim(seed, size, controlMembers, options);
        sim.maxDelayMs(1 + plan.nextInt(3));
        whileForming.accept(sim);
        sim.runUntil("the chain forms", sim::isSettled, 3_000);
        final int clients = 2 + plan.nextInt(2);
        for (int i = 0; i < clients; i++)
        {
            // Some clients give up within a failover, leaving operations open in the history.
            sim.addClient((plan.nextInt(4) == 0 ? 150 : 2_000) * ChainControlSim.MS);
        }
        sim.runMs(20 + plan.nextInt(100));
        return sim;
    }

    /**
     * The rest of a run on a formed cluster: inject the fault (which checks what the control plane makes of it), let
     * it play out for a random time below {@value #PLAY_OUT_MS_BOUND} ms, then {@link #finish}.
     */
    static void injectAndFinish(final ChainControlSim sim, final SplittableRandom plan,
        final BiConsumer<ChainControlSim, SplittableRandom> fault)
    {
        fault.accept(sim, plan);
        sim.runMs(plan.nextInt(PLAY_OUT_MS_BOUND));
        finish(sim);
    }

    /** Waits until {@code member} is out of the chain and every member of the new chain is up and has adopted it. */
    static void awaitRemoved(final ChainControlSim sim, final int member)
    {
        sim.runUntil("member " + member + " is removed", () -> !sim.latest().contains(member), 3_000);
        sim.runUntil("the chain adopts the removal", () ->
        {
            for (final int id : sim.latest().members())
            {
                if (!sim.isUp(id) || sim.member(id).replica().epoch() != sim.latest().epoch())
                {
                    return false;
                }
            }
            return true;
        }, 3_000);
    }

    /**
     * Ends the faults (heals every link, restarts every crashed member), then requires: the chain settles with every
     * member in sync; every client finishes {@value #OPERATIONS_AFTER_FAULTS} more operations (liveness); the chain
     * quiesces with byte-identical states everywhere; the whole history is linearizable.
     */
    static void finish(final ChainControlSim sim)
    {
        sim.healAll();
        for (int id = 1; id <= sim.nodes(); id++)
        {
            sim.restart(id);
        }
        sim.runUntil("the chain settles after the faults", sim::isSettled, 5_000);
        final int[] before = new int[sim.clients().size()];
        for (int i = 0; i < before.length; i++)
        {
            before[i] = sim.clients().get(i).completed();
        }
        sim.runUntil("every client finishes " + OPERATIONS_AFTER_FAULTS + " more operations", () ->
        {
            for (int i = 0; i < before.length; i++)
            {
                if (sim.clients().get(i).completed() < before[i] + OPERATIONS_AFTER_FAULTS)
                {
                    return false;
                }
            }
            return true;
        }, 5_000);
        for (final SimKvClient client : sim.clients())
        {
            client.stop();
        }
        sim.runUntil("clients finish", () -> sim.clients().stream().allMatch(SimKvClient::isIdle), 5_000);
        sim.runUntil("the chain quiesces", sim::isQuiescent, 2_000);
        sim.checkIdenticalStates();
        final CheckResult result = LinearizabilityChecker.check(sim.history(), new KvModel());
        if (!result.isLinearizable())
        {
            throw sim.failure("history not linearizable: " + result);
        }
    }
}
