package io.conduit.transport.engine;

import org.junit.jupiter.api.Test;

import io.conduit.transport.congestion.CongestionConfig;
import io.conduit.transport.congestion.CongestionControlKind;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pacing on virtual time: an application that writes 70 kB every 250 ms over a 10 Mbit/s link whose queue never
 * overflows. Unpaced, each write leaves as one burst and sits whole in the bottleneck's queue; paced, the link drains
 * the queue while the write is still arriving. A window-derived rate (x2 in slow start, x1.2 after) is above the
 * link's for a write larger than the path's BDP, so pacing shortens the queue rather than removing it.
 * <p>
 * The round-trip time is swept from 30 to 50 ms: with a fixed RTT the burst and ACK timing lock into one periodic
 * pattern, and a comparison at a single RTT (this test's first form used 40 ms and a three-packet queue) shows that
 * pattern more than pacing: at 32-36 ms the unpaced sender dropped fewer packets than the paced one.
 */
class PacingSimTest
{
    private static final int WRITE_BYTES = 50 * BulkTransferSim.PAYLOAD;

    private static BulkTransferSim.Result run(final CongestionControlKind kind, final boolean pacing, final int rttMs)
    {
        return new BulkTransferSim(11)
            .congestion(kind)
            .congestionConfig(new CongestionConfig().pacing(pacing))
            .link(1_250_000, MILLISECONDS.toNanos(rttMs), 0)
            .queueLimitBytes(1_000_000)
            .chunks(50, MILLISECONDS.toNanos(250))
            .durations(SECONDS.toNanos(1), SECONDS.toNanos(6))
            .run();
    }

    @Test
    void pacedNewRenoQueuesLessOfEachWriteThanUnpaced()
    {
        compare(CongestionControlKind.NEW_RENO);
    }

    @Test
    void pacedCubicQueuesLessOfEachWriteThanUnpaced()
    {
        compare(CongestionControlKind.CUBIC);
    }

    private static void compare(final CongestionControlKind kind)
    {
        for (int rttMs = 30; rttMs <= 50; rttMs += 4)
        {
            final BulkTransferSim.Result unpaced = run(kind, false, rttMs);
            final BulkTransferSim.Result paced = run(kind, true, rttMs);
            final String both = kind + " at " + rttMs + " ms\n paced:   " + paced.forward + "\n unpaced: " +
                unpaced.forward;
            assertEquals(0, unpaced.forward.droppedQueueFull() + paced.forward.droppedQueueFull(), both);
            assertTrue(unpaced.forward.queuePeakBytes() >= WRITE_BYTES, "unpaced, a whole write queues: " + both);
            assertTrue(paced.forward.queuePeakBytes() * 5 <= unpaced.forward.queuePeakBytes() * 4,
                "pacing keeps at least a fifth of each write out of the queue: " + both);
            assertEquals(unpaced.deliveredBytes, paced.deliveredBytes, "pacing costs no goodput: " + both);
        }
    }
}
