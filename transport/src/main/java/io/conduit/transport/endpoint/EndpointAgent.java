package io.conduit.transport.endpoint;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;

import io.conduit.transport.engine.CloseReason;
import io.conduit.transport.engine.Connection;
import io.conduit.transport.engine.ConnectionEventHandler;
import io.conduit.transport.engine.ConnectionState;
import io.conduit.transport.engine.EndpointEngine;
import io.conduit.transport.engine.MessageHandler;
import io.conduit.transport.engine.TimerKind;
import io.conduit.transport.media.AddressTable;
import io.conduit.transport.media.FirstHopMtu;
import io.conduit.transport.media.UdpChannel;

/**
 * The endpoint's duty cycle, confined to one thread: read a batch of datagrams into the engine, fire due timers,
 * move messages between the engine and the applications' rings for the connections that had activity, then write
 * what the engine produced. The clock is read once per cycle. Nothing here allocates per message.
 */
final class EndpointAgent implements Agent
{
    /** Datagrams written per duty cycle at most, so one busy connection cannot keep the agent from receiving. */
    private static final int TRANSMIT_LIMIT = 256;

    final ManyToOneConcurrentArrayQueue<ConduitConnection> connectRequests;
    final ManyToOneConcurrentArrayQueue<ConduitConnection> doorbells;
    final ManyToManyConcurrentArrayQueue<ConduitConnection> accepted;
    final EndpointStats stats = new EndpointStats();

    private final Endpoint endpoint;
    private final EndpointContext context;
    private final UdpChannel channel;
    private final EndpointEngine engine;
    private final NanoClock clock;
    private final AddressTable addresses = new AddressTable(65_536, 1 << 20);
    private final FirstHopMtu firstHopMtu = new FirstHopMtu();
    private final ArrayList<ConduitConnection> live = new ArrayList<>();
    private final ArrayList<ConduitConnection> deliveryPending = new ArrayList<>();
    private final long[] edgeCounters = new long[EndpointStats.COUNT];
    private final DeliverToRing deliverToRing = new DeliverToRing();
    private final OfferToEngine offerToEngine = new OfferToEngine();
    private final ConnectionEventHandler events = this::onStateChange;
    private final String roleName;
    private final StatusPublisher status;

    private int pendingTransmitLength;
    private InetSocketAddress pendingTransmitTo;
    private long nextStatsNs;
    private volatile boolean closeRequested;
    private volatile boolean lingerDone;
    volatile boolean statsRequested;
    private long closeDeadlineNs;
    private boolean closing;

    EndpointAgent(final Endpoint endpoint, final EndpointContext context, final UdpChannel channel)
    {
        this.endpoint = endpoint;
        this.context = context;
        this.channel = channel;
        this.clock = context.nanoClock();
        WindowBudget.fit(context.connectionConfig(), receiveBufferBytes(channel));
        this.engine = new EndpointEngine(context.endpointConfig(), context.random());
        engine.listen(context.listen());
        engine.trackActivity(true);
        final int maxConnections = context.endpointConfig().maxConnections();
        this.connectRequests = new ManyToOneConcurrentArrayQueue<>(Math.max(1024, Math.min(maxConnections, 65_536)));
        this.doorbells = new ManyToOneConcurrentArrayQueue<>(maxConnections + connectRequests.capacity());
        this.accepted = new ManyToManyConcurrentArrayQueue<>(Math.max(2, context.endpointConfig().acceptBacklog()));
        this.roleName = "conduit-endpoint-" + (context.name() != null ? context.name() : channel.localAddress());
        this.status = context.statusFile() ? new StatusPublisher(context, roleName, channel.localAddress()) : null;
    }

    /** The engine's next timer deadline on {@link EndpointContext#nanoClock()}; call on the engine's thread. */
    long nextDeadlineNs()
    {
        return engine.nextDeadlineNs();
    }

    InetSocketAddress localAddress()
    {
        return channel.localAddress();
    }

    @Override
    public String roleName()
    {
        return roleName;
    }

