package io.conduit.bench.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

import org.HdrHistogram.Histogram;

/**
 * {@code bench/run loopback}: Conduit, Aeron and kernel TCP side by side on 127.0.0.1 in one run, each on two
 * spinning threads with the same idle strategy. Measures 32-byte round-trip latency (p50 to p99.99, max) and
 * one-way throughput (messages/s for small messages, MB/s for large), prints a Markdown table with the ratios
 * Conduit/Aeron and Conduit/TCP, writes it to {@code bench/results/loopback.md} and the latency percentile
 * distribution to {@code bench/results/loopback-latency.png}.
 * <p>
 * Usage: see {@link LoopbackOptions#USAGE}.
 */
public final class LoopbackComparison
{
    private static final int PLOT_WIDTH = 900;
    private static final int PLOT_HEIGHT = 560;
    /** Percentiles plotted every twentieth of a nine: 50, 55.3, ... up to the last one the sample count resolves. */
    private static final double PLOT_NINES_STEP = 0.05;
    /** A y axis that spans more than this factor is drawn logarithmic, so the tails do not flatten the body. */
    private static final double LOG_Y_RANGE = 20;

    private LoopbackComparison()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final LoopbackOptions options;
        try
        {
            options = LoopbackOptions.parse(args);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println(ex.getMessage());
            System.exit(2);
            return;
        }
        final List<LoopbackSystem> systems = systems(options);
        final String date = ZonedDateTime.now(ZoneOffset.UTC)
            .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
        final String loadAtStart = Machine.loadAverage();
        final long startNs = System.nanoTime();
        System.out.println("load average at start: " + loadAtStart);

        final List<String> failures = new ArrayList<>();
        final List<RoundTripLatency.Result> latency = options.latency ? latency(systems, options, failures) : List.of();
        final List<OneWayThroughput.Result> throughput =
            options.throughput ? throughput(systems, options, failures) : List.of();

        final ComparisonTable.Run run = new ComparisonTable.Run(options, systems, date, loadAtStart,
            Machine.loadAverage(), (System.nanoTime() - startNs) / 1e9);
        final String table = new ComparisonTable(run, latency, throughput, failures).markdown();
        System.out.println();
        System.out.println(table);
        write(options.out, table);
        System.out.println("written to " + options.out);
        if (!latency.isEmpty())
        {
            latencyPlot(latency, options).writePng(options.plot, PLOT_WIDTH, PLOT_HEIGHT);
            System.out.println("written to " + options.plot);
        }
    }

    /** A system that fails is reported as failed and the run goes on, so one stall does not cost the others' rows. */
    private static List<RoundTripLatency.Result> latency(final List<LoopbackSystem> systems,
        final LoopbackOptions options, final List<String> failures)
    {
        final List<RoundTripLatency.Result> results = new ArrayList<>();
        for (final LoopbackSystem system : systems)
        {
            try
            {
                final RoundTripLatency.Result result = RoundTripLatency.measure(system, options.latencyMessageLength,
                    options.warmupMessages, options.messages, options.idleStrategy());
                final Histogram h = result.roundTripNs();
                System.out.printf("round trip %-7s p50 %8.1f  p99 %8.1f  p99.9 %8.1f  max %9.1f µs   (load %s)%n",
                    system.name(), h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3,
                    h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3, Machine.loadAverage());
                results.add(result);
            }
            catch (final Exception ex)
            {
                failed("round trip " + system.name(), ex, failures);
            }
        }
        return results;
    }

    private static List<OneWayThroughput.Result> throughput(final List<LoopbackSystem> systems,
        final LoopbackOptions options, final List<String> failures)
    {
        final List<OneWayThroughput.Result> results = new ArrayList<>();
        for (final int size : options.throughputSizes)
        {
            for (final LoopbackSystem system : systems)
            {
                try
                {
                    final OneWayThroughput.Result result = OneWayThroughput.measure(system, size, options.warmupNs,
                        options.measureNs, options.idleStrategy());
                    System.out.printf("one-way %-8s %-7s %,13.0f msg/s %,9.0f MB/s   (load %s)%n",
                        ComparisonTable.sizeLabel(size), system.name(), result.messagesPerSecond(),
                        result.megabytesPerSecond(), Machine.loadAverage());
                    results.add(result);
                }
                catch (final Exception ex)
                {
                    failed("one-way " + ComparisonTable.sizeLabel(size) + " " + system.name(), ex, failures);
                }
            }
        }
        return results;
    }

    private static void failed(final String what, final Exception ex, final List<String> failures)
    {
        final String message = what + " FAILED (" + Machine.loadAverage() + " load): " + ex.getMessage();
        System.out.println(message);
        ex.printStackTrace();
        failures.add(message);
    }

    private static List<LoopbackSystem> systems(final LoopbackOptions options)
    {
        final List<LoopbackSystem> systems = new ArrayList<>();
        for (final String name : options.systems)
        {
            systems.add(switch (name)
            {
                case "conduit" -> new ConduitSystem(options.conduitPayload, options.conduitSpans);
                case "aeron" -> new AeronSystem(options.aeronMtu, options.aeronTermLength, options.aeronWindow,
                    options.aeronSocketBuffers);
                default -> new TcpSystem();
            });
        }
        return systems;
    }

    private static LinePlot latencyPlot(final List<RoundTripLatency.Result> results, final LoopbackOptions options)
    {
        double lowest = Double.MAX_VALUE;
        double highest = 0;
        final List<LinePlot.Series> series = new ArrayList<>();
        for (final RoundTripLatency.Result result : results)
        {
            final Histogram histogram = result.roundTripNs();
            // Beyond log10(count) nines a percentile is just the maximum again.
            final int points = (int)((Math.log10(histogram.getTotalCount()) - Math.log10(2)) / PLOT_NINES_STEP) + 1;
            final double[] x = new double[Math.max(points, 1)];
            final double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++)
            {
                final double nines = Math.log10(2) + i * PLOT_NINES_STEP;
                x[i] = 100 * (1 - Math.pow(10, -nines));
                y[i] = histogram.getValueAtPercentile(x[i]) / 1e3;
                lowest = Math.min(lowest, y[i]);
                highest = Math.max(highest, y[i]);
            }
            series.add(new LinePlot.Series(result.system(), x, y));
        }
        final boolean logY = highest > LOG_Y_RANGE * lowest;
        final LinePlot plot = new LinePlot(
            "Loopback round trip, " + ComparisonTable.sizeLabel(options.latencyMessageLength) + " messages, " +
                options.idle + " idle, 2 threads",
            new LinePlot.Axis("percentile", LinePlot.Scale.PERCENTILE),
            new LinePlot.Axis(logY ? "round-trip time (µs, log scale)" : "round-trip time (µs)",
                logY ? LinePlot.Scale.LOG10 : LinePlot.Scale.LINEAR));
        series.forEach(plot::add);
        return plot;
    }

    private static void write(final Path file, final String text) throws IOException
    {
        final Path parent = file.toAbsolutePath().getParent();
        if (parent != null)
        {
            Files.createDirectories(parent);
        }
        Files.writeString(file, text);
    }
}
