package io.conduit.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import io.conduit.kv.KvCommandFlyweight;
import io.conduit.kv.KvConfig;
import io.conduit.kv.KvRequestFlyweight;
import io.conduit.kv.KvResponseFlyweight;
import io.conduit.kv.KvStateMachine;
import io.conduit.messaging.Members;
import io.conduit.messaging.conduit.ClientLinkHandler;
import io.conduit.messaging.conduit.ConduitMessaging;
import io.conduit.messaging.conduit.ConduitMessagingConfig;
import io.conduit.messaging.conduit.UdpDatagramPort;

/**
 * Test double of a cluster: single-member {@link ConduitMessaging} nodes with client links on loopback UDP, all
 * applying to one shared {@link KvStateMachine} (replication reduced to "there is one log"), driven by one thread.
 * Each node can be told to answer NOT_LEADER with a hint, to apply a request and drop its response, or to apply it
 * and then reset the client's link, so a client's retries can be checked against the store's sessions.
 */
final class FakeKvCluster implements AutoCloseable
{
    private static final long TERM = 1;

    private final KvStateMachine store = new KvStateMachine(KvConfig.DEFAULT);
    private final List<Node> nodes = new ArrayList<>();
    private final Members members;
    private final Thread thread;
    private volatile boolean running = true;
    private long index;

    /** Starts members {@code 1..size}; those listed in {@code dead} get an address but no process. */
    FakeKvCluster(final int size, final int... dead) throws IOException
    {
        members = io.conduit.messaging.MessagingConformanceTest.loopbackMembers(size);
        for (int id = 1; id <= size; id++)
        {
            final int member = id;
            final boolean alive = java.util.Arrays.stream(dead).noneMatch(d -> d == member);
            nodes.add(alive ? new Node(member) : null);
        }
        thread = new Thread(this::run, "fake-kv-cluster");
        thread.setDaemon(true);
        thread.start();
    }

    /** Every member's address, in member order, for the client. */
    List<InetSocketAddress> addresses()
    {
        final List<InetSocketAddress> addresses = new ArrayList<>();
        for (final Map.Entry<Integer, InetSocketAddress> entry : members.addresses().entrySet())
        {
            addresses.add(entry.getValue());
        }
        return addresses;
    }

    Node node(final int memberId)
    {
        return nodes.get(memberId - 1);
    }

    /** The stored value (a copy), read on the cluster's own thread's store under its lock. */
    String value(final String key)
    {
        synchronized (store)
        {
            final byte[] value = store.read(key.getBytes());
            return value == null ? null : new String(value);
        }
    }

    long appliedIndex()
    {
        synchronized (store)
        {
            return store.appliedIndex();
        }
    }

    @Override
    public void close() throws InterruptedException
    {
        running = false;
        thread.join(TimeUnit.SECONDS.toMillis(10));
    }

    private void run()
    {
        final IdleStrategy idle = new BackoffIdleStrategy(100, 10, 1_000, 100_000);
        while (running)
        {
            int work = 0;
            for (final Node node : nodes)
            {
                work += node == null ? 0 : node.doWork();
            }
            idle.idle(work);
        }
        for (final Node node : nodes)
        {
            if (node != null)
            {
                node.messaging.close();
            }
        }
    }

    /** One member: answers, or misbehaves as told. Control fields are set by the test thread. */
    final class Node implements ClientLinkHandler
    {
        final ConduitMessaging messaging;
        final AtomicInteger requests = new AtomicInteger();
        final AtomicInteger dropResponses = new AtomicInteger();
        final AtomicInteger resetAfterApply = new AtomicInteger();
        /** Every response the store produced here, sent or not, in order. */
        final List<byte[]> responses = new CopyOnWriteArrayList<>();
        volatile long notLeaderHint = -1;
        private final KvRequestFlyweight request = new KvRequestFlyweight();
        private final UnsafeBuffer command = new UnsafeBuffer(new byte[KvCommandFlyweight.maxLength(KvConfig.DEFAULT)]);
        private final UnsafeBuffer out = new UnsafeBuffer(new byte[KvResponseFlyweight.maxLength(KvConfig.DEFAULT)]);

        Node(final int memberId) throws IOException
        {
            messaging = new ConduitMessaging(memberId, new int[]{memberId},
                new ConduitMessagingConfig().maxClientLinks(16), new UdpDatagramPort(members, memberId),
                System::nanoTime, new SplittableRandom(memberId));
        }

        int doWork()
        {
            return messaging.doWork() + messaging.pollClients(this, 16);
        }

        @Override
        public void onClientMessage(final long linkId, final DirectBuffer buffer, final int offset, final int length)
        {
            requests.incrementAndGet();
            int responseLength;
            if (request.wrap(buffer, offset, length).validate(KvConfig.DEFAULT) < 0)
            {
                responseLength = KvResponseFlyweight.encodeError(out, 0, 0, 0, 0, "malformed request");
            }
            else if (notLeaderHint >= 0)
            {
                responseLength = KvResponseFlyweight.encodeNotLeader(out, 0, request.clientId(), request.sequence(),
                    notLeaderHint);
            }
            else
            {
                // What a leader does: stamp the request into a command, commit it, apply it.
                final int commandLength = KvCommandFlyweight.encode(command, 0, TERM, System.nanoTime(), buffer,
                    offset, length);
                synchronized (store)
                {
                    responseLength = store.apply(++index, TERM, command, 0, commandLength, out, 0);
                }
                final byte[] copy = new byte[responseLength];
                out.getBytes(0, copy);
                responses.add(copy);
                if (resetAfterApply.getAndUpdate(n -> Math.max(0, n - 1)) > 0)
                {
                    messaging.closeClientLink(linkId);
                    return;
                }
                if (dropResponses.getAndUpdate(n -> Math.max(0, n - 1)) > 0)
                {
                    return;
                }
            }
            messaging.sendToClient(linkId, out, 0, responseLength);
        }

        @Override
        public void onClientLinkClosed(final long linkId)
        {
        }
    }
}
