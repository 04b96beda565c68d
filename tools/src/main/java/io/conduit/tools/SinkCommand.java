package io.conduit.tools;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;

import io.conduit.transport.endpoint.ConduitConnection;
import io.conduit.transport.endpoint.Endpoint;
import io.conduit.transport.endpoint.EndpointContext;
import io.conduit.transport.endpoint.ReceivedMessageHandler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code conduit sink}: the receiving side of {@code conduit blast}. Accepts one connection and counts the messages
 * delivered to the application until the sender closes, then closes its side.
 *
 * <p>Last line: {@code received N messages BYTES bytes in SECONDS s rate MSGS msg/s MBPS MB/s}. The time runs from
 * the first message polled to the last one (so the handshake and the close are not counted; with fewer than two
 * messages it is 0 and so are the rates); MB = 10^6 bytes. The first line is {@code listening on HOST:PORT}.
 */
@Command(name = "sink", mixinStandardHelpOptions = true,
    description = "Count the messages of one connection (e.g. from 'conduit blast') and print the rate.")
final class SinkCommand extends EndpointCommand implements ReceivedMessageHandler
{
    @Option(names = "--bind", required = true, paramLabel = "HOST:PORT", converter = HostPort.Bind.class,
        description = "Address to listen on; port 0 picks a free port (printed on the first line).")
    private InetSocketAddress bind;

    @Option(names = "--idle", paramLabel = "spin|yield|backoff", defaultValue = "backoff",
        converter = IdleOption.Converter.class,
        description = "How the thread waits when there is no work (default ${DEFAULT-VALUE}).")
    private IdleOption idleOption;

    @Option(names = "--accept-timeout-ms", paramLabel = "N", defaultValue = "0",
        description = "Give up if no connection arrives within N ms; 0 waits forever (default).")
    private long acceptTimeoutMs;

    @Mixin
    private DatagramOptions datagrams;

    private long messages;
    private long bytes;
    private long firstNs;
    private long lastNs;

    @Override
    int execute(final PrintWriter out) throws CommandFailure, IOException
    {
        if (acceptTimeoutMs < 0)
        {
            throw usage("--accept-timeout-ms must be >= 0, was " + acceptTimeoutMs);
        }
        final EndpointContext context = context(bind, true, idleOption.create());
        final String invalid = datagrams.applyTo(context.connectionConfig());
        if (invalid != null)
        {
            throw usage(invalid);
        }
        try (Endpoint endpoint = Endpoint.launch(context))
        {
            out.println("listening on " + HostPort.format(endpoint.localAddress()));
            out.flush();
            final ConduitConnection connection = accept(endpoint, acceptTimeoutMs);
            final IdleStrategy idle = endpoint.context().idleStrategy();
            while (!connection.isInputFinished())
            {
                idle.idle(endpoint.doWork() + connection.poll(this, POLL_LIMIT));
            }
            if (failed(connection.closeReason()))
            {
                throw new CommandFailure("connection lost: " + describe(connection.closeReason()));
            }
            connection.close();
            driveUntilClosed(endpoint, connection);
        }
        out.println("received " + rateSummary(messages, bytes, lastNs - firstNs));
        out.flush();
        return 0;
    }

    @Override
    public void onMessage(final DirectBuffer buffer, final int offset, final int length)
    {
        // One clock read per message is cheap next to the ring copy, and gives the exact first-to-last span.
        lastNs = System.nanoTime();
        if (messages == 0)
        {
            firstNs = lastNs;
        }
        messages++;
        bytes += length;
    }
}
