package io.conduit.transport.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.random.RandomGenerator;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;

import io.conduit.transport.codec.PacketDecoder;
import io.conduit.transport.codec.PacketEncoder;
import io.conduit.transport.codec.PacketLayout;
import io.conduit.transport.codec.PacketType;
import io.conduit.transport.codec.RejectReason;

/**
 * The sans-I/O endpoint: one local address, many connections. It validates every datagram, demultiplexes by
 * destination connection id, answers SYNs statelessly with a cookie (a listener holds no state for a handshake in
 * progress, so a spoofed SYN flood costs nothing but bounded reply slots), materialises a connection only from a
 * verified cookie, keeps closed connections' TIME-WAIT duty in a compact {@link TimeWaitTable}, and schedules the
 * connections' transmissions round-robin.
 *
 * <p>Same contract as {@link Connection}: inputs {@link #onDatagram}, {@link #onTimer}, {@link #connect}; outputs
 * {@link #pollTransmit} (then {@link #transmitRemoteKey()} names the destination), {@link #pollAccepted},
 * {@link #nextDeadlineNs()}. Peers are identified by an opaque {@code long remoteKey} that the I/O edge derives
 * from the socket address. Randomness (connection ids, initial sequence numbers, cookie secrets) comes from the
 * injected generator, so a seeded generator makes a run reproducible.
 */
public final class EndpointEngine
{
    private final EndpointConfig config;
    private final ConnectionConfig connectionConfig;
    private final RandomGenerator random;
    private final PacketDecoder decoder = new PacketDecoder();
    private final PacketEncoder encoder = new PacketEncoder();
    private final HandshakeCookies cookies;
    private final TimeWaitTable timeWait;
    private final ReplyQueue replies;
    private final EndpointCounters counters = new EndpointCounters();
    private final Int2ObjectHashMap<Connection> byLocalId = new Int2ObjectHashMap<>();
    private final ArrayList<Connection> connections = new ArrayList<>();
    private final ArrayDeque<Connection> accepted = new ArrayDeque<>();
    private final ConnectionQueue readyToTransmit = new ConnectionQueue(64);
    private final ArrayDeque<Connection> activity = new ArrayDeque<>();
    private final ArrayList<Connection> fired = new ArrayList<>();
    private final DeadlineHeap timers = new DeadlineHeap(64);
    private boolean listening;
    private boolean trackActivity;
    private long transmitRemoteKey;
    private DirectBuffer transmitBuffer;
    private int transmitOffset;

    public EndpointEngine(final EndpointConfig config, final RandomGenerator random)
    {
        this.config = config.validate();
        this.connectionConfig = config.connection();
        this.random = random;
        this.cookies = new HandshakeCookies(random::nextLong, config.cookieRotationNs(), config.cookieLifetimeNs());
        this.timeWait = new TimeWaitTable(config.timeWaitCapacity(), connectionConfig.timeWaitNs());
        this.replies = new ReplyQueue(config.replyQueueCapacity());
    }

    public EndpointCounters counters()
    {
        return counters;
    }

    public void listen(final boolean listening)
    {
        this.listening = listening;
    }

    public boolean isListening()
    {
        return listening;
    }

    /** Live connections (every state but CLOSED); TIME-WAIT entries are in {@link #timeWaitSize()}. */
    public int connectionCount()
    {
        return byLocalId.size();
    }

    public int timeWaitSize()
    {
        return timeWait.size();
    }

    public long timeWaitEvictions()
    {
        return timeWait.evictions();
    }

    /**
     * State held for handshakes that are in progress on the listening side. Always zero: the cookie carries it.
     * Exposed so tests and operators can see it stay zero under a SYN flood.
     */
    public int pendingHandshakeCount()
    {
        return 0;
    }

    public int replyQueueSize()
    {
        return replies.size();
    }

    public Connection connection(final int localId)
    {
        return byLocalId.get(localId);
    }

    /** Opens a connection to {@code remoteKey}; its SYN goes out on the next {@link #pollTransmit}. */
    public Connection connect(final long nowNs, final long remoteKey)
    {
        if (byLocalId.size() >= config.maxConnections())
        {
            throw new IllegalStateException("maxConnections reached: " + config.maxConnections());
        }
        final Connection connection = Connection.active(connectionConfig, nowNs, freshLocalId(nowNs), remoteKey,
            random.nextInt());
        register(connection);
        counters.connectionsOpened++;
        return connection;
    }

    /** The next connection accepted by the listener, or null. */
    public Connection pollAccepted()
    {
        return accepted.poll();
    }

    private void register(final Connection connection)
    {
        byLocalId.put(connection.localId(), connection);
        connection.endpointIndex = connections.size();
        connections.add(connection);
        connection.attach(readyToTransmit);
    }

