package io.conduit.chain;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Configurations and the rule a configuration manager must keep between them. */
class ChainConfigurationTest
{
    @Test
    void neighboursFollowChainOrder()
    {
        final ChainConfiguration configuration = new ChainConfiguration(4, 7, 3, 9);
        assertEquals(7, configuration.head());
        assertEquals(9, configuration.tail());
        assertEquals(0, configuration.predecessorOf(7));
        assertEquals(7, configuration.predecessorOf(3));
        assertEquals(9, configuration.successorOf(3));
        assertEquals(0, configuration.successorOf(9));
        assertEquals(0, configuration.successorOf(5), "a non-member has no neighbours");
        assertEquals(ChainRole.HEAD, ChainRole.of(configuration, 7));
        assertEquals(ChainRole.MIDDLE, ChainRole.of(configuration, 3));
        assertEquals(ChainRole.TAIL, ChainRole.of(configuration, 9));
        assertEquals(ChainRole.RETIRED, ChainRole.of(configuration, 5));
        assertEquals(ChainRole.SOLE, ChainRole.of(new ChainConfiguration(1, 5), 5));
    }

    @Test
    void invalidConfigurationsAreRefused()
    {
        assertThrows(IllegalArgumentException.class, () -> new ChainConfiguration(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new ChainConfiguration(1));
        assertThrows(IllegalArgumentException.class, () -> new ChainConfiguration(1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new ChainConfiguration(1, 1, 2, 1));
    }

    @Test
    void removalsAndAppendedTailsFollowAndReorderingsDoNot()
    {
        // CR §3: failed members leave, survivors keep their order, new members join at the tail.
        final ChainConfiguration first = new ChainConfiguration(1, 1, 2, 3);
        final ChainConfiguration withoutMiddle = first.without(2);
        final ChainConfiguration joined = withoutMiddle.withTail(4);
        assertEquals(new ChainConfiguration(2, 1, 3), withoutMiddle);
        assertTrue(withoutMiddle.followsFrom(first));
        assertTrue(joined.followsFrom(first), "skipping an epoch keeps the rule");
        assertFalse(new ChainConfiguration(2, 3, 1).followsFrom(first), "survivors reordered");
        assertFalse(new ChainConfiguration(2, 4, 1, 2, 3).followsFrom(first), "a new member before the tail");
        assertFalse(new ChainConfiguration(1, 1, 2).followsFrom(first), "the epoch must grow");
    }
}
