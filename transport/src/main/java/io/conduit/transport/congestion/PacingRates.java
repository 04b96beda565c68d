package io.conduit.transport.congestion;

/**
 * The pacing rate of a window-based controller (NewReno, CUBIC), as Linux's {@code tcp_update_pacing_rate} computes
 * it: cwnd / SRTT, scaled up so pacing never holds the window back. The headroom is 200% while cwnd is below half of
 * ssthresh (slow start, which doubles the window per round trip) and 120% otherwise (room for avoidance growth and
 * ACK jitter).
 */
final class PacingRates
{
    /** Linux {@code net.ipv4.tcp_pacing_ss_ratio}, in percent. */
    static final int SLOW_START_RATIO_PERCENT = 200;
    /** Linux {@code net.ipv4.tcp_pacing_ca_ratio}, in percent. */
    static final int AVOIDANCE_RATIO_PERCENT = 120;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private PacingRates()
    {
    }

    /**
     * @param windowBytes             cwnd.
     * @param slowStartThresholdBytes ssthresh.
     * @param smoothedRttNs           the engine's SRTT, or 0 before the first sample.
     * @return bytes per second, or 0 (unpaced) before any RTT sample.
     */
    static long windowBased(final long windowBytes, final long slowStartThresholdBytes, final long smoothedRttNs)
    {
        if (smoothedRttNs <= 0)
        {
            return 0;
        }
        final int ratio = windowBytes < slowStartThresholdBytes / 2 ? SLOW_START_RATIO_PERCENT :
            AVOIDANCE_RATIO_PERCENT;
        // cwnd is at most a few hundred MiB, so cwnd * 1e9 / 100 * ratio stays far inside a long.
        final long rate = windowBytes * (NANOS_PER_SECOND / 100) / smoothedRttNs * ratio;
        return Math.max(rate, 1);
    }
}