    private int freshLocalId(final long nowNs)
    {
        while (true)
        {
            final int id = random.nextInt();
            if (id != 0 && !byLocalId.containsKey(id) && !timeWait.contains(nowNs, id))
            {
                return id;
            }
        }
    }

    // ------------------------------------------------------------------ inputs

    /** One datagram from {@code remoteKey}. Never throws for any content; refusals are counted. */
    public void onDatagram(final long nowNs, final long remoteKey, final DirectBuffer buffer, final int offset,
        final int length)
    {
        counters.datagramsReceived++;
        final int reason = decoder.wrap(buffer, offset, length);
        if (reason != RejectReason.NONE.code())
        {
            counters.rejected[reason]++;
            return;
        }
        final int type = decoder.type();
        final int destination = decoder.destinationId();
        if (type == PacketType.SYN && destination == 0)
        {
            onSyn(nowNs, remoteKey);
            return;
        }
        final Connection connection = byLocalId.get(destination);
        if (connection != null)
        {
            if (connection.remoteKey() != remoteKey)
            {
                counters.wrongRemoteAddress++;
                return;
            }
            if (type != PacketType.SYN_ACK && decoder.hasFlag(PacketLayout.FLAG_COOKIE) &&
                decoder.sourceId() != connection.remoteId())
            {
                onHandshakeCollision(remoteKey);
                return;
            }
            connection.onPacket(nowNs, decoder);
            noteActivity(connection);
            return;
        }
        final int timeWaitSlot = timeWait.find(nowNs, destination);
        if (timeWaitSlot != TimeWaitTable.NOT_FOUND)
        {
            if (type != PacketType.SYN_ACK && decoder.hasFlag(PacketLayout.FLAG_COOKIE) &&
                timeWait.remoteConnectionId(timeWaitSlot) != decoder.sourceId())
            {
                onHandshakeCollision(remoteKey);
                return;
            }
            onTimeWaitPacket(nowNs, remoteKey, destination, type);
            return;
        }
        if (decoder.hasFlag(PacketLayout.FLAG_COOKIE) && type != PacketType.SYN_ACK)
        {
            onCookieEcho(nowNs, remoteKey);
            return;
        }
        counters.unknownConnection++;
        // A compact DATA segment names no source connection to reset; the sender's retransmission after its timeout
        // carries the full header, and that one is answered.
        if (type != PacketType.RST && !decoder.isCompact())
        {
            queueReset(remoteKey, decoder.sourceId(), destination, decoder.ack(), CloseReason.RESET_BY_PEER);
        }
    }

    /**
     * Two outstanding SYN-ACKs promised the same random server id (the listener keeps no record of them), and the
     * other handshake claimed it first. Refuse this one clearly; the initiator's connect fails with REFUSED.
     */
    private void onHandshakeCollision(final long remoteKey)
    {
        counters.handshakeCollisions++;
        queueReset(remoteKey, decoder.sourceId(), decoder.destinationId(), decoder.ack(), CloseReason.REFUSED);
    }

    private void onSyn(final long nowNs, final long remoteKey)
    {
        counters.synReceived++;
        final int clientId = decoder.sourceId();
        if (!listening)
        {
            queueReset(remoteKey, clientId, 0, 0, CloseReason.REFUSED);
            return;
        }
        if (decoder.messageLength() != connectionConfig.maxPayloadBytes())
        {
            counters.refusedSegmentSize++;
            queueReset(remoteKey, clientId, 0, 0, CloseReason.REFUSED);
            return;
        }
        if (replies.isFull())
        {
            counters.replyQueueDrops++;
            return;
        }
        // No state: the server's id and ISN are fresh random numbers bound to this SYN by the cookie's MAC.
        final int serverId = freshLocalId(nowNs);
        final int serverIsn = random.nextInt();
        final int clientIsn = decoder.seq();
        encoder.wrap(replies.buffer(), replies.nextIndex())
            .type(PacketType.SYN_ACK)
            .flags(PacketLayout.FLAG_COOKIE)
            .destinationId(clientId)
            .sourceId(serverId)
            .seq(serverIsn)
            .ack(clientIsn + 1)
            .window(connectionConfig.receiveWindowSegments())
            .timestamp((int)(nowNs / 1000))
            .timestampEcho(decoder.timestamp())
            .messageLength(connectionConfig.maxPayloadBytes());
        cookies.write(nowNs, remoteKey, clientId, clientIsn, serverId, serverIsn, replies.buffer(),
            encoder.cookieIndex());
        replies.buffer().putInt(encoder.cookieIndex() + PacketLayout.COOKIE_CLIENT_ISN_OFFSET, clientIsn,
            PacketLayout.BYTE_ORDER);
        replies.commit(remoteKey, encoder.seal(0));
        counters.synAcksSent++;
    }

