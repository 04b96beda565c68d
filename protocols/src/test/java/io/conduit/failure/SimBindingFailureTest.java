package io.conduit.failure;

import java.util.concurrent.TimeUnit;

import io.conduit.messaging.conduit.ConduitMessagingConfig;
import io.conduit.messaging.sim.SimMessagingCluster;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The failure detector over the real binding stack on virtual time: {@code ConduitMessaging} over the seeded
 * {@code SimNetwork}, so link events, back-pressure and reconnects are the transport's own.
 */
class SimBindingFailureTest
{
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long SECOND_NS = 1_000 * MS;
    private static final int SIZE = 5;
    private static final int[] MEMBERS = {1, 2, 3, 4, 5};
    private static final long SEED = 11;

    private final SimMessagingCluster cluster = new SimMessagingCluster(SEED, SIZE, new ConduitMessagingConfig());
    private final FailureDetectorNode[] nodes = new FailureDetectorNode[SIZE + 1];
    private final long[] deadAtNs = new long[SIZE + 1];

    @Test
    void aCrashedMemberIsDeadEverywhereWithinASecondAndAliveAgainAfterRestart()
    {
        cluster.network().defaultLink().lossProbability(0.01).delayNs(MS).jitterNs(10 * MS);
        for (int member = 1; member <= SIZE; member++)
        {
            nodes[member] = newNode(member);
        }
        run(20 * SECOND_NS);
        for (int member = 1; member <= SIZE; member++)
        {
            assertEquals(SIZE - 1, nodes[member].view().count(MemberState.ALIVE), nodes[member].toString());
        }

        final long crashNs = cluster.nowNs();
        cluster.crash(3);
        nodes[3] = null;
        run(crashNs + 3 * SECOND_NS);
        for (final int observer : new int[] {1, 2, 4, 5})
        {
            assertEquals(MemberState.DEAD, nodes[observer].view().state(3), nodes[observer].toString());
            assertTrue(deadAtNs[observer] - crashNs < SECOND_NS, "detected after " +
                (deadAtNs[observer] - crashNs) / MS + " ms by " + observer + " SEED=" + SEED);
        }

        cluster.restart(3);
        nodes[3] = newNode(3);
        run(cluster.nowNs() + 30 * SECOND_NS);
        for (int member = 1; member <= SIZE; member++)
        {
            assertEquals(SIZE - 1, nodes[member].view().count(MemberState.ALIVE), nodes[member].toString());
        }
        assertTrue(nodes[1].counter(FailureCounter.HEARTBEATS_RECEIVED) > 4 * 200, "too few heartbeats to prove much");
    }

    @Test
    void noMemberIsFalselyDeclaredDeadInTenSimulatedMinutesWithOnePercentLossAndTenMsJitter()
    {
        cluster.network().defaultLink().lossProbability(0.01).delayNs(MS).jitterNs(10 * MS);
        final int[] falseDead = {0};
        for (int member = 1; member <= SIZE; member++)
        {
            nodes[member] = newNode(member);
            nodes[member].view().addListener((peer, from, to, nowNs) -> falseDead[0] += to == MemberState.DEAD ? 1 : 0);
        }
        run(cluster.nowNs() + 600 * SECOND_NS);
        assertEquals(0, falseDead[0], "false DEAD verdicts, defaults, SEED=" + SEED);
        assertTrue(cluster.network().totals().dropped() > 1_000, "the 1% loss really happened: " +
            cluster.network().totals().dropped());
        for (int member = 1; member <= SIZE; member++)
        {
            assertEquals(SIZE - 1, nodes[member].view().count(MemberState.ALIVE), nodes[member].toString());
        }
    }

    private FailureDetectorNode newNode(final int member)
    {
        final FailureDetectorNode node = new FailureDetectorNode(member, MEMBERS, new FailureDetectorConfig(),
            cluster.node(member));
        node.view().addListener((peer, from, to, nowNs) ->
        {
            if (peer == 3 && to == MemberState.DEAD)
            {
                deadAtNs[member] = nowNs;
            }
        });
        node.start(cluster.nowNs());
        return node;
    }

    private void run(final long endNs)
    {
        while (cluster.nowNs() < endNs)
        {
            long limitNs = endNs;
            for (final FailureDetectorNode node : nodes)
            {
                if (node != null)
                {
                    limitNs = Math.min(limitNs, node.nextDeadlineNs());
                }
            }
            cluster.step(Math.max(limitNs, cluster.nowNs()));
            for (final FailureDetectorNode node : nodes)
            {
                if (node != null)
                {
                    node.doWork(cluster.nowNs());
                }
            }
        }
    }
}
