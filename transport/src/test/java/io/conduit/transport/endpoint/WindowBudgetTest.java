package io.conduit.transport.endpoint;

import org.junit.jupiter.api.Test;

import io.conduit.transport.codec.PacketLayout;
import io.conduit.transport.engine.ConnectionConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;

class WindowBudgetTest
{
    /** What Linux reports for a 4 MiB SO_RCVBUF request under net.core.rmem_max = 4 MiB: twice the grant. */
    private static final int READ_BACK = 8 * 1024 * 1024;

    @Test
    void largeDatagramsShrinkBothWindowsToWhatHalfTheBufferHolds()
    {
        final ConnectionConfig config = new ConnectionConfig().maxPayloadBytes(PacketLayout.MAX_DATA_PAYLOAD_LENGTH);
        WindowBudget.fit(config, READ_BACK);
        assertEquals(64, config.receiveWindowSegments(), "64 x 65,507 bytes fit the 4 MiB granted");
        assertEquals(64, config.sendWindowSegments());
        config.validate();
    }

    @Test
    void theDefaultSegmentSizeIsUntouched()
    {
        final ConnectionConfig config = new ConnectionConfig();
        WindowBudget.fit(config, READ_BACK);
        assertEquals(256, config.receiveWindowSegments());
        assertEquals(256, config.sendWindowSegments());
    }

    @Test
    void neverRaisesAndNeverGoesBelowTheMinimum()
    {
        final ConnectionConfig config = new ConnectionConfig().receiveWindowSegments(8).sendWindowSegments(16)
            .maxPayloadBytes(PacketLayout.MAX_DATA_PAYLOAD_LENGTH);
        WindowBudget.fit(config, 64 * 1024);
        assertEquals(WindowBudget.MIN_SEGMENTS, config.receiveWindowSegments());
        assertEquals(WindowBudget.MIN_SEGMENTS, config.sendWindowSegments());
        final ConnectionConfig small = new ConnectionConfig().receiveWindowSegments(8);
        WindowBudget.fit(small, READ_BACK);
        assertEquals(8, small.receiveWindowSegments());
    }
}
