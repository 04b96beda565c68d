package io.conduit.transport.sim;

import java.util.ArrayList;
import java.util.List;

import org.agrona.DirectBuffer;

/** Test helper: records every delivery (time, from, to, bytes) and drives a network until nothing is in flight. */
final class Deliveries implements DatagramHandler
{
    record Delivery(long timeNs, int fromNode, int toNode, byte[] bytes)
    {
        int id()
        {
            return (bytes[0] & 0xFF) << 24 | (bytes[1] & 0xFF) << 16 | (bytes[2] & 0xFF) << 8 | (bytes[3] & 0xFF);
        }
    }

    private final SimNetwork network;
    final List<Delivery> list = new ArrayList<>();

    Deliveries(final SimNetwork network)
    {
        this.network = network;
    }

    public void onDatagram(
        final int fromNode, final int toNode, final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        list.add(new Delivery(network.nowNs(), fromNode, toNode, bytes));
    }

    /** Advances to each delivery time up to {@code timeNs} in turn, delivering on the way, then to {@code timeNs}. */
    void advanceTo(final long timeNs)
    {
        while (network.nextDeliveryNs() <= timeNs)
        {
            network.advanceTo(Math.max(network.nowNs(), network.nextDeliveryNs()));
            network.deliver(this, Integer.MAX_VALUE);
        }
        network.advanceTo(timeNs);
    }

    /** Advances to each delivery time in turn and delivers until the network is empty. */
    void drain()
    {
        drain(network, this);
    }

    static void drain(final SimNetwork network, final DatagramHandler handler)
    {
        while (network.nextDeliveryNs() != Long.MAX_VALUE)
        {
            network.advanceTo(Math.max(network.nowNs(), network.nextDeliveryNs()));
            network.deliver(handler, Integer.MAX_VALUE);
        }
    }

    Delivery get(final int index)
    {
        return list.get(index);
    }

    int size()
    {
        return list.size();
    }
}