    @Override
    public int doWork()
    {
        final long nowNs = clock.nanoTime();
        edgeCounters[EndpointStats.DUTY_CYCLES]++;
        int work = openRequested(nowNs);
        // What the application offered since the last cycle leaves first: in a request/response exchange on an
        // invoker thread, the reply would otherwise wait behind a receive attempt that finds nothing (a system call).
        work += serviceDoorbells(nowNs);
        work += transmit(nowNs);
        work += receive(nowNs);
        if (engine.nextDeadlineNs() - nowNs <= 0)
        {
            engine.onTimer(nowNs);
            work++;
        }
        work += takeAccepted(nowNs);
        work += serviceActivity(nowNs);
        work += serviceDoorbells(nowNs);
        work += servicePendingDeliveries(nowNs);
        if (closeRequested && !lingerDone)
        {
            work += progressClose(nowNs);
        }
        work += transmit(nowNs);
        if (nowNs - nextStatsNs >= 0 || statsRequested)
        {
            publishStats();
            nextStatsNs = nowNs + context.statsIntervalNs();
            statsRequested = false;
        }
        return work;
    }

    @Override
    public void onClose()
    {
        publishStats();
        for (int i = 0, size = live.size(); i < size; i++)
        {
            final ConduitConnection connection = live.get(i);
            if (!connection.isClosed())
            {
                connection.onStateChange(ConnectionState.CLOSED, CloseReason.ABORTED);
            }
            connection.markInputFinished();
        }
        if (status != null)
        {
            status.close();
        }
        try
        {
            channel.close();
        }
        catch (final IOException ex)
        {
            context.errorHandler().onError(ex);
        }
    }

    void requestClose()
    {
        closeRequested = true;
    }

    boolean isDrained()
    {
        return lingerDone;
    }

    // ------------------------------------------------------------------ inputs

    private int openRequested(final long nowNs)
    {
        int work = 0;
        ConduitConnection connection;
        while ((connection = connectRequests.poll()) != null)
        {
            work++;
            final long key = addresses.keyOf(connection.remoteAddress());
            if (key == AddressTable.NO_KEY || closeRequested ||
                engine.connectionCount() >= context.endpointConfig().maxConnections())
            {
                connection.failBeforeOpen(CloseReason.REFUSED);
                continue;
            }
            final Connection engineConnection = engine.connect(nowNs, key);
            capPathMtu(engineConnection, connection.remoteAddress());
            connection.bind(engineConnection);
            addLive(connection);
        }
        return work;
    }

    private int receive(final long nowNs)
    {
        int received = 0;
        for (int i = 0, batch = context.datagramBatch(); i < batch; i++)
        {
            final InetSocketAddress from;
            try
            {
                from = channel.receive();
            }
            catch (final IOException ex)
            {
                edgeCounters[EndpointStats.SOCKET_ERRORS]++;
                break;
            }
            if (from == null)
            {
                break;
            }
            received++;
            final int length = channel.receivedLength();
            edgeCounters[EndpointStats.BYTES_RECEIVED] += length;
            final long key = addresses.keyOf(from);
            if (key == AddressTable.NO_KEY)
            {
                edgeCounters[EndpointStats.SOCKET_ERRORS]++;
                continue;
            }
            engine.onDatagram(nowNs, key, channel.receiveBuffer(), 0, length);
        }
        return received;
    }

    private int takeAccepted(final long nowNs)
    {
        int work = 0;
        Connection engineConnection;
        while ((engineConnection = engine.pollAccepted()) != null)
        {
            work++;
            final InetSocketAddress remote = addresses.addressOf(engineConnection.remoteKey());
            capPathMtu(engineConnection, remote);
            final ConduitConnection connection = new ConduitConnection(endpoint, remote, context,
                engineConnection.state());
            connection.bind(engineConnection);
            addLive(connection);
            if (closeRequested || !accepted.offer(connection))
            {
                edgeCounters[EndpointStats.ACCEPT_QUEUE_FULL]++;
                engineConnection.abort(nowNs);
            }
            service(connection, nowNs);
        }
        return work;
    }

    /** No path is wider than its first link: probes stop at the outgoing interface's MTU (RFC 8899 §5.1.2). */
    private void capPathMtu(final Connection engineConnection, final InetSocketAddress remote)
    {
        if (context.connectionConfig().pathMtuDiscovery())
        {
            final int firstHop = firstHopMtu.maxDatagramBytes(remote);
            if (firstHop != FirstHopMtu.UNKNOWN)
            {
                engineConnection.capPathMtu(firstHop);
            }
        }
    }

    private static int receiveBufferBytes(final UdpChannel channel)
    {
        try
        {
            return channel.receiveBufferBytes();
        }
        catch (final IOException ex)
        {
            return 0;
        }
    }

    // ------------------------------------------------------- connection service

