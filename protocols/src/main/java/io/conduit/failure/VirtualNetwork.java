package io.conduit.failure;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.SplittableRandom;

import io.conduit.messaging.MessageHandler;
import io.conduit.messaging.Messaging;
import io.conduit.messaging.PeerEventHandler;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A small in-memory network on a virtual clock for {@link DetectorReport} and the tests: one FIFO queue per directed
 * link, each message lost with a seeded probability or delivered after {@code delayNs} plus a uniform jitter in
 * {@code [0, jitterNs]} (never before the previous message on its link, as a {@link Messaging} promises order). A
 * crashed member's sends vanish and nothing is delivered to it. Not a binding: it reports no link events unless a
 * test injects them, and copies each message into a small array (allocation is fine here, not in the engine).
 */
final class VirtualNetwork
{
    private static final int MAX_MESSAGE_LENGTH = 1024;

    private final int[] memberIds;
    private final Int2IntHashMap indexById;
    private final SplittableRandom random;
    private final Link[][] links;
    private final Endpoint[] endpoints;
    private final boolean[] crashed;
    private double lossProbability;
    private long delayNs;
    private long jitterNs;
    private long nowNs;

    VirtualNetwork(final long seed, final int[] memberIds, final double lossProbability, final long delayNs,
        final long jitterNs)
    {
        this.memberIds = memberIds.clone();
        this.random = new SplittableRandom(seed);
        this.indexById = new Int2IntHashMap(-1);
        this.links = new Link[memberIds.length][memberIds.length];
        this.endpoints = new Endpoint[memberIds.length];
        this.crashed = new boolean[memberIds.length];
        for (int i = 0; i < memberIds.length; i++)
        {
            indexById.put(memberIds[i], i);
            endpoints[i] = new Endpoint(i);
            for (int j = 0; j < memberIds.length; j++)
            {
                links[i][j] = new Link();
            }
        }
        faults(lossProbability, delayNs, jitterNs);
    }

    /** Changes the fault model for messages sent from now on. */
    void faults(final double lossProbability, final long delayNs, final long jitterNs)
    {
        this.lossProbability = lossProbability;
        this.delayNs = delayNs;
        this.jitterNs = jitterNs;
    }

    Messaging endpoint(final int memberId)
    {
        return endpoints[index(memberId)];
    }

    /** The member stops: its queued and in-flight messages, both ways, are dropped, and so is what it sends. */
    void crash(final int memberId)
    {
        final int index = index(memberId);
        crashed[index] = true;
        for (int other = 0; other < memberIds.length; other++)
        {
            links[index][other].clear();
            links[other][index].clear();
        }
        endpoints[index].inbox.clear();
    }

    void restart(final int memberId)
    {
        crashed[index(memberId)] = false;
    }

    boolean isCrashed(final int memberId)
    {
        return crashed[index(memberId)];
    }

    /** Queues a link event for the member's {@code pollPeerEvents}: as if its link to {@code peerId} changed. */
    void injectPeerEvent(final int memberId, final int peerId, final boolean up)
    {
        endpoints[index(memberId)].peerEvents.add(up ? peerId : -peerId);
    }

    /** Moves every message due by {@code nowNs} into its receiver's inbox. */
    void advanceTo(final long nowNs)
    {
        this.nowNs = nowNs;
        for (int from = 0; from < memberIds.length; from++)
        {
            for (int to = 0; to < memberIds.length; to++)
            {
                final ArrayDeque<InFlight> queue = links[from][to].queue;
                while (!queue.isEmpty() && queue.peekFirst().deliverNs - nowNs <= 0)
                {
                    final InFlight inFlight = queue.pollFirst();
                    if (!crashed[to])
                    {
                        endpoints[to].inbox.add(inFlight);
                    }
                }
            }
        }
    }

