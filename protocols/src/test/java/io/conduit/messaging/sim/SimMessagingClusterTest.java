package io.conduit.messaging.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.conduit.messaging.Messaging;
import io.conduit.messaging.PeerEventHandler;
import io.conduit.messaging.conduit.ConduitMessaging;
import io.conduit.messaging.conduit.ConduitMessagingConfig;

/** The simulated binding: links come up, messages flow in order despite a hostile network, crashes are noticed. */
class SimMessagingClusterTest
{
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void everyPairLinksUpAndNumberedMessagesArriveInOrderThroughLossDuplicationAndReordering()
    {
        final SimMessagingCluster cluster = new SimMessagingCluster(7, 5, new ConduitMessagingConfig());
        cluster.network().defaultLink().lossProbability(0.05).duplicateProbability(0.02).reorderProbability(0.05)
            .delayNs(TimeUnit.MILLISECONDS.toNanos(1)).jitterNs(TimeUnit.MILLISECONDS.toNanos(1));
        runUntilAllConnected(cluster, 10 * SECOND);

        final int messages = 500;
        final int[] sent = new int[6 * 6];
        final int[] received = new int[6 * 6];
        final int[] outOfOrder = {0};
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        final long end = cluster.nowNs() + 60 * SECOND;
        boolean done = false;
        while (!done && cluster.nowNs() < end)
        {
            cluster.step(cluster.nowNs() + TimeUnit.MILLISECONDS.toNanos(1));
            done = true;
            for (int from = 1; from <= 5; from++)
            {
                final ConduitMessaging node = cluster.node(from);
                final int self = from;
                node.poll((sender, message, offset, length) ->
                {
                    final int expected = received[sender * 6 + self]++;
                    if (message.getInt(offset) != expected || message.getInt(offset + 4) != sender)
                    {
                        outOfOrder[0]++;
                    }
                }, 100);
                for (int to = 1; to <= 5; to++)
                {
                    while (to != from && sent[from * 6 + to] < messages)
                    {
                        buffer.putInt(0, sent[from * 6 + to]);
                        buffer.putInt(4, from);
                        if (node.send(to, buffer, 0, 8) < 0)
                        {
                            break;
                        }
                        sent[from * 6 + to]++;
                    }
                    done &= to == from || received[from * 6 + to] == messages;
                }
            }
        }
        assertTrue(cluster.network().totals().dropped() > 0 && cluster.network().totals().duplicated() > 0 &&
            cluster.network().totals().reordered() > 0, "the network really was hostile");
        assertEquals(0, outOfOrder[0], "per-peer order and content");
        assertTrue(done, "all 20 directed streams complete");
    }

    @Test
    void aCrashedMemberIsReportedDownEverywhereAndUpAgainAfterRestart()
    {
        final SimMessagingCluster cluster = new SimMessagingCluster(11, 5, new ConduitMessagingConfig());
        runUntilAllConnected(cluster, 10 * SECOND);
        final List<String> events = new ArrayList<>();
        drainEvents(cluster, events);
        events.clear();

        cluster.crash(3);
        final long crashedAt = cluster.nowNs();
        final long deadline = crashedAt + 10 * SECOND;
        while (cluster.nowNs() < deadline && !allSee(cluster, 3, false))
        {
            cluster.step(deadline);
            drainEvents(cluster, events);
        }
        assertTrue(allSee(cluster, 3, false), "every member sees 3 down: " + events);
        // The transport's link timeout: 1 s idle + 3 x 250 ms probes, plus a retransmission or two.
        assertTrue(cluster.nowNs() - crashedAt < 3 * SECOND, "down within the keepalive time");
        for (int member : new int[]{1, 2, 4, 5})
        {
            assertTrue(events.contains(member + " sees 3 down"), events.toString());
        }

        cluster.restart(3);
        final long restartDeadline = cluster.nowNs() + 10 * SECOND;
        while (cluster.nowNs() < restartDeadline && !allConnected(cluster))
        {
            cluster.step(restartDeadline);
            drainEvents(cluster, events);
        }
        assertTrue(allConnected(cluster), "3 is back everywhere");
        for (int member : new int[]{1, 2, 4, 5})
        {
            assertTrue(events.contains(member + " sees 3 up"), events.toString());
        }
    }

    @Test
    void sendResultsNameTheProblem()
    {
        final SimMessagingCluster cluster = new SimMessagingCluster(3, 3, new ConduitMessagingConfig());
        final ConduitMessaging node = cluster.node(1);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[8]);
        assertEquals(Messaging.NOT_CONNECTED, node.send(2, buffer, 0, 8), "before the link is up");
        assertEquals(Messaging.UNKNOWN_MEMBER, node.send(9, buffer, 0, 8));
        assertEquals(Messaging.UNKNOWN_MEMBER, node.send(1, buffer, 0, 8), "not to itself");
        runUntilAllConnected(cluster, 10 * SECOND);
        assertTrue(node.send(2, buffer, 0, 8) >= 0);
        assertEquals(Messaging.MESSAGE_TOO_LARGE, node.send(2, new UnsafeBuffer(new byte[node.maxMessageLength() + 1]),
            0, node.maxMessageLength() + 1));
        node.close();
        assertEquals(Messaging.CLOSED, node.send(2, buffer, 0, 8));
        assertFalse(node.isConnected(2));
    }

    static void runUntilAllConnected(final SimMessagingCluster cluster, final long budgetNs)
    {
        final long deadline = cluster.nowNs() + budgetNs;
        while (!allConnected(cluster) && cluster.nowNs() < deadline)
        {
            cluster.step(deadline);
        }
        assertTrue(allConnected(cluster), "all links up");
    }

    static boolean allConnected(final SimMessagingCluster cluster)
    {
        for (int a = 1; a <= cluster.size(); a++)
        {
            for (int b = 1; b <= cluster.size(); b++)
            {
                if (a != b && (cluster.node(a) == null || !cluster.node(a).isConnected(b)))
                {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean allSee(final SimMessagingCluster cluster, final int member, final boolean connected)
    {
        for (int a = 1; a <= cluster.size(); a++)
        {
            if (a != member && cluster.node(a).isConnected(member) != connected)
            {
                return false;
            }
        }
        return true;
    }

    private static void drainEvents(final SimMessagingCluster cluster, final List<String> events)
    {
        for (int a = 1; a <= cluster.size(); a++)
        {
            final int self = a;
            final ConduitMessaging node = cluster.node(a);
            if (node != null)
            {
                node.pollPeerEvents(new PeerEventHandler()
                {
                    @Override
                    public void onPeerUp(final int memberId)
                    {
                        events.add(self + " sees " + memberId + " up");
                    }

                    @Override
                    public void onPeerDown(final int memberId)
                    {
                        events.add(self + " sees " + memberId + " down");
                    }
                }, 100);
            }
        }
    }
}
