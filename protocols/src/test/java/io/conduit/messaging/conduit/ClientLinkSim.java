package io.conduit.messaging.conduit;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.conduit.transport.engine.Connection;
import io.conduit.transport.engine.EndpointEngine;
import io.conduit.transport.engine.TimerKind;
import io.conduit.transport.sim.SimNetwork;

/**
 * Test harness on virtual time: members (each a {@link ConduitMessaging} on its own simulated node) and clients
 * (each a bare transport {@link EndpointEngine}, as a client library would drive one) over one seeded
 * {@link SimNetwork}. Sim node ids: members keep their member id, clients take ids from 100 up.
 */
final class ClientLinkSim
{
    static final int FIRST_CLIENT_NODE = 100;

    final SimNetwork network;
    private final SplittableRandom random;
    private final List<ConduitMessaging> members = new ArrayList<>();
    private final List<Client> clients = new ArrayList<>();

    ClientLinkSim(final long seed)
    {
        this.network = new SimNetwork(seed);
        this.random = new SplittableRandom(seed);
    }

    /** Starts member {@code memberId} of the group {@code memberIds}. */
    ConduitMessaging member(final int memberId, final int[] memberIds, final ConduitMessagingConfig config)
    {
        final ConduitMessaging member = new ConduitMessaging(memberId, memberIds, config, new Port(memberId),
            network::nowNs, new SplittableRandom(random.nextLong()));
        members.add(member);
        return member;
    }

    /** A client that connects to {@code memberId} at once; the test decides what its first message is. */
    Client client(final int memberId)
    {
        final Client client = new Client(FIRST_CLIENT_NODE + clients.size(), memberId,
            new SplittableRandom(random.nextLong()));
        clients.add(client);
        return client;
    }

    /** Transmits, advances to the next event (never past {@code limitNs}), delivers, fires timers. */
    void step(final long limitNs)
    {
        transmitAll();
        long next = Math.min(network.nextDeliveryNs(), limitNs);
        for (final ConduitMessaging member : members)
        {
            next = Math.min(next, member.nextDeadlineNs());
        }
        for (final Client client : clients)
        {
            final long deadline = client.engine.nextDeadlineNs();
            next = deadline == TimerKind.NONE ? next : Math.min(next, deadline);
        }
        if (next > network.nowNs())
        {
            network.advanceTo(next);
        }
        final long now = network.nowNs();
        network.deliver((from, to, buffer, offset, length) -> onDatagram(now, from, to, buffer, offset, length),
            Integer.MAX_VALUE);
        for (final Client client : clients)
        {
            if (client.engine.nextDeadlineNs() - now <= 0)
            {
                client.engine.onTimer(now);
            }
            client.drain();
        }
        transmitAll();
    }

    /** Steps for {@code durationNs} of virtual time. */
    void run(final long durationNs)
    {
        final long end = network.nowNs() + durationNs;
        while (network.nowNs() < end)
        {
            step(end);
        }
    }

    private void onDatagram(final long now, final int from, final int to, final DirectBuffer buffer,
        final int offset, final int length)
    {
        for (final ConduitMessaging member : members)
        {
            if (member.localMemberId() == to)
            {
                member.onDatagram(now, from, buffer, offset, length);
            }
        }
        for (final Client client : clients)
        {
            if (client.node == to)
            {
                client.engine.onDatagram(now, from, buffer, offset, length);
            }
        }
    }

    private void transmitAll()
    {
        final long now = network.nowNs();
        for (final ConduitMessaging member : members)
        {
            member.service(now);
            member.transmit(now);
        }
        for (final Client client : clients)
        {
            client.transmit(now);
        }
    }

    /** A bare transport engine with one connection to a member; keeps every message it receives. */
    final class Client
    {
        final int node;
        final EndpointEngine engine;
        final Connection connection;
        final List<byte[]> received = new ArrayList<>();
        private final UnsafeBuffer out = new UnsafeBuffer(new byte[SimNetwork.MAX_DATAGRAM_BYTES]);

        Client(final int node, final int memberId, final SplittableRandom seed)
        {
            this.node = node;
            this.engine = new EndpointEngine(ConduitMessagingConfig.defaultEndpointConfig(), seed);
            this.connection = engine.connect(network.nowNs(), memberId);
        }

        /** Queues a CLIENT_HELLO of this version. */
        long sendHello()
        {
            final UnsafeBuffer hello = new UnsafeBuffer(new byte[ClientHello.LENGTH]);
            ClientHello.encode(hello, 0);
            return send(hello);
        }

        long send(final MutableDirectBuffer message)
        {
            return connection.offer(message, 0, message.capacity());
        }

        long send(final byte[] message)
        {
            return send(new UnsafeBuffer(message));
        }

        /** The member id in the first message received, or -1 when it is not a valid reply. */
        int replyMemberId()
        {
            return received.isEmpty() ? -1 :
                ClientHello.replyMemberId(new UnsafeBuffer(received.get(0)), 0, received.get(0).length);
        }

        void drain()
        {
            connection.pollMessages((buffer, offset, length) ->
            {
                final byte[] copy = new byte[length];
                buffer.getBytes(offset, copy);
                received.add(copy);
                return true;
            }, Integer.MAX_VALUE);
        }

        private void transmit(final long now)
        {
            int length;
            while ((length = engine.pollTransmit(now, out, 0)) > 0)
            {
                network.send(node, (int)engine.transmitRemoteKey(), out, 0, length);
            }
        }
    }

    /** A member's interface on the simulator: the remote key is the sim node id. */
    private final class Port implements DatagramPort
    {
        private final int node;
        private final UnsafeBuffer sendBuffer = new UnsafeBuffer(new byte[SimNetwork.MAX_DATAGRAM_BYTES]);

        Port(final int node)
        {
            this.node = node;
        }

        @Override
        public long remoteKey(final int memberId)
        {
            return memberId;
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
            network.send(node, (int)remoteKey, sendBuffer, 0, length);
            return true;
        }

        @Override
        public void close()
        {
        }
    }
}
