package io.conduit.transport.congestion;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CongestionConfigTest
{
    @Test
    void defaultsFollowTheRfcs()
    {
        final CongestionConfig cfg = new CongestionConfig();

        assertEquals(10, cfg.initialWindowSegments()); // RFC 6928 §2
        assertEquals(2, cfg.minimumWindowSegments());  // RFC 5681 §3.1 eq. 4
        assertEquals(64L * 1024 * 1024, cfg.maximumWindowBytes());
    }

    @Test
    void settersAreFluent()
    {
        final CongestionConfig cfg = new CongestionConfig();

        assertSame(cfg, cfg.initialWindowSegments(4).minimumWindowSegments(3).maximumWindowBytes(1 << 20));
        assertEquals(4, cfg.initialWindowSegments());
        assertEquals(3, cfg.minimumWindowSegments());
        assertEquals(1 << 20, cfg.maximumWindowBytes());
    }

    @Test
    void outOfRangeValuesAreRejected()
    {
        final CongestionConfig cfg = new CongestionConfig();

        assertThrows(IllegalArgumentException.class, () -> cfg.initialWindowSegments(0));
        // Below two segments would break the 2*SMSS floor of RFC 5681 §3.1 eq. 4.
        assertThrows(IllegalArgumentException.class, () -> cfg.minimumWindowSegments(1));
        assertThrows(IllegalArgumentException.class, () -> cfg.maximumWindowBytes(0));
        assertEquals(10, cfg.initialWindowSegments());
    }

    @Test
    void kindCreatesAControllerThatCopiesTheConfig()
    {
        final CongestionConfig cfg = new CongestionConfig().initialWindowSegments(4);

        final CongestionControl cc = CongestionControlKind.NEW_RENO.create(1000, cfg);
        cfg.initialWindowSegments(20);
        cc.reset();

        assertInstanceOf(NewReno.class, cc);
        assertEquals("newreno", cc.name());
        assertEquals(4000, cc.windowBytes());
    }
}
