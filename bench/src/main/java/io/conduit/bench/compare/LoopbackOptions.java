package io.conduit.bench.compare;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * The command line of {@code bench/run loopback}: {@code --name value} pairs, sizes with an optional k or m suffix
 * (binary). Unknown names are rejected so a typo cannot silently run the defaults.
 */
final class LoopbackOptions
{
    static final String USAGE = "bench/run loopback [--systems conduit,aeron,tcp] [--only latency|throughput] " +
        "[--idle spin|backoff] [--warmup-messages 200000] [--messages 100000] [--size 32] [--warmup 3] [--seconds 5] " +
        "[--sizes 32,1k,64k] [--conduit-payload BYTES] [--conduit-spans on|off] [--aeron-mtu 1408] " +
        "[--aeron-term-length 16m] [--aeron-window 1m] [--aeron-socket-buffers 4m] " +
        "[--out bench/results/loopback.md] [--plot bench/results/loopback-latency.png]";

    private static final Set<String> NAMES = Set.of("systems", "only", "idle", "warmup-messages", "messages", "size",
        "warmup", "seconds", "sizes", "conduit-payload", "conduit-spans", "aeron-mtu", "aeron-term-length",
        "aeron-window", "aeron-socket-buffers", "out", "plot");

    final List<String> systems;
    final boolean latency;
    final boolean throughput;
    final String idle;
    final long warmupMessages;
    final long messages;
    final int latencyMessageLength;
    final long warmupNs;
    final long measureNs;
    final List<Integer> throughputSizes;
    final int conduitPayload;
    /** Whether Conduit's messages may share a segment across their boundary (FLAG_SPAN); off for A/B runs. */
    final boolean conduitSpans;
    final int aeronMtu;
    final int aeronTermLength;
    final int aeronWindow;
    final int aeronSocketBuffers;
    final Path out;
    final Path plot;
    final String commandLine;

    private LoopbackOptions(final Map<String, String> values, final String commandLine)
    {
        systems = List.of(values.getOrDefault("systems", "conduit,aeron,tcp").toLowerCase(Locale.ROOT).split(","));
        final String only = values.getOrDefault("only", "");
        require(only.isEmpty() || only.equals("latency") || only.equals("throughput"),
            "--only must be latency or throughput");
        latency = !only.equals("throughput");
        throughput = !only.equals("latency");
        idle = values.getOrDefault("idle", "spin");
        require(idle.equals("spin") || idle.equals("backoff"), "--idle must be spin or backoff");
        warmupMessages = Long.parseLong(values.getOrDefault("warmup-messages", "200000"));
        messages = Long.parseLong(values.getOrDefault("messages", "100000"));
        latencyMessageLength = size(values.getOrDefault("size", "32"));
        warmupNs = seconds(values.getOrDefault("warmup", "3"));
        measureNs = seconds(values.getOrDefault("seconds", "5"));
        throughputSizes = new ArrayList<>();
        for (final String size : values.getOrDefault("sizes", "32,1k,64k").split(","))
        {
            throughputSizes.add(size(size));
        }
        conduitPayload = size(values.getOrDefault("conduit-payload", "0"));
        final String spans = values.getOrDefault("conduit-spans", "on");
        require(spans.equals("on") || spans.equals("off"), "--conduit-spans must be on or off");
        conduitSpans = spans.equals("on");
        aeronMtu = size(values.getOrDefault("aeron-mtu", "1408"));
        aeronTermLength = size(values.getOrDefault("aeron-term-length", "16m"));
        aeronWindow = size(values.getOrDefault("aeron-window", "1m"));
        aeronSocketBuffers = size(values.getOrDefault("aeron-socket-buffers", "4m"));
        out = Path.of(values.getOrDefault("out", "bench/results/loopback.md"));
        plot = Path.of(values.getOrDefault("plot", "bench/results/loopback-latency.png"));
        this.commandLine = commandLine;
        validate();
    }

    static LoopbackOptions parse(final String[] args)
    {
        final Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.length; i += 2)
        {
            require(args[i].startsWith("--") && i + 1 < args.length, "expected --name value, got " + args[i]);
            final String name = args[i].substring(2);
            require(NAMES.contains(name), "unknown option --" + name);
            values.put(name, args[i + 1]);
        }
        return new LoopbackOptions(values, ("bench/run loopback " + String.join(" ", args)).trim());
    }

    private void validate()
    {
        for (final String system : systems)
        {
            require(system.equals("conduit") || system.equals("aeron") || system.equals("tcp"),
                "--systems takes conduit, aeron and tcp, not " + system);
        }
        require(messages >= 1 && warmupMessages >= 0, "--messages must be >= 1 and --warmup-messages >= 0");
        require(measureNs > 0 && warmupNs >= 0, "--seconds must be > 0 and --warmup >= 0");
        // Every message carries a sequence number that the receiving side checks.
        require(latencyMessageLength >= Long.BYTES, "--size must be >= 8");
        for (final int size : throughputSizes)
        {
            require(size >= Long.BYTES, "--sizes must be >= 8 each");
        }
    }

    /** One idle strategy per thread (they keep state); the same class for every system. */
    Supplier<IdleStrategy> idleStrategy()
    {
        return idle.equals("spin") ? BusySpinIdleStrategy::new : () -> new BackoffIdleStrategy(100, 10, 1_000, 100_000);
    }

    String idleDescription()
    {
        return idle.equals("spin") ? "BusySpinIdleStrategy (every thread spins)" :
            "BackoffIdleStrategy(100 spins, 10 yields, park 1 µs doubling to 100 µs)";
    }

    private static long seconds(final String text)
    {
        return (long)(Double.parseDouble(text) * TimeUnit.SECONDS.toNanos(1));
    }

    static int size(final String text)
    {
        final String value = text.trim().toLowerCase(Locale.ROOT);
        final int multiplier = value.endsWith("k") ? 1024 : value.endsWith("m") ? 1024 * 1024 : 1;
        final String digits = multiplier == 1 ? value : value.substring(0, value.length() - 1);
        return Math.multiplyExact(Integer.parseInt(digits), multiplier);
    }

    private static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new IllegalArgumentException(message + "\nusage: " + USAGE);
        }
    }
}
