package io.conduit.transport.engine;

import java.util.SplittableRandom;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.conduit.transport.codec.PacketLayout;
import io.conduit.transport.sim.DatagramHandler;
import io.conduit.transport.sim.SimNetwork;

/**
 * Test harness: endpoint engines on a {@link SimNetwork}, node {@code i} at remote key {@code i}. Time jumps to the
 * earliest deadline or delivery, like quinn's Pair and etcd's network harness, so a test runs as fast as the CPU
 * allows and is reproducible from the network's seed.
 */
public final class SimEndpoints
{
    private final SimNetwork network;
    private final EndpointEngine[] endpoints;
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[PacketLayout.MAX_DATAGRAM_LENGTH]);
    private long steps;
    private DatagramHandler sendTap;
    private boolean verifyTimers = true;

    public SimEndpoints(final SimNetwork network, final EndpointConfig config, final int nodes)
    {
        this.network = network;
        this.endpoints = new EndpointEngine[nodes + 1];
        for (int node = 1; node <= nodes; node++)
        {
            endpoints[node] = new EndpointEngine(config, new SplittableRandom(network.random().nextLong()));
        }
    }

    /** Long bulk runs turn the per-step timer-heap check off: it rescans every window on every step. */
    public void verifyTimers(final boolean verify)
    {
        verifyTimers = verify;
    }

    public SimNetwork network()
    {
        return network;
    }

    public EndpointEngine endpoint(final int node)
    {
        return endpoints[node];
    }

    public long nowNs()
    {
        return network.nowNs();
    }

    /** Sees every datagram an endpoint hands to the network, before any fault or MTU applies; null for none. */
    public void sendTap(final DatagramHandler tap)
    {
        this.sendTap = tap;
    }

    public long steps()
    {
        return steps;
    }

    /** The earliest moment anything is scheduled, or Long.MAX_VALUE when the system is quiescent. */
    public long nextEventNs()
    {
        long next = network.nextDeliveryNs();
        for (int node = 1; node < endpoints.length; node++)
        {
            next = Math.min(next, endpoints[node].nextDeadlineNs());
        }
        return next;
    }

    /** Flushes every endpoint's transmissions at the current time. */
    public void flush()
    {
        final long now = network.nowNs();
        for (int node = 1; node < endpoints.length; node++)
        {
            final EndpointEngine endpoint = endpoints[node];
            int length;
            while ((length = endpoint.pollTransmit(now, out, 0)) > 0)
            {
                final int to = (int)endpoint.transmitRemoteKey();
                if (sendTap != null)
                {
                    sendTap.onDatagram(node, to, out, 0, length);
                }
                network.send(node, to, out, 0, length);
            }
        }
    }

    /**
     * Flushes what is already due, advances to the next event no later than {@code limitNs}, delivers due
     * datagrams, fires due timers and flushes again. Returns false when nothing was scheduled before the limit (time then stands at the limit).
     */
    public boolean step(final long limitNs)
    {
        steps++;
        flush();
        final long next = nextEventNs();
        final long target = Math.min(next, limitNs);
        if (target > network.nowNs())
        {
            network.advanceTo(target);
        }
        final long now = network.nowNs();
        network.deliver(this::deliver, Integer.MAX_VALUE);
        for (int node = 1; node < endpoints.length; node++)
        {
            endpoints[node].onTimer(now);
        }
        flush();
        for (int node = 1; verifyTimers && node < endpoints.length; node++)
        {
            endpoints[node].verifyTimers();
        }
        return next <= limitNs;
    }

    private void deliver(final int from, final int to, final DirectBuffer buffer, final int offset, final int length)
    {
        endpoints[to].onDatagram(network.nowNs(), from, buffer, offset, length);
    }
}
