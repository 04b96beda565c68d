package io.conduit.transport.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class DeadlineHeapTest
{
    private static final int CONNECTIONS = 40;

    @Test
    void matchesAReferenceModelUnderRandomScheduleRemoveAndPoll()
    {
        final ConnectionConfig config = new ConnectionConfig().sendWindowSegments(4).receiveWindowSegments(4)
            .sendBufferBytes(16 * 1024).maxMessageBytes(8 * 1024);
        final Connection[] connections = new Connection[CONNECTIONS];
        for (int i = 0; i < CONNECTIONS; i++)
        {
            connections[i] = Connection.active(config, 0, i + 1, i, i);
        }
        final DeadlineHeap heap = new DeadlineHeap(2);
        final Map<Connection, Long> model = new HashMap<>();
        final SplittableRandom random = new SplittableRandom(42);
        // Start near the wrap point: deadlines are compared wrap-safely, so the order must survive overflow.
        long now = Long.MAX_VALUE - 1_000_000;
        for (int step = 0; step < 200_000; step++)
        {
            final Connection connection = connections[random.nextInt(CONNECTIONS)];
            final int op = random.nextInt(10);
            if (op < 6)
            {
                final long deadline = now + random.nextLong(2_000_000);
                heap.schedule(connection, deadline);
                model.put(connection, deadline);
            }
            else if (op < 7)
            {
                heap.schedule(connection, TimerKind.NONE);
                model.remove(connection);
            }
            else if (op < 8)
            {
                heap.remove(connection);
                model.remove(connection);
            }
            else
            {
                now += random.nextLong(100_000);
                final Connection due = heap.pollDue(now);
                final Connection expected = earliestDue(model, now);
                if (expected == null)
                {
                    assertSame(null, due);
                }
                else
                {
                    assertEquals(TimerKind.NONE, due.scheduledDeadlineNs, "a polled connection is unscheduled");
                    assertEquals((long)model.get(expected), (long)model.get(due), "earliest deadline first");
                    model.remove(due);
                }
            }
            heap.verify();
            assertEquals(model.size(), heap.size());
            assertEquals(model.isEmpty() ? TimerKind.NONE : earliest(model), heap.earliestDeadlineNs());
        }
    }

    private static Connection earliestDue(final Map<Connection, Long> model, final long now)
    {
        Connection best = null;
        for (final Map.Entry<Connection, Long> entry : model.entrySet())
        {
            if (entry.getValue() - now <= 0 && (best == null || entry.getValue() - model.get(best) < 0))
            {
                best = entry.getKey();
            }
        }
        return best;
    }

    private static long earliest(final Map<Connection, Long> model)
    {
        long best = 0;
        boolean first = true;
        for (final long deadline : model.values())
        {
            if (first || deadline - best < 0)
            {
                best = deadline;
                first = false;
            }
        }
        return best;
    }
}
