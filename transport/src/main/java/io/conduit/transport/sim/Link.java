package io.conduit.transport.sim;

/** The state of one directed link: its config, counters, partition flag and the timing that keeps it FIFO. */
final class Link
{
    final int index;
    final int fromNode;
    final int toNode;
    final LinkConfig config;
    final LinkStats stats = new LinkStats();
    boolean partitioned;
    /** When the transmitter finishes serializing everything accepted so far (bandwidth-limited links only). */
    long busyUntilNs;
    /** Latest delivery time given to an in-order copy: later in-order copies are never scheduled before it. */
    long lastInOrderDeliveryNs;

    Link(final int index, final int fromNode, final int toNode, final LinkConfig config, final boolean partitioned)
    {
        this.index = index;
        this.fromNode = fromNode;
        this.toNode = toNode;
        this.config = config;
        this.partitioned = partitioned;
    }

    boolean touches(final int node)
    {
        return fromNode == node || toNode == node;
    }
}
