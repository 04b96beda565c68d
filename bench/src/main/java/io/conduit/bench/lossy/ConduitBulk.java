package io.conduit.bench.lossy;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import io.conduit.transport.congestion.CongestionControlKind;
import io.conduit.transport.endpoint.ConduitConnection;
import io.conduit.transport.endpoint.DeadlineBackoffIdleStrategy;
import io.conduit.transport.endpoint.Endpoint;
import io.conduit.transport.endpoint.EndpointContext;
import io.conduit.transport.endpoint.ReceivedMessageHandler;
import io.conduit.transport.endpoint.ThreadingMode;

/**
 * Conduit ends of a bulk transfer: one invoker-mode endpoint per process driven by the process's own thread (the
 * same shape as {@code conduit send}/{@code recv}), 64 KiB messages, and a window of segments large enough for the
 * emulated link's bandwidth-delay product.
 */
final class ConduitBulk
{
    private static final int MESSAGE_BYTES = 64 * 1024;
    private static final int RING_BYTES = 1 << 20;
    /** 8 MiB: 4,096 full segments; the kernel grants it under native-config's net.core.rmem_max (16 MiB). */
    private static final int SOCKET_BUFFER_BYTES = 8 << 20;
    private static final int POLL_LIMIT = 64;

    private ConduitBulk()
    {
    }

    static ReceiveCounter receive(final InetSocketAddress bind, final int windowSegments, final int payloadBytes,
        final PrintStream out) throws IOException
    {
        final EndpointContext context = context(bind, true, windowSegments, payloadBytes);
        try (Endpoint endpoint = Endpoint.launch(context))
        {
            out.println("listening");
            out.flush();
            final IdleStrategy idle = context.idleStrategy();
            ConduitConnection connection;
            while ((connection = endpoint.pollAccepted()) == null)
            {
                idle.idle(endpoint.doWork());
            }
            final Counter counter = new Counter();
            // A sender cut by the time cap aborts (RST): what arrived until then is the transfer.
            while (!connection.isInputFinished() && !connection.isClosed())
            {
                idle.idle(endpoint.doWork() + connection.poll(counter, POLL_LIMIT));
            }
            connection.poll(counter, Integer.MAX_VALUE);
            connection.close();
            while (!connection.isClosed())
            {
                idle.idle(endpoint.doWork());
            }
            return counter.received;
        }
    }

    /**
     * Sends {@code bytes} (or until the deadline) and returns how many were offered; prints the connection's
     * {@code sender ...} counters line to {@code out} first, which the harness shows beside the goodput.
     */
    static long send(final InetSocketAddress to, final long bytes, final long deadlineNs, final String congestion,
        final int windowSegments, final int payloadBytes, final PrintStream out) throws IOException
    {
        final EndpointContext context = context(new InetSocketAddress("0.0.0.0", 0), false, windowSegments,
            payloadBytes);
        context.connectionConfig().congestionControl(kind(congestion));
        try (Endpoint endpoint = Endpoint.launch(context))
        {
            final ConduitConnection connection = endpoint.connect(to, 5, TimeUnit.SECONDS);
            final IdleStrategy idle = context.idleStrategy();
            final UnsafeBuffer message = new UnsafeBuffer(new byte[MESSAGE_BYTES]);
            long sent = 0;
            while (sent < bytes && System.nanoTime() - deadlineNs < 0)
            {
                final int length = (int)Math.min(MESSAGE_BYTES, bytes - sent);
                final long result = connection.offer(message, 0, length);
                if (result >= 0)
                {
                    sent += length;
                }
                else if (result == ConduitConnection.CLOSED)
                {
                    throw new IOException("connection lost: " + connection.closeReason());
                }
                else
                {
                    idle.idle(endpoint.doWork());
                }
            }
            if (sent < bytes)
            {
                // Cut by the time cap: draining what is queued at a lossy link's rate could take minutes.
                connection.abort();
            }
            else
            {
                // A graceful close completes only when every byte was acknowledged.
                connection.close();
            }
            while (!connection.isClosed())
            {
                idle.idle(endpoint.doWork());
            }
            out.println("sender segments " + connection.segmentsSent() + ", retransmits " + connection.retransmits() +
                ", timeouts " + connection.timeouts() + ", srtt " + connection.srttNs() / 1000 + " us");
            return sent;
        }
    }

    private static EndpointContext context(final InetSocketAddress bind, final boolean listen,
        final int windowSegments, final int payloadBytes)
    {
        final EndpointContext context = new EndpointContext().bind(bind).listen(listen)
            .threadingMode(ThreadingMode.INVOKER).idleStrategy(new DeadlineBackoffIdleStrategy())
            .sendRingCapacity(RING_BYTES).receiveRingCapacity(RING_BYTES).name("bulk");
        context.connectionConfig().sendWindowSegments(windowSegments).receiveWindowSegments(windowSegments)
            .maxPayloadBytes(payloadBytes);
        // What a bulk flow on a long lossy path asks for, as TCP's autotuning would: windows are cut to what the
        // socket got (WindowBudget), and a lost retransmission holds the window's left edge for ~3 round trips.
        context.socket().receiveBufferBytes(SOCKET_BUFFER_BYTES).sendBufferBytes(SOCKET_BUFFER_BYTES);
        return context.conclude();
    }

    /** {@code newreno}, {@code cubic}, {@code bbr}: the enum's names without underscores, any case. */
    static CongestionControlKind kind(final String name)
    {
        final String wanted = BulkTransfer.lowerCase(name.replace("-", "").replace("_", ""));
        for (final CongestionControlKind kind : CongestionControlKind.values())
        {
            if (BulkTransfer.lowerCase(kind.name().replace("_", "")).equals(wanted))
            {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown congestion control " + name);
    }

    /** Counts what arrives; one clock read per 64 KiB message is negligible. */
    private static final class Counter implements ReceivedMessageHandler
    {
        private final ReceiveCounter received = new ReceiveCounter();

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            received.onBytes(System.nanoTime(), length);
        }
    }
}
