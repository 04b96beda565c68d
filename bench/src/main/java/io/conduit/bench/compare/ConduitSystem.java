package io.conduit.bench.compare;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;

import io.conduit.transport.codec.PacketLayout;
import io.conduit.transport.endpoint.ConduitConnection;
import io.conduit.transport.endpoint.Endpoint;
import io.conduit.transport.endpoint.EndpointContext;
import io.conduit.transport.endpoint.ReceivedMessageHandler;
import io.conduit.transport.endpoint.ThreadingMode;
import io.conduit.transport.engine.ConnectionConfig;

/**
 * Conduit through its public API: two {@link Endpoint}s in {@link ThreadingMode#INVOKER} mode, one connection, the
 * endpoint's default protocol settings except for an optional {@code maxPayloadBytes}. Each peer's
 * {@link LoopbackPeer#doWork()} runs its endpoint's duty cycle, so no endpoint thread exists.
 */
final class ConduitSystem implements LoopbackSystem
{
    private static final int MIN_RING_CAPACITY = 1024 * 1024;
    /** A ring holds messages up to an eighth of its capacity, less Agrona's record header. */
    private static final int RING_MESSAGE_FRACTION = 8;
    private static final int RECORD_HEADER_BYTES = 8;
    private static final long CONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private final int maxPayloadBytes;
    private final boolean spanMessages;

    /**
     * @param maxPayloadBytes the segment payload limit, or 0 for {@link ConnectionConfig}'s default.
     * @param spanMessages    {@link ConnectionConfig#spanMessages(boolean)}: on by default, off for an A/B run.
     */
    ConduitSystem(final int maxPayloadBytes, final boolean spanMessages)
    {
        this.maxPayloadBytes = maxPayloadBytes;
        this.spanMessages = spanMessages;
    }

    @Override
    public String name()
    {
        return "Conduit";
    }

    @Override
    public String settings()
    {
        final EndpointContext context = context(MIN_RING_CAPACITY, 0, 1);
        return "Conduit: 2 endpoints in INVOKER mode (no endpoint threads), maxPayloadBytes " +
            context.connectionConfig().maxPayloadBytes() + " (messages larger than that: path MTU discovery up to " +
            PacketLayout.MAX_DATA_PAYLOAD_LENGTH + "), windows " +
            context.connectionConfig().sendWindowSegments() + "/" + context.connectionConfig().receiveWindowSegments() +
            " segments, " + context.connectionConfig().congestionControl() + ", socket buffers requested " +
            context.socket().receiveBufferBytes() / 1024 + " KiB" + (spanMessages ? "" : ", spans off");
    }

    @Override
    public LoopbackLink open(final int maxMessageLength) throws IOException
    {
        final int ringCapacity = Math.max(MIN_RING_CAPACITY,
            BitUtil.findNextPositivePowerOfTwo(RING_MESSAGE_FRACTION * (maxMessageLength + RECORD_HEADER_BYTES)));
        final Endpoint server = Endpoint.launch(context(ringCapacity, 1, maxMessageLength).listen(true)
            .name("loopcmp-server"));
        Endpoint client = null;
        try
        {
            client = Endpoint.launch(context(ringCapacity, 2, maxMessageLength).name("loopcmp-client"));
            final ConduitConnection outbound = client.connect(
                new InetSocketAddress("127.0.0.1", server.localAddress().getPort()));
            final ConduitConnection inbound = awaitConnected(client, server, outbound);
            return new Link(new Peer(client, outbound), new Peer(server, inbound));
        }
        catch (final IOException | RuntimeException ex)
        {
            if (client != null)
            {
                client.close();
            }
            server.close();
            throw ex;
        }
    }

    private static ConduitConnection awaitConnected(final Endpoint client, final Endpoint server,
        final ConduitConnection outbound) throws IOException
    {
        final long deadlineNs = System.nanoTime() + CONNECT_TIMEOUT_NS;
        ConduitConnection inbound = null;
        while (inbound == null || !outbound.isConnected())
        {
            if (System.nanoTime() - deadlineNs > 0 || outbound.isClosed())
            {
                throw new IOException("Conduit handshake on loopback did not complete: " + outbound);
            }
            client.doWork();
            server.doWork();
            if (inbound == null)
            {
                inbound = server.pollAccepted();
            }
        }
        return inbound;
    }

