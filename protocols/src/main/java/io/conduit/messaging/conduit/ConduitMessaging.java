package io.conduit.messaging.conduit;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

import org.agrona.DirectBuffer;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import io.conduit.messaging.MessageHandler;
import io.conduit.messaging.Messaging;
import io.conduit.messaging.PeerEventHandler;
import io.conduit.transport.engine.Connection;
import io.conduit.transport.engine.ConnectionState;
import io.conduit.transport.engine.EndpointEngine;
import io.conduit.transport.engine.TimerKind;

/**
 * {@link Messaging} over Conduit's reliable transport. One connection per pair of members, opened by the member
 * with the lower id; its first message is a HELLO naming that member, so the accepting side knows who it is
 * (checked against the member's configured address). A link is up once the HELLO has been exchanged and down when
 * the connection closes for any reason (reset, keepalive timeout, retransmission limit); the lower member then
 * reconnects with exponential backoff. A restarted member's new connection replaces the old one (down, then up).
 *
 * <p>Client links: when {@link ConduitMessagingConfig#maxClientLinks()} is above 0, a connection whose first message
 * is a {@link ClientHello} becomes a client link with a fresh {@code long} link id, and the member answers with a
 * reply naming itself. Clients thus reach a member at the same address its peers use; {@link #pollClients} hands
 * out their messages and closed links, {@link #sendToClient} answers them. A link's slot is reused only after its
 * close has been polled, so the close ring never overflows. With {@code memberIds} holding only the local member the
 * node has no peers and serves clients alone (peers then talk over another binding, e.g. Aeron).
 *
 * <p>Runs the sans-I/O engine on the caller's thread: {@link #doWork()} reads datagrams from the
 * {@link DatagramPort}, fires timers, maintains links and writes datagrams. With a simulated port the cluster
 * harness delivers datagrams through {@link #onDatagram} and time comes from the simulator.
 */
public final class ConduitMessaging implements Messaging
{
    static final int HELLO_MAGIC = 0xC0D1_4E11;
    static final int HELLO_LENGTH = 8;
    /** Link ids carry their slot in the low bits and a serial number above, so an id is never reused. */
    private static final int CLIENT_SLOT_BITS = 20;
    private static final long CLIENT_SLOT_MASK = (1L << CLIENT_SLOT_BITS) - 1;
    private static final byte CLIENT_FREE = 0;
    private static final byte CLIENT_OPEN = 1;
    private static final byte CLIENT_CLOSED_UNREPORTED = 2;

    private final int localMemberId;
    private final int[] memberIds;
    private final Int2IntHashMap slotByMember = new Int2IntHashMap(-1);
    private final ConduitMessagingConfig config;
    private final DatagramPort port;
    private final LongSupplier clock;
    private final EndpointEngine engine;
    private final Connection[] connections;
    private final boolean[] up;
    private final boolean[] helloSent;
    private final long[] reconnectAtNs;
    private final long[] backoffNs;
    private final long[] remoteKeys;
    private final ArrayList<Connection> awaitingHello = new ArrayList<>();
    private final long[] events = new long[256];
    private final UnsafeBuffer hello = new UnsafeBuffer(new byte[HELLO_LENGTH]);
    private final Delivery delivery = new Delivery();
    private final HelloReader helloReader = new HelloReader();
    private final Connection[] clientConnections;
    private final long[] clientLinkIds;
    private final byte[] clientStates;
    private final int[] freeClientSlots;
    private final int[] closedClientSlots;
    private final UnsafeBuffer clientHelloReply = new UnsafeBuffer(new byte[ClientHello.REPLY_LENGTH]);
    private final ClientDelivery clientDelivery = new ClientDelivery();
    private int freeClientCount;
    private int closedClientHead;
    private int closedClientCount;
    private int clientPollStart;
    private int openClientLinks;
    private long clientLinkSerial;
    private long refusedClientLinks;
    private long eventHead;
    private long eventTail;
    private int pollStart;
    private int pendingLength;
    private long pendingKey;
    private boolean closed;
    private long rejectedHellos;
    private long droppedEvents;

