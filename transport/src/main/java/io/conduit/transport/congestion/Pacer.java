package io.conduit.transport.congestion;

/**
 * A token bucket on nanosecond deadlines that spreads a window's worth of packets over a round trip, so a sender
 * does not dump bursts into a bottleneck's queue.
 * <p>
 * The bucket is kept as one time, the release time: a packet may leave once {@code nowNs} has reached it, and each
 * packet sent moves it on by {@code bytes / rate}. The release time never lags {@code nowNs} by more than the burst
 * allowance, so after a pause the sender may send about one burst back to back and is then paced again. The burst is
 * about one millisecond of data at the current rate, between {@link #MIN_BURST_SEGMENTS} and
 * {@link #MAX_BURST_SEGMENTS} segments (Linux's TSO autosizing also aims at ~1 ms per burst, at most 64 KiB;
 * quinn's pacer bounds its bucket the same way). A packet is allowed whenever the bucket is not in debt, whatever
 * its size, as Linux's {@code tcp_wstamp_ns} check does, so the caller need not know the next packet's size before
 * asking.
 * <p>
 * A rate of zero means unpaced: every packet may leave at once. Pure, allocation-free, single-threaded.
 */
public final class Pacer
{
    /** Smallest burst, in segments: two keep delayed ACKs from starving a slow flow of ACK clocking. */
    public static final int MIN_BURST_SEGMENTS = 2;
    /**
     * Largest burst, in segments: 64 KiB of full 1,448-byte segments, Linux's cap on a TSO burst. Below ~500 Mbit/s
     * the millisecond is the smaller bound; a smaller cap (this was ten) made a sender that lost the core for a
     * millisecond at STARTUP's rates unable to catch up with its own pacing rate.
     */
    public static final int MAX_BURST_SEGMENTS = 44;
    /** The burst aims at this much time at the pacing rate. */
    public static final long BURST_NS = 1_000_000L;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final int maxSegmentBytes;
    private long releaseNs;
    private boolean paced;

    /**
     * @param maxSegmentBytes the size of a full packet (SMSS plus header), positive; the burst's unit.
     */
    public Pacer(final int maxSegmentBytes)
    {
        if (maxSegmentBytes <= 0)
        {
            throw new IllegalArgumentException("maxSegmentBytes must be positive: " + maxSegmentBytes);
        }
        this.maxSegmentBytes = maxSegmentBytes;
    }

    /**
     * @param nowNs caller's time.
     * @return whether a packet may leave now.
     */
    public boolean mayRelease(final long nowNs)
    {
        return !paced || releaseNs - nowNs <= 0;
    }

    /**
     * @return the earliest time the next packet may leave; meaningful only while {@link #mayRelease} is false.
     */
    public long releaseTimeNs()
    {
        return releaseNs;
    }

    /**
     * A packet left: charge it to the bucket.
     *
     * @param nowNs                caller's time.
     * @param bytes                the packet's size on the wire, positive.
     * @param rateBytesPerSecond   the pacing rate now, or 0 for unpaced.
     */
    public void onSent(final long nowNs, final int bytes, final long rateBytesPerSecond)
    {
        if (bytes <= 0)
        {
            throw new IllegalArgumentException("bytes must be positive: " + bytes);
        }
        if (rateBytesPerSecond <= 0)
        {
            paced = false;
            return;
        }
        final long earliestNs = nowNs - creditNs(rateBytesPerSecond);
        // Unused credit beyond one burst is forgotten: an idle sender must not bank an unbounded burst.
        final long baseNs = !paced || releaseNs - earliestNs < 0 ? earliestNs : releaseNs;
        releaseNs = baseNs + transmitNs(bytes, rateBytesPerSecond);
        paced = true;
    }

    /**
     * @param rateBytesPerSecond a positive pacing rate.
     * @return the burst allowance at that rate, in bytes.
     */
    public long burstBytes(final long rateBytesPerSecond)
    {
        final long wantedBytes = rateBytesPerSecond / (NANOS_PER_SECOND / BURST_NS);
        return Math.min(Math.max(wantedBytes, (long)MIN_BURST_SEGMENTS * maxSegmentBytes),
            (long)MAX_BURST_SEGMENTS * maxSegmentBytes);
    }

    /**
     * @param rateBytesPerSecond a positive pacing rate.
     * @return how late a release may come before credit is forgotten: the burst allowance's time at that rate.
     */
    public long creditNs(final long rateBytesPerSecond)
    {
        return burstBytes(rateBytesPerSecond) * NANOS_PER_SECOND / rateBytesPerSecond;
    }

    /** Back to unpaced with a full bucket, for a pooled connection. */
    public void reset()
    {
        paced = false;
        releaseNs = 0;
    }

    /** Rounded up, so the average rate never exceeds the configured one. */
    private static long transmitNs(final int bytes, final long rateBytesPerSecond)
    {
        return (bytes * NANOS_PER_SECOND + rateBytesPerSecond - 1) / rateBytesPerSecond;
    }

    @Override
    public String toString()
    {
        return "Pacer{paced=" + paced + ", releaseNs=" + releaseNs + '}';
    }
}
