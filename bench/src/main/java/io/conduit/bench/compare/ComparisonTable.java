package io.conduit.bench.compare;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The Markdown report: a header saying where, when, under what load and with how many threads the run happened,
 * one row per metric with a column per system and the ratios Conduit/Aeron and Conduit/TCP, then each system's
 * settings and what each link observed about itself.
 */
final class ComparisonTable
{
    private static final String[] COLUMNS = {"Conduit", "Aeron", "TCP"};
    private static final double[] PERCENTILES = {50, 90, 99, 99.9, 99.99};
    /** Up to this size a throughput row counts messages; above it, bytes. */
    private static final int SMALL_MESSAGE_BYTES = 256;

    /** Everything the report shows besides the results. */
    record Run(LoopbackOptions options, List<LoopbackSystem> systems, String date, String loadAtStart,
        String loadAtEnd, double elapsedSeconds)
    {
    }

    private final Run run;
    private final List<RoundTripLatency.Result> latency;
    private final List<OneWayThroughput.Result> throughput;
    private final List<String> failures;
    private final StringBuilder text = new StringBuilder();

    ComparisonTable(final Run run, final List<RoundTripLatency.Result> latency,
        final List<OneWayThroughput.Result> throughput, final List<String> failures)
    {
        this.run = run;
        this.latency = latency;
        this.throughput = throughput;
        this.failures = failures;
    }

    String markdown()
    {
        header();
        text.append("| metric | ").append(String.join(" | ", COLUMNS)).append(" | Conduit/Aeron | Conduit/TCP |\n");
        text.append("|---|---:|---:|---:|---:|---:|\n");
        if (run.options().latency)
        {
            latencyRows();
        }
        if (run.options().throughput)
        {
            throughputRows();
        }
        text.append("\nRatios: below 1 favours Conduit for latency, above 1 for throughput. MB = 10^6 bytes.\n");
        settings();
        observations();
        if (!failures.isEmpty())
        {
            text.append("\n## Failures\n\n");
            failures.forEach(failure -> text.append("- ").append(failure).append('\n'));
        }
        return text.toString();
    }

    private void latencyRows()
    {
        final int rttLength = run.options().latencyMessageLength;
        for (final double percentile : PERCENTILES)
        {
            row("round trip p" + format(percentile) + " (µs), " + sizeLabel(rttLength),
                latencyValues(r -> r.roundTripNs().getValueAtPercentile(percentile) / 1e3), 1);
        }
        row("round trip max (µs), " + sizeLabel(rttLength),
            latencyValues(r -> r.roundTripNs().getMaxValue() / 1e3), 1);
    }

    private void throughputRows()
    {
        for (final int size : run.options().throughputSizes)
        {
            if (size <= SMALL_MESSAGE_BYTES)
            {
                row("one-way " + sizeLabel(size) + " (msg/s)", throughputValues(size,
                    OneWayThroughput.Result::messagesPerSecond), 0);
            }
            else
            {
                row("one-way " + sizeLabel(size) + " (MB/s)", throughputValues(size,
                    OneWayThroughput.Result::megabytesPerSecond), 0);
            }
        }
    }