    public ConduitMessaging(final int localMemberId, final int[] memberIds, final ConduitMessagingConfig config,
        final DatagramPort port, final LongSupplier clock, final RandomGenerator random)
    {
        this.localMemberId = localMemberId;
        this.memberIds = memberIds.clone();
        Arrays.sort(this.memberIds);
        this.config = config.validate();
        this.port = port;
        this.clock = clock;
        this.engine = new EndpointEngine(config.endpointConfig(), random);
        engine.listen(true);
        final int size = this.memberIds.length;
        this.connections = new Connection[size];
        this.up = new boolean[size];
        this.helloSent = new boolean[size];
        this.reconnectAtNs = new long[size];
        this.backoffNs = new long[size];
        this.remoteKeys = new long[size];
        boolean self = false;
        for (int slot = 0; slot < size; slot++)
        {
            final int member = this.memberIds[slot];
            slotByMember.put(member, slot);
            self |= member == localMemberId;
            remoteKeys[slot] = member == localMemberId ? -1 : port.remoteKey(member);
            backoffNs[slot] = config.reconnectMinNs();
        }
        if (!self)
        {
            throw new IllegalArgumentException("local member " + localMemberId + " is not in " +
                Arrays.toString(memberIds));
        }
        hello.putInt(0, HELLO_MAGIC, ByteOrder.LITTLE_ENDIAN);
        hello.putInt(4, localMemberId, ByteOrder.LITTLE_ENDIAN);
        final int clientSlots = config.maxClientLinks();
        this.clientConnections = new Connection[clientSlots];
        this.clientLinkIds = new long[clientSlots];
        this.clientStates = new byte[clientSlots];
        this.freeClientSlots = new int[clientSlots];
        this.closedClientSlots = new int[clientSlots];
        for (int slot = clientSlots - 1; slot >= 0; slot--)
        {
            freeClientSlots[freeClientCount++] = slot;
        }
        ClientHello.encodeReply(clientHelloReply, 0, localMemberId);
    }

    @Override
    public int localMemberId()
    {
        return localMemberId;
    }

    @Override
    public long send(final int memberId, final DirectBuffer buffer, final int offset, final int length)
    {
        final int slot = slotByMember.get(memberId);
        if (slot < 0 || memberId == localMemberId)
        {
            return UNKNOWN_MEMBER;
        }
        if (closed)
        {
            return CLOSED;
        }
        if (length > maxMessageLength())
        {
            return MESSAGE_TOO_LARGE;
        }
        if (!up[slot])
        {
            return NOT_CONNECTED;
        }
        final long result = connections[slot].offer(buffer, offset, length);
        return result == Connection.CLOSED ? NOT_CONNECTED : result;
    }

    @Override
    public int poll(final MessageHandler handler, final int limit)
    {
        int delivered = 0;
        final int size = memberIds.length;
        delivery.handler = handler;
        for (int i = 0; i < size && delivered < limit; i++)
        {
            final int slot = (pollStart + i) % size;
            if (up[slot])
            {
                delivery.fromMemberId = memberIds[slot];
                delivered += Math.max(0, connections[slot].pollMessages(delivery, limit - delivered));
            }
        }
        pollStart = (pollStart + 1) % size;
        delivery.handler = null;
        return delivered;
    }

    @Override
    public int pollPeerEvents(final PeerEventHandler handler, final int limit)
    {
        int count = 0;
        while (eventHead < eventTail && count < limit)
        {
            final long event = events[(int)(eventHead++ % events.length)];
            final int member = (int)(event >> 1);
            if ((event & 1) != 0)
            {
                handler.onPeerUp(member);
            }
            else
            {
                handler.onPeerDown(member);
            }
            count++;
        }
        return count;
    }

    /**
     * Hands up to {@code limit} client messages (round robin over links, in order per link), then closed links, to
     * the handler. Returns the messages taken plus the closes reported; messages still queued on a link the handler
     * closed during the call are taken and dropped.
     */
    public int pollClients(final ClientLinkHandler handler, final int limit)
    {
        if (closed)
        {
            return 0;
        }
        int delivered = 0;
        final int slots = clientConnections.length;
        clientDelivery.handler = handler;
        for (int i = 0; i < slots && delivered < limit; i++)
        {
            final int slot = (clientPollStart + i) % slots;
            if (clientStates[slot] == CLIENT_OPEN)
            {
                clientDelivery.linkId = clientLinkIds[slot];
                delivered += Math.max(0, clientConnections[slot].pollMessages(clientDelivery, limit - delivered));
            }
        }
        clientDelivery.handler = null;
        clientPollStart = slots == 0 ? 0 : (clientPollStart + 1) % slots;
        while (delivered < limit && closedClientCount > 0)
        {
            final int slot = closedClientSlots[closedClientHead];
            closedClientHead = (closedClientHead + 1) % slots;
            closedClientCount--;
            final long linkId = clientLinkIds[slot];
            clientLinkIds[slot] = 0;
            clientStates[slot] = CLIENT_FREE;
            freeClientSlots[freeClientCount++] = slot;
            handler.onClientLinkClosed(linkId);
            delivered++;
        }
        return delivered;
    }

