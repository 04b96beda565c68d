package io.conduit.transport.engine;

import org.junit.jupiter.api.Test;

import io.conduit.transport.congestion.CongestionConfig;
import io.conduit.transport.congestion.CongestionControlKind;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pacing on virtual time: an application that writes 70 kB every 250 ms over a 10 Mbit/s, 40 ms link with a 15 kB
 * bottleneck queue. Unpaced, each write leaves as one line-rate burst of up to a window and overflows the queue;
 * paced at cwnd/SRTT x 1.2 the queue grows by only a sixth of the write. Both deliver the same bytes.
 */
class PacingSimTest
{
    /** 10 Mbit/s, 40 ms: a BDP of 50 kB in front of a queue of only three packets. */
    private static BulkTransferSim smallQueue(final CongestionControlKind kind, final boolean pacing)
    {
        return new BulkTransferSim(11)
            .congestion(kind)
            .congestionConfig(new CongestionConfig().pacing(pacing))
            .link(1_250_000, MILLISECONDS.toNanos(40), 0)
            .queueLimitBytes(15_000)
            .chunks(50, MILLISECONDS.toNanos(250))
            .durations(SECONDS.toNanos(1), SECONDS.toNanos(6));
    }

    @Test
    void pacedNewRenoOverflowsASmallQueueFarLessThanUnpaced()
    {
        compare(CongestionControlKind.NEW_RENO);
    }

    @Test
    void pacedCubicOverflowsASmallQueueFarLessThanUnpaced()
    {
        compare(CongestionControlKind.CUBIC);
    }

    private static void compare(final CongestionControlKind kind)
    {
        final BulkTransferSim.Result unpaced = smallQueue(kind, false).run();
        final BulkTransferSim.Result paced = smallQueue(kind, true).run();
        final String both = "\n paced:   " + paced + "\n unpaced: " + unpaced;
        System.out.println(kind + both);
        assertTrue(unpaced.forward.droppedQueueFull() > 0, "the unpaced sender must overflow the queue" + both);
        assertTrue(paced.forward.droppedQueueFull() * 2 <= unpaced.forward.droppedQueueFull(),
            "pacing at least halves the queue drops" + both);
        assertTrue(paced.utilisation >= unpaced.utilisation - 0.02, "pacing costs no goodput" + both);
    }
}