    private void header()
    {
        final LoopbackOptions options = run.options();
        text.append("# Loopback: Conduit vs Aeron vs kernel TCP\n\n");
        text.append("Generated ").append(run.date()).append(" by `").append(options.commandLine).append("` on ")
            .append(Machine.describe()).append(".\n\n");
        text.append("- Load average (1/5/15 min) at start ").append(run.loadAtStart()).append(", at end ")
            .append(run.loadAtEnd()).append("; the run took ").append(String.format("%.0f", run.elapsedSeconds()))
            .append(" s.\n");
        text.append("- Threads: every measurement runs on **2 spinning threads, one per side** (ping and echo, or ")
            .append("sender and receiver); Conduit's endpoints and Aeron's drivers and client conductors run in ")
            .append("invoker mode on those threads, TCP's sockets are non-blocking and spun by them. The main ")
            .append("thread sleeps.\n");
        text.append("- Idle strategy, the same class on every thread: ").append(options.idleDescription())
            .append(".\n");
        text.append("- Latency: ").append(String.format("%,d", options.warmupMessages)).append(" warm-up + ")
            .append(String.format("%,d", options.messages)).append(" measured round trips of ")
            .append(sizeLabel(options.latencyMessageLength)).append(", one in flight, HdrHistogram (3 digits).\n");
        text.append("- Throughput: ").append(format(options.warmupNs / 1e9)).append(" s warm-up + ")
            .append(format(options.measureNs / 1e9)).append(" s measured per row; only messages received count, ")
            .append("each checked for its sequence number and length.\n\n");
    }

    private void settings()
    {
        text.append("\n## Settings\n\n");
        for (final LoopbackSystem system : run.systems())
        {
            text.append("- ").append(system.settings()).append(".\n");
        }
    }

    private void observations()
    {
        text.append("\n## Observations\n\n");
        for (final RoundTripLatency.Result result : latency)
        {
            text.append("- round trip, ").append(result.system()).append(": ")
                .append(String.format("%,d", result.roundTripNs().getTotalCount())).append(" samples, ")
                .append("threads ").append(result.threads()).append("; ").append(result.observations()).append('\n');
        }
        for (final OneWayThroughput.Result result : throughput)
        {
            text.append("- one-way ").append(sizeLabel(result.messageLength())).append(", ").append(result.system())
                .append(String.format(": %,.0f msg/s, %,.0f MB/s, %,d sequence errors, threads %s; ",
                    result.messagesPerSecond(), result.megabytesPerSecond(), result.sequenceErrors(), result.threads()))
                .append(result.observations()).append('\n');
        }
    }

    private Map<String, Double> latencyValues(final ToDoubleFunction<RoundTripLatency.Result> metric)
    {
        final Map<String, Double> values = new LinkedHashMap<>();
        for (final RoundTripLatency.Result result : latency)
        {
            values.put(result.system(), metric.applyAsDouble(result));
        }
        return values;
    }

    private Map<String, Double> throughputValues(final int size,
        final ToDoubleFunction<OneWayThroughput.Result> metric)
    {
        final Map<String, Double> values = new LinkedHashMap<>();
        for (final OneWayThroughput.Result result : throughput)
        {
            if (result.messageLength() == size)
            {
                values.put(result.system(), metric.applyAsDouble(result));
            }
        }
        return values;
    }

    private void row(final String metric, final Map<String, Double> values, final int decimals)
    {
        final List<String> cells = new ArrayList<>();
        cells.add(metric);
        for (final String column : COLUMNS)
        {
            final Double value = values.get(column);
            cells.add(value != null ? String.format("%,." + decimals + "f", value) : ran(column) ? "failed" : "–");
        }
        cells.add(ratio(values.get("Conduit"), values.get("Aeron")));
        cells.add(ratio(values.get("Conduit"), values.get("TCP")));
        text.append("| ").append(String.join(" | ", cells)).append(" |\n");
    }

    private boolean ran(final String column)
    {
        for (final LoopbackSystem system : run.systems())
        {
            if (system.name().equals(column))
            {
                return true;
            }
        }
        return false;
    }

    private static String ratio(final Double numerator, final Double denominator)
    {
        return numerator == null || denominator == null || denominator == 0 ? "–" :
            String.format("%.2f", numerator / denominator);
    }

    static String sizeLabel(final int bytes)
    {
        return bytes >= 1024 && bytes % 1024 == 0 ? bytes / 1024 + " KiB" : bytes + " B";
    }

    private static String format(final double value)
    {
        return new java.math.BigDecimal(String.format("%.4f", value)).stripTrailingZeros().toPlainString();
    }
}
