package io.conduit.transport.sim;

/**
 * Counters for one directed link, or for the whole network. A live view: the network updates it as datagrams move,
 * so read it whenever needed and use {@link #copy()} for a snapshot. Every datagram handed to
 * {@link SimNetwork#send} counts once in {@link #sent()}, and every copy that leaves the network counts once in
 * exactly one of delivered, dropped, droppedPartition, droppedQueueFull or droppedTooBig, so at any time
 * {@code sent + duplicated == delivered + dropped + droppedPartition + droppedQueueFull + droppedTooBig +
 * (copies still in flight)}.
 */
public final class LinkStats
{
    private long sent;
    private long sentBytes;
    private long delivered;
    private long deliveredBytes;
    private long dropped;
    private long droppedPartition;
    private long droppedQueueFull;
    private long queuePeakBytes;
    private long droppedTooBig;
    private long duplicated;
    private long reordered;
    private long corrupted;

    /** Datagrams handed to {@link SimNetwork#send}, whatever happened to them. */
    public long sent()
    {
        return sent;
    }

    public long sentBytes()
    {
        return sentBytes;
    }

    /** Copies handed to a {@link DatagramHandler}. */
    public long delivered()
    {
        return delivered;
    }

    public long deliveredBytes()
    {
        return deliveredBytes;
    }

    /** Datagrams lost at random ({@link LinkConfig#lossProbability()}). */
    public long dropped()
    {
        return dropped;
    }

    /** Datagrams sent into a partitioned link, plus copies in flight when their link was partitioned. */
    public long droppedPartition()
    {
        return droppedPartition;
    }

    /** Datagrams refused because the link's backlog would have exceeded {@link LinkConfig#queueLimitBytes()}. */
    /** Datagrams larger than the link's {@link LinkConfig#maxDatagramBytes}, dropped like DF packets at a router. */
    public long droppedTooBig()
    {
        return droppedTooBig;
    }

    public long droppedQueueFull()
    {
        return droppedQueueFull;
    }

    /** The largest backlog a datagram joined at the rate-limited transmitter, itself included, in bytes. */
    public long queuePeakBytes()
    {
        return queuePeakBytes;
    }

    /** Extra copies made by duplication. */
    public long duplicated()
    {
        return duplicated;
    }

    /** Copies given the extra reorder delay (an extra delay of 0 is possible and still counts). */
    public long reordered()
    {
        return reordered;
    }

    /** Copies whose bytes were corrupted when they were made. */
    public long corrupted()
    {
        return corrupted;
    }

    /** A snapshot that no longer changes. */
    public LinkStats copy()
    {
        final LinkStats copy = new LinkStats();
        copy.sent = sent;
        copy.sentBytes = sentBytes;
        copy.delivered = delivered;
        copy.deliveredBytes = deliveredBytes;
        copy.dropped = dropped;
        copy.droppedPartition = droppedPartition;
        copy.droppedQueueFull = droppedQueueFull;
        copy.queuePeakBytes = queuePeakBytes;
        copy.droppedTooBig = droppedTooBig;
        copy.duplicated = duplicated;
        copy.reordered = reordered;
        copy.corrupted = corrupted;
        return copy;
    }

    public String toString()
    {
        return "LinkStats{" +
            "sent=" + sent +
            ", sentBytes=" + sentBytes +
            ", delivered=" + delivered +
            ", deliveredBytes=" + deliveredBytes +
            ", dropped=" + dropped +
            ", droppedPartition=" + droppedPartition +
            ", droppedQueueFull=" + droppedQueueFull +
            ", queuePeakBytes=" + queuePeakBytes +
            ", droppedTooBig=" + droppedTooBig +
            ", duplicated=" + duplicated +
            ", reordered=" + reordered +
            ", corrupted=" + corrupted +
            '}';
    }

    void onSent(final int lengthBytes)
    {
        sent++;
        sentBytes += lengthBytes;
    }

    void onDelivered(final int lengthBytes)
    {
        delivered++;
        deliveredBytes += lengthBytes;
    }

    void onDropped()
    {
        dropped++;
    }

    void onDroppedPartition()
    {
        droppedPartition++;
    }

    void onDroppedQueueFull()
    {
        droppedQueueFull++;
    }

    void onQueued(final long backlogBytes)
    {
        queuePeakBytes = Math.max(queuePeakBytes, backlogBytes);
    }

    void onDroppedTooBig()
    {
        droppedTooBig++;
    }

    void onDuplicated()
    {
        duplicated++;
    }

    void onReordered()
    {
        reordered++;
    }

    void onCorrupted()
    {
        corrupted++;
    }
}
