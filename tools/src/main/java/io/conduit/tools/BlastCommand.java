package io.conduit.tools;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;

import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import io.conduit.transport.congestion.CongestionControlKind;
import io.conduit.transport.endpoint.ConduitConnection;
import io.conduit.transport.endpoint.Endpoint;
import io.conduit.transport.endpoint.EndpointContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code conduit blast}: offers messages of one size to {@code conduit sink} as fast as back-pressure allows for a
 * number of seconds, then closes gracefully and waits for the close (every message acknowledged).
 *
 * <p>Last line: {@code sent N messages BYTES bytes in SECONDS s rate MSGS msg/s MBPS MB/s}. The time runs from the
 * first offer to the completed close, so it includes draining what was still queued; MB = 10^6 bytes.
 */
@Command(name = "blast", mixinStandardHelpOptions = true,
    description = "Send messages to 'conduit sink' as fast as back-pressure allows and print the rate.")
final class BlastCommand extends EndpointCommand
{
    @Option(names = "--to", required = true, paramLabel = "HOST:PORT", converter = HostPort.Remote.class,
        description = "Address of 'conduit sink'.")
    private InetSocketAddress to;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "1024",
        description = "Message size in bytes (default ${DEFAULT-VALUE}).")
    private int size;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "10",
        description = "How long to offer messages (default ${DEFAULT-VALUE}).")
    private double seconds;

    @Option(names = "--idle", paramLabel = "spin|yield|backoff", defaultValue = "backoff",
        converter = IdleOption.Converter.class,
        description = "How the thread waits when back-pressured (default ${DEFAULT-VALUE}).")
    private IdleOption idleOption;

    @Option(names = "--cc", paramLabel = "NAME", defaultValue = "newreno", converter = CongestionOption.class,
        completionCandidates = CongestionOption.Names.class,
        description = "Congestion control: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    private CongestionControlKind congestionControl;

    @Mixin
    private DatagramOptions datagrams;

    @Option(names = "--connect-timeout-ms", paramLabel = "N", defaultValue = "5000",
        description = "How long to wait for the handshake (default ${DEFAULT-VALUE}).")
    private long connectTimeoutMs;

    @Override
    int execute(final PrintWriter out) throws CommandFailure, IOException
    {
        final EndpointContext context = context(wildcardFor(to), false, idleOption.create());
        context.connectionConfig().congestionControl(congestionControl);
        final String invalid = datagrams.applyTo(context.connectionConfig());
        if (invalid != null)
        {
            throw usage(invalid);
        }
        validate(context.maxMessageBytes());
        final UnsafeBuffer message = new UnsafeBuffer(new byte[size]);
        try (Endpoint endpoint = Endpoint.launch(context))
        {
            final ConduitConnection connection = connect(endpoint, to, connectTimeoutMs);
            final IdleStrategy idle = context.idleStrategy();
            final long startNs = System.nanoTime();
            final long endNs = startNs + (long)(seconds * 1e9);
            long messages = 0;
            while (System.nanoTime() - endNs < 0)
            {
                if (size >= Long.BYTES)
                {
                    message.putLong(0, messages);
                }
                final long result = connection.offer(message, 0, size);
                if (result >= 0)
                {
                    messages++;
                    continue;
                }
                if (result == ConduitConnection.CLOSED)
                {
                    throw new CommandFailure("connection lost: " + describe(connection.closeReason()));
                }
                idle.idle(endpoint.doWork());
            }
            connection.close();
            driveUntilClosed(endpoint, connection);
            if (failed(connection.closeReason()))
            {
                throw new CommandFailure("connection lost: " + describe(connection.closeReason()));
            }
            final long elapsedNs = System.nanoTime() - startNs;
            out.println("datagrams up to " + connection.maxDatagramBytes() + " bytes, " +
                connection.pathMtuProbesSent() + " path MTU probes, " + connection.segmentsSent() + " segments, " +
                connection.retransmits() + " retransmits, " + connection.timeouts() + " timeouts");
            out.println("sent " + rateSummary(messages, messages * size, elapsedNs));
            out.flush();
            return 0;
        }
    }

    private void validate(final int maxMessageBytes)
    {
        if (size < 1 || size > maxMessageBytes)
        {
            throw usage("--size must be in [1, " + maxMessageBytes + "], was " + size);
        }
        if (!(seconds > 0) || seconds > 86_400)
        {
            throw usage("--seconds must be in (0, 86400], was " + seconds);
        }
        if (connectTimeoutMs < 1)
        {
            throw usage("--connect-timeout-ms must be >= 1, was " + connectTimeoutMs);
        }
    }
}
