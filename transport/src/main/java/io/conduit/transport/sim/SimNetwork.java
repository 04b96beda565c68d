package io.conduit.transport.sim;

import java.util.Arrays;
import java.util.Objects;

import org.agrona.DirectBuffer;
import org.agrona.collections.IntHashSet;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A deterministic datagram network between integer node ids, in virtual time. Pure: no threads and no clock; time
 * moves only through {@link #advanceTo}, and every random choice comes from the run's {@link SimRandom}, so the same
 * seed and the same sequence of calls give exactly the same deliveries (bytes, times and order).
 *
 * <p>A datagram passes through its directed link in this order, with every draw made when it is sent:
 * partition check, drop-tail queue check and serialization at the link's bandwidth, random loss, then one copy
 * (two when duplicated), each with its own delay, jitter, reorder delay and corruption. Links are FIFO except for
 * copies picked for reordering; copies due at the same time are delivered in send order. A copy still in flight when
 * its link is partitioned is dropped at delivery time.
 *
 * <p>Hot path: in-flight datagrams live in a pool of reusable slots ordered by a primitive binary heap, so sending and
 * delivering allocate nothing once the pool and slot buffers have grown to the run's peak. Not thread-safe.
 */
public final class SimNetwork
{
    /** The largest datagram accepted, the UDP payload limit. */
    public static final int MAX_DATAGRAM_BYTES = InFlightQueue.MAX_DATAGRAM_BYTES;

    private static final int MAX_CORRUPT_BITS = 3;

    private final long seed;
    private final SimRandom random;
    private final SimRandom faultRandom;
    private final LinkConfig defaultLink = new LinkConfig();
    private final Long2ObjectHashMap<Link> linksByKey = new Long2ObjectHashMap<>();
    private final IntHashSet isolatedNodes = new IntHashSet();
    private final InFlightQueue inFlight = new InFlightQueue();
    private final LinkStats totals = new LinkStats();
    private final UnsafeBuffer deliveryBuffer = new UnsafeBuffer();
    private final int[] corruptBitPositions = new int[MAX_CORRUPT_BITS];
    private Link[] links = new Link[16];
    private int linkCount;
    private long nowNs;
    private long nextSequence;
    private boolean delivering;

    public SimNetwork(final long seed)
    {
        this.seed = seed;
        this.random = new SimRandom(seed);
        // Split once, up front, so tests drawing workload values from random() never shift the network's faults.
        this.faultRandom = random.split();
    }

    public long seed()
    {
        return seed;
    }

    /** The root of the run's random tree: draw workload randomness from it (or from its splits). */
    public SimRandom random()
    {
        return random;
    }

    public long nowNs()
    {
        return nowNs;
    }

    /** Moves virtual time forward; staying at the same time is allowed, going back is not. */
    public void advanceTo(final long timeNs)
    {
        if (delivering)
        {
            throw new IllegalStateException("advanceTo() called from a DatagramHandler");
        }
        if (timeNs < nowNs)
        {
            throw new IllegalArgumentException("time cannot go back: nowNs=" + nowNs + " timeNs=" + timeNs);
        }
        nowNs = timeNs;
    }

    /** The template copied into each link when it is created; changing it does not affect existing links. */
    public LinkConfig defaultLink()
    {
        return defaultLink;
    }

    /** The live, mutable config of the directed link, created from {@link #defaultLink()} on first use. */
    public LinkConfig link(final int fromNode, final int toNode)
    {
        return linkFor(fromNode, toNode).config;
    }

    /**
     * Hands a datagram to the network at {@link #nowNs()}. The bytes are copied, so the caller may reuse its buffer
     * at once; corruption only ever alters the network's copies.
     */
    public void send(
        final int fromNode, final int toNode, final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < 0 || length > MAX_DATAGRAM_BYTES)
        {
            throw new IllegalArgumentException("length must be in [0, " + MAX_DATAGRAM_BYTES + "]: " + length);
        }
        final Link link = linkFor(fromNode, toNode);
        final LinkConfig config = link.config;
        link.stats.onSent(length);
        totals.onSent(length);

        if (link.partitioned)
        {
            link.stats.onDroppedPartition();
            totals.onDroppedPartition();
            return;
        }

        if (config.maxDatagramBytes() > 0 && length > config.maxDatagramBytes())
        {
            link.stats.onDroppedTooBig();
            totals.onDroppedTooBig();
            return;
        }

        long departureNs = nowNs;
        if (config.bandwidthBytesPerSecond() > 0)
        {
            final long queueLimitBytes = config.queueLimitBytes();
            final long backlogBytes = config.backlogBytes(link.busyUntilNs - nowNs);
            if (queueLimitBytes > 0 && backlogBytes > queueLimitBytes - length)
            {
                link.stats.onDroppedQueueFull();
                totals.onDroppedQueueFull();
                return;
            }
            link.stats.onQueued(backlogBytes + length);
            // The transmitter sends one datagram at a time: this one starts when everything before it has left.
            final long startNs = Math.max(nowNs, link.busyUntilNs);
            link.busyUntilNs = saturatingAdd(startNs, config.serializationNs(length));
            departureNs = link.busyUntilNs;
        }

        // Loss happens on the wire, after serialization, so a lost datagram still used the link's bandwidth.
        if (config.lossProbability() > 0 && faultRandom.nextBoolean(config.lossProbability()))
        {
            link.stats.onDropped();
            totals.onDropped();
            return;
        }

        enqueueCopy(link, departureNs, buffer, offset, length);
        if (config.duplicateProbability() > 0 && faultRandom.nextBoolean(config.duplicateProbability()))
        {
            link.stats.onDuplicated();
            totals.onDuplicated();
            enqueueCopy(link, departureNs, buffer, offset, length);
        }
    }

    /** Delivery time of the earliest datagram in flight, or {@link Long#MAX_VALUE} when nothing is in flight. */
    public long nextDeliveryNs()
    {
        return inFlight.peekDeliveryNs();
    }

    /** Copies in flight, including any that a partition will drop when they come due. */
    public int inFlight()
    {
        return inFlight.size();
    }

    /**
     * Delivers every datagram due at or before {@link #nowNs()}, in (delivery time, send order) order, stopping after
     * {@code limit} handler calls; returns the number delivered. Datagrams that the handler sends and that are already
     * due are delivered in the same call. The buffer is valid only during the handler call.
     */
    public int deliver(final DatagramHandler handler, final int limit)
    {
        Objects.requireNonNull(handler, "handler");
        if (limit < 0)
        {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
        if (delivering)
        {
            throw new IllegalStateException("deliver() called from a DatagramHandler");
        }
        delivering = true;
        int deliveredCount = 0;
        try
        {
            while (deliveredCount < limit && inFlight.size() > 0 && inFlight.peekDeliveryNs() <= nowNs)
            {
                // Popped before the handler runs and released after, so a re-entrant send() never reuses this slot.
                final int slot = inFlight.poll();
                try
                {
                    final Link link = links[inFlight.linkIndex(slot)];
                    final int length = inFlight.lengthBytes(slot);
                    if (link.partitioned)
                    {
                        link.stats.onDroppedPartition();
                        totals.onDroppedPartition();
                    }
                    else
                    {
                        link.stats.onDelivered(length);
                        totals.onDelivered(length);
                        deliveredCount++;
                        deliveryBuffer.wrap(inFlight.bytes(slot), 0, length);
                        handler.onDatagram(link.fromNode, link.toNode, deliveryBuffer, 0, length);
                    }
                }
                finally
                {
                    inFlight.release(slot);
                }
            }
        }
        finally
        {
            delivering = false;
        }
        return deliveredCount;
    }

    /** Both directions between {@code a} and {@code b} drop everything, including copies already in flight. */
    public void partition(final int a, final int b)
    {
        linkFor(a, b).partitioned = true;
        linkFor(b, a).partitioned = true;
    }

    public void partitionOneWay(final int fromNode, final int toNode)
    {
        linkFor(fromNode, toNode).partitioned = true;
    }

    /** Reconnects both directions between {@code a} and {@code b}, even if one of them is isolated. */
    public void heal(final int a, final int b)
    {
        linkFor(a, b).partitioned = false;
        linkFor(b, a).partitioned = false;
    }

    /** Reconnects every link and ends every isolation. */
    public void healAll()
    {
        isolatedNodes.clear();
        for (int i = 0; i < linkCount; i++)
        {
            links[i].partitioned = false;
        }
    }

    /** Partitions {@code node} from every node, in both directions, including links created later. */
    public void isolate(final int node)
    {
        isolatedNodes.add(node);
        for (int i = 0; i < linkCount; i++)
        {
            if (links[i].touches(node))
            {
                links[i].partitioned = true;
            }
        }
    }

    /**
     * Ends the isolation of {@code node}: every link touching it is reconnected, except links to nodes that are still
     * isolated. This also heals pairwise partitions touching {@code node}.
     */
    public void rejoin(final int node)
    {
        isolatedNodes.remove(node);
        for (int i = 0; i < linkCount; i++)
        {
            final Link link = links[i];
            if (link.touches(node) && !isolatedNodes.contains(link.fromNode) && !isolatedNodes.contains(link.toNode))
            {
                link.partitioned = false;
            }
        }
    }

    /** Whether the directed link currently drops everything; creates the link on first use like {@link #link}. */
    public boolean isPartitioned(final int fromNode, final int toNode)
    {
        return linkFor(fromNode, toNode).partitioned;
    }

    /** Live counters of the directed link, created from {@link #defaultLink()} on first use. */
    public LinkStats stats(final int fromNode, final int toNode)
    {
        return linkFor(fromNode, toNode).stats;
    }

    /** Live counters summed over every link. */
    public LinkStats totals()
    {
        return totals;
    }

    private void enqueueCopy(
        final Link link, final long departureNs, final DirectBuffer buffer, final int offset, final int length)
    {
        final LinkConfig config = link.config;
        long deliveryNs = saturatingAdd(departureNs, config.delayNs());
        if (config.jitterNs() > 0)
        {
            deliveryNs = saturatingAdd(deliveryNs, faultRandom.nextLongInclusive(config.jitterNs()));
        }

        if (config.reorderProbability() > 0 && faultRandom.nextBoolean(config.reorderProbability()))
        {
            link.stats.onReordered();
            totals.onReordered();
            if (config.reorderDelayNs() > 0)
            {
                deliveryNs = saturatingAdd(deliveryNs, faultRandom.nextLongInclusive(config.reorderDelayNs()));
            }
        }
        else
        {
            // In-order copies never overtake earlier ones, so jitter alone does not reorder the link.
            deliveryNs = Math.max(deliveryNs, link.lastInOrderDeliveryNs);
            link.lastInOrderDeliveryNs = deliveryNs;
        }

        final int slot = inFlight.add(
            deliveryNs, nextSequence++, link.fromNode, link.toNode, link.index, buffer, offset, length);

        if (length > 0 && config.corruptProbability() > 0 && faultRandom.nextBoolean(config.corruptProbability()))
        {
            corrupt(inFlight.bytes(slot), length);
            link.stats.onCorrupted();
            totals.onCorrupted();
        }
    }

    /** Flips 1 to 3 distinct bits, so the copy always differs from what was sent. */
    private void corrupt(final byte[] bytes, final int length)
    {
        final int bitCount = length * Byte.SIZE;
        final int flips = Math.min(1 + faultRandom.nextInt(MAX_CORRUPT_BITS), bitCount);
        for (int i = 0; i < flips; i++)
        {
            int position;
            do
            {
                position = faultRandom.nextInt(bitCount);
            }
            while (alreadyChosen(position, i));
            corruptBitPositions[i] = position;
            bytes[position >>> 3] ^= (byte)(1 << (position & 7));
        }
    }

    private boolean alreadyChosen(final int position, final int chosenCount)
    {
        for (int i = 0; i < chosenCount; i++)
        {
            if (corruptBitPositions[i] == position)
            {
                return true;
            }
        }
        return false;
    }

    private Link linkFor(final int fromNode, final int toNode)
    {
        final long key = ((long)fromNode << 32) | (toNode & 0xFFFF_FFFFL);
        Link link = linksByKey.get(key);
        if (link == null)
        {
            final boolean partitioned = isolatedNodes.contains(fromNode) || isolatedNodes.contains(toNode);
            link = new Link(linkCount, fromNode, toNode, defaultLink.copy(), partitioned);
            if (linkCount == links.length)
            {
                links = Arrays.copyOf(links, linkCount * 2);
            }
            links[linkCount++] = link;
            linksByKey.put(key, link);
        }
        return link;
    }

    private static long saturatingAdd(final long a, final long b)
    {
        final long sum = a + b;
        // Both operands are non-negative here, so overflow shows up as a negative sum.
        return sum < 0 ? Long.MAX_VALUE : sum;
    }
}
