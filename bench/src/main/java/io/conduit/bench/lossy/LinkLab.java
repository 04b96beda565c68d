package io.conduit.bench.lossy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The two namespace hosts and the emulator between them, brought up for one {@link LinkScenario} with
 * {@code tools/linkemu/linkemu-lab} and torn down on close.
 */
final class LinkLab implements AutoCloseable
{
    private static final String SCRIPT = "tools/linkemu/linkemu-lab";
    /** native-config/sysctl.conf's net.core.rmem_max and wmem_max. */
    private static final long NATIVE_CONFIG_BUFFER_MAX = 16L << 20;
    static final String HOST_A = "cemu-a";
    static final String HOST_B = "cemu-b";
    private static final String ADDRESS_B = "198.18.50.2";

    private final LinkScenario scenario;

    private LinkLab(final LinkScenario scenario)
    {
        this.scenario = scenario;
    }

    LinkScenario scenario()
    {
        return scenario;
    }

    static LinkLab up(final LinkScenario scenario, final long seed) throws IOException, InterruptedException
    {
        run(List.of(SCRIPT, "down"));
        raiseSocketBufferLimits();
        final List<String> command = new ArrayList<>(List.of(SCRIPT, "up", "--seed", Long.toString(seed),
            "--a2b", direction(scenario, scenario.lossPercent()), "--b2a", direction(scenario, 0),
            "--mtu", Integer.toString(scenario.mtu())));
        run(command);
        return new LinkLab(scenario);
    }

    /** The emulator's per-direction flags: half the RTT each way, the rate, one BDP of queue. */
    private static String direction(final LinkScenario scenario, final double lossPercent)
    {
        return String.format(Locale.ROOT, "delay=%.1fms,loss=%.4f,rate=%dmbit,queue=%db",
            scenario.rttMs() / 2.0, lossPercent / 100, scenario.rateMbit(), scenario.queueBytes());
    }

    String addressB()
    {
        return ADDRESS_B;
    }

    List<String> inHostA(final List<String> command)
    {
        return inHost(HOST_A, command);
    }

    List<String> inHostB(final List<String> command)
    {
        return inHost(HOST_B, command);
    }

    /**
     * Per-namespace since Linux 4.15: host A's TCP senders use {@code name}. A namespace may only choose a controller
     * on the global allowed list (the write fails with EIO otherwise), so {@code name} is added to that list first:
     * the only change this benchmark makes outside its namespaces, and one that restricts nothing.
     */
    void tcpCongestionControl(final String name) throws IOException, InterruptedException
    {
        final Path allowed = Path.of("/proc/sys/net/ipv4/tcp_allowed_congestion_control");
        final String current = Files.readString(allowed).strip();
        if (!List.of(current.split(" ")).contains(name))
        {
            Files.writeString(allowed, current + " " + name);
        }
        run(inHostA(List.of("sh", "-c", "echo " + name + " > /proc/sys/net/ipv4/tcp_congestion_control")));
    }

    /**
     * Raises (never lowers) net.core.rmem_max and wmem_max to native-config/sysctl.conf's values, which Conduit
     * needs and a namespace shares with the host: below them a socket's buffer request is cut silently. TCP's own
     * limits (tcp_rmem, tcp_wmem) are left as they are.
     */
    private static void raiseSocketBufferLimits() throws IOException
    {
        for (final String name : List.of("rmem_max", "wmem_max"))
        {
            final Path setting = Path.of("/proc/sys/net/core", name);
            if (Long.parseLong(Files.readString(setting).strip()) < NATIVE_CONFIG_BUFFER_MAX)
            {
                Files.writeString(setting, Long.toString(NATIVE_CONFIG_BUFFER_MAX));
            }
        }
    }

    private static List<String> inHost(final String host, final List<String> command)
    {
        final List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", host));
        full.addAll(command);
        return full;
    }

    static String loadAverage()
    {
        try
        {
            final String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        }
        catch (final IOException ex)
        {
            return "unknown";
        }
    }

    private static void run(final List<String> command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes()).strip();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0)
        {
            process.destroyForcibly();
            throw new IOException("'" + String.join(" ", command) + "' failed: " + output);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException
    {
        run(List.of(SCRIPT, "down"));
    }
}
