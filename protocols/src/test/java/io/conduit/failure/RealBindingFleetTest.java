package io.conduit.failure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;

import io.conduit.messaging.Messaging;

/**
 * Issue 4, must-be-true 1 on the real bindings: five members with failure detectors over real sockets on loopback;
 * one is closed abruptly, every other member declares it DEAD; it restarts and is ALIVE everywhere again. The
 * detection time is asserted loosely (the detector's own default bound plus scheduling slack for a loaded
 * machine); the exact numbers are measured on virtual time in {@link DetectorReport}.
 */
abstract class RealBindingFleetTest
{
    private static final int SIZE = 5;
    private static final int VICTIM = 3;
    private static final int[] MEMBERS = {1, 2, 3, 4, 5};
    /** Default phi detector: about 0.56 s worst case in the report; the rest is slack for a busy 2-core machine. */
    private static final long DETECTION_BOUND_NS = TimeUnit.MILLISECONDS.toNanos(2_500);

    private final Messaging[] messaging = new Messaging[SIZE + 1];
    private final FailureDetectorNode[] nodes = new FailureDetectorNode[SIZE + 1];
    private final long[] deadAtNs = new long[SIZE + 1];

    /** Picks addresses for members 1..size. */
    protected abstract void prepare(int size);

    /** Starts (or restarts) a member's messaging. */
    protected abstract Messaging start(int memberId);

    @Test
    void aClosedMemberIsDeadEverywhereAndAliveAgainAfterRestart()
    {
        prepare(SIZE);
        try
        {
            for (int member = 1; member <= SIZE; member++)
            {
                startMember(member);
            }
            driveUntil("all ALIVE", this::allAlive);

            final long closedNs = System.nanoTime();
            messaging[VICTIM].close();
            messaging[VICTIM] = null;
            nodes[VICTIM] = null;
            driveUntil("victim DEAD everywhere", () ->
            {
                for (int member = 1; member <= SIZE; member++)
                {
                    if (member != VICTIM && nodes[member].view().state(VICTIM) != MemberState.DEAD)
                    {
                        return false;
                    }
                }
                return true;
            });
            for (int member = 1; member <= SIZE; member++)
            {
                if (member != VICTIM)
                {
                    assertTrue(deadAtNs[member] - closedNs <= DETECTION_BOUND_NS, "member " + member +
                        " declared it dead after " + (deadAtNs[member] - closedNs) / 1_000_000 + " ms");
                }
            }

            startMember(VICTIM);
            driveUntil("victim ALIVE everywhere again", this::allAlive);
            for (int member = 1; member <= SIZE; member++)
            {
                assertEquals(SIZE - 1, nodes[member].view().count(MemberState.ALIVE));
            }
        }
        finally
        {
            for (final Messaging node : messaging)
            {
                if (node != null)
                {
                    node.close();
                }
            }
        }
    }

    private void startMember(final int member)
    {
        messaging[member] = start(member);
        final FailureDetectorNode node = new FailureDetectorNode(member, MEMBERS, new FailureDetectorConfig(),
            messaging[member]);
        node.view().addListener((peer, from, to, nowNs) ->
        {
            if (peer == VICTIM && to == MemberState.DEAD)
            {
                deadAtNs[member] = nowNs;
            }
        });
        node.start(System.nanoTime());
        nodes[member] = node;
    }

    private boolean allAlive()
    {
        for (int member = 1; member <= SIZE; member++)
        {
            if (nodes[member] == null || nodes[member].view().count(MemberState.ALIVE) != SIZE - 1)
            {
                return false;
            }
        }
        return true;
    }

    /** Drives every member on this thread; the deadline only turns a hang into a failure. */
    private void driveUntil(final String what, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("timed out waiting for " + what);
            }
            int work = 0;
            for (int member = 1; member <= SIZE; member++)
            {
                if (nodes[member] != null)
                {
                    work += messaging[member].doWork();
                    work += nodes[member].doWork(System.nanoTime());
                }
            }
            if (work == 0)
            {
                Thread.onSpinWait();
            }
        }
    }
}
