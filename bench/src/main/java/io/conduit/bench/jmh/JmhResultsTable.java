package io.conduit.bench.jmh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes {@code bench/results/jmh.md} from one JMH run: the CSV result file ({@code -rf csv}) gives time and
 * {@code -prof gc}'s allocation per operation, and the run's text log gives the benchmark thread's own allocation
 * printed by {@link ThreadAllocationProbe}, where a benchmark has one.
 * <p>
 * Usage: {@code JmhResultsTable CSV LOG OUT COMMAND}.
 */
public final class JmhResultsTable
{
    private static final String PREFIX = "io.conduit.bench.jmh.";
    private static final String PROBE = "benchmark thread: ";

    /** One benchmark and parameter combination, with the metrics JMH reported for it. */
    private static final class Row
    {
        final String benchmark;
        final String parameters;
        double nsPerOp = Double.NaN;
        double nsError = Double.NaN;
        double bytesPerOp = Double.NaN;
        double gcCount = Double.NaN;
        int threads;
        long probeBytes;
        long probeOperations;

        Row(final String benchmark, final String parameters)
        {
            this.benchmark = benchmark;
            this.parameters = parameters;
        }
    }

    private JmhResultsTable()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        if (args.length != 4)
        {
            System.err.println("usage: JmhResultsTable CSV LOG OUT COMMAND");
            System.exit(2);
        }
        final Map<String, Row> rows = readCsv(Path.of(args[0]));
        readProbe(Path.of(args[1]), rows);
        Files.writeString(Path.of(args[2]), render(rows, args[3]));
    }

    private static Map<String, Row> readCsv(final Path csv) throws IOException
    {
        final List<String> lines = Files.readAllLines(csv);
        final List<String> header = split(lines.get(0));
        final Map<String, Row> rows = new LinkedHashMap<>();
        for (final String line : lines.subList(1, lines.size()))
        {
            final List<String> cells = split(line);
            final String name = cells.get(0).substring(PREFIX.length());
            final int colon = name.indexOf(':');
            final String benchmark = colon < 0 ? name : name.substring(0, colon);
            final String metric = colon < 0 ? "" : name.substring(colon + 1);
            final StringBuilder parameters = new StringBuilder();
            for (int i = 7; i < cells.size(); i++)
            {
                if (!cells.get(i).isEmpty())
                {
                    parameters.append(parameters.length() == 0 ? "" : ", ")
                        .append(header.get(i).replace("Param: ", "")).append('=').append(cells.get(i));
                }
            }
            final Row row = rows.computeIfAbsent(key(benchmark, parameters.toString()),
                k -> new Row(benchmark, parameters.toString()));
            final double score = Double.parseDouble(cells.get(4));
            switch (metric)
            {
                case "":
                    row.nsPerOp = score;
                    row.nsError = Double.parseDouble(cells.get(5));
                    row.threads = Integer.parseInt(cells.get(2));
                    break;
                case "gc.alloc.rate.norm":
                    row.bytesPerOp = score;
                    break;
                case "gc.count":
                    row.gcCount = score;
                    break;
                default:
                    break;
            }
        }
        return rows;
    }

    /** Sums the measurement iterations' probe lines under each "# Benchmark:" / "# Parameters:" heading. */
    private static void readProbe(final Path log, final Map<String, Row> rows) throws IOException
    {
        String benchmark = null;
        String parameters = "";
        for (final String line : Files.readAllLines(log))
        {
            if (line.startsWith("# Benchmark: "))
            {
                benchmark = line.substring("# Benchmark: ".length() + PREFIX.length()).trim();
                parameters = "";
            }
            else if (line.startsWith("# Parameters: ("))
            {
                parameters = line.substring("# Parameters: (".length(), line.length() - 1).replace(" = ", "=");
            }
            else if (line.startsWith("Iteration") && line.contains(PROBE) && benchmark != null)
            {
                final String[] words = line.substring(line.indexOf(PROBE) + PROBE.length()).split(" ");
                final Row row = rows.get(key(benchmark, parameters));
                if (row != null)
                {
                    row.probeBytes += Long.parseLong(words[0]);
                    row.probeOperations += Long.parseLong(words[4]);
                }
            }
        }
    }

    private static String render(final Map<String, Row> rows, final String command)
    {
        final StringBuilder out = new StringBuilder();
        out.append("# JMH microbenchmarks\n\n")
            .append("Written by `bench/run jmh-suite` on ").append(LocalDate.now()).append(". Command:\n\n```\n")
            .append(command).append("\n```\n\n")
            .append(String.format(Locale.ROOT, "Machine: %d cores, Java %s (%s), load average right after the run: %s."
                + " Other work shared the machine, so times are indicative; compare rows of one run only.%n%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                System.getProperty("java.vm.name"), loadAverage()))
            .append("`B/op (all threads)` is `-prof gc`'s `gc.alloc.rate.norm`, which counts every thread of the ")
            .append("forked JVM, JMH's own included; `B/op (benchmark thread)` counts only the benchmark thread ")
            .append("(measurement iterations, where the benchmark has a probe). Group benchmarks (rings) run two ")
            .append("threads; their ns/op is per operation of either thread, about one handoff.\n\n")
            .append("| benchmark | parameters | threads | ns/op | ± (99.9%) | B/op (all threads) |")
            .append(" B/op (benchmark thread) | GCs |\n")
            .append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (final Row row : rows.values())
        {
            out.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %s | %s | %s |%n", row.benchmark,
                row.parameters, row.threads, number(row.nsPerOp), number(row.nsError), bytes(row.bytesPerOp),
                row.probeOperations == 0 ? "" : bytes((double)row.probeBytes / row.probeOperations),
                Double.isNaN(row.gcCount) ? "" : String.format(Locale.ROOT, "%.0f", row.gcCount)));
        }
        return out.toString();
    }

    private static String number(final double value)
    {
        if (Double.isNaN(value))
        {
            return "";
        }
        return value >= 100 ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%.1f", value);
    }

    private static String bytes(final double value)
    {
        if (Double.isNaN(value))
        {
            return "";
        }
        return value < 0.001 ? "< 0.001" : String.format(Locale.ROOT, "%.3f", value);
    }

    private static String loadAverage()
    {
        try
        {
            final String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        }
        catch (final IOException | RuntimeException ex)
        {
            return "unknown";
        }
    }

    private static String key(final String benchmark, final String parameters)
    {
        return benchmark + "|" + parameters;
    }

    /** Splits one CSV line of JMH's output: quoted or bare cells, no embedded quotes or commas in values. */
    private static List<String> split(final String line)
    {
        final List<String> cells = new ArrayList<>();
        for (final String cell : line.split(",", -1))
        {
            cells.add(cell.length() >= 2 && cell.startsWith("\"") && cell.endsWith("\"") ?
                cell.substring(1, cell.length() - 1) : cell);
        }
        return cells;
    }
}
