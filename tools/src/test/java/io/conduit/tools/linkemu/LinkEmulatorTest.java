package io.conduit.tools.linkemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7, "a link emulator that treats TCP and Conduit alike": two namespace hosts whose only path is
 * {@code tools/linkemu}, checked against what it was configured to do, with ping and a TCP transfer. These are
 * real-time measurements of a real-time emulator, so the bounds are wide, but each still fails for a link without
 * the impairment (or with double of it). Needs root, /dev/net/tun, gcc, ip and ping ({@code .ci/run} installs them);
 * skipped with the reason elsewhere. The flag check only needs gcc.
 */
class LinkEmulatorTest
{
    private static final Pattern PING_TIME = Pattern.compile("icmp_seq=(\\d+) ttl=\\d+ time=([\\d.]+) ms");
    private static final Pattern PING_SUMMARY = Pattern.compile("(\\d+) packets transmitted, (\\d+) received," +
        "(?: \\+(\\d+) duplicates,)?");
    private static final Pattern PROBE_RESULT = Pattern.compile("bytes=(\\d+) nanos=(\\d+)");

    @TempDir
    Path scratch;

    /** Unique per JVM and call, so a lab never collides with another test run's namespaces. */
    private static String prefix(final String test)
    {
        return "le" + test + (ProcessHandle.current().pid() % 100_000);
    }

    private static void assumeLab()
    {
        final var reason = LinkLab.unavailableReason();
        assumeTrue(reason.isEmpty(), () -> reason.orElse(""));
    }

    /** Every packet read is written, dropped for one counted reason, or still held; duplicates add one each. */
    private static Map<String, Long> conserved(final Map<String, Long> stats)
    {
        for (final String direction : new String[] {"a2b", "b2a"})
        {
            final long accounted = stats.get(direction + ".out_packets") + stats.get(direction + ".drop_loss") +
                stats.get(direction + ".drop_queue") + stats.get(direction + ".drop_overflow") +
                stats.get(direction + ".drop_error") + stats.get(direction + ".held");
            assertEquals(stats.get(direction + ".in_packets") + stats.get(direction + ".duplicated"), accounted,
                direction + " does not add up: " + stats);
        }
        return stats;
    }

    @Test
    void badFlagsExitTwoWithOneLineAndTheDefaultQueueIsOneBandwidthDelayProduct() throws IOException
    {
        assumeTrue(Files.isExecutable(LinkLab.SCRIPT), "no " + LinkLab.SCRIPT);
        assumeTrue(LinkLab.onPath("gcc"), "gcc is not on PATH (packages gcc libc6-dev)");
        final LinkLab.Result build = LinkLab.run(scratch, List.of(LinkLab.SCRIPT.toString(), "build"));
        assertEquals(0, build.exitCode(), build.output());
        final String binary = build.output().strip().lines().reduce((first, second) -> second).orElseThrow();

        for (final List<String> bad : List.of(List.of("--a2b", "delay=abc"), List.of("--b2a", "loss=1.5"),
            List.of("--a2b", "colour=red"), List.of("--both", "delay=5"), List.of("--seed"), List.of("--mtu", "9"),
            List.of("--no-such-flag", "1"), List.of("--a2b", "rate=-1mbit")))
        {
            final List<String> command = new ArrayList<>(List.of(binary, "--dry-run"));
            command.addAll(bad);
            final LinkLab.Result result = LinkLab.run(scratch, command);
            assertEquals(2, result.exitCode(), bad + ": " + result.output());
            assertEquals(1, result.output().strip().lines().count(), bad + ": " + result.output());
            assertTrue(result.output().startsWith("linkemu: "), bad + ": " + result.output());
        }

        // 20 Mbit/s over a 10 ms round trip: 25,000 bytes; the unlimited direction keeps the 8-MTU floor.
        final LinkLab.Result dry = LinkLab.run(scratch, List.of(binary, "--dry-run", "--both", "delay=5ms",
            "--a2b", "rate=20mbit,loss=1%", "--b2a", "jitter=250us"));
        assertEquals(0, dry.exitCode(), dry.output());
        assertTrue(dry.output().contains("a2b.queue_bytes=25000\n"), dry.output());
        assertTrue(dry.output().contains("a2b.loss=0.01\n"), dry.output());
        assertTrue(dry.output().contains("b2a.delay_ns=5000000\n"), dry.output());
        assertTrue(dry.output().contains("b2a.jitter_ns=250000\n"), dry.output());
        assertTrue(dry.output().contains("b2a.queue_bytes=12000\n"), dry.output());
    }

