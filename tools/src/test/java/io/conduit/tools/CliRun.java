package io.conduit.tools;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Test fixture: runs {@code conduit} commands in-process with captured stdout and stderr. It builds the command line
 * as {@link ConduitCli#execute} does (same one-line usage-error handler, exit 2) but with its own writers, so a server
 * command on one thread and a client on another each keep their own output.
 */
final class CliRun
{
    final int exitCode;
    final String out;
    final String err;

    private CliRun(final int exitCode, final String out, final String err)
    {
        this.exitCode = exitCode;
        this.out = out;
        this.err = err;
    }

    /** Runs a command to completion on the calling thread. */
    static CliRun run(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int exitCode = execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CliRun(exitCode, out.toString(), err.toString());
    }

    /** Starts a server command on its own thread; its stdout lines can be awaited as they are printed. */
    static Server start(final String... args)
    {
        return new Server(args);
    }

    /** The last non-empty line of stdout, which is what scripts parse. */
    String lastLine()
    {
        final List<String> lines = out.lines().filter(line -> !line.isBlank()).toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    @Override
    public String toString()
    {
        return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }

    private static int execute(final PrintWriter out, final PrintWriter err, final String... args)
    {
        final CommandLine commandLine = new CommandLine(new ConduitCli());
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setParameterExceptionHandler((ex, arguments) ->
        {
            ex.getCommandLine().getErr().println("conduit: " + ex.getMessage() + " (try --help)");
            return 2;
        });
        return commandLine.execute(args);
    }

    /** A command running on a daemon thread (a hung server must not keep the test JVM alive). */
    static final class Server
    {
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final CompletableFuture<CliRun> result = new CompletableFuture<>();

        Server(final String... args)
        {
            final LineWriter out = new LineWriter(lines);
            final Thread thread = new Thread(() ->
            {
                final StringWriter err = new StringWriter();
                try
                {
                    final int exitCode = execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
                    result.complete(new CliRun(exitCode, out.all.toString(), err.toString()));
                }
                catch (final Throwable ex)
                {
                    result.completeExceptionally(ex);
                }
            }, "conduit-" + args[0]);
            thread.setDaemon(true);
            thread.start();
        }

        /**
         * Waits for the {@code listening on HOST:PORT} line the server prints once its socket is bound, and returns
         * the port: the readiness signal, so the client never races the bind.
         */
        int awaitListeningPort() throws InterruptedException
        {
            final String line = lines.poll(10, TimeUnit.SECONDS);
            assertNotNull(line, "server printed nothing within 10 s");
            assertTrue(line.startsWith("listening on "), line);
            return Integer.parseInt(line.substring(line.lastIndexOf(':') + 1));
        }

        /** Waits for the command to finish. */
        CliRun await() throws Exception
        {
            return result.get(20, TimeUnit.SECONDS);
        }
    }

    /** Collects everything written and queues each complete line. */
    private static final class LineWriter extends Writer
    {
        final StringBuffer all = new StringBuffer();
        private final BlockingQueue<String> lines;
        private final StringBuilder line = new StringBuilder();

        LineWriter(final BlockingQueue<String> lines)
        {
            this.lines = lines;
        }

        @Override
        public synchronized void write(final char[] chars, final int offset, final int length)
        {
            all.append(chars, offset, length);
            for (int i = offset; i < offset + length; i++)
            {
                if (chars[i] == '\n')
                {
                    lines.add(line.toString());
                    line.setLength(0);
                }
                else if (chars[i] != '\r')
                {
                    line.append(chars[i]);
                }
            }
        }

        @Override
        public void flush()
        {
        }

        @Override
        public void close()
        {
        }
    }
}
