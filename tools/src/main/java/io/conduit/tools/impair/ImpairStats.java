package io.conduit.tools.impair;

/**
 * Counters of one direction of the relay. One writer (the relay thread, or the test driving an {@link Impairment});
 * fields are volatile so another thread may read a recent value, e.g. a test waiting for the relay to catch up.
 */
public final class ImpairStats
{
    private final String direction;
    private volatile long received;
    private volatile long receivedBytes;
    private volatile long forwarded;
    private volatile long forwardedBytes;
    private volatile long dropped;
    private volatile long duplicated;
    private volatile long reordered;
    private volatile long corrupted;
    private volatile long rateDropped;
    private volatile long overflowDropped;

    public ImpairStats(final String direction)
    {
        this.direction = direction;
    }

    public String direction()
    {
        return direction;
    }

    /** Datagrams that arrived at the relay in this direction. */
    public long received()
    {
        return received;
    }

    public long receivedBytes()
    {
        return receivedBytes;
    }

    /** Datagrams (copies included) the relay actually sent on. */
    public long forwarded()
    {
        return forwarded;
    }

    public long forwardedBytes()
    {
        return forwardedBytes;
    }

    /** Dropped by the loss probability. */
    public long dropped()
    {
        return dropped;
    }

    public long duplicated()
    {
        return duplicated;
    }

    public long reordered()
    {
        return reordered;
    }

    public long corrupted()
    {
        return corrupted;
    }

    /** Dropped because the rate limiter's queue was full. */
    public long rateDropped()
    {
        return rateDropped;
    }

    /**
     * Dropped by the relay itself: no free buffer, too many clients, a datagram larger than a buffer, or a socket
     * that would not take it. Non-zero means the relay, not the configured impairment, lost traffic.
     */
    public long overflowDropped()
    {
        return overflowDropped;
    }

    @SuppressWarnings("NonAtomicOperationOnVolatileField") // single writer
    void onReceived(final int length)
    {
        received = received + 1;
        receivedBytes = receivedBytes + length;
    }

    @SuppressWarnings("NonAtomicOperationOnVolatileField")
    void onForwarded(final int length)
    {
        forwarded = forwarded + 1;
        forwardedBytes = forwardedBytes + length;
    }

    @SuppressWarnings("NonAtomicOperationOnVolatileField")
    void onDropped()
    {
        dropped = dropped + 1;
    }

    @SuppressWarnings("NonAtomicOperationOnVolatileField")
    void onDuplicated()
    {
        duplicated = duplicated + 1;
    }

    @SuppressWarnings("NonAtomicOperationOnVolatileField")
    void onReordered()
    {
        reordered = reordered + 1;
    }

    @SuppressWarnings("NonAtomicOperationOnVolatileField")
    void onCorrupted()
    {
        corrupted = corrupted + 1;
    }

    @SuppressWarnings("NonAtomicOperationOnVolatileField")
    void onRateDropped()
    {
        rateDropped = rateDropped + 1;
    }

    @SuppressWarnings("NonAtomicOperationOnVolatileField")
    void onOverflowDropped()
    {
        overflowDropped = overflowDropped + 1;
    }

    /** One line of {@code key=value} pairs, so scripts can pick a number out of the summary. */
    @Override
    public String toString()
    {
        return direction + ": received=" + received + " forwarded=" + forwarded + " dropped=" + dropped +
            " duplicated=" + duplicated + " reordered=" + reordered + " corrupted=" + corrupted +
            " rate-dropped=" + rateDropped + " overflow-dropped=" + overflowDropped +
            " bytes-received=" + receivedBytes + " bytes-forwarded=" + forwardedBytes;
    }
}
