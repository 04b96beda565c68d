package io.conduit.transport.engine;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.conduit.transport.congestion.CongestionConfig;
import io.conduit.transport.congestion.CongestionControlKind;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HyStart ends NewReno's and CUBIC's first slow start before a drop-tail buffer of one bandwidth-delay product
 * overflows by much, on virtual time: 100 Mbit/s, 50 ms, the first 1.2 s of a bulk transfer. RFC 9406's delay test
 * alone judges each round by its first RTT and fires a round too late here, which classic slow start shows the cost
 * of; HyStart's ACK train sees the bottleneck busy for a whole round trip and ends slow start within that round.
 */
class SlowStartExitSimTest
{
    private static final long RATE_BYTES_PER_SECOND = 12_500_000;
    private static final long RTT_NS = MILLISECONDS.toNanos(50);

    private static BulkTransferSim.Result firstSecond(final CongestionControlKind kind, final boolean hyStart)
    {
        return new BulkTransferSim(7)
            .congestion(kind)
            .congestionConfig(new CongestionConfig().hyStart(hyStart))
            .link(RATE_BYTES_PER_SECOND, RTT_NS, 0)
            .durations(MILLISECONDS.toNanos(200), MILLISECONDS.toNanos(1_200))
            .run();
    }

    @ParameterizedTest
    @EnumSource(value = CongestionControlKind.class, names = {"NEW_RENO", "CUBIC"})
    void hyStartEndsSlowStartBeforeTheBufferOverflowsByMuch(final CongestionControlKind kind)
    {
        final BulkTransferSim.Result classic = firstSecond(kind, false);
        final BulkTransferSim.Result hyStart = firstSecond(kind, true);
        final long bdpSegments = RATE_BYTES_PER_SECOND * RTT_NS / 1_000_000_000L / BulkTransferSim.PAYLOAD;
        System.out.printf("%s classic: %s%n%s HyStart: %s%n", kind, classic, kind, hyStart);
        assertTrue(hyStart.forward.droppedQueueFull() <= bdpSegments / 2, hyStart::toString);
        assertTrue(2 * hyStart.forward.droppedQueueFull() < classic.forward.droppedQueueFull(),
            () -> "classic " + classic + "\nHyStart " + hyStart);
        assertTrue(hyStart.counters.timeouts() == 0, hyStart::toString);
    }
}
