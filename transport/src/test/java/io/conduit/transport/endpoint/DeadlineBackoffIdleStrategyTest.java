package io.conduit.transport.endpoint;

import java.net.InetSocketAddress;

import org.agrona.concurrent.NanoClock;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The backoff's shape (spins, yields, then parks doubling to the maximum) and its one difference from Agrona's: a
 * park never runs past the bound deadline. Park lengths are checked as computed, not as slept: no timing here.
 */
class DeadlineBackoffIdleStrategyTest
{
    private long nowNs = 1_000_000_000L;
    private long deadlineNs = Long.MAX_VALUE;
    private final NanoClock clock = () -> nowNs;

    private static DeadlineBackoffIdleStrategy intoParking(final DeadlineBackoffIdleStrategy idle)
    {
        while (!idle.parking())
        {
            idle.idle(0);
        }
        return idle;
    }

    @Test
    void spinsThenYieldsThenParks()
    {
        final DeadlineBackoffIdleStrategy idle = new DeadlineBackoffIdleStrategy(3, 2, 1_000, 8_000);
        int calls = 0;
        while (!idle.parking())
        {
            idle.idle(0);
            calls++;
        }
        // One call enters spinning, three spin, two yield and the one after them switches to parking.
        assertEquals(1 + 3 + 2 + 1, calls);
        assertEquals(1_000, idle.nextParkNs());
    }

    @Test
    void unboundParksDoubleUpToTheMaximum()
    {
        final DeadlineBackoffIdleStrategy idle = intoParking(new DeadlineBackoffIdleStrategy(0, 0, 1_000, 4_000));
        final long[] expected = {1_000, 2_000, 4_000, 4_000};
        for (final long parkNs : expected)
        {
            assertEquals(parkNs, idle.nextParkNs());
            idle.idle(0);
        }
    }

    @Test
    void aBoundParkEndsAtTheNextDeadline()
    {
        final DeadlineBackoffIdleStrategy idle = intoParking(new DeadlineBackoffIdleStrategy(0, 0, 1_000, 1_000_000));
        idle.bind(clock, () -> deadlineNs);
        for (int i = 0; i < 12; i++)
        {
            idle.idle(0); // the period grows to its 1 ms maximum
        }
        assertEquals(1_000_000, idle.nextParkNs(), "no deadline: the backoff's own period");
        deadlineNs = nowNs + 300_000;
        assertEquals(300_000, idle.nextParkNs(), "a pacing release 300 us away ends the park then, not 1 ms later");
        deadlineNs = nowNs - 5;
        assertEquals(1_000, idle.nextParkNs(), "a due timer: the shortest park, never a spin");
        deadlineNs = nowNs + 5_000_000;
        assertEquals(1_000_000, idle.nextParkNs(), "a far deadline leaves the backoff alone");
    }

    @Test
    void workResetsTheBackoff()
    {
        final DeadlineBackoffIdleStrategy idle = intoParking(new DeadlineBackoffIdleStrategy(0, 0, 1_000, 8_000));
        idle.idle(0);
        idle.idle(0);
        assertEquals(4_000, idle.nextParkNs());
        idle.idle(1);
        assertFalse(idle.parking());
        intoParking(idle);
        assertEquals(1_000, idle.nextParkNs());
    }

    @Test
    void rejectsAnInvalidShape()
    {
        assertThrows(IllegalArgumentException.class, () -> new DeadlineBackoffIdleStrategy(-1, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new DeadlineBackoffIdleStrategy(0, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new DeadlineBackoffIdleStrategy(0, 0, 10, 5));
    }

    @Test
    void anEndpointBindsItsDefaultIdleStrategyToItsTimers() throws Exception
    {
        final EndpointContext context = new EndpointContext().bind(new InetSocketAddress("127.0.0.1", 0))
            .threadingMode(ThreadingMode.INVOKER);
        try (Endpoint endpoint = Endpoint.launch(context))
        {
            assertSame(DeadlineBackoffIdleStrategy.class, endpoint.context().idleStrategy().getClass());
            assertTrue(endpoint.context().idleStrategy().toString().contains("bound=true"),
                endpoint.context().idleStrategy().toString());
        }
    }
}
