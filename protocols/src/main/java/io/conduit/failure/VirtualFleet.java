package io.conduit.failure;

import java.util.ArrayList;
import java.util.List;

/**
 * Members 1..n, each a {@link FailureDetectorNode} on a {@link VirtualNetwork}, driven on one virtual clock that jumps
 * to the earliest of the next delivery and the nodes' deadlines. A crashed member is not driven at all (the process
 * is gone); a restarted one is a fresh node, as after a process restart. For {@link DetectorReport} and the tests.
 */
final class VirtualFleet
{
    /** Hears every state change on every live node, tagged with the observing member. */
    @FunctionalInterface
    interface Observer
    {
        void onStateChange(int observerId, int memberId, MemberState from, MemberState to, long nowNs);
    }

    private final int[] memberIds;
    private final FailureDetectorConfig config;
    private final VirtualNetwork network;
    private final FailureDetectorNode[] nodes;
    private final List<Observer> observers = new ArrayList<>();
    private long nowNs;

    VirtualFleet(final long seed, final int size, final FailureDetectorConfig config, final double lossProbability,
        final long delayNs, final long jitterNs, final long startNs)
    {
        this.memberIds = new int[size];
        for (int i = 0; i < size; i++)
        {
            memberIds[i] = i + 1;
        }
        this.config = config;
        this.network = new VirtualNetwork(seed, memberIds, lossProbability, delayNs, jitterNs);
        this.nodes = new FailureDetectorNode[size];
        this.nowNs = startNs;
        network.advanceTo(startNs);
        for (final int memberId : memberIds)
        {
            nodes[memberId - 1] = newNode(memberId);
        }
    }

    void addObserver(final Observer observer)
    {
        observers.add(observer);
    }

    FailureDetectorNode node(final int memberId)
    {
        return nodes[memberId - 1];
    }

    VirtualNetwork network()
    {
        return network;
    }

    long nowNs()
    {
        return nowNs;
    }

    int size()
    {
        return memberIds.length;
    }

    void crash(final int memberId)
    {
        network.crash(memberId);
        nodes[memberId - 1] = null;
    }

    /** Brings a crashed member back as a fresh node starting now. */
    void restart(final int memberId)
    {
        network.restart(memberId);
        nodes[memberId - 1] = newNode(memberId);
    }

    /** Runs every live node until the clock reaches {@code endNs}. */
    void runUntil(final long endNs)
    {
        while (true)
        {
            long nextNs = Math.min(endNs, network.nextDeliveryNs());
            for (final FailureDetectorNode node : nodes)
            {
                if (node != null)
                {
                    nextNs = Math.min(nextNs, node.nextDeadlineNs());
                }
            }
            nowNs = Math.max(nowNs, nextNs);
            network.advanceTo(nowNs);
            for (final FailureDetectorNode node : nodes)
            {
                if (node != null)
                {
                    node.doWork(nowNs);
                }
            }
            if (nowNs >= endNs && network.nextDeliveryNs() > nowNs)
            {
                return;
            }
        }
    }

    private FailureDetectorNode newNode(final int memberId)
    {
        final FailureDetectorNode node = new FailureDetectorNode(memberId, memberIds, config,
            network.endpoint(memberId));
        node.view().addListener((peerId, from, to, atNs) ->
        {
            for (int i = 0; i < observers.size(); i++)
            {
                observers.get(i).onStateChange(memberId, peerId, from, to, atNs);
            }
        });
        node.start(nowNs);
        return node;
    }
}