    private void onCookieEcho(final long nowNs, final long remoteKey)
    {
        final int clientId = decoder.sourceId();
        final int serverId = decoder.destinationId();
        final int serverIsn = decoder.ack() - 1;
        final int cookieIndex = decoder.cookieIndex();
        // The ISN rides beside the cookie in the clear; the MAC covers it, so a forged one fails verification.
        final int clientIsn = decoder.buffer().getInt(cookieIndex + PacketLayout.COOKIE_CLIENT_ISN_OFFSET,
            PacketLayout.BYTE_ORDER);
        if (!cookies.verify(nowNs, remoteKey, clientId, clientIsn, serverId, serverIsn, decoder.buffer(),
            cookieIndex))
        {
            counters.cookiesRejected++;
            return;
        }
        if (!listening || accepted.size() >= config.acceptBacklog() ||
            byLocalId.size() >= config.maxConnections() || serverId == 0 || byLocalId.containsKey(serverId))
        {
            counters.backlogFull++;
            queueReset(remoteKey, clientId, serverId, serverIsn + 1, CloseReason.REFUSED);
            return;
        }
        final Connection connection = Connection.passive(connectionConfig, nowNs, serverId, remoteKey, clientId,
            serverIsn, clientIsn);
        register(connection);
        accepted.add(connection);
        counters.connectionsAccepted++;
        connection.onPacket(nowNs, decoder);
        noteActivity(connection);
    }

    private void onTimeWaitPacket(final long nowNs, final long remoteKey, final int localId, final int type)
    {
        counters.timeWaitHits++;
        final int slot = timeWait.find(nowNs, localId);
        // Never answer an ACK (or RST): two closed ends whose entries both answered ACKs would ping-pong forever.
        if (type == PacketType.RST || type == PacketType.ACK || timeWait.remoteKey(slot) != remoteKey)
        {
            return;
        }
        // RFC 9293 §3.10.7.4: in TIME-WAIT, answer a retransmitted FIN (or other sequenced segment) with the final ACK.
        if (replies.isFull())
        {
            counters.replyQueueDrops++;
            return;
        }
        encoder.wrap(replies.buffer(), replies.nextIndex())
            .type(PacketType.ACK)
            .destinationId(timeWait.remoteConnectionId(slot))
            .sourceId(localId)
            .seq(timeWait.sendSequence(slot))
            .ack(timeWait.receiveSequence(slot))
            .window(0)
            .timestamp((int)(nowNs / 1000));
        replies.commit(remoteKey, encoder.seal(0));
    }

    private void queueReset(final long remoteKey, final int remoteId, final int localId, final int seq,
        final CloseReason reason)
    {
        if (replies.isFull())
        {
            counters.replyQueueDrops++;
            return;
        }
        encoder.wrap(replies.buffer(), replies.nextIndex())
            .type(PacketType.RST)
            .destinationId(remoteId)
            .sourceId(localId)
            .seq(seq)
            .messageLength(reason.ordinal());
        replies.commit(remoteKey, encoder.seal(0));
        counters.resetsSent++;
    }

    /** Fires the timers of every connection that is due, and expires TIME-WAIT entries. */
    public void onTimer(final long nowNs)
    {
        timeWait.expire(nowNs);
        refreshReadyTimers();
        Connection connection;
        while ((connection = timers.pollDue(nowNs)) != null)
        {
            fired.add(connection);
        }
        // Reschedule only after the sweep: a timer that stays due until the next transmit must not spin this loop.
        for (int i = 0, size = fired.size(); i < size; i++)
        {
            final Connection due = fired.get(i);
            final long deadline = due.nextDeadlineNs();
            if (deadline != TimerKind.NONE && deadline - nowNs <= 0)
            {
                due.onTimer(nowNs);
                noteActivity(due);
            }
            timers.schedule(due, due.nextDeadlineNs());
        }
        fired.clear();
    }

    /**
     * The next connection that had a datagram or a timer since it was last returned here, or null. The I/O edge
     * drains this to deliver received messages and state changes without visiting idle connections.
     */
    public Connection pollActivity()
    {
        final Connection connection = activity.poll();
        if (connection != null)
        {
            connection.activityQueued = false;
        }
        return connection;
    }

    /**
     * Turns on the activity queue drained by {@link #pollActivity()}. Off by default, so a driver that reads
     * connections directly (tests, the simulator) does not accumulate a queue nobody drains.
     */
    public void trackActivity(final boolean track)
    {
        this.trackActivity = track;
    }

    private void noteActivity(final Connection connection)
    {
        if (trackActivity && !connection.activityQueued)
        {
            connection.activityQueued = true;
            activity.add(connection);
        }
    }

