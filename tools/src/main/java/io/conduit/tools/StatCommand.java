package io.conduit.tools;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import io.conduit.transport.engine.ConnectionState;
import io.conduit.transport.status.CounterTypes;
import io.conduit.transport.status.CounterValue;
import io.conduit.transport.status.StatusDirectory;
import io.conduit.transport.status.StatusReader;
import io.conduit.transport.status.StatusSnapshot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code conduit stat}: prints the live counters of every running Conduit endpoint on this host, read from the
 * status files in the status directory (see {@link StatusDirectory#defaultDir()} and
 * {@link io.conduit.transport.status.StatusFile}), in the manner of AeronStat.
 * <p>
 * Output per live endpoint: a header line {@code endpoint NAME pid PID}, then one {@code LABEL  VALUE} line per
 * counter, labels padded and values right-aligned to common widths, and a blank line. Files of ended processes are
 * left out. With no live endpoint it prints {@code no conduit endpoints in DIR}.
 * <p>
 * Without {@code --once} it refreshes every {@code --interval-ms} (default 1000, at least 100) until interrupted,
 * clearing the screen with ANSI escapes when stdout is a terminal and printing plain successive blocks otherwise
 * (for logs and pipes). Exit codes: 0 done or interrupted, 1 status directory unusable, 2 bad arguments.
 */
@Command(name = "stat", mixinStandardHelpOptions = true,
    description = "Print the live counters of the Conduit endpoints running on this host.")
final class StatCommand implements Callable<Integer>
{
    static final long MIN_INTERVAL_MS = 100;

    private static final String CLEAR_SCREEN = "\033[H\033[2J";

    @Spec
    private CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR",
        description = "Status directory (default: -Dconduit.status.dir, $CONDUIT_STATUS_DIR, /dev/shm/conduit or " +
        "${java.io.tmpdir}/conduit).")
    private Path dir;

    @Option(names = "--once", description = "Print one snapshot and exit.")
    private boolean once;

    @Option(names = "--interval-ms", paramLabel = "N", defaultValue = "1000",
        description = "Refresh interval in ms, at least 100 (default ${DEFAULT-VALUE}).")
    private long intervalMs;

    @Override
    public Integer call()
    {
        if (intervalMs < MIN_INTERVAL_MS)
        {
            throw new ParameterException(spec.commandLine(),
                "--interval-ms must be at least " + MIN_INTERVAL_MS + ", was " + intervalMs);
        }
        final PrintWriter out = spec.commandLine().getOut();
        final Path statusDir;
        try
        {
            statusDir = dir != null ? dir : StatusDirectory.defaultDir();
        }
        catch (final UncheckedIOException ex)
        {
            spec.commandLine().getErr().println("conduit stat: " + ex.getMessage());
            return 1;
        }
        final boolean terminal = System.console() != null;
        while (true)
        {
            if (terminal && !once)
            {
                out.print(CLEAR_SCREEN);
            }
            print(out, statusDir, StatusReader.readAll(statusDir));
            out.flush();
            if (once)
            {
                return 0;
            }
            try
            {
                Thread.sleep(intervalMs); // A refresh period for a human, not synchronisation.
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return 0;
            }
        }
    }

    /**
     * Prints one snapshot of the live endpoints among {@code snapshots}.
     *
     * @param out       where to print.
     * @param dir       the status directory, named when no endpoint is live.
     * @param snapshots what {@link StatusReader#readAll} returned; dead ones are skipped.
     */
    static void print(final PrintWriter out, final Path dir, final List<StatusSnapshot> snapshots)
    {
        final List<StatusSnapshot> live = snapshots.stream().filter(StatusSnapshot::alive).toList();
        if (live.isEmpty())
        {
            out.println("no conduit endpoints in " + dir);
            return;
        }
        int labelWidth = 1;
        int valueWidth = 1;
        for (final StatusSnapshot snapshot : live)
        {
            for (final CounterValue counter : snapshot.counters())
            {
                labelWidth = Math.max(labelWidth, printable(counter.label()).length());
                valueWidth = Math.max(valueWidth, render(counter).length());
            }
        }
        final String lineFormat = "%-" + labelWidth + "s  %" + valueWidth + "s%n";
        for (final StatusSnapshot snapshot : live)
        {
            out.println("endpoint " + printable(snapshot.name()) + " pid " + snapshot.pid());
            for (final CounterValue counter : snapshot.counters())
            {
                out.printf(lineFormat, printable(counter.label()), render(counter));
            }
            out.println();
        }
    }

    /** Labels come from other processes' memory: keep control characters (e.g. stray ANSI escapes) off the tty. */
    private static String printable(final String text)
    {
        final StringBuilder builder = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            builder.append(Character.isISOControl(c) ? '?' : c);
        }
        return builder.toString();
    }

    /** A connection's state counter holds the state's ordinal; show its name. */
    private static String render(final CounterValue counter)
    {
        if (counter.typeId() == CounterTypes.CONNECTION_STATE && counter.value() >= 0 &&
            counter.value() < ConnectionState.values().length)
        {
            return ConnectionState.of((int)counter.value()).name();
        }
        return Long.toString(counter.value());
    }
}
