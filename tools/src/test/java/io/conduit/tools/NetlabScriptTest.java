package io.conduit.tools;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs the {@code tools/netlab} script for real: namespaces, veths, nftables loss. Skipped unless the test runs as
 * root with ip, nft, tc and ping available, since it changes the machine's network namespaces.
 */
class NetlabScriptTest
{
    private static final Path SCRIPT = Path.of(System.getProperty("basedir", ".")).resolve("netlab");
    private static final long TIMEOUT_SECONDS = 60;

    @TempDir
    Path outputDirectory;

    @BeforeAll
    static void requireRootAndTools() throws IOException, InterruptedException
    {
        assumeTrue(Files.isExecutable(SCRIPT), "no executable " + SCRIPT);
        for (final String tool : new String[] {"ip", "nft", "tc", "ping", "id"})
        {
            assumeTrue(onPath(tool), tool + " is not on PATH");
        }
        final Process id = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
        final String uid = new String(id.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        id.waitFor();
        assumeTrue("0".equals(uid), "netlab needs root");
    }

    @Test
    void upPingsImpairsWithFullLossAndDownRemovesEverything() throws IOException, InterruptedException
    {
        // Unique per JVM and test so parallel runs on one machine never share namespaces.
        final String prefix = "nt" + ProcessHandle.current().pid() + "x" + (System.nanoTime() % 100_000);
        try
        {
            final Result up = netlab("up", "--prefix", prefix);
            assertEquals(0, up.exitCode, up.output);
            final String namespaces = run("ip", "netns", "list").output;
            assertTrue(namespaces.contains(prefix + "-h1"), namespaces);
            assertTrue(namespaces.contains(prefix + "-h2"), namespaces);

            final Result ping = netlab("exec", "--prefix", prefix, "h1", "ping", "-c", "1", "-W", "2", "198.18.0.2");
            assertEquals(0, ping.exitCode, ping.output);

            final Result impair = netlab("impair", "--prefix", prefix, "h1", "--loss", "100");
            assertEquals(0, impair.exitCode, impair.output);
            final Result lostPing = netlab("exec", "--prefix", prefix, "h1", "ping", "-c", "1", "-W", "2",
                "198.18.0.2");
            assertNotEquals(0, lostPing.exitCode, lostPing.output);
        }
        finally
        {
            final Result down = netlab("down", "--prefix", prefix);
            assertEquals(0, down.exitCode, down.output);
        }
        assertFalse(run("ip", "netns", "list").output.contains(prefix + "-"), "namespaces left behind");
    }

    @Test
    void badArgumentsExitWithTwoAndOneLine() throws IOException, InterruptedException
    {
        final Result result = netlab("up", "--hosts", "1");
        assertEquals(2, result.exitCode, result.output);
        assertEquals(1, result.output.strip().lines().count(), result.output);
        assertEquals(2, netlab("impair", "h1", "--loss", "101").exitCode);
        assertEquals(2, netlab("no-such-command").exitCode);
    }

    private Result netlab(final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(SCRIPT.toAbsolutePath().toString());
        command.addAll(List.of(args));
        return run(command.toArray(new String[0]));
    }

    private Result run(final String... command) throws IOException, InterruptedException
    {
        // Output goes to a file so a chatty child can never block on a full pipe while we wait for it.
        final Path output = Files.createTempFile(outputDirectory, "out", ".txt");
        final Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(output.toFile()).start();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", command));
        }
        return new Result(process.exitValue(), Files.readString(output));
    }

    private static boolean onPath(final String tool)
    {
        final String path = System.getenv().getOrDefault("PATH", "");
        for (final String directory : path.split(File.pathSeparator))
        {
            if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, tool)))
            {
                return true;
            }
        }
        return false;
    }

    private record Result(int exitCode, String output)
    {
    }
}
