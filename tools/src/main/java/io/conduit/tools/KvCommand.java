package io.conduit.tools;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.agrona.concurrent.IdleStrategy;

import io.conduit.client.KvClient;
import io.conduit.kv.Consistency;
import io.conduit.kv.KvConfig;
import io.conduit.kv.KvTextProtocol;
import io.conduit.kv.client.KvClientConfig;
import io.conduit.transport.endpoint.Endpoint;
import io.conduit.transport.endpoint.EndpointContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code conduit kv}: the key-value store's command-line client. Reads commands from stdin, one per line, and
 * answers each with exactly one line on stdout, in order, flushed at once ({@link KvTextProtocol}): {@code ok},
 * {@code value V}, {@code missing}, {@code fail}, {@code ok TOKEN}, {@code held HOLDER}, {@code timeout} when no
 * answer came in time (the outcome is unknown), {@code error TEXT} only when the command was certainly not applied.
 * Exits 0 at end of input.
 *
 * <p>One thread drives the endpoint and runs the commands; a second only reads stdin (into a bounded queue), so
 * keepalives are answered while the input is quiet.
 */
@Command(name = "kv", mixinStandardHelpOptions = true,
    description = "Key-value client: reads put/get/cas/delete/lease lines on stdin, prints one answer line each.")
final class KvCommand extends EndpointCommand
{
    /** Queued after the last line; compared by identity, so no input line can be mistaken for it. */
    private static final Object END_OF_INPUT = new Object();
    private static final int QUEUED_LINES = 1024;

    @Option(names = "--cluster", required = true, split = ",", paramLabel = "HOST:PORT",
        converter = HostPort.Remote.class, description = "The members' addresses, as 'conduit node --members' lists.")
    private List<InetSocketAddress> cluster;

    @Option(names = "--timeout-ms", paramLabel = "N", defaultValue = "5000",
        description = "How long each command may take before it answers 'timeout' (default ${DEFAULT-VALUE}).")
    private long timeoutMs;

    @Option(names = "--consistency", paramLabel = "linearizable|sequential|eventual", defaultValue = "linearizable",
        converter = ConsistencyConverter.class,
        description = "How get is read (default ${DEFAULT-VALUE}).")
    private Consistency consistency;

    private final InputStream input;
    private final BlockingQueue<Object> lines = new ArrayBlockingQueue<>(QUEUED_LINES);

    KvCommand()
    {
        this(System.in);
    }

    /** Reads commands from {@code input} instead of stdin (tests). */
    KvCommand(final InputStream input)
    {
        this.input = input;
    }

    @Override
    int execute(final PrintWriter out) throws CommandFailure, IOException
    {
        if (timeoutMs < 1)
        {
            throw usage("--timeout-ms must be >= 1, was " + timeoutMs);
        }
        final EndpointContext context = context(wildcardFor(cluster.get(0)), false, IdleOption.BACKOFF.create());
        final KvTextProtocol protocol = new KvTextProtocol(KvConfig.DEFAULT);
        startReader();
        try (Endpoint endpoint = Endpoint.launch(context);
            KvClient client = new KvClient(endpoint, cluster, consistency, clientConfig(), new SecureRandom()))
        {
            final IdleStrategy idle = context.idleStrategy();
            while (true)
            {
                final Object next = lines.poll();
                if (next == null)
                {
                    idle.idle(client.doWork());
                    continue;
                }
                idle.reset();
                if (next == END_OF_INPUT)
                {
                    return 0;
                }
                if (next instanceof IOException failure)
                {
                    throw new CommandFailure("cannot read stdin: " + failure.getMessage());
                }
                final KvTextProtocol.Parsed parsed = protocol.parse((String)next);
                out.println(parsed.isError() ? parsed.errorLine() :
                    client.execute(parsed.operation(), timeoutMs).line());
                out.flush();
            }
        }
    }

    /**
     * Attempts of a quarter of the timeout (10 ms to 1 s), so a dead first address still leaves time for the
     * others within one command's timeout.
     */
    private KvClientConfig clientConfig()
    {
        final long attemptMs = Math.max(10, Math.min(1_000, timeoutMs / 4));
        return new KvClientConfig().attemptTimeoutNs(TimeUnit.MILLISECONDS.toNanos(attemptMs));
    }

    /** Reads stdin on a daemon thread, so a command that never gets input does not keep the JVM alive. */
    private void startReader()
    {
        final Thread reader = new Thread(() ->
        {
            try
            {
                lines.put(readLines());
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }, "conduit-kv-stdin");
        reader.setDaemon(true);
        reader.start();
    }

    /** Queues every line of the input; returns what ends it: {@link #END_OF_INPUT}, or the read error. */
    private Object readLines() throws InterruptedException
    {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(input, StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = in.readLine()) != null)
            {
                lines.put(line);
            }
            return END_OF_INPUT;
        }
        catch (final IOException ex)
        {
            return ex;
        }
    }

    /** Case-insensitive {@code --consistency} with a one-line error listing the choices. */
    static final class ConsistencyConverter implements ITypeConverter<Consistency>
    {
        @Override
        public Consistency convert(final String value)
        {
            for (final Consistency level : Consistency.values())
            {
                if (level.name().equalsIgnoreCase(value))
                {
                    return level;
                }
            }
            throw new TypeConversionException("unknown consistency '" + value + "' (choose " + Arrays.stream(
                Consistency.values()).map(c -> c.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining("|")) +
                ")");
        }
    }
}
