package io.conduit.tools.linkemu;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The {@code tools/linkemu/linkemu-lab} script, driven from a test: hosts {@code PREFIX-a} (198.18.50.1) and
 * {@code PREFIX-b} (198.18.50.2) joined only by the emulator. {@link #close()} always tears the lab down.
 */
final class LinkLab implements AutoCloseable
{
    static final String ADDRESS_B = "198.18.50.2";
    static final Path SCRIPT = Path.of(System.getProperty("basedir", ".")).resolve("linkemu/linkemu-lab")
        .toAbsolutePath();
    private static final long TIMEOUT_SECONDS = 60;

    private final String prefix;
    private final Path scratch;

    private LinkLab(final String prefix, final Path scratch)
    {
        this.prefix = prefix;
        this.scratch = scratch;
    }

    /** Brings a lab up with these emulator flags; scratch holds the output files of the commands it runs. */
    static LinkLab up(final String prefix, final Path scratch, final String... flags) throws IOException
    {
        final LinkLab lab = new LinkLab(prefix, scratch);
        final List<String> arguments = new ArrayList<>(List.of("--prefix", prefix, "up"));
        arguments.addAll(List.of(flags));
        final Result result = lab.script(arguments);
        if (result.exitCode() != 0)
        {
            lab.close();
            throw new IOException("linkemu-lab up failed: " + result.output());
        }
        return lab;
    }

    /** Runs a command inside host a or b and waits for it. */
    Result exec(final String host, final String... command) throws IOException
    {
        final List<String> arguments = new ArrayList<>(List.of("--prefix", prefix, "exec", host));
        arguments.addAll(List.of(command));
        return script(arguments);
    }

    /** Starts a command inside host a or b without waiting; its output is a pipe the caller reads. */
    Process start(final String host, final String... command) throws IOException
    {
        final List<String> arguments = new ArrayList<>(List.of(SCRIPT.toString(), "--prefix", prefix, "exec", host));
        arguments.addAll(List.of(command));
        return new ProcessBuilder(arguments).redirectErrorStream(true).start();
    }

    /** The emulator's counters right now, e.g. {@code a2b.drop_loss}. */
    Map<String, Long> stats() throws IOException
    {
        final Result result = script(List.of("--prefix", prefix, "stats"));
        if (result.exitCode() != 0)
        {
            throw new IOException("linkemu-lab stats failed: " + result.output());
        }
        final Map<String, Long> counters = new HashMap<>();
        for (final String line : result.output().split("\n"))
        {
            final int equals = line.indexOf('=');
            if (equals > 0)
            {
                counters.put(line.substring(0, equals), Long.parseLong(line.substring(equals + 1).trim()));
            }
        }
        return counters;
    }

    @Override
    public void close() throws IOException
    {
        final Result result = script(List.of("--prefix", prefix, "down"));
        if (result.exitCode() != 0)
        {
            throw new IOException("linkemu-lab down failed: " + result.output());
        }
    }

    Result script(final List<String> arguments) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(SCRIPT.toString());
        command.addAll(arguments);
        return run(scratch, command);
    }

    /** Runs a command to completion; output goes through a file so a chatty child can never block on a pipe. */
    static Result run(final Path scratch, final List<String> command) throws IOException
    {
        final Path output = Files.createTempFile(scratch, "out", ".txt");
        final Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(output.toFile()).start();
        try
        {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new IOException("timed out: " + String.join(" ", command));
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted", ex);
        }
        return new Result(process.exitValue(), Files.readString(output));
    }

    /** Why a lab cannot run here, or empty when it can. */
    static Optional<String> unavailableReason()
    {
        if (!Files.isExecutable(SCRIPT))
        {
            return Optional.of("no executable " + SCRIPT);
        }
        if (!isRoot())
        {
            return Optional.of("network namespaces and TUN devices need root");
        }
        if (!Files.exists(Path.of("/dev/net/tun")))
        {
            return Optional.of("no /dev/net/tun");
        }
        for (final String tool : new String[] {"gcc", "ip", "ping"})
        {
            if (!onPath(tool))
            {
                return Optional.of(tool + " is not on PATH (packages gcc libc6-dev iproute2 iputils-ping)");
            }
        }
        return Optional.empty();
    }

    static boolean onPath(final String tool)
    {
        for (final String directory : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        {
            if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, tool)))
            {
                return true;
            }
        }
        return false;
    }

    private static boolean isRoot()
    {
        try
        {
            final Process id = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
            final String uid = new String(id.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            id.waitFor(10, TimeUnit.SECONDS);
            return "0".equals(uid);
        }
        catch (final IOException ex)
        {
            return false;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    record Result(int exitCode, String output)
    {
    }
}
