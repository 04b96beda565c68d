package io.conduit.bench.lossy;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GoodputTimelineTest
{
    /** A 100 Mbit/s link: a ramp, steady 95, one lone bucket at 40 (a loss's stall), a ProbeRTT-like dip of three. */
    private static final String LINE = "timeline 100 10 30 50 70 90 95 95 95 95 95 " +
        "95 95 95 40 150 95 95 50 45 70 95 95 95 95 95 95 95 95 95 95 12";

    @Test
    void reportsTheStartAndEveryDipOfTwoOrMoreBuckets()
    {
        final String summary = GoodputTimeline.summary(LINE, 100);
        assertTrue(summary.startsWith("timeline: typical 95.0 Mbit/s; first second lost "), summary);
        // (85 + 65 + 45 + 25 + 5) / 95 x 100 ms = 237 ms.
        assertTrue(summary.contains("first second lost 237 ms"), summary);
        // Buckets 17-19 (1.7-2.0 s): (45 + 50 + 25) / 95 x 100 ms = 126 ms; the lone 40 at 1.3 s is not a dip, nor is
        // the partial last bucket.
        assertTrue(summary.endsWith("dips under 85% of the link: 1, 126 ms lost: 1.7-2.0 s (min 45, 126 ms)"),
            summary);
    }

    @Test
    void averagesEachStretchOfSecondsTheLastOnePartial()
    {
        // 31 buckets of 100 ms: three whole seconds and one partial bucket.
        assertEquals("Mbit/s per 1 s: 72.5 83.0 95.0 12.0", GoodputTimeline.perSeconds(LINE, 1));
        assertEquals("timeline: unreadable", GoodputTimeline.perSeconds("received 5 bytes", 5));
    }

    @Test
    void aSteadyTransferHasNoDips()
    {
        final StringBuilder line = new StringBuilder("timeline 100");
        for (int i = 0; i < 30; i++)
        {
            line.append(" 94.5");
        }
        assertTrue(GoodputTimeline.summary(line.toString(), 100).endsWith("none"));
    }

    @Test
    void aFlowFarBelowTheLinkIsNotAnalysed()
    {
        // CUBIC at 1% loss on 100 Mbit/s: a 64 KiB message (5.2 Mbit/s in a bucket) every few buckets.
        final StringBuilder line = new StringBuilder("timeline 100");
        for (int i = 0; i < 40; i++)
        {
            line.append(i % 3 == 0 ? " 5.2" : " 0.0");
        }
        // The middle half of buckets 10-38 holds 13 empty ones and two messages: typical (2 x 5.2) / 15 = 0.7.
        assertEquals("timeline: typical 0.7 Mbit/s, under half the link: no dips to tell",
            GoodputTimeline.summary(line.toString(), 100));
    }

    @Test
    void shortOrForeignLinesSaySoInsteadOfFailing()
    {
        assertEquals("timeline: too short to judge (3 buckets)", GoodputTimeline.summary("timeline 100 1 2 3", 100));
        assertEquals("timeline: unreadable", GoodputTimeline.summary("received 5 bytes in 7 ns", 100));
    }

    @Test
    void theCounterBucketsBytesFromTheFirstArrival()
    {
        final ReceiveCounter counter = new ReceiveCounter();
        counter.onBytes(5_000_000_000L, 1_250_000);
        counter.onBytes(5_050_000_000L, 1_250_000);
        counter.onBytes(5_250_000_000L, 625_000);
        assertEquals("timeline 100 200.0 0.0 50.0", counter.timelineLine());
        assertEquals(new ReceivedBytes(3_125_000, 250_000_000L), counter.received());
    }
}