    /**
     * Queues one message for a client link without blocking. Returns a value >= 0 on success, else
     * {@link #BACK_PRESSURED}, {@link #NOT_CONNECTED} (the link has closed), {@link #CLOSED} (this node),
     * {@link #MESSAGE_TOO_LARGE}, or {@link #UNKNOWN_MEMBER} for an id no link could ever have had.
     */
    public long sendToClient(final long linkId, final DirectBuffer buffer, final int offset, final int length)
    {
        final int slot = (int)(linkId & CLIENT_SLOT_MASK);
        if (linkId <= 0 || slot >= clientConnections.length)
        {
            return UNKNOWN_MEMBER;
        }
        if (closed)
        {
            return CLOSED;
        }
        if (length > maxMessageLength())
        {
            return MESSAGE_TOO_LARGE;
        }
        if (clientStates[slot] != CLIENT_OPEN || clientLinkIds[slot] != linkId)
        {
            return NOT_CONNECTED;
        }
        final long result = clientConnections[slot].offer(buffer, offset, length);
        return result == Connection.CLOSED ? NOT_CONNECTED : result;
    }

    /**
     * Ends a client link at once (RST; what was queued for it is dropped), e.g. to shed a misbehaving client. Its
     * close is reported by {@link #pollClients} like any other.
     *
     * @return true when the link was open.
     */
    public boolean closeClientLink(final long linkId)
    {
        if (!isClientLinkOpen(linkId))
        {
            return false;
        }
        final int slot = (int)(linkId & CLIENT_SLOT_MASK);
        clientConnections[slot].abort(clock.getAsLong());
        endClientLink(slot);
        return true;
    }

    /** Whether {@code linkId} names a client link that is open now. */
    public boolean isClientLinkOpen(final long linkId)
    {
        final int slot = (int)(linkId & CLIENT_SLOT_MASK);
        return !closed && linkId > 0 && slot < clientConnections.length && clientStates[slot] == CLIENT_OPEN &&
            clientLinkIds[slot] == linkId;
    }

    /** Client links open now. */
    public int clientLinkCount()
    {
        return openClientLinks;
    }

    @Override
    public boolean isConnected(final int memberId)
    {
        final int slot = slotByMember.get(memberId);
        return slot >= 0 && up[slot];
    }

    @Override
    public int doWork()
    {
        if (closed)
        {
            return 0;
        }
        final long nowNs = clock.getAsLong();
        int work = port.receive(this, nowNs, config.datagramBatch());
        work += service(nowNs);
        work += transmit(nowNs);
        return work;
    }

    @Override
    public int maxMessageLength()
    {
        return config.endpointConfig().connection().maxMessageBytes();
    }

