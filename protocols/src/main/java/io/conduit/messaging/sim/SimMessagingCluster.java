package io.conduit.messaging.sim;

import java.util.SplittableRandom;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.conduit.messaging.conduit.ConduitMessaging;
import io.conduit.messaging.conduit.ConduitMessagingConfig;
import io.conduit.messaging.conduit.DatagramPort;
import io.conduit.transport.sim.SimNetwork;

/**
 * Members 1..n, each a {@link ConduitMessaging} whose datagrams travel over one seeded {@link SimNetwork}. Time is
 * virtual and jumps to the next event, so minutes of protocol time run in milliseconds and a seed replays a run
 * exactly. The test drives it: {@link #step} moves time forward and delivers, then the test lets each member's
 * protocol poll and send; {@link #crash} and {@link #restart} model a process dying abruptly and coming back.
 */
public final class SimMessagingCluster
{
    private final SimNetwork network;
    private final ConduitMessagingConfig config;
    private final int[] memberIds;
    private final ConduitMessaging[] nodes;
    private final SplittableRandom random;

    public SimMessagingCluster(final long seed, final int size, final ConduitMessagingConfig config)
    {
        this.network = new SimNetwork(seed);
        this.config = config;
        this.random = new SplittableRandom(seed ^ 0x5DEECE66DL);
        this.memberIds = new int[size];
        this.nodes = new ConduitMessaging[size + 1];
        for (int i = 0; i < size; i++)
        {
            memberIds[i] = i + 1;
        }
        for (int member = 1; member <= size; member++)
        {
            nodes[member] = start(member);
        }
    }

    public SimNetwork network()
    {
        return network;
    }

    public long nowNs()
    {
        return network.nowNs();
    }

    public int size()
    {
        return memberIds.length;
    }

    /** The member's messaging, or null while it is crashed. */
    public ConduitMessaging node(final int memberId)
    {
        return nodes[memberId];
    }

    /** The member's process dies: nothing more is sent or received, and no goodbye reaches the peers. */
    public void crash(final int memberId)
    {
        final ConduitMessaging node = nodes[memberId];
        if (node != null)
        {
            node.close();
            nodes[memberId] = null;
        }
    }

    /** A fresh process for the member (new connection ids, empty state), at the same address. */
    public ConduitMessaging restart(final int memberId)
    {
        crash(memberId);
        nodes[memberId] = start(memberId);
        return nodes[memberId];
    }

    /** The earliest moment anything is scheduled: a delivery, a timer or a reconnect. */
    public long nextEventNs()
    {
        long next = network.nextDeliveryNs();
        for (int member = 1; member < nodes.length; member++)
        {
            if (nodes[member] != null)
            {
                next = Math.min(next, nodes[member].nextDeadlineNs());
            }
        }
        return next;
    }

    /**
     * Sends what every member has queued, advances virtual time to the next event (never past {@code limitNs}),
     * delivers what is due, fires timers and sends again. The caller then lets each member's protocol run.
     */
    public void step(final long limitNs)
    {
        transmitAll();
        final long target = Math.min(nextEventNs(), limitNs);
        if (target > network.nowNs())
        {
            network.advanceTo(target);
        }
        final long now = network.nowNs();
        network.deliver((from, to, buffer, offset, length) ->
        {
            final ConduitMessaging node = nodes[to];
            if (node != null)
            {
                node.onDatagram(now, from, buffer, offset, length);
            }
        }, Integer.MAX_VALUE);
        for (int member = 1; member < nodes.length; member++)
        {
            if (nodes[member] != null)
            {
                nodes[member].service(now);
            }
        }
        transmitAll();
    }

    /** Sends what every live member has queued, at the current virtual time. */
    public void transmitAll()
    {
        final long now = network.nowNs();
        for (int member = 1; member < nodes.length; member++)
        {
            if (nodes[member] != null)
            {
                nodes[member].service(now);
                nodes[member].transmit(now);
            }
        }
    }

    private ConduitMessaging start(final int memberId)
    {
        return new ConduitMessaging(memberId, memberIds, config, new SimPort(memberId), network::nowNs,
            new SplittableRandom(random.nextLong()));
    }

    /** A member's network interface on the simulator: the remote key is the member id. */
    private final class SimPort implements DatagramPort
    {
        private final int memberId;
        private final UnsafeBuffer sendBuffer = new UnsafeBuffer(new byte[SimNetwork.MAX_DATAGRAM_BYTES]);

        SimPort(final int memberId)
        {
            this.memberId = memberId;
        }

        @Override
        public long remoteKey(final int member)
        {
            return member;
        }

        @Override
        public int receive(final ConduitMessaging messaging, final long nowNs, final int limit)
        {
            return 0;
        }

        @Override
        public MutableDirectBuffer sendBuffer()
        {
            return sendBuffer;
        }

        @Override
        public boolean send(final long remoteKey, final int length)
        {
            network.send(memberId, (int)remoteKey, sendBuffer, 0, length);
            return true;
        }

        @Override
        public void close()
        {
        }
    }
}
