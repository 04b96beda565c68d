package io.conduit.bench.lossy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Reads a receiver's {@code timeline} line ({@link ReceiveCounter#timelineLine}) and says where the transfer lost
 * time against its own typical rate (the mean of the middle half of its buckets after the first second): the first
 * second (slow start or STARTUP), then every stretch of two or more buckets under 85% of the link (a probe such as
 * BBR's ProbeRTT, or a recovery). One bucket alone is not reported: a loss stalls in-order delivery for a round trip
 * and the next bucket catches up. A flow whose typical rate is under half the link gets no analysis.
 */
final class GoodputTimeline
{
    private static final double DIP_SHARE = 0.85;
    private static final double MIN_TYPICAL_SHARE = 0.5;
    private static final int START_BUCKETS = 10;

    private GoodputTimeline()
    {
    }

    /** The timeline's mean rate over each {@code seconds} (the last stretch may be partial), in Mbit/s. */
    static String perSeconds(final String line, final int seconds)
    {
        final String[] words = line.trim().split(" ");
        if (words.length < 2 || !"timeline".equals(words[0]))
        {
            return "timeline: unreadable";
        }
        final int perStretch = Math.max(1, (int)Math.round(seconds * 1000 / Double.parseDouble(words[1])));
        final StringBuilder out = new StringBuilder("Mbit/s per ").append(seconds).append(" s:");
        for (int first = 2; first < words.length; first += perStretch)
        {
            final int end = Math.min(words.length, first + perStretch);
            double sum = 0;
            for (int i = first; i < end; i++)
            {
                sum += Double.parseDouble(words[i]);
            }
            out.append(' ').append(format("%.1f", sum / (end - first)));
        }
        return out.toString();
    }

    static String summary(final String line, final int rateMbit)
    {
        final String[] words = line.trim().split(" ");
        if (words.length < 2 || !"timeline".equals(words[0]))
        {
            return "timeline: unreadable";
        }
        final double bucketMs = Double.parseDouble(words[1]);
        final double[] rates = new double[words.length - 2];
        for (int i = 0; i < rates.length; i++)
        {
            rates[i] = Double.parseDouble(words[i + 2]);
        }
        // The last bucket is partial. The typical rate is the mean of the middle half of the rest: a receiver that
        // counts whole 64 KiB messages sees 100 ms buckets in steps of 5.2 Mbit/s, which a median would keep.
        final int full = Math.max(0, rates.length - 1);
        if (full - START_BUCKETS < 4)
        {
            return "timeline: too short to judge (" + rates.length + " buckets)";
        }
        final double[] sorted = Arrays.copyOfRange(rates, START_BUCKETS, full);
        Arrays.sort(sorted);
        double middleSum = 0;
        for (int i = sorted.length / 4; i < sorted.length - sorted.length / 4; i++)
        {
            middleSum += sorted[i];
        }
        final double typical = middleSum / (sorted.length - 2 * (sorted.length / 4));
        if (typical < rateMbit * MIN_TYPICAL_SHARE)
        {
            // A flow held far below the link (loss-based control on a lossy link) delivers a 64 KiB message every
            // few buckets: every bucket is a "dip", and the start is no different from the rest.
            return "timeline: typical " + format("%.1f", typical) + " Mbit/s, under half the link: no dips to tell";
        }
        final StringBuilder out = new StringBuilder("timeline: typical ")
            .append(format("%.1f", typical)).append(" Mbit/s; first second lost ")
            .append(format("%.0f", lostMs(rates, 0, START_BUCKETS, typical, bucketMs))).append(" ms");
        final List<String> dips = new ArrayList<>();
        double dipsLostMs = 0;
        int i = START_BUCKETS;
        while (i < full)
        {
            if (rates[i] >= DIP_SHARE * rateMbit)
            {
                i++;
                continue;
            }
            int end = i;
            double min = rates[i];
            while (end < full && rates[end] < DIP_SHARE * rateMbit)
            {
                min = Math.min(min, rates[end]);
                end++;
            }
            if (end - i >= 2)
            {
                final double lost = lostMs(rates, i, end, typical, bucketMs);
                dipsLostMs += lost;
                dips.add(format("%.1f", i * bucketMs / 1000) + "-" + format("%.1f", end * bucketMs / 1000) +
                    " s (min " + format("%.0f", min) + ", " + format("%.0f", lost) + " ms)");
            }
            i = end;
        }
        out.append("; dips under ").append(format("%.0f", DIP_SHARE * 100)).append("% of the link: ");
        if (dips.isEmpty())
        {
            out.append("none");
        }
        else
        {
            out.append(dips.size()).append(", ").append(format("%.0f", dipsLostMs)).append(" ms lost: ")
                .append(String.join(", ", dips));
        }
        return out.toString();
    }

    /** Time lost in buckets [from, to) against the typical rate, in ms. */
    private static double lostMs(final double[] rates, final int from, final int to, final double typical,
        final double bucketMs)
    {
        double lost = 0;
        for (int i = from; i < to; i++)
        {
            lost += Math.max(0, typical - rates[i]) / typical * bucketMs;
        }
        return lost;
    }

    private static String format(final String pattern, final double value)
    {
        return String.format(Locale.ROOT, pattern, value);
    }
}