    /**
     * Every input marks a connection ready, so only ready connections can have a deadline the heap does not know
     * yet; refreshing them keeps the heap exact without visiting idle connections.
     */
    private void refreshReadyTimers()
    {
        // An index loop over the array-backed queue: no iterator, so no allocation even before C2 compiles this.
        for (int i = 0, size = readyToTransmit.size(); i < size; i++)
        {
            final Connection connection = readyToTransmit.get(i);
            timers.schedule(connection, connection.nextDeadlineNs());
        }
    }

    /** Test hook: fails loudly when any connection's scheduled deadline differs from its real one. */
    public void verifyTimers()
    {
        refreshReadyTimers();
        timers.verify();
        for (int i = 0, size = connections.size(); i < size; i++)
        {
            final Connection connection = connections.get(i);
            if (connection.scheduledDeadlineNs != connection.nextDeadlineNs())
            {
                throw new IllegalStateException("timer heap out of date for " + connection + ": scheduled " +
                    connection.scheduledDeadlineNs + " actual " + connection.nextDeadlineNs());
            }
        }
    }

    // ----------------------------------------------------------------- outputs

    /** The earliest time {@link #onTimer} must be called: O(1) plus the connections touched since the last poll. */
    public long nextDeadlineNs()
    {
        refreshReadyTimers();
        final long timeWaitExpiry = timeWait.nextExpiryNs();
        final long connectionDeadline = timers.earliestDeadlineNs();
        return connectionDeadline - timeWaitExpiry < 0 ? connectionDeadline : timeWaitExpiry;
    }

    /**
     * Writes the next datagram to send and returns its length, or 0 when nothing is due; the destination is
     * {@link #transmitRemoteKey()}. Stateless replies go first, then connections that had an input since they last
     * had nothing to send, round-robin, one datagram per turn: an idle connection costs nothing here.
     */
    public int pollTransmit(final long nowNs, final MutableDirectBuffer out, final int offset)
    {
        final int length = pollTransmitInPlace(nowNs, out, offset);
        if (length > 0 && transmitBuffer != out)
        {
            out.putBytes(offset, transmitBuffer, transmitOffset, length);
        }
        return length;
    }

    /**
     * Like {@link #pollTransmit}, but a data segment's datagram may be left where its connection encoded it (see
     * {@link Connection#pollTransmitInPlace}): the datagram is {@code length} bytes of {@link #transmitBuffer()} from
     * {@link #transmitOffset()}, valid until the next call into this engine.
     */
    public int pollTransmitInPlace(final long nowNs, final MutableDirectBuffer out, final int offset)
    {
        transmitBuffer = out;
        transmitOffset = offset;
        if (!replies.isEmpty())
        {
            final int length = replies.poll(out, offset);
            transmitRemoteKey = replies.lastRemoteKey();
            counters.datagramsSent++;
            return length;
        }
        Connection connection;
        while ((connection = readyToTransmit.poll()) != null)
        {
            final int length = connection.pollTransmitInPlace(nowNs, out, offset);
            if (length > 0)
            {
                readyToTransmit.add(connection);
                transmitRemoteKey = connection.remoteKey();
                transmitBuffer = connection.transmitBuffer();
                transmitOffset = connection.transmitOffset();
                counters.datagramsSent++;
                return length;
            }
            connection.clearReady();
            timers.schedule(connection, connection.nextDeadlineNs());
            retireIfDone(nowNs, connection);
        }
        return 0;
    }

    public long transmitRemoteKey()
    {
        return transmitRemoteKey;
    }

    /** The buffer holding the datagram the last {@link #pollTransmitInPlace} returned. */
    public DirectBuffer transmitBuffer()
    {
        return transmitBuffer;
    }

    /** Where in {@link #transmitBuffer()} that datagram starts. */
    public int transmitOffset()
    {
        return transmitOffset;
    }

    /**
     * Moves a quiet TIME-WAIT connection into the table and forgets a closed one. Every closed connection's id stays
     * in the table for the TIME-WAIT period, the passive closer's too: a replayed handshake cookie (valid for at
     * most that long) must not resurrect a connection that has closed.
     */
    private void retireIfDone(final long nowNs, final Connection connection)
    {
        final ConnectionState state = connection.state();
        if ((state != ConnectionState.TIME_WAIT && state != ConnectionState.CLOSED) || connection.endpointIndex < 0)
        {
            return;
        }
        if (state == ConnectionState.TIME_WAIT)
        {
            connection.handOffTimeWait(nowNs);
        }
        timeWait.add(nowNs, connection.localId(), connection.remoteId(), connection.remoteKey(),
            connection.sendNext(), connection.receiveNext());
        byLocalId.remove(connection.localId());
        timers.remove(connection);
        final int index = connection.endpointIndex;
        final Connection last = connections.remove(connections.size() - 1);
        if (last != connection)
        {
            connections.set(index, last);
            last.endpointIndex = index;
        }
        connection.endpointIndex = -1;
        connection.attach(null);
        counters.connectionsClosed++;
    }
}
