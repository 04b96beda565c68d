package io.conduit.bench.lossy;

import java.util.Locale;

/**
 * What a bulk receiver counts as bytes arrive: the total, the first and last arrival, and the bytes of each 100 ms
 * from the first (the timeline), so a slow transfer shows where it lost its time: the start, a probe, a recovery.
 * Conduit's and TCP's receivers count alike.
 */
final class ReceiveCounter
{
    static final long BUCKET_NS = 100_000_000L;
    /** Ten minutes of buckets, far beyond the harness's 20 s transfers; later bytes count only in the total. */
    private static final int MAX_BUCKETS = 6_000;

    private final long[] bucketBytes = new long[MAX_BUCKETS];
    private long bytes;
    private long firstNs;
    private long lastNs;

    void onBytes(final long nowNs, final long count)
    {
        if (bytes == 0)
        {
            firstNs = nowNs;
        }
        lastNs = nowNs;
        bytes += count;
        final long bucket = (nowNs - firstNs) / BUCKET_NS;
        if (bucket < MAX_BUCKETS)
        {
            bucketBytes[(int)bucket] += count;
        }
    }

    ReceivedBytes received()
    {
        return new ReceivedBytes(bytes, lastNs - firstNs);
    }

    /**
     * {@code first-byte NANOS}: the first byte's {@link System#nanoTime()}, which on Linux reads one clock for every
     * process of the machine, so two receivers' lines tell which flow started first and by how much.
     */
    String firstByteLine()
    {
        return "first-byte " + firstNs;
    }

    /** {@code timeline 100 R1 R2 ...}: the bucket's length in ms, then each bucket's rate in Mbit/s, to the last byte. */
    String timelineLine()
    {
        final StringBuilder line = new StringBuilder("timeline ").append(BUCKET_NS / 1_000_000);
        final long buckets = bytes == 0 ? 0 : Math.min(MAX_BUCKETS, (lastNs - firstNs) / BUCKET_NS + 1);
        for (int i = 0; i < buckets; i++)
        {
            line.append(' ').append(String.format(Locale.ROOT, "%.1f",
                bucketBytes[i] * 8.0 / (BUCKET_NS / 1_000)));
        }
        return line.toString();
    }
}
