package io.conduit.transport.congestion;

/**
 * Whether the congestion window has lately limited the sender, which is when a loss-based controller may grow it
 * (draft-ietf-ccwg-ratelimited-increase, updating RFC 5681 and RFC 9438; Linux's {@code tcp_is_cwnd_limited}). An
 * application that sends less than the window allows proves nothing about the path, and a window grown without use
 * later lets out, paced at a rate derived from that window, a burst the path never carried.
 * <p>
 * The largest flight of the current and the previous round trip counts (as sent, and as each acknowledgement found
 * it), so a short lull between writes does not stop growth. Slow start may grow while the window is below twice that
 * flight (it doubles per round trip from what was really sent); congestion avoidance while the flight came within
 * one segment of the window. Pure and allocation-free.
 */
final class WindowUse
{
    private long peakBytes;
    private long previousPeakBytes;
    private long roundStartNs;
    private boolean roundStarted;

    /** A packet left; {@code flightBytes} is what is in flight with it. */
    void onSent(final long flightBytes)
    {
        peakBytes = Math.max(peakBytes, flightBytes);
    }

    /**
     * An acknowledgement arrived; {@code flightBeforeBytes} was in flight just before it. A round trip after the
     * round began, the round closes.
     */
    void onAcked(final long nowNs, final long rttNs, final long flightBeforeBytes)
    {
        peakBytes = Math.max(peakBytes, flightBeforeBytes);
        if (!roundStarted)
        {
            roundStarted = true;
            roundStartNs = nowNs;
        }
        else if (rttNs > 0 && nowNs - roundStartNs >= rttNs)
        {
            previousPeakBytes = peakBytes;
            peakBytes = 0;
            roundStartNs = nowNs;
        }
    }

    /** The largest flight over the current and the previous round trip. */
    private long recentPeakBytes()
    {
        return Math.max(peakBytes, previousPeakBytes);
    }

    /**
     * @param windowBytes     the congestion window now.
     * @param slowStart       whether the controller is in slow start.
     * @param maxSegmentBytes a full segment on the wire: the sender stops when the next one would not fit.
     * @return whether the window was used enough to justify growing it.
     */
    boolean allowsGrowth(final long windowBytes, final boolean slowStart, final int maxSegmentBytes)
    {
        final long peak = recentPeakBytes();
        return slowStart ? windowBytes < 2 * peak : peak + maxSegmentBytes > windowBytes;
    }

    void reset()
    {
        peakBytes = 0;
        previousPeakBytes = 0;
        roundStartNs = 0;
        roundStarted = false;
    }
}
