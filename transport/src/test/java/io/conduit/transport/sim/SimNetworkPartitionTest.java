package io.conduit.transport.sim;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimNetworkPartitionTest
{
    private final SimNetwork network = new SimNetwork(3);
    private final Deliveries deliveries = new Deliveries(network);
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[16]);

    @Test
    void twoWayPartitionDropsBothDirectionsUntilHealed()
    {
        network.partition(1, 2);
        assertFalse(delivers(1, 2));
        assertFalse(delivers(2, 1));
        assertTrue(delivers(1, 3), "other links are unaffected");
        assertEquals(1, network.stats(1, 2).droppedPartition());
        assertEquals(1, network.stats(2, 1).droppedPartition());
        assertEquals(2, network.totals().droppedPartition());

        network.heal(1, 2);
        assertTrue(delivers(1, 2));
        assertTrue(delivers(2, 1));
    }

    @Test
    void oneWayPartitionDropsOnlyThatDirection()
    {
        network.partitionOneWay(1, 2);
        assertTrue(network.isPartitioned(1, 2));
        assertFalse(network.isPartitioned(2, 1));
        assertFalse(delivers(1, 2));
        assertTrue(delivers(2, 1));

        network.heal(2, 1);
        assertTrue(delivers(1, 2), "heal reconnects both directions whatever order the nodes are given in");
    }

    @Test
    void datagramsInFlightAreDroppedWhenTheirLinkIsPartitionedAtDeliveryTime()
    {
        network.link(1, 2).delayNs(1_000);
        send(1, 2);
        send(1, 2);
        network.partition(1, 2);
        deliveries.drain();
        assertEquals(0, deliveries.size());
        assertEquals(2, network.stats(1, 2).droppedPartition());
        SimNetworkFaultRatesTest.assertConserved(network, network.stats(1, 2));

        network.link(1, 3).delayNs(1_000);
        send(1, 3);
        network.partition(1, 3);
        network.heal(1, 3);
        deliveries.drain();
        assertEquals(1, deliveries.size(), "a partition healed before delivery never touched the datagram");
    }

    @Test
    void isolateCutsExistingAndFutureLinksOfTheNode()
    {
        assertTrue(delivers(1, 2));
        network.isolate(1);
        assertFalse(delivers(1, 2));
        assertFalse(delivers(2, 1));
        assertFalse(delivers(1, 7), "a link created after the isolation is cut too");
        assertFalse(delivers(8, 1));
        assertTrue(delivers(2, 3), "links between other nodes are unaffected");

        network.heal(1, 2);
        assertTrue(delivers(1, 2), "heal(a, b) reconnects that pair even while a is isolated");
        assertTrue(delivers(2, 1));
        assertFalse(delivers(1, 7));
        assertFalse(delivers(1, 9));
    }

    @Test
    void rejoinReconnectsTheNodeExceptToOtherIsolatedNodes()
    {
        network.isolate(1);
        network.isolate(2);
        assertFalse(delivers(1, 3));
        network.rejoin(1);
        assertTrue(delivers(1, 3));
        assertTrue(delivers(4, 1), "links created after rejoining are connected");
        assertFalse(delivers(1, 2), "node 2 is still isolated");
        assertFalse(delivers(2, 1));
        assertFalse(delivers(2, 5));
    }

    @Test
    void healAllReconnectsEverythingAndEndsIsolation()
    {
        network.partition(1, 2);
        network.partitionOneWay(3, 4);
        network.isolate(5);
        network.healAll();
        assertTrue(delivers(1, 2));
        assertTrue(delivers(2, 1));
        assertTrue(delivers(3, 4));
        assertTrue(delivers(5, 6));
        assertTrue(delivers(9, 5), "isolation no longer applies to new links");
    }

    /** Sends one datagram and reports whether it arrived. */
    private boolean delivers(final int from, final int to)
    {
        final int before = deliveries.size();
        send(from, to);
        deliveries.drain();
        return deliveries.size() == before + 1;
    }

    private void send(final int from, final int to)
    {
        network.send(from, to, payload, 0, payload.capacity());
    }
}
