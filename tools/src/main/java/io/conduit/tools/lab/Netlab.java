package io.conduit.tools.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The {@code tools/netlab} script, driven from Java: two namespace hosts, {@code PREFIX-h1} (198.18.0.1) and
 * {@code PREFIX-h2} (198.18.0.2), joined by a veth pair. {@link #close()} always tears the lab down.
 */
public final class Netlab implements AutoCloseable
{
    public static final String H1_ADDRESS = "198.18.0.1";
    public static final String H2_ADDRESS = "198.18.0.2";

    private final Path script;
    private final String prefix;
    private boolean up;

    private Netlab(final Path script, final String prefix)
    {
        this.script = script;
        this.prefix = prefix;
    }

    /** The script, when this process can use it: found, running as root, and ip/nft/tc on the PATH. */
    public static Optional<Path> availableScript()
    {
        final Optional<Path> script = findScript();
        if (script.isEmpty() || !isRoot() || !onPath("ip") || !onPath("nft") || !onPath("tc"))
        {
            return Optional.empty();
        }
        return script;
    }

    /** Why {@link #availableScript()} is empty, for a one-line message. */
    public static String unavailableReason()
    {
        if (findScript().isEmpty())
        {
            return "tools/netlab not found (set CONDUIT_HOME to the repository)";
        }
        if (!isRoot())
        {
            return "network namespaces need root";
        }
        return "ip, nft or tc missing (apt-get install iproute2 nftables)";
    }

    /** Creates the two hosts. */
    public static Netlab up(final Path script, final String prefix) throws IOException
    {
        final Netlab lab = new Netlab(script, prefix);
        lab.run("up", "--hosts", "2", "--prefix", prefix);
        lab.up = true;
        return lab;
    }

    /** Kernel impairment of what {@code host} (h1 or h2) sends: random loss and duplication in percent. */
    public void impair(final String host, final double lossPercent, final double duplicatePercent) throws IOException
    {
        run("impair", host, "--prefix", prefix, "--loss", format(lossPercent), "--dup", format(duplicatePercent));
    }

    /** The namespace name of {@code host} (h1 or h2), for {@code ip netns exec}. */
    public String namespace(final String host)
    {
        return prefix + "-" + host;
    }

    @Override
    public void close()
    {
        if (up)
        {
            up = false;
            try
            {
                run("down", "--prefix", prefix);
            }
            catch (final IOException ex)
            {
                System.err.println("netlab: teardown failed: " + ex.getMessage());
            }
        }
    }

    private void run(final String... arguments) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(script.toString());
        command.addAll(List.of(arguments));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        try
        {
            if (!process.waitFor(60, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new IOException("netlab " + arguments[0] + " did not finish in 60 s");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted", ex);
        }
        if (process.exitValue() != 0)
        {
            throw new IOException("netlab " + String.join(" ", arguments) + " failed: " + output);
        }
    }

    private static String format(final double value)
    {
        return java.math.BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }

    private static Optional<Path> findScript()
    {
        final List<Path> candidates = new ArrayList<>();
        final String home = System.getProperty("conduit.home", System.getenv("CONDUIT_HOME"));
        if (home != null)
        {
            candidates.add(Path.of(home, "tools", "netlab"));
        }
        candidates.add(Path.of("tools", "netlab"));
        candidates.add(Path.of("netlab"));
        return candidates.stream().filter(Files::isExecutable).map(Path::toAbsolutePath).findFirst();
    }

    private static boolean isRoot()
    {
        try
        {
            final Process process = new ProcessBuilder("id", "-u").start();
            final String uid = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            process.waitFor(10, TimeUnit.SECONDS);
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

    private static boolean onPath(final String tool)
    {
        for (final String directory : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
            .split(java.io.File.pathSeparator))
        {
            if (Files.isExecutable(Path.of(directory, tool)))
            {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", tool)) || Files.isExecutable(Path.of("/sbin", tool));
    }
}
