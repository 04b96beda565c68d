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
 * A sender whose thread comes late for a release it was waiting for (on two cores shared by a sender, a receiver and
 * a link emulator, releases came 1-2 ms late, each, all through a round trip: an idle strategy that yields gives the
 * core away for a time slice) would send below its rate for good if that time were forgotten like idle time: BBR's
 * STARTUP sent 40% of its pacing rate and grew its rate by 1.3 instead of 2 per round. So a waited-for release may
 * make up its lateness, up to {@link #MAX_CATCH_UP_NS} beyond the usual burst but never more than
 * {@link #MAX_BURST_SEGMENTS} at once (unless the usual burst is larger); whatever is later than that is lost. Only
 * waited-for releases count ({@link #onDataWaiting}): idle time still banks at most one burst.
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

    /** The most lateness made up beyond the burst: a few scheduler time slices. Beyond it the time is lost. */
    public static final long MAX_CATCH_UP_NS = 4_000_000L;

    private final int maxSegmentBytes;
    private long releaseNs;
    private boolean paced;
    private boolean dataWaiting;
    private boolean catchingUp;

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
     * Data is waiting for the pacer: if the next release comes late, the lateness is the host's, not the
     * application's, and is made up (see the class comment).
     */
    public void onDataWaiting()
    {
        dataWaiting = true;
    }

    /**
     * The pacer allowed a packet but none was sent (the window was full or nothing was queued): the pacer is not what
     * holds the sender back, so nothing it waited for is made up.
     */
    public void onNothingSent()
    {
        dataWaiting = false;
        catchingUp = false;
    }

    /**
     * @param rateBytesPerSecond a positive pacing rate.
     * @return how much lateness of a waited-for release is made up: the burst's credit plus {@link #MAX_CATCH_UP_NS},
     *         but no more than {@link #MAX_BURST_SEGMENTS} (unless the credit is).
     */
    long makeUpLimitNs(final long rateBytesPerSecond)
    {
        final long creditNs = creditNs(rateBytesPerSecond);
        final long largestBurstNs = (long)MAX_BURST_SEGMENTS * maxSegmentBytes * NANOS_PER_SECOND / rateBytesPerSecond;
        return Math.max(creditNs, Math.min(creditNs + MAX_CATCH_UP_NS, largestBurstNs));
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
            catchingUp = false;
            dataWaiting = false;
            return;
        }
        final long creditNs = creditNs(rateBytesPerSecond);
        final long lateNs = nowNs - releaseNs;
        final boolean makeUp = paced && (dataWaiting || catchingUp);
        final long baseNs;
        if (paced && lateNs <= creditNs)
        {
            baseNs = releaseNs;
        }
        else if (makeUp)
        {
            baseNs = nowNs - Math.min(lateNs, makeUpLimitNs(rateBytesPerSecond));
        }
        else
        {
            // Unused credit beyond one burst is forgotten: an idle sender must not bank an unbounded burst.
            baseNs = nowNs - creditNs;
        }
        releaseNs = baseNs + transmitNs(bytes, rateBytesPerSecond);
        catchingUp = makeUp && nowNs - releaseNs > creditNs;
        dataWaiting = false;
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
        dataWaiting = false;
        catchingUp = false;
    }

    /** Rounded up, so the average rate never exceeds the configured one. */
    private static long transmitNs(final int bytes, final long rateBytesPerSecond)
    {
        return (bytes * NANOS_PER_SECOND + rateBytesPerSecond - 1) / rateBytesPerSecond;
    }

    @Override
    public String toString()
    {
        return "Pacer{paced=" + paced + ", releaseNs=" + releaseNs + ", catchingUp=" + catchingUp + '}';
    }
}