    private int serviceActivity(final long nowNs)
    {
        int work = 0;
        Connection engineConnection;
        while ((engineConnection = engine.pollActivity()) != null)
        {
            final ConduitConnection connection = (ConduitConnection)engineConnection.attachment();
            if (connection != null && connection.liveIndex >= 0)
            {
                work += service(connection, nowNs);
            }
        }
        return work;
    }

    private int serviceDoorbells(final long nowNs)
    {
        int work = 0;
        ConduitConnection connection;
        while ((connection = doorbells.poll()) != null)
        {
            // Clear before draining: an offer that lands after the drain rings again.
            connection.doorbell.set(0);
            if (connection.liveIndex >= 0)
            {
                work += service(connection, nowNs) + 1;
            }
        }
        return work;
    }

    private int servicePendingDeliveries(final long nowNs)
    {
        int work = 0;
        for (int i = deliveryPending.size() - 1; i >= 0; i--)
        {
            final ConduitConnection connection = deliveryPending.get(i);
            connection.deliveryPending = false;
            final int last = deliveryPending.size() - 1;
            deliveryPending.set(i, deliveryPending.get(last));
            deliveryPending.remove(last);
            if (connection.liveIndex >= 0)
            {
                work += service(connection, nowNs);
            }
        }
        return work;
    }

    /** Moves everything that can move for one connection, in both directions, then reports its state. */
    private int service(final ConduitConnection connection, final long nowNs)
    {
        final Connection engineConnection = connection.engine;
        int work = drainSendRing(connection, engineConnection);
        final int requests = connection.requests.get();
        if ((requests & ConduitConnection.REQUEST_ABORT) != 0 && engineConnection.state() != ConnectionState.CLOSED)
        {
            engineConnection.abort(nowNs);
        }
        else if ((requests & ConduitConnection.REQUEST_CLOSE) != 0 && !connection.closeIssued &&
            connection.sendRing.size() == 0)
        {
            connection.closeIssued = true;
            engineConnection.close(nowNs);
        }
        work += deliver(connection, engineConnection);
        engineConnection.pollEvents(events, Integer.MAX_VALUE);
        final ConnectionState state = engineConnection.state();
        if (!connection.deliveryPending &&
            (state == ConnectionState.CLOSED || state == ConnectionState.TIME_WAIT || engineConnection.isPeerFinished()))
        {
            connection.markInputFinished();
        }
        if ((state == ConnectionState.CLOSED || state == ConnectionState.TIME_WAIT) && connection.inputFinishedByAgent())
        {
            removeLive(connection);
        }
        return work;
    }

    private int drainSendRing(final ConduitConnection connection, final Connection engineConnection)
    {
        if (!engineConnection.state().canSend() || connection.sendRing.size() == 0)
        {
            return 0;
        }
        offerToEngine.connection = engineConnection;
        final int batch = context.deliveryBatch();
        final int taken = connection.sendRing.controlledRead(offerToEngine, batch);
        // A read stops at the end of the ring's buffer; when what it met there was only the padding of a wrapped write,
        // it took nothing and the messages at the start would wait for the next doorbell (an ACK or a 10 s keepalive).
        if (taken < batch && connection.sendRing.size() != 0 && engineConnection.state().canSend())
        {
            return taken + connection.sendRing.controlledRead(offerToEngine, batch - taken);
        }
        return taken;
    }

    private int deliver(final ConduitConnection connection, final Connection engineConnection)
    {
        deliverToRing.connection = connection;
        deliverToRing.refused = false;
        final int limit = context.deliveryBatch();
        final int delivered = engineConnection.pollMessages(deliverToRing, limit);
        if ((deliverToRing.refused || delivered == limit) && !connection.deliveryPending)
        {
            connection.deliveryPending = true;
            deliveryPending.add(connection);
        }
        return delivered;
    }

    private void onStateChange(final Connection engineConnection, final ConnectionState from,
        final ConnectionState to, final CloseReason reason)
    {
        final ConduitConnection connection = (ConduitConnection)engineConnection.attachment();
        if (connection != null)
        {
            connection.onStateChange(to, reason);
        }
    }

    private void addLive(final ConduitConnection connection)
    {
        connection.liveIndex = live.size();
        live.add(connection);
        if (status != null)
        {
            status.addConnection(connection);
        }
    }

