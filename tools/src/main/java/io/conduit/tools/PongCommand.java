package io.conduit.tools;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;

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
 * {@code conduit pong}: the echo side of {@code conduit ping}. Serves accepted connections one after another,
 * sending every message straight back, until killed (or until {@code --connections} have been served). One thread
 * drives the endpoint; a connection that fails is reported on stderr and the next one is served.
 *
 * <p>The first line is {@code listening on HOST:PORT}; after each connection a line
 * {@code connection from HOST:PORT echoed N messages}.
 */
@Command(name = "pong", mixinStandardHelpOptions = true,
    description = "Echo every message back to its sender, one connection at a time, until killed.")
final class PongCommand extends EndpointCommand implements ReceivedMessageHandler
{
    @Option(names = "--bind", required = true, paramLabel = "HOST:PORT", converter = HostPort.Bind.class,
        description = "Address to listen on; port 0 picks a free port (printed on the first line).")
    private InetSocketAddress bind;

    @Option(names = "--idle", paramLabel = "spin|yield|backoff", defaultValue = "backoff",
        converter = IdleOption.Converter.class,
        description = "How the thread waits when there is no work (default ${DEFAULT-VALUE}).")
    private IdleOption idleOption;

    @Option(names = "--connections", paramLabel = "N", defaultValue = "0",
        description = "Exit after serving N connections; 0 serves until killed (default).")
    private long connections;

    private UnsafeBuffer pending;
    private int pendingLength = -1;
    private ConduitConnection current;
    private long echoed;

    @Override
    int execute(final PrintWriter out) throws CommandFailure, IOException
    {
        if (connections < 0)
        {
            throw usage("--connections must be >= 0, was " + connections);
        }
        final EndpointContext context = context(bind, true, idleOption.create());
        pending = new UnsafeBuffer(new byte[context.maxMessageBytes()]);
        try (Endpoint endpoint = Endpoint.launch(context))
        {
            out.println("listening on " + HostPort.format(endpoint.localAddress()));
            out.flush();
            for (long served = 0; connections == 0 || served < connections; served++)
            {
                serve(endpoint, accept(endpoint, 0), out);
            }
            return 0;
        }
    }

    private void serve(final Endpoint endpoint, final ConduitConnection connection, final PrintWriter out)
    {
        final IdleStrategy idle = endpoint.context().idleStrategy();
        current = connection;
        echoed = 0;
        pendingLength = -1;
        while (!connection.isInputFinished() || pendingLength >= 0)
        {
            int work = endpoint.doWork();
            if (pendingLength >= 0 && offer(pending, 0, pendingLength))
            {
                pendingLength = -1;
                work++;
            }
            // Take one message at a time so at most one echo waits for room in the send ring.
            for (int i = 0; i < POLL_LIMIT && pendingLength < 0 && connection.poll(this, 1) == 1; i++)
            {
                work++;
            }
            if (connection.isClosed() && pendingLength >= 0)
            {
                break;
            }
            idle.idle(work);
        }
        final String peer = HostPort.format(connection.remoteAddress());
        if (failed(connection.closeReason()))
        {
            fail("connection from " + peer + " lost: " + describe(connection.closeReason()));
            return;
        }
        connection.close();
        driveUntilClosed(endpoint, connection);
        out.println("connection from " + peer + " echoed " + echoed + " messages");
        out.flush();
    }

    @Override
    public void onMessage(final DirectBuffer buffer, final int offset, final int length)
    {
        if (!offer(buffer, offset, length))
        {
            // The send ring is full: keep a copy and retry it before taking the next message.
            buffer.getBytes(offset, pending, 0, length);
            pendingLength = length;
        }
    }

    private boolean offer(final DirectBuffer buffer, final int offset, final int length)
    {
        final long result = current.offer(buffer, offset, length);
        if (result >= 0)
        {
            echoed++;
            return true;
        }
        // CLOSED: drop it, the loop sees the connection end; otherwise back-pressured, retry later.
        return result == ConduitConnection.CLOSED || result == ConduitConnection.MESSAGE_TOO_LARGE;
    }
}
