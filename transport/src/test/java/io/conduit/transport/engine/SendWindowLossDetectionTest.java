package io.conduit.transport.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.conduit.transport.codec.PacketType;

/** Loss detection rules of {@link SendWindow}: RFC 6675 IsLost for first transmissions, RACK time rules for all. */
class SendWindowLossDetectionTest
{
    private static final long RTT = 10_000;
    private static final long REORDER_WINDOW = 2_500;
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[100]);
    private final SendWindow window = new SendWindow(16, 100);

    private void sendSegments(final int count, final long startNs, final long gapNs)
    {
        for (int i = 0; i < count; i++)
        {
            final int seq = window.append(PacketType.DATA, payload, 0, 100, 100, 0);
            window.onTransmit(seq, startNs + i * gapNs);
        }
    }

    @Test
    void dupThresholdSackedAboveMarksAFirstTransmissionLost() // RFC 6675 §4 IsLost
    {
        window.reset(1);
        sendSegments(5, 0, 0);
        window.beginAck(1_000, RTT);
        window.sack(2, 6);
        assertEquals(1, window.detectLosses(1_000, RTT, REORDER_WINDOW));
        assertEquals(1, window.firstLost());
    }

    @Test
    void aLostRetransmissionIsDetectedOnceLaterDataIsDelivered() // RFC 8985 §6.2
    {
        window.reset(1);
        sendSegments(5, 0, 0);
        window.beginAck(1_000, RTT);
        window.sack(2, 6);
        assertEquals(1, window.detectLosses(1_000, RTT, REORDER_WINDOW));
        window.onTransmit(1, 20_000);
        // More SACKs above the retransmission do not re-mark it: it was sent after everything they cover.
        window.beginAck(21_000, RTT);
        assertEquals(0, window.detectLosses(21_000, RTT, REORDER_WINDOW), "not lost again by dupthresh");
        // A segment sent well after the retransmission is delivered first: the retransmission was lost.
        sendSegments(1, 30_000, 0);
        window.beginAck(40_000, RTT);
        window.sack(6, 7);
        assertEquals(1, window.detectLosses(40_000, RTT, REORDER_WINDOW));
        assertEquals(1, window.firstLost());
    }

    @Test
    void reorderingWithinTheWindowIsToleratedUntilTheReorderTimerFires() // RFC 8985 §6.3
    {
        window.reset(1);
        sendSegments(2, 0, 100);
        window.beginAck(5_000, RTT);
        window.sack(2, 3);
        assertEquals(0, window.detectLosses(5_000, RTT, REORDER_WINDOW), "sent within the reorder window");
        final long deadline = window.reorderDeadlineNs(RTT, REORDER_WINDOW);
        assertEquals(RTT + REORDER_WINDOW, deadline);
        assertEquals(0, window.detectLosses(deadline - 1, RTT, REORDER_WINDOW));
        assertEquals(1, window.detectLosses(deadline, RTT, REORDER_WINDOW));
        assertEquals(TimerKind.NONE, window.reorderDeadlineNs(RTT, REORDER_WINDOW), "nothing left to wait for");
        assertTrue(window.lostCount() == 1);
    }
}