    private EndpointContext context(final int ringCapacity, final long seed, final int maxMessageLength)
    {
        final EndpointContext context = new EndpointContext().bind("127.0.0.1", 0)
            .threadingMode(ThreadingMode.INVOKER)
            // No counters file: the comparison measures the data path, as the other systems' rows do.
            .statusFile(false)
            .sendRingCapacity(ringCapacity)
            .receiveRingCapacity(ringCapacity)
            .lingerNs(TimeUnit.MILLISECONDS.toNanos(100))
            .random(new SplittableRandom(seed))
            .errorHandler(error ->
            {
                throw new IllegalStateException("Conduit endpoint error", error);
            });
        context.connectionConfig().spanMessages(spanMessages);
        if (maxPayloadBytes > 0)
        {
            context.connectionConfig().maxPayloadBytes(maxPayloadBytes);
        }
        else if (maxMessageLength > context.connectionConfig().maxPayloadBytes())
        {
            // Messages that do not fit one default segment: let RFC 8899 probing find the loopback's 64 KiB path,
            // as issue 7 intends. Small messages keep the default 1,400-byte payload, Aeron's MTU class.
            context.connectionConfig().maxPayloadBytes(PacketLayout.MAX_DATA_PAYLOAD_LENGTH).pathMtuDiscovery(true);
        }
        return context;
    }

    private record Link(Peer client, Peer server) implements LoopbackLink
    {
        @Override
        public String observations()
        {
            final Endpoint clientEndpoint = client.endpoint;
            clientEndpoint.refreshStats();
            final long datagrams = clientEndpoint.stats().datagramsSent();
            final long segments = client.connection.segmentsSent();
            if (datagrams == 0 || segments == 0)
            {
                return "";
            }
            final ConduitConnection connection = client.connection;
            final Endpoint serverEndpoint = server.endpoint;
            serverEndpoint.refreshStats();
            // Duty cycles against datagrams say how often each side found nothing to do: the side that rarely idles
            // is the one that limits the run.
            return String.format("client sent %,d datagrams of %,d B on average (%,d B payload per DATA segment, " +
                "%,d retransmits, %,d timeouts; %s, srtt %,d µs, rto %,d µs, cwnd %,d B); duty cycles: client %,d " +
                "(%,d datagrams received), server %,d (%,d datagrams received, %,d sent)", datagrams,
                clientEndpoint.stats().bytesSent() / datagrams, connection.payloadBytesSent() / segments,
                connection.retransmits(), connection.timeouts(), connection.state(), connection.srttNs() / 1000,
                connection.rtoNs() / 1000, connection.congestionWindowBytes(), clientEndpoint.stats().dutyCycles(),
                clientEndpoint.stats().datagramsReceived(), serverEndpoint.stats().dutyCycles(),
                serverEndpoint.stats().datagramsReceived(), serverEndpoint.stats().datagramsSent());
        }

        @Override
        public void close()
        {
            // Abort rather than close: a graceful close needs both endpoints driven, and close() drives only its own.
            client.connection.abort();
            server.connection.abort();
            client.endpoint.close();
            server.endpoint.close();
        }
    }

    private static final class Peer implements LoopbackPeer, ReceivedMessageHandler
    {
        private final Endpoint endpoint;
        private final ConduitConnection connection;
        private MessageSink sink;

        Peer(final Endpoint endpoint, final ConduitConnection connection)
        {
            this.endpoint = endpoint;
            this.connection = connection;
        }

        @Override
        public int doWork()
        {
            return endpoint.doWork();
        }

        @Override
        public boolean offer(final DirectBuffer buffer, final int offset, final int length)
        {
            final long result = connection.offer(buffer, offset, length);
            if (result >= 0)
            {
                return true;
            }
            if (result == ConduitConnection.BACK_PRESSURED)
            {
                return false;
            }
            throw new IllegalStateException("Conduit offer failed (" + result + "): " + connection + " " +
                connection.closeReason());
        }

        @Override
        public int poll(final MessageSink sink, final int limit)
        {
            this.sink = sink;
            return connection.poll(this, limit);
        }

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            sink.onMessage(buffer, offset, length);
        }
    }
}
