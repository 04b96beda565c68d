package io.conduit.transport.sim;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LinkConfigTest
{
    @Test
    void copyIsIndependentAndCopyFromTakesEveryValue()
    {
        final LinkConfig original = new LinkConfig()
            .lossProbability(0.1)
            .duplicateProbability(0.2)
            .reorderProbability(0.3)
            .reorderDelayNs(4)
            .delayNs(5)
            .jitterNs(6)
            .bandwidthBytesPerSecond(7)
            .queueLimitBytes(8)
            .corruptProbability(0.9);
        final LinkConfig copy = original.copy();
        original.delayNs(500).lossProbability(0.5);

        assertEquals(0.1, copy.lossProbability());
        assertEquals(0.2, copy.duplicateProbability());
        assertEquals(0.3, copy.reorderProbability());
        assertEquals(4, copy.reorderDelayNs());
        assertEquals(5, copy.delayNs());
        assertEquals(6, copy.jitterNs());
        assertEquals(7, copy.bandwidthBytesPerSecond());
        assertEquals(8, copy.queueLimitBytes());
        assertEquals(0.9, copy.corruptProbability());

        copy.copyFrom(original);
        assertEquals(500, copy.delayNs());
        assertEquals(0.5, copy.lossProbability());
        assertEquals(original.toString(), copy.toString());
    }

    @Test
    void invalidValuesAreRejected()
    {
        final LinkConfig config = new LinkConfig();
        assertThrows(IllegalArgumentException.class, () -> config.lossProbability(-0.1));
        assertThrows(IllegalArgumentException.class, () -> config.duplicateProbability(1.1));
        assertThrows(IllegalArgumentException.class, () -> config.reorderProbability(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> config.corruptProbability(2));
        assertThrows(IllegalArgumentException.class, () -> config.delayNs(-1));
        assertThrows(IllegalArgumentException.class, () -> config.jitterNs(-1));
        assertThrows(IllegalArgumentException.class, () -> config.reorderDelayNs(-1));
        assertThrows(IllegalArgumentException.class, () -> config.bandwidthBytesPerSecond(-1));
        assertThrows(IllegalArgumentException.class, () -> config.queueLimitBytes(-1));
        assertEquals(new LinkConfig().toString(), config.toString(), "a rejected value leaves the config unchanged");
    }

    @Test
    void serializationTimeRoundsUpAndBacklogSaturates()
    {
        final LinkConfig config = new LinkConfig();
        assertEquals(0, config.serializationNs(1_500), "unlimited bandwidth takes no time");
        config.bandwidthBytesPerSecond(3_000_000);
        assertEquals(333_334, config.serializationNs(1_000));
        config.bandwidthBytesPerSecond(Long.MAX_VALUE);
        assertEquals(1, config.serializationNs(65_535), "huge bandwidths do not overflow");

        config.bandwidthBytesPerSecond(1_000_000);
        assertEquals(1_000, config.backlogBytes(1_000_000));
        assertEquals(1, config.backlogBytes(1));
        assertEquals(0, config.backlogBytes(-5));
        assertEquals(Long.MAX_VALUE, config.backlogBytes(Long.MAX_VALUE));
    }
}
