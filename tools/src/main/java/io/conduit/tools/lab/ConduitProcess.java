package io.conduit.tools.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One {@code conduit} subcommand in its own JVM (optionally inside a network namespace), with its output lines
 * collected and optionally echoed. The child runs this JVM's class path and module opens, so it works the same
 * from the executable jar and from a test's class path.
 */
public final class ConduitProcess implements AutoCloseable
{
    private final String name;
    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Thread reader;
    private final CountDownLatch finished = new CountDownLatch(1);

    private ConduitProcess(final String name, final Process process, final Consumer<String> echo)
    {
        this.name = name;
        this.process = process;
        this.reader = new Thread(() -> read(echo), "conduit-" + name + "-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code conduit ARGS...} inside {@code namespace} (null: in this host's namespace). */
    public static ConduitProcess start(final String name, final String namespace, final Consumer<String> echo,
        final String... arguments) throws IOException
    {
        final List<String> command = new ArrayList<>();
        if (namespace != null)
        {
            command.addAll(List.of("ip", "netns", "exec", namespace));
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String option : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (option.startsWith("--add-opens") || option.startsWith("--add-exports") || option.startsWith("-XX:") ||
                option.startsWith("-Dconduit.") || option.startsWith("-Djava.net.preferIPv4Stack"))
            {
                command.add(option);
            }
        }
        command.add("-Xmx512m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("io.conduit.tools.ConduitCli");
        command.addAll(List.of(arguments));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        return new ConduitProcess(name, process, echo);
    }

    private void read(final Consumer<String> echo)
    {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = in.readLine()) != null)
            {
                lines.add(line);
                if (echo != null)
                {
                    echo.accept(line);
                }
            }
        }
        catch (final IOException ex)
        {
            lines.add(name + ": output lost: " + ex.getMessage());
        }
        finally
        {
            finished.countDown();
        }
    }

    /** Waits for a line matching {@code match}; returns it, or throws when the process ends first or time runs out. */
    public String awaitLine(final Predicate<String> match, final long timeout, final TimeUnit unit)
        throws IOException, InterruptedException
    {
        final long deadlineNs = System.nanoTime() + unit.toNanos(timeout);
        int seen = 0;
        while (System.nanoTime() - deadlineNs < 0)
        {
            final List<String> snapshot = List.copyOf(lines);
            for (int i = seen; i < snapshot.size(); i++)
            {
                if (match.test(snapshot.get(i)))
                {
                    return snapshot.get(i);
                }
            }
            seen = snapshot.size();
            if (finished.await(20, TimeUnit.MILLISECONDS) && lines.size() == seen)
            {
                throw new IOException(name + " exited (" + process.waitFor() + ") before it was ready: " + tail());
            }
        }
        throw new IOException(name + " not ready after " + unit.toSeconds(timeout) + " s: " + tail());
    }

    /** Waits for the process to exit; returns its exit code, or throws on timeout (after killing it). */
    public int awaitExit(final long timeout, final TimeUnit unit) throws IOException, InterruptedException
    {
        if (!process.waitFor(timeout, unit))
        {
            process.destroyForcibly();
            throw new IOException(name + " did not finish within " + unit.toSeconds(timeout) + " s: " + tail());
        }
        finished.await(5, TimeUnit.SECONDS);
        return process.exitValue();
    }

    public List<String> lines()
    {
        return List.copyOf(lines);
    }

    /** The last line, or "" when there was none. */
    public String lastLine()
    {
        final List<String> snapshot = lines();
        return snapshot.isEmpty() ? "" : snapshot.get(snapshot.size() - 1);
    }

    /** The last few lines, for error messages. */
    public String tail()
    {
        final List<String> snapshot = lines();
        return String.join(" | ", snapshot.subList(Math.max(0, snapshot.size() - 3), snapshot.size()));
    }

    /** Writes one line to the process's standard input and flushes it. */
    public void writeLine(final String line) throws IOException
    {
        final var input = process.getOutputStream();
        input.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        input.flush();
    }

    /** Closes the process's standard input (end of file for a command reading it). */
    public void closeInput() throws IOException
    {
        process.getOutputStream().close();
    }

    /** Kills the process with SIGKILL, as a crash would, and waits until it is gone. */
    public void kill() throws InterruptedException
    {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor();
        finished.await(5, TimeUnit.SECONDS);
    }

    /** Whether the process is still running. */
    public boolean isAlive()
    {
        return process.isAlive();
    }

    /** Stops the process politely (SIGTERM), so a relay prints its summary. */
    public void stop() throws InterruptedException
    {
        // `ip netns exec` may fork: signal the JVM itself, not only its parent. Through ProcessHandle, because
        // Process.destroy() also closes our end of its output, losing the summary it prints on the way out.
        process.descendants().forEach(ProcessHandle::destroy);
        process.toHandle().destroy();
        finished.await(10, TimeUnit.SECONDS);
        if (!process.waitFor(5, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
        }
    }

    @Override
    public void close()
    {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