    @Test
    void labUpWithABadFlagExitsTwoAndCreatesNothing() throws IOException
    {
        assumeLab();
        final String prefix = prefix("x");
        final LinkLab.Result up = LinkLab.run(scratch, List.of(LinkLab.SCRIPT.toString(), "--prefix", prefix, "up",
            "--a2b", "loss=2"));
        assertEquals(2, up.exitCode(), up.output());
        assertTrue(up.output().contains("linkemu: --a2b: bad loss '2'"), up.output());
        final LinkLab.Result namespaces = LinkLab.run(scratch, List.of("ip", "netns", "list"));
        assertFalse(namespaces.output().contains(prefix + "-"), namespaces.output());
        final LinkLab.Result unknown = LinkLab.run(scratch, List.of(LinkLab.SCRIPT.toString(), "--prefix", prefix,
            "sideways"));
        assertEquals(2, unknown.exitCode(), unknown.output());
    }

    @Test
    void roundTripTimeIsBothDelaysAndJitterNeverReorders() throws IOException
    {
        assumeLab();
        try (LinkLab lab = LinkLab.up(prefix("r"), scratch, "--both", "delay=20ms,jitter=1ms", "--seed", "3"))
        {
            final LinkLab.Result ping = lab.exec("a", "ping", "-c", "40", "-i", "0.05", "-W", "2", LinkLab.ADDRESS_B);
            assertEquals(0, ping.exitCode(), ping.output());
            final List<Double> times = new ArrayList<>();
            final List<Integer> order = new ArrayList<>();
            final Matcher matcher = PING_TIME.matcher(ping.output());
            while (matcher.find())
            {
                order.add(Integer.parseInt(matcher.group(1)));
                times.add(Double.parseDouble(matcher.group(2)));
            }
            assertEquals(40, times.size(), ping.output());
            Collections.sort(times);
            final double median = times.get(times.size() / 2);
            System.out.printf("linkemu rtt: 20 ms + 20 ms (jitter 1 ms): min %.1f median %.1f max %.1f ms%n",
                times.get(0), median, times.get(times.size() - 1));
            assertTrue(median >= 38 && median <= 50, "median RTT " + median + " ms: " + times);
            // Jitter is at most 1 ms each way, so nothing can come back sooner than 38 ms.
            assertTrue(times.get(0) >= 38, "minimum RTT " + times.get(0) + " ms");
            final List<Integer> sorted = new ArrayList<>(order);
            Collections.sort(sorted);
            assertEquals(sorted, order, "replies arrived out of order although reorder=0");
        }
    }

    @Test
    void seededLossAndDuplicationHitTheSamePacketsEveryRunAndEveryDropIsCounted() throws IOException
    {
        assumeLab();
        final PingRun first = lossyPing();
        final PingRun second = lossyPing();
        System.out.printf("linkemu loss: loss=0.2 a2b, dup=0.1 b2a, 1000 pings: %d received (%.1f%% lost), " +
            "%d duplicates; same packets both runs: %b%n", first.received.size(),
            100.0 * (1000 - first.received.size()) / 1000, first.duplicates, first.equals(second));

        // Binomial(1000, 0.2): mean 200 lost, sd 12.6; [150, 250] is 4 sd wide and fails for 0.0 and for 0.4.
        final int lost = 1000 - first.received.size();
        assertTrue(lost >= 150 && lost <= 250, "lost " + lost + " of 1000");
        // Binomial(800, 0.1) duplicates: mean 80, sd 8.5.
        assertTrue(first.duplicates >= 45 && first.duplicates <= 115, "duplicates " + first.duplicates);
        assertEquals(first, second, "the same seed and the same input must drop and duplicate the same packets");

        final Map<String, Long> stats = first.stats;
        assertEquals(1000L, stats.get("a2b.in_packets"), stats.toString());
        assertEquals((long)lost, stats.get("a2b.drop_loss"), stats.toString());
        assertEquals((long)first.received.size(), stats.get("a2b.out_packets"), stats.toString());
        assertEquals((long)first.received.size(), stats.get("b2a.in_packets"), stats.toString());
        assertEquals((long)first.duplicates, stats.get("b2a.duplicated"), stats.toString());
        assertEquals(first.received.size() + (long)first.duplicates, stats.get("b2a.out_packets"), stats.toString());
        assertEquals(0L, stats.get("b2a.drop_loss") + stats.get("a2b.held") + stats.get("b2a.held"), stats.toString());
    }

