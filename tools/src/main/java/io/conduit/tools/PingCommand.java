package io.conduit.tools;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;

import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import io.conduit.transport.endpoint.ConduitConnection;
import io.conduit.transport.endpoint.Endpoint;
import io.conduit.transport.endpoint.EndpointContext;
import io.conduit.transport.endpoint.ReceivedMessageHandler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code conduit ping}: measures application-to-application round trips against {@code conduit pong}. One message
 * is in flight at a time: send, wait for its echo, record the time in an HdrHistogram (nanoseconds, 3 significant
 * digits); warm-up round trips are not recorded. The thread drives the endpoint itself, so the idle strategy is part
 * of what is measured ({@code --idle spin} for the lowest latency).
 *
 * <p>Last line: {@code rtt_us p50=.. p90=.. p99=.. p99.9=.. max=.. count=N}, microseconds with one decimal.
 */
@Command(name = "ping", mixinStandardHelpOptions = true,
    description = "Measure round-trip latency against 'conduit pong' and print percentiles.")
final class PingCommand extends EndpointCommand implements ReceivedMessageHandler
{
    @Option(names = "--to", required = true, paramLabel = "HOST:PORT", converter = HostPort.Remote.class,
        description = "Address of 'conduit pong'.")
    private InetSocketAddress to;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "32",
        description = "Message size in bytes (default ${DEFAULT-VALUE}).")
    private int size;

    @Option(names = "--count", paramLabel = "N", defaultValue = "10000",
        description = "Round trips to record (default ${DEFAULT-VALUE}).")
    private long count;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "1000",
        description = "Round trips to run first without recording (default ${DEFAULT-VALUE}).")
    private long warmup;

    @Option(names = "--idle", paramLabel = "spin|yield|backoff", defaultValue = "backoff",
        converter = IdleOption.Converter.class,
        description = "How the thread waits when there is no work (default ${DEFAULT-VALUE}).")
    private IdleOption idleOption;

    @Option(names = "--connect-timeout-ms", paramLabel = "N", defaultValue = "5000",
        description = "How long to wait for the handshake (default ${DEFAULT-VALUE}).")
    private long connectTimeoutMs;

    private int echoLength = -1;

    @Override
    int execute(final PrintWriter out) throws CommandFailure, IOException
    {
        final EndpointContext context = context(wildcardFor(to), false, idleOption.create());
        validate(context.maxMessageBytes());
        final Histogram histogram = new Histogram(3);
        final UnsafeBuffer message = new UnsafeBuffer(new byte[size]);
        try (Endpoint endpoint = Endpoint.launch(context))
        {
            final ConduitConnection connection = connect(endpoint, to, connectTimeoutMs);
            for (long i = 0; i < warmup + count; i++)
            {
                if (size >= Long.BYTES)
                {
                    message.putLong(0, i);
                }
                final long startNs = System.nanoTime();
                roundTrip(endpoint, connection, message);
                final long rttNs = System.nanoTime() - startNs;
                if (i >= warmup)
                {
                    histogram.recordValue(rttNs);
                }
            }
            connection.close();
            driveUntilClosed(endpoint, connection);
        }
        out.println(format("rtt_us p50=%.1f p90=%.1f p99=%.1f p99.9=%.1f max=%.1f count=%d",
            histogram.getValueAtPercentile(50) / 1e3, histogram.getValueAtPercentile(90) / 1e3,
            histogram.getValueAtPercentile(99) / 1e3, histogram.getValueAtPercentile(99.9) / 1e3,
            histogram.getMaxValue() / 1e3, histogram.getTotalCount()));
        out.flush();
        return 0;
    }

    private void validate(final int maxMessageBytes)
    {
        if (size < 1 || size > maxMessageBytes)
        {
            throw usage("--size must be in [1, " + maxMessageBytes + "], was " + size);
        }
        if (count < 1)
        {
            throw usage("--count must be >= 1, was " + count);
        }
        if (warmup < 0)
        {
            throw usage("--warmup must be >= 0, was " + warmup);
        }
        if (connectTimeoutMs < 1)
        {
            throw usage("--connect-timeout-ms must be >= 1, was " + connectTimeoutMs);
        }
    }

    /** Offers the message, then drives the endpoint until its echo is back. */
    private void roundTrip(final Endpoint endpoint, final ConduitConnection connection, final UnsafeBuffer message)
        throws CommandFailure
    {
        final IdleStrategy idle = endpoint.context().idleStrategy();
        long result;
        while ((result = connection.offer(message, 0, size)) < 0)
        {
            if (result == ConduitConnection.CLOSED)
            {
                throw new CommandFailure("connection lost: " + describe(connection.closeReason()));
            }
            idle.idle(endpoint.doWork());
        }
        echoLength = -1;
        while (true)
        {
            final int work = endpoint.doWork();
            if (connection.poll(this, 1) == 1)
            {
                break;
            }
            if (connection.isInputFinished())
            {
                throw new CommandFailure("connection lost: " + (failed(connection.closeReason()) ?
                    describe(connection.closeReason()) : "the peer closed before echoing"));
            }
            idle.idle(work);
        }
        if (echoLength != size)
        {
            throw new CommandFailure("echo of " + echoLength + " bytes for a message of " + size +
                " (is the peer 'conduit pong'?)");
        }
    }

    @Override
    public void onMessage(final DirectBuffer buffer, final int offset, final int length)
    {
        echoLength = length;
    }
}
