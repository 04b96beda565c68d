package io.conduit.messaging.conduit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.conduit.messaging.Members;
import io.conduit.messaging.Messaging;

/** ConduitMessaging over real UDP on loopback: links, ordered delivery, a member closed and restarted. */
class ConduitMessagingUdpTest
{
    @Test
    void threeMembersExchangeInOrderThenOneIsClosedAndRestarted() throws Exception
    {
        final Members members = io.conduit.messaging.MessagingConformanceTest.loopbackMembers(3);
        final ConduitMessaging[] nodes = new ConduitMessaging[4];
        for (int id = 1; id <= 3; id++)
        {
            nodes[id] = start(members, id);
        }
        try
        {
            drive(nodes, () -> connected(nodes, 1, 2) && connected(nodes, 1, 3) && connected(nodes, 2, 3), "links up");

            final int messages = 2_000;
            final int[] sent = new int[4];
            final int[] received = new int[4];
            final int[] errors = {0};
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
            drive(nodes, () ->
            {
                for (int from = 2; from <= 3; from++)
                {
                    while (sent[from] < messages)
                    {
                        buffer.putInt(0, sent[from]);
                        if (nodes[from].send(1, buffer, 0, 4 + sent[from] % 200) < 0)
                        {
                            break;
                        }
                        sent[from]++;
                    }
                }
                nodes[1].poll((sender, message, offset, length) ->
                {
                    if (message.getInt(offset) != received[sender]++ || length != 4 + (received[sender] - 1) % 200)
                    {
                        errors[0]++;
                    }
                }, 256);
                return received[2] == messages && received[3] == messages;
            }, "all messages");
            assertEquals(0, errors[0], "in order per sender, intact");

            nodes[3].close();
            nodes[3] = null;
            drive(nodes, () -> !nodes[1].isConnected(3) && !nodes[2].isConnected(3), "3 seen down");
            nodes[3] = start(members, 3);
            drive(nodes, () -> connected(nodes, 1, 3) && connected(nodes, 2, 3), "3 back up");
            assertTrue(nodes[3].send(1, buffer, 0, 4) >= 0);
        }
        finally
        {
            for (final ConduitMessaging node : nodes)
            {
                if (node != null)
                {
                    node.close();
                }
            }
        }
    }

    private static boolean connected(final ConduitMessaging[] nodes, final int a, final int b)
    {
        return nodes[a] != null && nodes[b] != null && nodes[a].isConnected(b) && nodes[b].isConnected(a);
    }

    private static ConduitMessaging start(final Members members, final int id) throws Exception
    {
        return new ConduitMessaging(id, new int[]{1, 2, 3}, new ConduitMessagingConfig(),
            new UdpDatagramPort(members, id), System::nanoTime, new SecureRandom());
    }

    /** Drives every node on this thread until the condition holds; the guard only turns a hang into a failure. */
    private static void drive(final ConduitMessaging[] nodes, final BooleanSupplier condition, final String what)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("timed out waiting for " + what);
            }
            int work = 0;
            for (final ConduitMessaging node : nodes)
            {
                work += node == null ? 0 : node.doWork();
            }
            if (work == 0)
            {
                Thread.onSpinWait();
            }
        }
    }

    @Test
    void describeNamesEveryCode()
    {
        assertEquals("BACK_PRESSURED", Messaging.describe(Messaging.BACK_PRESSURED));
        assertEquals("UNKNOWN_MEMBER", Messaging.describe(Messaging.UNKNOWN_MEMBER));
        assertEquals("OK", Messaging.describe(7));
    }
}