    private PingRun lossyPing() throws IOException
    {
        try (LinkLab lab = LinkLab.up(prefix("l"), scratch, "--a2b", "loss=0.2", "--b2a", "dup=0.1", "--seed", "7"))
        {
            final LinkLab.Result ping = lab.exec("a", "ping", "-c", "1000", "-i", "0.001", "-W", "1",
                LinkLab.ADDRESS_B);
            final Matcher summary = PING_SUMMARY.matcher(ping.output());
            assertTrue(summary.find(), ping.output());
            assertEquals(1000, Integer.parseInt(summary.group(1)), ping.output());
            final Set<Integer> received = new TreeSet<>();
            final Matcher reply = PING_TIME.matcher(ping.output());
            while (reply.find())
            {
                received.add(Integer.parseInt(reply.group(1)));
            }
            assertEquals(Integer.parseInt(summary.group(2)), received.size(), ping.output());
            final int duplicates = summary.group(3) == null ? 0 : Integer.parseInt(summary.group(3));
            return new PingRun(received, duplicates, conserved(lab.stats()));
        }
    }

    /** Equal when the same sequence numbers came back with the same number of duplicates. */
    private record PingRun(Set<Integer> received, int duplicates, Map<String, Long> stats)
    {
        @Override
        public boolean equals(final Object other)
        {
            return other instanceof PingRun run && run.received.equals(received) && run.duplicates == duplicates;
        }

        @Override
        public int hashCode()
        {
            return received.hashCode() * 31 + duplicates;
        }
    }

    @Test
    void corruptionFlipsBitsTheReceiversChecksumCatches() throws IOException
    {
        assumeLab();
        try (LinkLab lab = LinkLab.up(prefix("c"), scratch, "--a2b", "corrupt=0.3", "--seed", "11"))
        {
            final LinkLab.Result ping = lab.exec("a", "ping", "-q", "-c", "200", "-i", "0.002", "-W", "1",
                LinkLab.ADDRESS_B);
            final Matcher summary = PING_SUMMARY.matcher(ping.output());
            assertTrue(summary.find(), ping.output());
            final long lost = Long.parseLong(summary.group(1)) - Long.parseLong(summary.group(2));
            final Map<String, Long> stats = conserved(lab.stats());
            System.out.printf("linkemu corrupt: corrupt=0.3, 200 pings: %d corrupted, %d lost%n",
                stats.get("a2b.corrupted"), lost);
            // The emulator delivered every request; B's kernel dropped exactly the corrupted ones (ICMP checksum).
            assertEquals(200L, stats.get("a2b.out_packets"), stats.toString());
            assertEquals(stats.get("a2b.corrupted"), lost, stats.toString());
            assertTrue(lost >= 35 && lost <= 85, "corrupted " + lost + " of 200 (binomial mean 60, sd 6.5)");
        }
    }

    @Test
    void reorderHoldsPacketsBackWhileJitterAloneKeepsOrder() throws IOException
    {
        assumeLab();
        // Requests: a quarter held back 30 ms, so later ones overtake them. Replies: 5 ms of jitter with pings 2 ms
        // apart, which would reorder replies too if jitter were not kept FIFO.
        try (LinkLab lab = LinkLab.up(prefix("o"), scratch, "--a2b", "reorder=0.25,reorder_delay=30ms",
            "--b2a", "delay=10ms,jitter=5ms", "--seed", "17"))
        {
            final LinkLab.Result ping = lab.exec("a", "ping", "-c", "200", "-i", "0.002", "-W", "2",
                LinkLab.ADDRESS_B);
            assertEquals(0, ping.exitCode(), ping.output());
            int late = 0;
            int highest = -1;
            int replies = 0;
            final Matcher reply = PING_TIME.matcher(ping.output());
            while (reply.find())
            {
                final int sequence = Integer.parseInt(reply.group(1));
                late += sequence < highest ? 1 : 0;
                highest = Math.max(highest, sequence);
                replies++;
            }
            final long reordered = conserved(lab.stats()).get("a2b.reordered");
            System.out.printf("linkemu reorder: reorder=0.25 (30 ms) a2b, jitter 5 ms b2a, 200 pings: %d held back, " +
                "%d replies overtaken%n", reordered, late);
            assertEquals(200, replies, ping.output());
            assertTrue(reordered >= 25 && reordered <= 75, "reordered " + reordered + " (binomial mean 50, sd 6.1)");
            // Every held-back request is overtaken unless nothing was sent in the 30 ms after it (the last few).
            assertTrue(late <= reordered && late >= reordered - 3, late + " late replies, " + reordered + " held");
        }
    }