    private void removeLive(final ConduitConnection connection)
    {
        connection.publishStats(connection.engine);
        final int index = connection.liveIndex;
        final ConduitConnection last = live.remove(live.size() - 1);
        if (last != connection)
        {
            live.set(index, last);
            last.liveIndex = index;
        }
        connection.liveIndex = -1;
        connection.engine.attachment(null);
        if (status != null)
        {
            status.removeConnection(connection);
        }
    }

    // ----------------------------------------------------------------- outputs

    private int transmit(final long nowNs)
    {
        if (pendingTransmitLength > 0)
        {
            if (!send(pendingTransmitLength, pendingTransmitTo))
            {
                return 0;
            }
            pendingTransmitLength = 0;
            pendingTransmitTo = null;
        }
        int sent = 0;
        final int limit = TRANSMIT_LIMIT;
        int length;
        // Data segments come straight from their send-window slots; control packets are written to the send buffer.
        while (sent < limit && (length = engine.pollTransmitInPlace(nowNs, channel.sendBuffer(), 0)) > 0)
        {
            final InetSocketAddress to = addresses.addressOf(engine.transmitRemoteKey());
            final DirectBuffer buffer = engine.transmitBuffer();
            final int offset = engine.transmitOffset();
            if (!send(buffer, offset, length, to))
            {
                // The socket buffer is full: keep a copy of the datagram (its slot may be reused once acknowledged)
                // and stop; the next cycle retries it first.
                if (buffer != channel.sendBuffer())
                {
                    channel.sendBuffer().putBytes(0, buffer, offset, length);
                }
                pendingTransmitLength = length;
                pendingTransmitTo = to;
                break;
            }
            sent++;
        }
        return sent;
    }

    private boolean send(final int length, final InetSocketAddress to)
    {
        return send(channel.sendBuffer(), 0, length, to);
    }

    private boolean send(final DirectBuffer buffer, final int offset, final int length, final InetSocketAddress to)
    {
        try
        {
            if (channel.send(buffer, offset, length, to))
            {
                edgeCounters[EndpointStats.BYTES_SENT] += length;
                return true;
            }
            edgeCounters[EndpointStats.SEND_WOULD_BLOCK]++;
            return false;
        }
        catch (final IOException ex)
        {
            // E.g. no route: the datagram is lost and loss recovery (or the retry limit) deals with it.
            edgeCounters[EndpointStats.SOCKET_ERRORS]++;
            return true;
        }
    }

    // ------------------------------------------------------------------ closing

    private int progressClose(final long nowNs)
    {
        if (!closing)
        {
            closing = true;
            closeDeadlineNs = nowNs + context.lingerNs();
            engine.listen(false);
            for (int i = 0, size = live.size(); i < size; i++)
            {
                live.get(i).close();
            }
            return 1;
        }
        if (live.isEmpty() && engine.connectionCount() == 0 || nowNs - closeDeadlineNs >= 0)
        {
            if (!live.isEmpty() || engine.connectionCount() != 0)
            {
                for (int i = live.size() - 1; i >= 0; i--)
                {
                    live.get(i).engine.abort(nowNs);
                }
                transmit(nowNs);
            }
            lingerDone = true;
        }
        return 0;
    }

    private void publishStats()
    {
        for (int i = 0, size = live.size(); i < size; i++)
        {
            final ConduitConnection connection = live.get(i);
            connection.publishStats(connection.engine);
        }
        stats.publish(engine.counters(), edgeCounters, engine.connectionCount(), engine.timeWaitSize(),
            engine.timeWaitEvictions());
        if (status != null)
        {
            status.publish(stats, live, System.currentTimeMillis());
        }
    }

    /** Hands received messages to the application's ring; refuses (leaving them queued) when the ring is full. */
    private static final class DeliverToRing implements MessageHandler
    {
        ConduitConnection connection;
        boolean refused;

        @Override
        public boolean onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            if (connection.receiveRing.write(ConduitConnection.MESSAGE_TYPE, buffer, offset, length))
            {
                return true;
            }
            refused = true;
            return false;
        }
    }

    /** Moves offered messages into the engine; stops, leaving the rest in the ring, while the engine is full. */
    private static final class OfferToEngine implements ControlledMessageHandler
    {
        Connection connection;

        @Override
        public Action onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index,
            final int length)
        {
            final long result = connection.offer(buffer, index, length);
            return result == Connection.BACK_PRESSURED ? Action.ABORT : Action.CONTINUE;
        }
    }
}
