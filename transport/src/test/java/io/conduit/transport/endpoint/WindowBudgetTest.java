package io.conduit.transport.endpoint;

import org.junit.jupiter.api.Test;

import io.conduit.transport.codec.PacketLayout;
import io.conduit.transport.engine.ConnectionConfig;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;

import static org.junit.jupiter.api.Assertions.assertEquals;

class WindowBudgetTest
{
    /**
     * What the JDK reads back for a 4 MiB SO_RCVBUF request under net.core.rmem_max = 4 MiB: the grant (Linux reports
     * twice that, and the JDK halves it).
     */
    private static final int READ_BACK = 4 * 1024 * 1024;

    @Test
    void largeDatagramsShrinkBothWindowsToWhatTheGrantHolds()
    {
        final ConnectionConfig config = new ConnectionConfig().maxPayloadBytes(PacketLayout.MAX_DATA_PAYLOAD_LENGTH);
        WindowBudget.fit(config, READ_BACK);
        assertEquals(64, config.receiveWindowSegments(), "64 x 65,507 bytes fit the 4 MiB granted");
        assertEquals(64, config.sendWindowSegments());
        config.validate();
    }

    /** The budget's premise: on Linux the JDK hands back the grant, not the kernel's doubled figure. */
    @Test
    void theJdkReadsBackTheGrant() throws IOException
    {
        final int request = 64 * 1024; // below any rmem_max Linux ships with (212,992), so granted in full
        try (DatagramChannel channel = DatagramChannel.open())
        {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, request);
            assertEquals(request, channel.getOption(StandardSocketOptions.SO_RCVBUF));
        }
    }

    @Test
    void fullSizeSegmentsGetAWindowThatSpansALossyLongPath()
    {
        final ConnectionConfig config = new ConnectionConfig().receiveWindowSegments(4096).sendWindowSegments(4096);
        WindowBudget.fit(config, READ_BACK);
        assertEquals(2048, config.receiveWindowSegments(), "4 MiB / 1,468 bytes = 2,857 segments; a power of two");
        assertEquals(2048, config.sendWindowSegments());
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