    @Test
    void rateLimitCapsBulkTcpAndItsQueueIsBounded() throws Exception
    {
        assumeLab();
        try (LinkLab lab = LinkLab.up(prefix("t"), scratch, "--both", "delay=5ms", "--a2b", "rate=20mbit",
            "--seed", "5"))
        {
            final double mbps = tcpGoodputMbps(lab);
            final Map<String, Long> stats = conserved(lab.stats());
            System.out.printf("linkemu rate: rate=20mbit, 5 ms each way, TCP A->B for 2 s: %.2f Mbit/s goodput; " +
                "queue peak %d of 25000 bytes, %d queue drops%n", mbps, stats.get("a2b.queue_peak_bytes"),
                stats.get("a2b.drop_queue"));
            // 20 Mbit/s of IP packets carry at most 19.4 Mbit/s of TCP payload (1448 of 1500 bytes).
            assertTrue(mbps >= 15 && mbps <= 21, mbps + " Mbit/s");
            assertTrue(stats.get("a2b.queue_peak_bytes") > 0, stats.toString());
            assertTrue(stats.get("a2b.queue_peak_bytes") <= 25_000, stats.toString());
        }
    }

    private double tcpGoodputMbps(final LinkLab lab) throws Exception
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final String classes = Path.of(TcpProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString();
        final String probe = TcpProbe.class.getName();
        final Process sink = lab.start("b", java, "-cp", classes, probe, "sink", "5001", "2000");
        try (BufferedReader out = new BufferedReader(new InputStreamReader(sink.getInputStream(),
            StandardCharsets.UTF_8)))
        {
            final String listening = out.readLine();
            assertEquals("listening", listening, "sink did not start");
            final LinkLab.Result source = lab.exec("a", java, "-cp", classes, probe, "source", LinkLab.ADDRESS_B,
                "5001", "4000");
            assertEquals(0, source.exitCode(), source.output());
            final String result = out.readLine();
            assertTrue(sink.waitFor(30, TimeUnit.SECONDS), "sink did not finish");
            final Matcher matcher = PROBE_RESULT.matcher(String.valueOf(result));
            assertTrue(matcher.matches(), "sink said: " + result);
            final long nanos = Long.parseLong(matcher.group(2));
            assertTrue(nanos > 1_500_000_000L, "measured over " + nanos + " ns only");
            return Long.parseLong(matcher.group(1)) * 8e3 / nanos;
        }
        finally
        {
            sink.destroyForcibly();
        }
    }

    @Test
    void aFullQueueDropsTheTailAndEachDropIsCounted() throws IOException
    {
        assumeLab();
        // 1 Mbit/s takes 11.4 ms per 1428-byte packet and ping's preload sends all 50 at once, so the 6 kB queue
        // keeps 4 of them and drops the tail.
        try (LinkLab lab = LinkLab.up(prefix("q"), scratch, "--a2b", "rate=1mbit,queue=6kb", "--seed", "13"))
        {
            final LinkLab.Result ping = lab.exec("a", "ping", "-q", "-s", "1400", "-l", "50", "-c", "50", "-W", "1",
                LinkLab.ADDRESS_B);
            final Matcher summary = PING_SUMMARY.matcher(ping.output());
            assertTrue(summary.find(), ping.output());
            final long lost = Long.parseLong(summary.group(1)) - Long.parseLong(summary.group(2));
            final Map<String, Long> stats = conserved(lab.stats());
            System.out.printf("linkemu queue: rate=1mbit queue=6kb, a burst of 50 pings of 1428 bytes: %d lost, " +
                "%d queue drops, peak %d bytes%n", lost, stats.get("a2b.drop_queue"),
                stats.get("a2b.queue_peak_bytes"));
            assertEquals(stats.get("a2b.drop_queue"), lost, stats.toString());
            assertTrue(lost >= 30, "lost only " + lost + " of a burst of 50 through a 1 Mbit/s link");
            assertTrue(stats.get("a2b.queue_peak_bytes") <= 6000, stats.toString());
            assertEquals(50L, stats.get("a2b.in_packets"), stats.toString());
        }
    }
}
