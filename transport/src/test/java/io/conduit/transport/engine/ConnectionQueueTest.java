package io.conduit.transport.engine;

import java.util.ArrayDeque;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The endpoint's ready queue behaves as a FIFO, through wrap-around and growth, and indexes from its head. */
class ConnectionQueueTest
{
    private static final int CONNECTIONS = 37;

    @Test
    void behavesLikeAnArrayDequeUnderRandomAddAndPoll()
    {
        final ConnectionConfig config = new ConnectionConfig().sendWindowSegments(4).receiveWindowSegments(4)
            .sendBufferBytes(16 * 1024).maxMessageBytes(8 * 1024);
        final Connection[] connections = new Connection[CONNECTIONS];
        for (int i = 0; i < CONNECTIONS; i++)
        {
            connections[i] = Connection.active(config, 0, i + 1, i, i);
        }
        final ConnectionQueue queue = new ConnectionQueue(2);
        final ArrayDeque<Connection> model = new ArrayDeque<>();
        final SplittableRandom random = new SplittableRandom(7);
        for (int step = 0; step < 50_000; step++)
        {
            if (random.nextInt(3) != 0 && model.size() < CONNECTIONS)
            {
                final Connection connection = connections[random.nextInt(CONNECTIONS)];
                queue.add(connection);
                model.add(connection);
            }
            else
            {
                assertSame(model.poll(), queue.poll());
            }
            assertEquals(model.size(), queue.size());
            assertEquals(model.isEmpty(), queue.isEmpty());
            int index = 0;
            for (final Connection expected : model)
            {
                assertSame(expected, queue.get(index++), "element " + index + " at step " + step);
            }
        }
        while (!model.isEmpty())
        {
            assertSame(model.poll(), queue.poll());
        }
        assertNull(queue.poll());
        assertThrows(IndexOutOfBoundsException.class, () -> queue.get(0));
    }
}