    /** Abrupt: no FIN or RST is sent; peers notice through their keepalive (or their failure detector). */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            for (int slot = 0; slot < memberIds.length; slot++)
            {
                up[slot] = false;
            }
            port.close();
        }
    }

    // ------------------------------------------------------------- I/O edge

    /** One datagram from the port (a real socket's, or the simulator's delivery). */
    public void onDatagram(final long nowNs, final long remoteKey, final DirectBuffer buffer, final int offset,
        final int length)
    {
        if (!closed)
        {
            engine.onDatagram(nowNs, remoteKey, buffer, offset, length);
        }
    }

    /** Fires timers and maintains links; returns the work done. For harnesses that deliver datagrams themselves. */
    public int service(final long nowNs)
    {
        if (closed)
        {
            return 0;
        }
        int work = 0;
        if (engine.nextDeadlineNs() - nowNs <= 0)
        {
            engine.onTimer(nowNs);
            work++;
        }
        Connection accepted;
        while ((accepted = engine.pollAccepted()) != null)
        {
            awaitingHello.add(accepted);
            work++;
        }
        work += readHellos(nowNs);
        work += maintainClients(nowNs);
        for (int slot = 0; slot < memberIds.length; slot++)
        {
            if (memberIds[slot] != localMemberId)
            {
                work += maintain(slot, nowNs);
            }
        }
        return work;
    }

    /** Writes what the engine has to send; returns datagrams sent. */
    public int transmit(final long nowNs)
    {
        if (closed)
        {
            return 0;
        }
        if (pendingLength > 0)
        {
            if (!port.send(pendingKey, pendingLength))
            {
                return 0;
            }
            pendingLength = 0;
        }
        int sent = 0;
        int length;
        while ((length = engine.pollTransmit(nowNs, port.sendBuffer(), 0)) > 0)
        {
            final long key = engine.transmitRemoteKey();
            if (!port.send(key, length))
            {
                pendingLength = length;
                pendingKey = key;
                break;
            }
            sent++;
        }
        return sent;
    }

    /** The earliest time {@link #service} has something to do (a timer or a reconnect). */
    public long nextDeadlineNs()
    {
        if (closed)
        {
            return Long.MAX_VALUE;
        }
        long earliest = engine.nextDeadlineNs();
        for (int slot = 0; slot < memberIds.length; slot++)
        {
            if (isInitiator(slot) && !closed && connections[slot] == null && reconnectAtNs[slot] - earliest < 0)
            {
                earliest = reconnectAtNs[slot];
            }
        }
        return earliest == TimerKind.NONE ? Long.MAX_VALUE : earliest;
    }

    public boolean isClosed()
    {
        return closed;
    }

    /**
     * First messages refused: malformed, from an unknown member or address, a CLIENT_HELLO of another version, or
     * any CLIENT_HELLO while client links are disabled.
     */
    public long rejectedHellos()
    {
        return rejectedHellos;
    }

    /** Valid CLIENT_HELLOs refused because every client link slot was taken. */
    public long refusedClientLinks()
    {
        return refusedClientLinks;
    }

    /** Peer events dropped because nobody polled them (the ring holds 256). */
    public long droppedEvents()
    {
        return droppedEvents;
    }

    // ------------------------------------------------------------- links

    private boolean isInitiator(final int slot)
    {
        return localMemberId < memberIds[slot];
    }

    private int maintain(final int slot, final long nowNs)
    {
        Connection connection = connections[slot];
        if (connection != null)
        {
            connection.pollEvents((c, from, to, reason) -> { }, Integer.MAX_VALUE);
            final ConnectionState state = connection.state();
            if (state == ConnectionState.CLOSED || state == ConnectionState.TIME_WAIT || connection.isPeerFinished())
            {
                if (state != ConnectionState.CLOSED)
                {
                    connection.abort(nowNs);
                }
                connections[slot] = null;
                connection = null;
                linkDown(slot);
                reconnectAtNs[slot] = nowNs + backoffNs[slot];
                backoffNs[slot] = Math.min(backoffNs[slot] * 2, config.reconnectMaxNs());
            }
        }
        if (!isInitiator(slot))
        {
            return 0;
        }
        if (connection == null)
        {
            if (reconnectAtNs[slot] - nowNs <= 0)
            {
                connections[slot] = engine.connect(nowNs, remoteKeys[slot]);
                helloSent[slot] = false;
                return 1;
            }
            return 0;
        }
        if (!helloSent[slot] && connection.state() == ConnectionState.ESTABLISHED &&
            connection.offer(hello, 0, HELLO_LENGTH) >= 0)
        {
            helloSent[slot] = true;
            backoffNs[slot] = config.reconnectMinNs();
            linkUp(slot);
            return 1;
        }
        return 0;
    }

    private int readHellos(final long nowNs)
    {
        int work = 0;
        for (int i = awaitingHello.size() - 1; i >= 0; i--)
        {
            final Connection connection = awaitingHello.get(i);
            helloReader.memberId = 0;
            helloReader.malformed = false;
            helloReader.client = false;
            if (connection.state() == ConnectionState.CLOSED)
            {
                awaitingHello.remove(i);
                continue;
            }
            connection.pollMessages(helloReader, 1);
            if (helloReader.malformed)
            {
                rejectedHellos++;
                connection.abort(nowNs);
                awaitingHello.remove(i);
                continue;
            }
            if (helloReader.client)
            {
                awaitingHello.remove(i);
                work++;
                acceptClient(connection, nowNs);
                continue;
            }
            final int member = helloReader.memberId;
            if (member == 0)
            {
                continue;
            }
            awaitingHello.remove(i);
            work++;
            final int slot = slotByMember.get(member);
            if (slot < 0 || member >= localMemberId || connection.remoteKey() != remoteKeys[slot])
            {
                // Unknown member, wrong side of the pair, or not from the member's address: refuse it.
                rejectedHellos++;
                connection.abort(nowNs);
                continue;
            }
            final Connection previous = connections[slot];
            if (previous != null)
            {
                // The peer restarted: its new connection replaces the old one.
                previous.abort(nowNs);
                linkDown(slot);
            }
            connections[slot] = connection;
            linkUp(slot);
        }
        return work;
    }

    private void acceptClient(final Connection connection, final long nowNs)
    {
        if (clientConnections.length == 0)
        {
            // Client links disabled: a CLIENT_HELLO is as unwelcome as any other bad first message.
            rejectedHellos++;
            connection.abort(nowNs);
            return;
        }
        if (freeClientCount == 0)
        {
            refusedClientLinks++;
            connection.abort(nowNs);
            return;
        }
        if (connection.offer(clientHelloReply, 0, ClientHello.REPLY_LENGTH) < 0)
        {
            connection.abort(nowNs);
            return;
        }
        final int slot = freeClientSlots[--freeClientCount];
        clientConnections[slot] = connection;
        clientLinkIds[slot] = (++clientLinkSerial << CLIENT_SLOT_BITS) | slot;
        clientStates[slot] = CLIENT_OPEN;
        openClientLinks++;
    }

    /** Ends client links whose connection closed or whose client finished, queueing their close for the poller. */
    private int maintainClients(final long nowNs)
    {
        int work = 0;
        for (int slot = 0; slot < clientConnections.length; slot++)
        {
            if (clientStates[slot] != CLIENT_OPEN)
            {
                continue;
            }
            final Connection connection = clientConnections[slot];
            connection.pollEvents((c, from, to, reason) -> { }, Integer.MAX_VALUE);
            final ConnectionState state = connection.state();
            if (state == ConnectionState.CLOSED || state == ConnectionState.TIME_WAIT || connection.isPeerFinished())
            {
                if (state == ConnectionState.CLOSE_WAIT)
                {
                    // The client finished first: close our side gracefully rather than reset it.
                    connection.close(nowNs);
                }
                else if (state != ConnectionState.CLOSED)
                {
                    connection.abort(nowNs);
                }
                endClientLink(slot);
                work++;
            }
        }
        return work;
    }

    private void endClientLink(final int slot)
    {
        clientConnections[slot] = null;
        clientStates[slot] = CLIENT_CLOSED_UNREPORTED;
        closedClientSlots[(closedClientHead + closedClientCount) % clientConnections.length] = slot;
        closedClientCount++;
        openClientLinks--;
    }

    private void linkUp(final int slot)
    {
        if (!up[slot])
        {
            up[slot] = true;
            event(memberIds[slot], true);
        }
    }

    private void linkDown(final int slot)
    {
        if (up[slot])
        {
            up[slot] = false;
            event(memberIds[slot], false);
        }
    }

    private void event(final int member, final boolean isUp)
    {
        if (eventTail - eventHead >= events.length)
        {
            eventHead++;
            droppedEvents++;
        }
        events[(int)(eventTail++ % events.length)] = ((long)member << 1) | (isUp ? 1 : 0);
    }

    /** Hands one peer's messages to the application's handler, naming the sender. */
    private static final class Delivery implements io.conduit.transport.engine.MessageHandler
    {
        MessageHandler handler;
        int fromMemberId;

        @Override
        public boolean onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            handler.onMessage(fromMemberId, buffer, offset, length);
            return true;
        }
    }

    /**
     * Hands one client link's messages to the application's handler, naming the link; drops the rest of a batch
     * once the handler has closed the link, so nothing arrives after its close.
     */
    private final class ClientDelivery implements io.conduit.transport.engine.MessageHandler
    {
        ClientLinkHandler handler;
        long linkId;

        @Override
        public boolean onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            if (isClientLinkOpen(linkId))
            {
                handler.onClientMessage(linkId, buffer, offset, length);
            }
            return true;
        }
    }

    /** Reads the first message of an accepted connection, which must be a HELLO or a CLIENT_HELLO. */
    private static final class HelloReader implements io.conduit.transport.engine.MessageHandler
    {
        int memberId;
        boolean malformed;
        boolean client;

        @Override
        public boolean onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            if (ClientHello.hasMagic(buffer, offset, length))
            {
                client = ClientHello.isValid(buffer, offset, length);
                malformed = !client;
                return true;
            }
            if (length != HELLO_LENGTH || buffer.getInt(offset, ByteOrder.LITTLE_ENDIAN) != HELLO_MAGIC ||
                buffer.getInt(offset + 4, ByteOrder.LITTLE_ENDIAN) <= 0)
            {
                malformed = true;
                return true;
            }
            memberId = buffer.getInt(offset + 4, ByteOrder.LITTLE_ENDIAN);
            return true;
        }
    }
}