    /** The earliest time a message in flight becomes due, or {@link Long#MAX_VALUE}. */
    long nextDeliveryNs()
    {
        long earliestNs = Long.MAX_VALUE;
        for (final Link[] row : links)
        {
            for (final Link link : row)
            {
                if (!link.queue.isEmpty())
                {
                    earliestNs = Math.min(earliestNs, link.queue.peekFirst().deliverNs);
                }
            }
        }
        return earliestNs;
    }

    private int index(final int memberId)
    {
        final int index = indexById.get(memberId);
        if (index == -1)
        {
            throw new IllegalArgumentException("no member " + memberId + " in " + Arrays.toString(memberIds));
        }
        return index;
    }

    private static final class InFlight
    {
        final int fromMemberId;
        final long deliverNs;
        final UnsafeBuffer bytes;

        InFlight(final int fromMemberId, final long deliverNs, final UnsafeBuffer bytes)
        {
            this.fromMemberId = fromMemberId;
            this.deliverNs = deliverNs;
            this.bytes = bytes;
        }
    }

    private static final class Link
    {
        final ArrayDeque<InFlight> queue = new ArrayDeque<>();
        long lastDeliverNs = Long.MIN_VALUE;

        void clear()
        {
            queue.clear();
        }
    }

    private final class Endpoint implements Messaging
    {
        final int index;
        final ArrayDeque<InFlight> inbox = new ArrayDeque<>();
        final ArrayDeque<Integer> peerEvents = new ArrayDeque<>();

        Endpoint(final int index)
        {
            this.index = index;
        }

        @Override
        public int localMemberId()
        {
            return memberIds[index];
        }

        @Override
        public long send(final int memberId, final DirectBuffer buffer, final int offset, final int length)
        {
            final int to = indexById.get(memberId);
            if (to == -1 || to == index)
            {
                return UNKNOWN_MEMBER;
            }
            if (length > MAX_MESSAGE_LENGTH)
            {
                return MESSAGE_TOO_LARGE;
            }
            if (crashed[index] || crashed[to])
            {
                // A crashed sender sends nothing; to a crashed receiver the message is simply lost, as over UDP.
                return length;
            }
            // Draw both numbers for every message so the random stream does not depend on which were lost.
            final boolean lost = random.nextDouble() < lossProbability;
            final long extraNs = jitterNs > 0 ? random.nextLong(jitterNs + 1) : 0;
            if (!lost)
            {
                final Link link = links[index][to];
                final long deliverNs = Math.max(nowNs + delayNs + extraNs, link.lastDeliverNs);
                link.lastDeliverNs = deliverNs;
                final byte[] copy = new byte[length];
                buffer.getBytes(offset, copy);
                link.queue.add(new InFlight(memberIds[index], deliverNs, new UnsafeBuffer(copy)));
            }
            return length;
        }

        @Override
        public int poll(final MessageHandler handler, final int limit)
        {
            int count = 0;
            while (count < limit && !inbox.isEmpty())
            {
                final InFlight inFlight = inbox.pollFirst();
                handler.onMessage(inFlight.fromMemberId, inFlight.bytes, 0, inFlight.bytes.capacity());
                count++;
            }
            return count;
        }

        @Override
        public int pollPeerEvents(final PeerEventHandler handler, final int limit)
        {
            int count = 0;
            while (count < limit && !peerEvents.isEmpty())
            {
                final int event = peerEvents.pollFirst();
                if (event > 0)
                {
                    handler.onPeerUp(event);
                }
                else
                {
                    handler.onPeerDown(-event);
                }
                count++;
            }
            return count;
        }

        @Override
        public boolean isConnected(final int memberId)
        {
            final int to = indexById.get(memberId);
            return to != -1 && to != index && !crashed[to];
        }

        @Override
        public int doWork()
        {
            return 0;
        }

        @Override
        public int maxMessageLength()
        {
            return MAX_MESSAGE_LENGTH;
        }

        @Override
        public void close()
        {
            crash(memberIds[index]);
        }
    }
}
