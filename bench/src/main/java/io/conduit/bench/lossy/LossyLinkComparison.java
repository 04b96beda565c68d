package io.conduit.bench.lossy;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code bench/run lossy}: bulk goodput of Conduit (NewReno, CUBIC, BBR) and kernel TCP (CUBIC, BBR) across the
 * same emulated links, then the share one Conduit flow gets next to one TCP flow of the same family. Every sender
 * and receiver is its own JVM in one of the two namespace hosts, and every byte crosses the user-space emulator.
 * <pre>
 *   bench/run lossy [--bytes 200000000] [--max-seconds 20] [--fair-seconds 60] [--scenarios NAME,...]
 *                   [--contenders conduit-bbr,tcp-cubic,...] [--no-fairness] [--pairs cubic/cubic,bbrv1/bbr]
 *                   [--seed 1] [--out bench/results/lossy.md]
 * </pre>
 * With {@code --scenarios none} only the fairness pairs run.
 */
public final class LossyLinkComparison
{
    private LossyLinkComparison()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> options = new LinkedHashMap<>();
        boolean fairness = true;
        for (int i = 0; i < args.length; i++)
        {
            if ("--no-fairness".equals(args[i]))
            {
                fairness = false;
            }
            else if (args[i].startsWith("--") && i + 1 < args.length)
            {
                options.put(args[i], args[++i]);
            }
            else
            {
                System.err.println("bench/run lossy: unexpected argument " + args[i]);
                System.exit(2);
            }
        }
        final long bytes = Long.parseLong(options.getOrDefault("--bytes", "200000000"));
        final int maxSeconds = Integer.parseInt(options.getOrDefault("--max-seconds", "20"));
        final int fairSeconds = Integer.parseInt(options.getOrDefault("--fair-seconds", "60"));
        final long seed = Long.parseLong(options.getOrDefault("--seed", "1"));
        final Path out = Path.of(options.getOrDefault("--out", "bench/results/lossy.md"));
        final List<LinkScenario> scenarios = select(LinkScenario.STANDARD, options.get("--scenarios"),
            LinkScenario::name);
        final List<ContenderKind> contenders = select(ContenderKind.ALL, options.get("--contenders"),
            kind -> kind.system() + "-" + kind.congestion());

        final List<String> java = javaCommand();
        final String startLoad = LinkLab.loadAverage();
        final Instant started = Instant.now();
        final Map<LinkScenario, Map<ContenderKind, Double>> goodput = new LinkedHashMap<>();
        for (final LinkScenario scenario : scenarios)
        {
            final Map<ContenderKind, Double> row = new LinkedHashMap<>();
            try (LinkLab lab = LinkLab.up(scenario, seed))
            {
                for (final ContenderKind contender : contenders)
                {
                    final double mbit = new TransferRun(lab, java, bytes, maxSeconds).goodputMbit(contender);
                    row.put(contender, mbit);
                    System.out.printf(Locale.ROOT, "%-16s %-16s %8.2f Mbit/s (%.1f%% of capacity)%n",
                        scenario.name(), contender.label(), mbit, 100 * mbit / scenario.capacityMbit());
                }
            }
            goodput.put(scenario, row);
        }
        final List<FairnessResult> shares = new ArrayList<>();
        if (fairness)
        {
            // BBR twice: Linux's tcp_bbr is BBRv1, which Conduit's default BBR (v3's loss handling) yields to.
            for (final List<String> pair : pairs(options.getOrDefault("--pairs", "cubic/cubic,bbr/bbr,bbrv1/bbr")))
            {
                try (LinkLab lab = LinkLab.up(LinkScenario.FAIRNESS, seed))
                {
                    final FairnessResult result = new TransferRun(lab, java, Long.MAX_VALUE / 4, fairSeconds)
                        .share(pair.get(0), pair.get(1));
                    shares.add(result);
                    System.out.println(result.describe());
                }
            }
        }
        final String table = LossyResultsTable.render(goodput, contenders, shares, bytes, maxSeconds,
            fairSeconds, seed, started, startLoad, LinkLab.loadAverage(), String.join(" ", args));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, table);
        final Path plot = out.resolveSibling("lossy-goodput.png");
        if (LossyResultsTable.plot(goodput, contenders, plot))
        {
            System.out.println("plot written to " + plot);
        }
        System.out.println(table);
    }

    /** The same java with the same module options as this JVM, so the child processes run like the parent. */
    private static List<String> javaCommand()
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        final List<String> jvmArgs = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (int i = 0; i < jvmArgs.size(); i++)
        {
            final String arg = jvmArgs.get(i);
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports"))
            {
                command.add(arg);
                if (!arg.contains("=") && i + 1 < jvmArgs.size())
                {
                    command.add(jvmArgs.get(++i));
                }
            }
        }
        command.add("-Xmx1g");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(BulkTransfer.class.getName());
        return command;
    }

    private static <T> List<T> select(final List<T> all, final String wanted,
        final java.util.function.Function<T, String> name)
    {
        if (wanted == null)
        {
            return all;
        }
        if ("none".equalsIgnoreCase(wanted.strip()))
        {
            return List.of();
        }
        final List<T> chosen = new ArrayList<>();
        for (final String one : wanted.split(","))
        {
            chosen.add(all.stream().filter(item -> name.apply(item).equalsIgnoreCase(one.strip())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown '" + one + "'; known: " +
                    Arrays.toString(all.stream().map(name).toArray()))));
        }
        return chosen;
    }

    static IOException failure(final String message)
    {
        return new IOException(message);
    }

    /** {@code CONDUIT/TCP,...}: the congestion controls of each fairness pair, e.g. {@code cubic/cubic,bbrv1/bbr}. */
    static List<List<String>> pairs(final String spec)
    {
        final List<List<String>> pairs = new ArrayList<>();
        for (final String pair : spec.split(","))
        {
            final String[] sides = pair.trim().split("/");
            if (sides.length != 2 || sides[0].isEmpty() || sides[1].isEmpty())
            {
                throw new IllegalArgumentException("--pairs wants CONDUIT/TCP[,...], e.g. cubic/cubic, not " + pair);
            }
            ConduitBulk.kind(sides[0]);
            pairs.add(List.of(sides[0], sides[1]));
        }
        return pairs;
    }
}
