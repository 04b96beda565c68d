package io.conduit.transport.engine;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableRingBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.conduit.transport.codec.PacketDecoder;
import io.conduit.transport.codec.PacketEncoder;
import io.conduit.transport.codec.PacketLayout;
import io.conduit.transport.codec.PacketType;
import io.conduit.transport.congestion.CongestionControl;
import io.conduit.transport.congestion.Pacer;

import static io.conduit.transport.codec.SerialNumber.greaterThan;
import static io.conduit.transport.codec.SerialNumber.lessThan;

/**
 * One reliable, ordered, message-oriented connection as a pure state machine (sans I/O).
 *
 * <h2>Contract</h2>
 * Inputs, each taking the caller's clock {@code nowNs} first: {@link #onPacket} (a datagram the endpoint has
 * validated and routed here), {@link #onTimer} (call when {@link #nextDeadlineNs()} has passed), and the
 * application's {@link #offer}, {@link #close} and {@link #abort}. Outputs: {@link #pollTransmit} writes the next
 * datagram to send into a caller buffer and returns its length (0 when there is nothing to send now), or
 * {@link #pollTransmitInPlace} leaves a data segment's datagram in its send-window slot, saving a copy;
 * {@link #pollMessages} hands received messages over in order; {@link #pollEvents} reports state changes;
 * {@link #nextDeadlineNs()} says when to call {@link #onTimer} next. Nothing here reads a clock, touches a socket or
 * allocates per message. Single-threaded: the endpoint's thread owns the connection.
 *
 * <h2>Protocol</h2>
 * Sequence numbers count segments (each DATA fragment, SYN and FIN takes one). Reliability is a cumulative ACK
 * plus SACK (RFC 2018) with RFC 6675 loss recovery and an RFC 6298 retransmission timer; flow control is a window
 * of receive slots; congestion control is pluggable ({@link CongestionControl}). The state machine follows
 * RFC 9293, with a stateless, cookie-based handshake on the listener side (see {@link EndpointEngine}).
 */
public final class Connection
{
    /** {@link #offer} result: the send buffer is full; try again after the peer acknowledges data. */
    public static final long BACK_PRESSURED = -1;
    /** {@link #offer} result: the connection is not open for sending yet or any more. */
    public static final long NOT_CONNECTED = -2;
    /** {@link #offer} result: the connection is closed or closing locally. */
    public static final long CLOSED = -3;
    /** {@link #offer} result: the message exceeds the configured maximum message size. */
    public static final long MESSAGE_TOO_LARGE = -4;

    private static final int MAX_EVENTS = 32;
    /** Consecutive retransmission timeouts that make path MTU discovery suspect a black hole (RFC 8899 §4.3). */
    private static final int BLACK_HOLE_TIMEOUTS = 2;
    private static final int NO_HEAD = -1;

    private final ConnectionConfig config;
    private final int maxPayload;
    private final SendWindow sendWindow;
    private final ReceiveWindow receiveWindow;
    private final ExpandableRingBuffer sendQueue;
    private final CongestionControl congestion;
    private final RttEstimator rtt;
    private final PathMtuSearch pathMtu;
    private final Pacer pacer;
    private final DeliveryRateSampler rateSampler;
    private final ConnectionCounters counters = new ConnectionCounters();
    private final PacketEncoder encoder = new PacketEncoder();
    /** Where the last datagram {@link #pollTransmitInPlace} wrote lies: the caller's buffer or a send-window slot. */
    private DirectBuffer transmitBuffer;
    private int transmitOffset;
    private final UnsafeBuffer cookie = new UnsafeBuffer(new byte[PacketLayout.COOKIE_LENGTH]);
    private final long[] deadlines = new long[TimerKind.COUNT];
    private final int[] sackStarts = new int[PacketLayout.MAX_SACK_BLOCKS];
    private final int[] sackEnds = new int[PacketLayout.MAX_SACK_BLOCKS];
    private final int[] events = new int[MAX_EVENTS];
    private final ExpandableRingBuffer.MessageConsumer headPeek = this::peekHead;
    private final ExpandableRingBuffer.MessageConsumer headDrop = (buffer, offset, length, headOffset) -> true;
    private final ExpandableRingBuffer.MessageConsumer batchCollector = this::collectFrame;
    private final ExpandableRingBuffer.MessageConsumer nextPeek = this::peekNext;

    private final int localId;
    private final long remoteKey;
    private int remoteId;
    private ConnectionState state = ConnectionState.CLOSED;
    private CloseReason closeReason = CloseReason.NONE;
    private int eventHead;
    private int eventTail;

    private int initialSendSeq;
    private boolean receiveInitialised;
    private int peerWindowEdge;
    private long offeredBytes;

    private boolean synPending;
    private int synTransmits;
    private long synSentNs;
    private boolean cookieEchoPending;
    private boolean handshakeAckPending;
    private int cookieTransmits;
    private long cookieSentNs;

    private MutableDirectBuffer headBuffer;
    private int headOffset;
    private int headLength;
    private int headSentBytes;
    /** The send queue's capacity when the head was peeked: a different one means the ring moved its bytes. */
    private int headRingCapacity = NO_HEAD;
    private int batchBytes;
    private int batchFrames;
    private int batchLimit;
    /** The queued message after the head, as {@link #peekNextMessage()} found it; length 0 when there is none. */
    private MutableDirectBuffer nextBuffer;
    private int nextOffset;
    private int nextLength;
    private int peekedMessages;

    private boolean finQueued;
    private boolean finSent;
    private int finSeq;
    private boolean finAcked;

    private boolean ackNow;
    private boolean ackPending;
    private int segmentsSinceAck;
    /** Payload of the peer's latest fragment cut short of its message's end: its segment size as this end sees it. */
    private int fullFragmentBytes;
    private int tsRecent;
    private boolean tsRecentValid;
    private int lastAdvertisedAck;
    private int lastAdvertisedEdge;
    private boolean lastAdvertisedZero;

    private boolean inRecovery;
    private int recoveryPoint;
    private boolean rtoRecovery;
    private int rtoRecoveryPoint;
    private int consecutiveTimeouts;
    /** Eifel (RFC 3522): the first timeout-driven retransmission's timestamp, to compare with the next echo. */
    private boolean spuriousCheckPending;
    private int retransmitTimestampUs;

    private boolean probePending;
    private boolean tailProbePending;
    private boolean tailProbeOutstanding;
    private long lastDataSentNs;
    private int persistBackoff;
    private int keepaliveProbesSent;
    private long lastReceiveNs;

    /** The peer's PROBE id to echo in our next ACK (RFC 8899 §4.1); 0 when none is owed. */
    private int probeEchoId;

    private boolean rstPending;
    private int rstReason;
    private long lastTransmitNs;

    /** The endpoint's queue of connections that may have something to send; null when driven standalone. */
    private ConnectionQueue readyQueue;
    private boolean ready;
    int endpointIndex = -1;
    /** Position in the endpoint's {@link DeadlineHeap}, -1 when not scheduled; owned by the heap. */
    int heapIndex = -1;
    /** The deadline the endpoint's heap holds for this connection; owned by the heap. */
    long scheduledDeadlineNs = TimerKind.NONE;
    /** Whether the connection sits in the endpoint's activity queue; owned by the endpoint. */
    boolean activityQueued;
    private Object attachment;

    Connection(final ConnectionConfig config, final int localId, final long remoteKey)
    {
        config.validate();
        this.config = config;
        this.localId = localId;
        this.remoteKey = remoteKey;
        this.maxPayload = config.maxPayloadBytes();
        this.sendWindow = new SendWindow(config.sendWindowSegments(), maxPayload);
        this.receiveWindow = new ReceiveWindow(config.receiveWindowSegments(), maxPayload, config.maxMessageBytes());
        // Room for the largest message plus its record header; the ring grows to this only when a big one arrives.
        final int queueCapacity = BitUtil.findNextPositivePowerOfTwo(
            Math.max(config.sendBufferBytes(), config.maxMessageBytes() + ExpandableRingBuffer.HEADER_LENGTH * 2));
        this.sendQueue = new ExpandableRingBuffer(Math.min(64 * 1024, queueCapacity),
            Math.min(ExpandableRingBuffer.MAX_CAPACITY, queueCapacity), false);
        this.congestion = config.congestionControl().create(SendWindow.cost(maxPayload), config.congestionConfig());
        this.pacer = new Pacer(SendWindow.cost(maxPayload));
        this.rateSampler = new DeliveryRateSampler(config.sendWindowSegments());
        sendWindow.rateSampler(rateSampler);
        this.rtt = new RttEstimator(config.initialRtoNs(), config.minRtoNs(), config.maxRtoNs(),
            config.clockGranularityNs());
        this.pathMtu = new PathMtuSearch(maxPayload + PacketLayout.DATA_OVERHEAD, config.pathMtuRaiseIntervalNs());
        java.util.Arrays.fill(deadlines, TimerKind.NONE);
    }

    /** An initiating connection: sends SYN on the next {@link #pollTransmit}. */
    static Connection active(final ConnectionConfig config, final long nowNs, final int localId,
        final long remoteKey, final int initialSequence)
    {
        final Connection connection = new Connection(config, localId, remoteKey);
        connection.initialSendSeq = initialSequence;
        connection.sendWindow.reset(initialSequence + 1);
        connection.lastReceiveNs = nowNs;
        connection.synPending = true;
        connection.state(ConnectionState.SYN_SENT, nowNs, CloseReason.NONE);
        return connection;
    }

    /**
     * A passive connection materialised from a verified cookie: our SYN-ACK (sequence {@code initialSequence}) was
     * sent statelessly; the packet that carried the cookie is processed next and completes the handshake.
     */
    static Connection passive(final ConnectionConfig config, final long nowNs, final int localId,
        final long remoteKey, final int remoteId, final int initialSequence, final int peerInitialSequence)
    {
        final Connection connection = new Connection(config, localId, remoteKey);
        connection.remoteId = remoteId;
        connection.initialSendSeq = initialSequence;
        connection.sendWindow.reset(initialSequence + 1);
        connection.receiveWindow.reset(peerInitialSequence + 1);
        connection.receiveInitialised = true;
        connection.peerWindowEdge = initialSequence + 1;
        connection.lastReceiveNs = nowNs;
        connection.state(ConnectionState.SYN_RECEIVED, nowNs, CloseReason.NONE);
        return connection;
    }

    /** The I/O edge's object for this connection (e.g. the application's handle); the engine never reads it. */
    public Object attachment()
    {
        return attachment;
    }

    public void attachment(final Object attachment)
    {
        this.attachment = attachment;
    }

    public int localId()
    {
        return localId;
    }

    public int remoteId()
    {
        return remoteId;
    }

    public long remoteKey()
    {
        return remoteKey;
    }

    public ConnectionState state()
    {
        return state;
    }

    public CloseReason closeReason()
    {
        return closeReason;
    }

    public ConnectionCounters counters()
    {
        return counters;
    }

    public ConnectionConfig config()
    {
        return config;
    }

    public long srttNs()
    {
        return rtt.srttNs();
    }

    public long rttVarNs()
    {
        return rtt.rttVarNs();
    }

    public long rtoNs()
    {
        return rtt.rtoNs();
    }

    public long congestionWindowBytes()
    {
        return congestion.windowBytes();
    }

    public long bytesInFlight()
    {
        return sendWindow.bytesInFlight();
    }

    /** Segments the peer last allowed beyond what it acknowledged, minus what is outstanding now. */
    public int peerWindowRemaining()
    {
        return Math.max(0, peerWindowEdge - sendWindow.nxt());
    }

    /** The largest datagram new DATA segments may use: the discovered PLPMTU, or the configured maximum. */
    public int maxDatagramBytes()
    {
        return pathPayloadLimit() + PacketLayout.DATA_OVERHEAD;
    }

    /** The RFC 8899 state ({@link PathMtuSearch#DISABLED} etc.). */
    public int pathMtuState()
    {
        return pathMtu.state();
    }

    /**
     * Caps path MTU probing at {@code maxDatagramBytes}, e.g. the first-hop interface's MTU less IP and UDP headers,
     * which only the I/O edge can know. Without discovery it changes nothing: the operator chose the payload size.
     */
    public void capPathMtu(final int maxDatagramBytes)
    {
        pathMtu.capMaxPlpmtu(maxDatagramBytes);
    }

    /** The payload a DATA datagram of the path's size holds. */
    private int pathPayloadLimit()
    {
        return config.pathMtuDiscovery() ?
            Math.max(1, Math.min(maxPayload, pathMtu.plpmtu() - PacketLayout.DATA_OVERHEAD)) : maxPayload;
    }

    /**
     * New segments' payload: segments already queued keep theirs, since each owns a sequence number. While the cookie
     * is echoed it rides in every DATA datagram, so those segments give up its room to stay within the path's size
     * (payloads of up to 20 bytes, never path-limited, keep one byte).
     */
    private int segmentPayloadLimit()
    {
        final int limit = pathPayloadLimit();
        return cookieEchoPending ? Math.max(1, limit - PacketLayout.COOKIE_LENGTH) : limit;
    }

    /** Free receive slots we advertise. */
    public int receiveWindow()
    {
        return receiveWindow.window();
    }

    /** Bytes queued by the application and not yet handed to the network for the first time. */
    public int queuedBytes()
    {
        return sendQueue.size();
    }

    /** True when every offered message has been acknowledged by the peer. */
    public boolean allAcknowledged()
    {
        return sendQueue.isEmpty() && sendWindow.isEmpty();
    }

    /** True once the peer's FIN and every message before it have been delivered. */
    public boolean isPeerFinished()
    {
        return receiveWindow.finDelivered();
    }

    /**
     * Queues one message for reliable, ordered delivery.
     *
     * @return the running total of bytes offered (a position) or a negative code: {@link #BACK_PRESSURED},
     * {@link #NOT_CONNECTED}, {@link #CLOSED}, {@link #MESSAGE_TOO_LARGE}.
     */
    public long offer(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < 1)
        {
            throw new IllegalArgumentException("message length must be >= 1: " + length);
        }
        markReady();
        if (!state.canSend() || finQueued)
        {
            return state == ConnectionState.CLOSED && closeReason == CloseReason.NONE ? NOT_CONNECTED : CLOSED;
        }
        if (length > config.maxMessageBytes())
        {
            return MESSAGE_TOO_LARGE;
        }
        if (!sendQueue.isEmpty() && sendQueue.size() + length > config.sendBufferBytes())
        {
            return BACK_PRESSURED;
        }
        if (!sendQueue.append(buffer, offset, length))
        {
            return BACK_PRESSURED;
        }
        counters.messagesSent++;
        offeredBytes += length;
        return offeredBytes;
    }

    /** Graceful close: a FIN follows every queued message (RFC 9293 §3.10.4). Idempotent. */
    public void close(final long nowNs)
    {
        markReady();
        switch (state)
        {
            case SYN_SENT:
                state(ConnectionState.CLOSED, nowNs, CloseReason.ABORTED);
                break;
            case SYN_RECEIVED:
            case ESTABLISHED:
                finQueued = true;
                state(ConnectionState.FIN_WAIT_1, nowNs, CloseReason.NONE);
                break;
            case CLOSE_WAIT:
                finQueued = true;
                state(ConnectionState.LAST_ACK, nowNs, CloseReason.NONE);
                break;
            default:
                break;
        }
    }

    /** Abortive close: RST to the peer, queued data discarded (RFC 9293 §3.10.5). */
    public void abort(final long nowNs)
    {
        abortWith(nowNs, CloseReason.ABORTED);
    }

    private void abortWith(final long nowNs, final CloseReason reason)
    {
        markReady();
        if (state == ConnectionState.CLOSED)
        {
            return;
        }
        if (state != ConnectionState.SYN_SENT && state != ConnectionState.TIME_WAIT)
        {
            rstPending = true;
            rstReason = reason.ordinal();
        }
        state(ConnectionState.CLOSED, nowNs, reason);
    }

    /** Hands up to {@code limit} received messages to the handler, in order. Returns how many. */
    public int pollMessages(final MessageHandler handler, final int limit)
    {
        final int delivered = receiveWindow.deliver(handler, limit);
        if (delivered != 0)
        {
            markReady();
        }
        if (delivered == ReceiveWindow.PROTOCOL_ERROR)
        {
            abortWith(lastReceiveNs, CloseReason.PROTOCOL_ERROR);
            return 0;
        }
        counters.messagesDelivered += delivered;
        final int edge = receiveWindow.rcvNxt() + receiveWindow.window();
        // Tell a blocked sender promptly when the window reopens (RFC 9293 §3.8.6.2.2 receiver SWS avoidance).
        if (edge - lastAdvertisedEdge >= receiveWindow.capacity() / 2 ||
            (lastAdvertisedZero && receiveWindow.window() > 0))
        {
            if (receiveInitialised && state != ConnectionState.CLOSED)
            {
                // Assembling a large message frees slots without delivering it: schedule the ACK all the same.
                ackNow = true;
                markReady();
            }
        }
        return delivered;
    }

    /** Joins the endpoint's transmit scheduling: from now on every input queues this connection to be polled. */
    void attach(final ConnectionQueue readyQueue)
    {
        this.readyQueue = readyQueue;
        ready = false;
        markReady();
    }

    private void markReady()
    {
        if (!ready && readyQueue != null)
        {
            ready = true;
            readyQueue.add(this);
        }
    }

    /** Called by the endpoint when a poll found nothing to send; the next input queues the connection again. */
    void clearReady()
    {
        ready = false;
    }

    /**
     * The endpoint takes over TIME-WAIT duty in its compact {@link TimeWaitTable} so this object can be dropped;
     * the connection reports CLOSED (graceful) from here on.
     */
    void handOffTimeWait(final long nowNs)
    {
        if (state != ConnectionState.TIME_WAIT)
        {
            throw new IllegalStateException("not in TIME_WAIT: " + state);
        }
        state(ConnectionState.CLOSED, nowNs, CloseReason.GRACEFUL);
    }

    int sendNext()
    {
        return sendWindow.nxt();
    }

    int receiveNext()
    {
        return receiveWindow.rcvNxt();
    }

    /** Reports state changes since the last call, oldest first. Returns how many. */
    public int pollEvents(final ConnectionEventHandler handler, final int limit)
    {
        int count = 0;
        while (count < limit && eventHead != eventTail)
        {
            final int event = events[eventHead % MAX_EVENTS];
            eventHead++;
            handler.onStateChange(this, ConnectionState.of(event >>> 16 & 0xFF), ConnectionState.of(event >>> 8 & 0xFF),
                CloseReason.of(event & 0xFF));
            count++;
        }
        return count;
    }

    /** The single transition funnel: validates, records an event, and throws on an illegal move. */
    private void state(final ConnectionState next, final long nowNs, final CloseReason reason)
    {
        if (!state.canMoveTo(next))
        {
            throw new IllegalStateException("illegal transition " + state + " -> " + next + " (" + reason + ")");
        }
        if (eventTail - eventHead >= MAX_EVENTS)
        {
            throw new IllegalStateException("event queue overflow: pollEvents is not being called");
        }
        events[eventTail % MAX_EVENTS] = state.ordinal() << 16 | next.ordinal() << 8 | reason.ordinal();
        eventTail++;
        state = next;
        if (next == ConnectionState.CLOSED)
        {
            closeReason = reason;
            java.util.Arrays.fill(deadlines, TimerKind.NONE);
        }
        else if (next == ConnectionState.TIME_WAIT)
        {
            deadlines[TimerKind.TIME_WAIT] = nowNs + config.timeWaitNs();
        }
        else if (next == ConnectionState.ESTABLISHED && config.pathMtuDiscovery())
        {
            pathMtu.start(nowNs);
        }
    }

    // ------------------------------------------------------------------ inputs

    /** Processes a datagram already validated by {@link PacketDecoder} and addressed to this connection. */
    public void onPacket(final long nowNs, final PacketDecoder packet)
    {
        if (state == ConnectionState.CLOSED)
        {
            return;
        }
        markReady();
        counters.segmentsReceived++;
        lastReceiveNs = nowNs;
        keepaliveProbesSent = 0;
        final int type = packet.type();
        if (type == PacketType.RST)
        {
            onReset(nowNs, packet);
            return;
        }
        if (state == ConnectionState.SYN_SENT)
        {
            if (type == PacketType.SYN_ACK)
            {
                onSynAck(nowNs, packet);
            }
            return;
        }
        if (type == PacketType.SYN || type == PacketType.SYN_ACK)
        {
            if (cookieEchoPending && type == PacketType.SYN_ACK && packet.sourceId() == remoteId)
            {
                handshakeAckPending = true;
            }
            return;
        }
        if (packet.isCompact() ? state == ConnectionState.SYN_RECEIVED : packet.sourceId() != remoteId)
        {
            // A compact segment cannot complete the handshake: it carries no acknowledgement.
            return;
        }
        if (cookieEchoPending && !packet.hasFlag(PacketLayout.FLAG_COOKIE))
        {
            // Any packet from the listener proves it now holds state for us: stop echoing the cookie.
            cookieEchoPending = false;
            handshakeAckPending = false;
        }
        // RFC 7323 §4.3: TS.Recent only moves forward, so a late original arriving after its retransmission cannot
        // make the next ACK look like an answer to the original (which would fool the Eifel check, RFC 3522).
        if (!tsRecentValid || !lessThan(packet.timestamp(), tsRecent))
        {
            tsRecent = packet.timestamp();
            tsRecentValid = true;
        }
        if (!packet.isCompact() && !onAck(nowNs, packet))
        {
            return;
        }
        if (packet.hasFlag(PacketLayout.FLAG_PROBE_ACK))
        {
            counters.pathMtuProbesAcked++;
            pathMtu.onProbeAcknowledged(nowNs, packet.probeId());
        }
        if (type == PacketType.PROBE)
        {
            // RFC 8899 §4.1: acknowledge at once; the ACK is small, so only the forward path is being measured.
            probeEchoId = packet.probeId();
            ackNow = true;
        }
        if (type == PacketType.DATA || type == PacketType.FIN)
        {
            onSegment(nowNs, packet);
        }
        else if (type == PacketType.PING || packet.hasFlag(PacketLayout.FLAG_ACK_NOW))
        {
            ackNow = true;
        }
    }

    private void onReset(final long nowNs, final PacketDecoder packet)
    {
        if (state == ConnectionState.SYN_SENT || cookieEchoPending)
        {
            // The listener refused the handshake (it never held state for us): not a reset of a live connection.
            state(ConnectionState.CLOSED, nowNs, CloseReason.REFUSED);
        }
        else if (packet.sourceId() == remoteId || remoteId == 0)
        {
            state(ConnectionState.CLOSED, nowNs, state == ConnectionState.TIME_WAIT ?
                CloseReason.GRACEFUL : CloseReason.RESET_BY_PEER);
        }
    }

    private void onSynAck(final long nowNs, final PacketDecoder packet)
    {
        if (packet.ack() != initialSendSeq + 1)
        {
            counters.invalidAcks++;
            return;
        }
        if (packet.messageLength() != maxPayload)
        {
            // Segment sizes are not negotiated in protocol version 1: both ends must agree (docs/wire-format.md).
            state(ConnectionState.CLOSED, nowNs, CloseReason.REFUSED);
            return;
        }
        if (synTransmits == 1)
        {
            rtt.onSample(nowNs - synSentNs);
        }
        remoteId = packet.sourceId();
        receiveWindow.reset(packet.seq() + 1);
        receiveInitialised = true;
        tsRecent = packet.timestamp();
        peerWindowEdge = packet.ack() + packet.window();
        cookie.putBytes(0, packet.buffer(), packet.cookieIndex(), PacketLayout.COOKIE_LENGTH);
        cookieEchoPending = true;
        handshakeAckPending = true;
        synPending = false;
        state(ConnectionState.ESTABLISHED, nowNs, CloseReason.NONE);
    }

    /** Processes the acknowledgement fields. Returns false when the packet must be dropped. */
    private boolean onAck(final long nowNs, final PacketDecoder packet)
    {
        final int ack = packet.ack();
        if (greaterThan(ack, sendWindow.nxt()))
        {
            counters.invalidAcks++;
            ackNow = true;
            return false;
        }
        if (state == ConnectionState.SYN_RECEIVED)
        {
            if (ack != initialSendSeq + 1)
            {
                counters.invalidAcks++;
                return false;
            }
            state(ConnectionState.ESTABLISHED, nowNs, CloseReason.NONE);
            ackNow = true;
        }
        final int edge = ack + packet.window();
        if (greaterThan(edge, peerWindowEdge))
        {
            peerWindowEdge = edge;
            persistBackoff = 0;
            deadlines[TimerKind.PERSIST] = TimerKind.NONE;
        }
        if (lessThan(ack, sendWindow.una()) && packet.sackCount() == 0)
        {
            return true;
        }
        processAcknowledgement(nowNs, packet, ack);
        return true;
    }

    private void processAcknowledgement(final long nowNs, final PacketDecoder packet, final int ack)
    {
        // RFC 8985 §6.2: the ambiguity guard is the minimum RTT; the smoothed RTT stands in for it here.
        sendWindow.beginAck(nowNs, rtt.srttNs());
        rateSampler.beginAck();
        final int released = lessThan(ack, sendWindow.una()) ? 0 : sendWindow.acknowledgeUpTo(ack);
        for (int i = 0, count = packet.sackCount(); i < count; i++)
        {
            sendWindow.sack(packet.sackStart(i), packet.sackEnd(i));
        }
        long rttSampleNs = 0;
        if (sendWindow.rttSampleSentNs() != Long.MIN_VALUE)
        {
            rttSampleNs = nowNs - sendWindow.rttSampleSentNs();
            rtt.onSample(rttSampleNs);
        }
        if (released > 0 || sendWindow.newlyAckedBytes() > 0)
        {
            tailProbeOutstanding = false;
        }
        if (spuriousCheckPending && released > 0)
        {
            checkSpuriousTimeout(nowNs, packet.timestampEcho());
        }
        if (released > 0)
        {
            consecutiveTimeouts = 0;
            // RFC 6298 §5.3: restart the timer when new data is acknowledged.
            deadlines[TimerKind.RETRANSMIT] = sendWindow.isEmpty() ? TimerKind.NONE : nowNs + rtt.rtoNs();
        }
        if (finSent && !finAcked && greaterThan(ack, finSeq))
        {
            onFinAcknowledged(nowNs);
        }
        if (rtoRecovery && !lessThan(sendWindow.una(), rtoRecoveryPoint))
        {
            rtoRecovery = false;
        }
        final long newlyLostBytes = detectLosses(nowNs);
        if (inRecovery && !lessThan(sendWindow.una(), recoveryPoint))
        {
            inRecovery = false;
            congestion.onRecoveryComplete(nowNs);
        }
        else if (!inRecovery && sendWindow.newlyAckedBytes() > 0)
        {
            congestion.onAcked(nowNs, sendWindow.newlyAckedBytes(), sendWindow.bytesInFlight(), rttSampleNs);
        }
        if (sendWindow.newlyAckedBytes() > 0 || newlyLostBytes > 0)
        {
            congestion.onRateSample(nowNs,
                rateSampler.finish(rtt.minRttNs(), newlyLostBytes, sendWindow.bytesInFlight(), rttSampleNs));
        }
    }

    /**
     * RFC 3522 (Eifel detection): the first ACK after a timeout to advance the cumulative point (so it covers the
     * retransmitted first hole) echoes a timestamp older than the retransmission: it answers the original, which was
     * merely late. RFC 4015 (Eifel response): undo the window reduction, take the late echo as an RTT sample so the
     * RTO covers the delay (which also ends the backoff), and stop resending what was never lost.
     */
    private void checkSpuriousTimeout(final long nowNs, final int echoUs)
    {
        spuriousCheckPending = false;
        if (!lessThan(echoUs, retransmitTimestampUs))
        {
            return;
        }
        counters.spuriousTimeouts++;
        congestion.onSpuriousCongestionEvent(nowNs);
        rtt.onSample(Math.max(0, (long)(timestampUs(nowNs) - echoUs) * 1000));
        sendWindow.restoreLost();
        rtoRecovery = false;
        consecutiveTimeouts = 0;
    }

    /**
     * Marks lost segments (RFC 6675 + RACK) and enters loss recovery once per window of data (RFC 6675 §5).
     * Returns the bytes newly marked lost.
     */
    private long detectLosses(final long nowNs)
    {
        final long inFlightBeforeBytes = sendWindow.bytesInFlight();
        final int newlyLost = sendWindow.detectLosses(nowNs, rtt.srttNs(), reorderWindowNs());
        final long newlyLostBytes = inFlightBeforeBytes - sendWindow.bytesInFlight();
        rateSampler.onLost(newlyLostBytes);
        if (newlyLost > 0 && !inRecovery && !rtoRecovery)
        {
            inRecovery = true;
            recoveryPoint = sendWindow.nxt();
            counters.fastRetransmits++;
            congestion.onLossDetected(nowNs, sendWindow.bytesInFlight());
        }
        return newlyLostBytes;
    }

    /** RFC 8985 §6.2 step 4: a quarter of the RTT tolerates mild reordering, never below the clock's granularity. */
    private long reorderWindowNs()
    {
        return Math.max(config.clockGranularityNs(), rtt.srttNs() / 4);
    }

    private void onFinAcknowledged(final long nowNs)
    {
        finAcked = true;
        switch (state)
        {
            case FIN_WAIT_1:
                state(ConnectionState.FIN_WAIT_2, nowNs, CloseReason.NONE);
                break;
            case CLOSING:
                state(ConnectionState.TIME_WAIT, nowNs, CloseReason.NONE);
                break;
            case LAST_ACK:
                state(ConnectionState.CLOSED, nowNs, CloseReason.GRACEFUL);
                break;
            default:
                throw new IllegalStateException("FIN acknowledged in " + state);
        }
    }

    private void onSegment(final long nowNs, final PacketDecoder packet)
    {
        final int type = packet.type();
        final int payloadLength = packet.payloadLength();
        final boolean batch = packet.hasFlag(PacketLayout.FLAG_BATCH);
        final boolean span = packet.hasFlag(PacketLayout.FLAG_SPAN);
        // A batch's messageLength counts its frames, each no longer than the payload itself.
        if (type == PacketType.DATA && (payloadLength > maxPayload ||
            (!batch && packet.messageLength() > config.maxMessageBytes())))
        {
            abortWith(nowNs, CloseReason.PROTOCOL_ERROR);
            return;
        }
        if (!state.canReceive())
        {
            // The peer already finished: anything now is a retransmission; re-acknowledge (RFC 9293 §3.10.7.4).
            counters.duplicateSegments++;
            ackNow = true;
            if (state == ConnectionState.TIME_WAIT && type == PacketType.FIN)
            {
                deadlines[TimerKind.TIME_WAIT] = nowNs + config.timeWaitNs();
            }
            return;
        }
        final int result = receiveWindow.onSegment(packet.seq(), type,
            packet.flags() & (PacketLayout.FLAG_BATCH | PacketLayout.FLAG_SPAN), packet.buffer(), packet.payloadIndex(),
            payloadLength, packet.messageLength(), packet.fragmentOffset());
        if (result == ReceiveWindow.ACCEPTED_IN_ORDER || result == ReceiveWindow.ACCEPTED_OUT_OF_ORDER)
        {
            if (batch)
            {
                counters.batchesReceived++;
            }
            else if (span)
            {
                counters.spansReceived++;
            }
        }
        switch (result)
        {
            case ReceiveWindow.ACCEPTED_IN_ORDER:
                counters.payloadBytesReceived += payloadLength;
                onInOrder(nowNs, packet);
                break;
            case ReceiveWindow.ACCEPTED_OUT_OF_ORDER:
                counters.payloadBytesReceived += payloadLength;
                counters.outOfOrderSegments++;
                ackNow = true; // RFC 5681 §4.2: an out-of-order segment is acknowledged at once.
                break;
            case ReceiveWindow.DUPLICATE:
                counters.duplicateSegments++;
                ackNow = true;
                break;
            default:
                counters.outOfWindowSegments++;
                ackNow = true;
                break;
        }
    }

    private void onInOrder(final long nowNs, final PacketDecoder packet)
    {
        if (receiveWindow.finInOrder())
        {
            ackNow = true;
            onPeerFin(nowNs);
            return;
        }
        if (countsAsFullSized(packet))
        {
            segmentsSinceAck++;
        }
        if (segmentsSinceAck >= config.ackEverySegments() || receiveWindow.hasOutOfOrder() ||
            packet.hasFlag(PacketLayout.FLAG_ACK_NOW) || config.delayedAckNs() == 0)
        {
            ackNow = true;
        }
        else if (!ackPending)
        {
            ackPending = true;
            deadlines[TimerKind.DELAYED_ACK] = nowNs + config.delayedAckNs();
        }
    }

    /**
     * Whether an in-order DATA segment counts towards {@link ConnectionConfig#ackEverySegments()}. RFC 5681 §4.2 asks
     * for an ACK for at least every second full-sized segment; the short last fragment of a large message is not one.
     * Counting it doubled the ACKs of a stream of 64 KiB messages (65,459 + 77 bytes per message), and every ACK costs
     * each end a system call (docs/performance.md has the measurement). A fragment cut before its message's end was
     * cut at the sender's segment limit, so it is full-sized by construction and tells the receiver that limit; so
     * is a continuation, which the sender uses only before its message's last fragment, and a span
     * ({@link PacketLayout#FLAG_SPAN}), which the sender fills to that limit unless the next message fits whole.
     */
    private boolean countsAsFullSized(final PacketDecoder packet)
    {
        final int payload = packet.payloadLength();
        final int offsetInMessage = packet.fragmentOffset();
        if (packet.hasFlag(PacketLayout.FLAG_BATCH))
        {
            return true;
        }
        if (packet.hasFlag(PacketLayout.FLAG_SPAN))
        {
            // Filled to the sender's limit unless it carries the next message whole.
            if (packet.spanNextPartLength() < packet.spanNextMessageLength())
            {
                fullFragmentBytes = payload;
            }
            return true;
        }
        if (packet.isContinuation() || offsetInMessage + payload != packet.messageLength())
        {
            fullFragmentBytes = payload;
            return true;
        }
        return offsetInMessage == 0 || payload >= fullFragmentBytes;
    }

    private void onPeerFin(final long nowNs)
    {
        switch (state)
        {
            case SYN_RECEIVED:
            case ESTABLISHED:
                state(ConnectionState.CLOSE_WAIT, nowNs, CloseReason.NONE);
                break;
            case FIN_WAIT_1:
                state(finAcked ? ConnectionState.TIME_WAIT : ConnectionState.CLOSING, nowNs, CloseReason.NONE);
                break;
            case FIN_WAIT_2:
                state(ConnectionState.TIME_WAIT, nowNs, CloseReason.NONE);
                break;
            default:
                throw new IllegalStateException("peer FIN in " + state);
        }
    }

    /** Fires every timer whose deadline has passed. */
    public void onTimer(final long nowNs)
    {
        markReady();
        if (due(TimerKind.TIME_WAIT, nowNs))
        {
            deadlines[TimerKind.TIME_WAIT] = TimerKind.NONE;
            state(ConnectionState.CLOSED, nowNs, CloseReason.GRACEFUL);
            return;
        }
        if (due(TimerKind.KEEPALIVE, nowNs))
        {
            if (nowNs - lastReceiveNs >= config.deadPeerTimeoutNs())
            {
                abortWith(nowNs, CloseReason.PEER_DEAD);
                return;
            }
            probePending = true;
            keepaliveProbesSent++;
        }
        if (due(TimerKind.RETRANSMIT, nowNs))
        {
            onRetransmitTimeout(nowNs);
            if (state == ConnectionState.CLOSED)
            {
                return;
            }
        }
        if (due(TimerKind.REORDER, nowNs))
        {
            detectLosses(nowNs);
        }
        if (due(TimerKind.TAIL_PROBE, nowNs))
        {
            tailProbePending = true;
            tailProbeOutstanding = true;
        }
        if (due(TimerKind.DELAYED_ACK, nowNs))
        {
            deadlines[TimerKind.DELAYED_ACK] = TimerKind.NONE;
            ackNow = true;
        }
        if (due(TimerKind.PATH_MTU, nowNs))
        {
            pathMtu.onTimer(nowNs);
        }
        if (due(TimerKind.PACING, nowNs))
        {
            endPacingWait(nowNs); // markReady above lets the endpoint poll the data out
        }
        if (due(TimerKind.PERSIST, nowNs))
        {
            deadlines[TimerKind.PERSIST] = TimerKind.NONE;
            probePending = true;
            persistBackoff = Math.min(persistBackoff + 1, 16);
        }
    }

    private boolean due(final int kind, final long nowNs)
    {
        final long deadline = deadline(kind);
        return deadline != TimerKind.NONE && deadline - nowNs <= 0;
    }

    private void onRetransmitTimeout(final long nowNs)
    {
        deadlines[TimerKind.RETRANSMIT] = TimerKind.NONE;
        tailProbePending = false;
        tailProbeOutstanding = false;
        if (state == ConnectionState.SYN_SENT)
        {
            if (synTransmits > config.maxSynRetransmits())
            {
                state(ConnectionState.CLOSED, nowNs, CloseReason.CONNECT_TIMEOUT);
                return;
            }
            rtt.backoff();
            synPending = true;
            return;
        }
        if (sendWindow.isEmpty())
        {
            if (cookieEchoPending)
            {
                if (cookieTransmits > config.maxSynRetransmits())
                {
                    abortWith(nowNs, CloseReason.CONNECT_TIMEOUT);
                    return;
                }
                rtt.backoff();
                handshakeAckPending = true;
            }
            return;
        }
        counters.timeouts++;
        if (++consecutiveTimeouts > config.maxRetransmits())
        {
            abortWith(nowNs, CloseReason.RETRANSMIT_TIMEOUT);
            return;
        }
        if (consecutiveTimeouts >= BLACK_HOLE_TIMEOUTS)
        {
            // RFC 8899 §4.3: repeated timeouts may mean full-size datagrams no longer fit; fall back to the base.
            pathMtu.onBlackHoleSuspected(nowNs);
        }
        // RFC 6298 §5.4-5.6 and RFC 5681 §3.1: back off, collapse the window, resend from the first hole.
        congestion.onRetransmissionTimeout(nowNs, sendWindow.bytesInFlight());
        rateSampler.onLost(sendWindow.bytesInFlight());
        sendWindow.markAllLost();
        rtt.backoff();
        if (!spuriousCheckPending)
        {
            // The retransmission leaves in this duty cycle, stamped no earlier than now (RFC 3522 §2, RetransmitTS).
            spuriousCheckPending = true;
            retransmitTimestampUs = timestampUs(nowNs);
        }
        inRecovery = false;
        rtoRecovery = true;
        rtoRecoveryPoint = sendWindow.nxt();
    }

    // ----------------------------------------------------------------- outputs

    /** The earliest time {@link #onTimer} must be called; {@link TimerKind#NONE} when no timer is armed. */
    public long nextDeadlineNs()
    {
        long earliest = TimerKind.NONE;
        for (int kind = 0; kind < TimerKind.COUNT; kind++)
        {
            final long deadline = deadline(kind);
            if (deadline - earliest < 0)
            {
                earliest = deadline;
            }
        }
        return earliest;
    }

    private long deadline(final int kind)
    {
        switch (kind)
        {
            case TimerKind.RETRANSMIT: return retransmitDeadline();
            case TimerKind.DELAYED_ACK: return ackPending && !ackNow ? deadlines[kind] : TimerKind.NONE;
            case TimerKind.KEEPALIVE: return keepaliveDeadline();
            case TimerKind.TAIL_PROBE: return tailProbeDeadline();
            case TimerKind.PATH_MTU: return state == ConnectionState.CLOSED || state == ConnectionState.TIME_WAIT ?
                TimerKind.NONE : pathMtu.deadlineNs();
            case TimerKind.REORDER: return state == ConnectionState.CLOSED || rtoRecovery ? TimerKind.NONE :
                sendWindow.reorderDeadlineNs(rtt.srttNs(), reorderWindowNs());
            default: return deadlines[kind];
        }
    }

    private long retransmitDeadline()
    {
        if (state == ConnectionState.SYN_SENT)
        {
            return synPending ? TimerKind.NONE : synSentNs + rtt.rtoNs();
        }
        if (!sendWindow.isEmpty())
        {
            return deadlines[TimerKind.RETRANSMIT];
        }
        if (cookieEchoPending && !handshakeAckPending && state != ConnectionState.CLOSED)
        {
            return cookieSentNs + rtt.rtoNs();
        }
        return TimerKind.NONE;
    }

    /**
     * RFC 8985 §7.2: probe timeout of two smoothed RTTs (plus the peer's delayed-ACK time when only one segment is
     * out, since that one may be waiting for a partner), one probe until an ACK arrives, and never after the RTO.
     */
    private long tailProbeDeadline()
    {
        if (tailProbeOutstanding || tailProbePending || rtoRecovery || sendWindow.isEmpty() || rtt.srttNs() == 0 ||
            !(state == ConnectionState.ESTABLISHED || state == ConnectionState.CLOSE_WAIT ||
            state == ConnectionState.FIN_WAIT_1 || state == ConnectionState.CLOSING ||
            state == ConnectionState.LAST_ACK))
        {
            return TimerKind.NONE;
        }
        long timeoutNs = Math.max(2 * rtt.srttNs(), config.clockGranularityNs());
        if (sendWindow.outstanding() == 1)
        {
            timeoutNs += config.delayedAckNs();
        }
        final long deadline = lastDataSentNs + timeoutNs;
        final long retransmit = deadlines[TimerKind.RETRANSMIT];
        return retransmit != TimerKind.NONE && retransmit - deadline <= 0 ? TimerKind.NONE : deadline;
    }

    private long keepaliveDeadline()
    {
        if (state == ConnectionState.CLOSED || state == ConnectionState.TIME_WAIT || state == ConnectionState.SYN_SENT)
        {
            return TimerKind.NONE;
        }
        return lastReceiveNs + config.keepaliveIdleNs() +
            Math.min(keepaliveProbesSent, config.keepaliveProbes()) * config.keepaliveIntervalNs();
    }

    /**
     * Writes the next datagram to send at {@code offset} in {@code out} (which must have room for the header, a
     * cookie and one maximum payload) and returns its length, or 0 when nothing is due now.
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
     * Like {@link #pollTransmit}, but a DATA or FIN segment's datagram is encoded around its payload in the send
     * window's slot instead of being copied to {@code out}: the datagram is then {@code length} bytes of
     * {@link #transmitBuffer()} from {@link #transmitOffset()}, valid until the next call into this connection.
     * Control packets are still written to {@code out}.
     */
    public int pollTransmitInPlace(final long nowNs, final MutableDirectBuffer out, final int offset)
    {
        transmitBuffer = out;
        transmitOffset = offset;
        if (rstPending)
        {
            rstPending = false;
            return writeControl(nowNs, out, offset, PacketType.RST, 0);
        }
        if (state == ConnectionState.CLOSED)
        {
            return 0;
        }
        if (state == ConnectionState.SYN_SENT)
        {
            return synPending ? writeSyn(nowNs, out, offset) : 0;
        }
        if (probeEchoId != 0)
        {
            return writeAck(nowNs, out, offset);
        }
        if (ackNow && receiveWindow.hasOutOfOrder())
        {
            return writeAck(nowNs, out, offset);
        }
        int length = 0;
        if (pacingAllows(nowNs))
        {
            length = writeRetransmission(nowNs, out, offset);
            if (length == 0)
            {
                length = writePathMtuProbe(nowNs, out, offset);
            }
            if (length == 0)
            {
                length = writeNewSegment(nowNs, out, offset);
            }
            if (length == 0 && tailProbePending)
            {
                length = writeTailProbe(nowNs, out, offset);
            }
            if (length == 0)
            {
                // The window or the application holds data back, not the pacer: nothing waited is made up.
                pacer.onNothingSent();
            }
            if (length == 0 && sendQueue.isEmpty() && sendWindow.lostCount() == 0 &&
                sendWindow.bytesInFlight() < congestion.windowBytes())
            {
                rateSampler.onAppLimited(sendWindow.bytesInFlight());
            }
        }
        if (length > 0)
        {
            return length;
        }
        if (probePending)
        {
            probePending = false;
            counters.probesSent++;
            return writeControl(nowNs, out, offset, PacketType.PING, PacketLayout.FLAG_ACK_NOW);
        }
        if (handshakeAckPending || ackNow || (ackPending && deadlines[TimerKind.DELAYED_ACK] - nowNs <= 0))
        {
            return writeAck(nowNs, out, offset);
        }
        return 0;
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
     * Data waits for the pacer; ACKs and probes never do. While data waits, the pacing timer holds the release time
     * so the endpoint's timer heap wakes this connection then, instead of the sender polling.
     */
    private boolean pacingAllows(final long nowNs)
    {
        if (pacer.mayRelease(nowNs))
        {
            endPacingWait(nowNs);
            return true;
        }
        final boolean dataWaiting = sendWindow.lostCount() > 0 || tailProbePending || canSendNewSegment();
        deadlines[TimerKind.PACING] = dataWaiting ? pacer.releaseTimeNs() : TimerKind.NONE;
        if (dataWaiting)
        {
            pacer.onDataWaiting();
        }
        return false;
    }

    /**
     * The pacer releases data: its timer is disarmed. If data waited for it (the timer armed) and nothing else held
     * it, yet the release comes more than the pacer's burst allowance late, the thread driving the endpoint fell
     * behind (a busy core). The pacer makes up some of that time, but the rate samples spanning the gap are still
     * the host's: counting them (with the threshold raised to what the pacer makes up) let 1% random loss drive
     * BBR's bw_lo down to 5-40% of the link for seconds in 2 of 4 lab runs. What is sent from here says how fast this host ran, not how fast the path is, so it must
     * not shrink the model: BBR leaving STARTUP at a quarter of the link on such samples took 15 s to climb back.
     */
    private void endPacingWait(final long nowNs)
    {
        final long waitedForNs = deadlines[TimerKind.PACING];
        if (waitedForNs != TimerKind.NONE && sendWindow.bytesInFlight() < congestion.windowBytes() &&
            nowNs - waitedForNs > pacer.creditNs(Math.max(1, congestion.pacingRateBytesPerSecond(rtt.srttNs()))))
        {
            counters.lateReleases++;
            rateSampler.onAppLimited(sendWindow.bytesInFlight());
        }
        deadlines[TimerKind.PACING] = TimerKind.NONE;
    }

    private int writeSyn(final long nowNs, final MutableDirectBuffer out, final int offset)
    {
        synPending = false;
        synTransmits++;
        synSentNs = nowNs;
        if (synTransmits > 1)
        {
            counters.retransmits++;
        }
        encoder.wrap(out, offset)
            .type(PacketType.SYN)
            .sourceId(localId)
            .seq(initialSendSeq)
            .window(receiveWindow.capacity())
            .timestamp(timestampUs(nowNs))
            .messageLength(maxPayload);
        counters.segmentsSent++;
        return encoder.seal(0);
    }

    private int writeRetransmission(final long nowNs, final MutableDirectBuffer out, final int offset)
    {
        if (sendWindow.lostCount() == 0)
        {
            return 0;
        }
        final int seq = sendWindow.firstLost();
        final long cost = SendWindow.cost(sendWindow.payloadLength(seq));
        if (sendWindow.bytesInFlight() > 0 && sendWindow.bytesInFlight() + cost > congestion.windowBytes())
        {
            return 0;
        }
        counters.retransmits++;
        return writeSegment(nowNs, seq);
    }

    /** RFC 8985 §7.3: retransmit the highest outstanding segment; its ACK or SACK lets RACK find any loss. */
    private int writeTailProbe(final long nowNs, final MutableDirectBuffer out, final int offset)
    {
        tailProbePending = false;
        final int seq = sendWindow.lastUnsacked();
        if (seq == sendWindow.nxt())
        {
            tailProbeOutstanding = false;
            return 0;
        }
        counters.tailProbes++;
        counters.retransmits++;
        return writeSegment(nowNs, seq);
    }

    private int writeNewSegment(final long nowNs, final MutableDirectBuffer out, final int offset)
    {
        if (!canSendNewSegment())
        {
            armPersistTimer(nowNs);
            return 0;
        }
        if (!sendQueue.isEmpty())
        {
            if (headSentBytes == 0 && config.batchMessages() && collectBatch() > 1)
            {
                return writeNewBatch(nowNs, out, offset);
            }
            peekHeadIfMoved();
            final int limit = segmentPayloadLimit();
            final int rest = headLength - headSentBytes;
            final int room = limit - rest - PacketLayout.SPAN_LENGTH_FIELD_LENGTH;
            // Two whole messages share a segment only as a batch: a span ends a fragmented message or begins one.
            if (room > 0 && config.spanMessages() && peekNextMessage() && (headSentBytes > 0 || nextLength > room))
            {
                return writeNewSpan(nowNs, rest, Math.min(room, nextLength));
            }
            final int length = Math.min(limit, rest);
            if (!congestionAllows(SendWindow.cost(length)))
            {
                return 0;
            }
            final int seq = sendWindow.append(PacketType.DATA, headBuffer, headOffset + headSentBytes, length,
                headLength, headSentBytes);
            headSentBytes += length;
            if (headSentBytes == headLength)
            {
                headSentBytes = 0;
                sendQueue.consume(headDrop, 1);
                forgetHead();
            }
            counters.payloadBytesSent += length;
            return writeSegment(nowNs, seq);
        }
        if (finQueued && !finSent && congestionAllows(SendWindow.cost(0)))
        {
            finSeq = sendWindow.append(PacketType.FIN, null, 0, 0, 0, 0);
            finSent = true;
            return writeSegment(nowNs, finSeq);
        }
        return 0;
    }

    /**
     * Sends the head's last {@code rest} bytes with the next queued message's first {@code head} bytes in one segment
     * (FLAG_SPAN); the next message then becomes the head, {@code head} bytes of it sent, or is done if that was all
     * of it.
     */
    private int writeNewSpan(final long nowNs, final int rest, final int head)
    {
        if (!congestionAllows(SendWindow.cost(rest + PacketLayout.SPAN_LENGTH_FIELD_LENGTH + head)))
        {
            return 0;
        }
        final int seq = sendWindow.appendSpan(headBuffer, headOffset + headSentBytes, rest, headLength, headSentBytes,
            nextBuffer, nextOffset, nextLength, head);
        if (head == nextLength)
        {
            sendQueue.consume(headDrop, 2);
            forgetHead();
            headSentBytes = 0;
        }
        else
        {
            // Consuming the head leaves the next message's bytes where they are, so it is the new head as peeked.
            sendQueue.consume(headDrop, 1);
            peekHead(nextBuffer, nextOffset, nextLength, 0);
            headSentBytes = head;
        }
        nextBuffer = null;
        counters.payloadBytesSent += rest + head;
        counters.spansSent++;
        return writeSegment(nowNs, seq);
    }

    /**
     * Finds the queued message after the head (none when the queue holds only the head's record, the common case of
     * a lone message, which then costs no walk).
     * @return whether there is one; it is in {@link #nextBuffer}, {@link #nextOffset}, {@link #nextLength}.
     */
    private boolean peekNextMessage()
    {
        nextLength = 0;
        if (sendQueue.size() <= BitUtil.align(ExpandableRingBuffer.HEADER_LENGTH + headLength,
            ExpandableRingBuffer.HEADER_ALIGNMENT))
        {
            return false;
        }
        peekedMessages = 0;
        sendQueue.forEach(nextPeek, 2);
        return nextLength > 0;
    }

    private boolean peekNext(final MutableDirectBuffer buffer, final int offset, final int length,
        final int ringHeadOffset)
    {
        if (peekedMessages++ == 0)
        {
            return true; // the head
        }
        nextBuffer = buffer;
        nextOffset = offset;
        nextLength = length;
        return false;
    }

    /** Sends the batch {@link #collectBatch()} framed in the send window's next slot. */
    private int writeNewBatch(final long nowNs, final MutableDirectBuffer out, final int offset)
    {
        if (!congestionAllows(SendWindow.cost(batchBytes)))
        {
            return 0;
        }
        final int seq = sendWindow.appendBatch(batchBytes, batchFrames);
        sendQueue.consume(headDrop, batchFrames);
        forgetHead();
        counters.payloadBytesSent += batchBytes;
        counters.batchesSent++;
        return writeSegment(nowNs, seq);
    }

    /**
     * Frames the queued messages that fit one segment together into the send window's next slot, without waiting
     * for more (Nagle-free: only what is already queued). Peeks the head as a side effect.
     * @return how many messages fit; below 2 nothing was framed and the head goes alone.
     */
    private int collectBatch()
    {
        batchFrames = 0;
        batchBytes = 0;
        // Path MTU discovery may allow less than the configured payload: a batch must fit what the path carries.
        batchLimit = segmentPayloadLimit();
        sendQueue.forEach(batchCollector, Integer.MAX_VALUE);
        return batchFrames;
    }

    private boolean collectFrame(final MutableDirectBuffer buffer, final int offset, final int length,
        final int ringHeadOffset)
    {
        final int frameBytes = PacketLayout.BATCH_FRAME_HEADER_LENGTH + length;
        if (batchFrames == 0)
        {
            // The head is framed only once a second message joins it: a lone message goes out unframed.
            peekHead(buffer, offset, length, ringHeadOffset);
            batchFrames = 1;
            batchBytes = frameBytes;
            return frameBytes < batchLimit;
        }
        if (batchBytes + frameBytes > batchLimit)
        {
            return false;
        }
        final MutableDirectBuffer slot = sendWindow.payloadBuffer();
        final int base = sendWindow.nextPayloadIndex();
        if (batchFrames == 1)
        {
            putFrame(slot, base, buffer, headOffset, headLength);
        }
        putFrame(slot, base + batchBytes, buffer, offset, length);
        batchFrames++;
        batchBytes += frameBytes;
        return true;
    }

    private static void putFrame(final MutableDirectBuffer slot, final int index, final DirectBuffer message,
        final int messageOffset, final int length)
    {
        slot.putShort(index, (short)length, PacketLayout.BYTE_ORDER);
        slot.putBytes(index + PacketLayout.BATCH_FRAME_HEADER_LENGTH, message, messageOffset, length);
    }

    private boolean canSendNewSegment()
    {
        final boolean open = state == ConnectionState.ESTABLISHED || state == ConnectionState.CLOSE_WAIT ||
            ((state == ConnectionState.FIN_WAIT_1 || state == ConnectionState.LAST_ACK) && !finSent);
        return open && !sendWindow.isFull() && lessThan(sendWindow.nxt(), peerWindowEdge) &&
            (!sendQueue.isEmpty() || (finQueued && !finSent));
    }

    private boolean congestionAllows(final long cost)
    {
        return sendWindow.bytesInFlight() == 0 || sendWindow.bytesInFlight() + cost <= congestion.windowBytes();
    }

    private void armPersistTimer(final long nowNs)
    {
        final boolean waiting = !sendQueue.isEmpty() || (finQueued && !finSent);
        final boolean windowClosed = !lessThan(sendWindow.nxt(), peerWindowEdge);
        if (waiting && windowClosed && sendWindow.isEmpty() && state != ConnectionState.CLOSED)
        {
            if (deadlines[TimerKind.PERSIST] == TimerKind.NONE)
            {
                final long interval = Math.min(rtt.rtoNs() << persistBackoff, config.maxPersistIntervalNs());
                deadlines[TimerKind.PERSIST] = nowNs + interval;
            }
        }
        else
        {
            deadlines[TimerKind.PERSIST] = TimerKind.NONE;
        }
    }

    private boolean peekHead(final MutableDirectBuffer buffer, final int offset, final int length, final int headOffset)
    {
        headBuffer = buffer;
        this.headOffset = offset;
        headLength = length;
        headRingCapacity = sendQueue.capacity();
        return true;
    }

    /**
     * The head stays where it was peeked until it is consumed or the ring grows (growing moves the bytes), so the
     * fragments of a large message need not walk the ring again for each segment.
     */
    private void peekHeadIfMoved()
    {
        if (headRingCapacity != sendQueue.capacity())
        {
            sendQueue.forEach(headPeek, 1);
        }
    }

    private void forgetHead()
    {
        headBuffer = null;
        headRingCapacity = NO_HEAD;
    }

    /** Encodes segment {@code seq}'s datagram in place around its payload in the send window (see SendWindow). */
    private int writeSegment(final long nowNs, final int seq)
    {
        final int type = sendWindow.type(seq);
        final MutableDirectBuffer slots = sendWindow.payloadBuffer();
        final int payloadIndex = sendWindow.payloadIndex(seq);
        final int payloadLength = sendWindow.payloadLength(seq);
        final int headerOffset;
        boolean fragmentFields = type == PacketType.DATA;
        if (type == PacketType.DATA && compactHeaderAllowed())
        {
            if (continuesMessage(seq, payloadLength))
            {
                fragmentFields = false;
                headerOffset = payloadIndex - PacketLayout.CONTINUATION_HEADER_LENGTH;
                encoder.wrapContinuation(slots, headerOffset);
            }
            else
            {
                headerOffset = payloadIndex - PacketLayout.COMPACT_HEADER_LENGTH;
                encoder.wrapCompact(slots, headerOffset);
            }
            lastTransmitNs = nowNs;
            encoder.flags(sendWindow.flags(seq))
                .destinationId(remoteId)
                .seq(seq)
                .timestamp(timestampUs(nowNs));
            counters.segmentsSent++;
        }
        else
        {
            final int flags = sendWindow.flags(seq) | (cookieEchoPending ? PacketLayout.FLAG_COOKIE : 0);
            headerOffset = payloadIndex - PacketLayout.payloadOffset(flags, 0);
            beginPacket(nowNs, slots, headerOffset, type, flags, seq);
        }
        if (fragmentFields)
        {
            encoder.messageLength(sendWindow.messageLength(seq)).fragmentOffset(sendWindow.fragmentOffset(seq));
        }
        writeCookieIfEchoing();
        assert encoder.payloadIndex() == payloadIndex : "segment header must end where its payload starts";
        transmitBuffer = slots;
        transmitOffset = headerOffset;
        final long inFlightBeforeBytes = sendWindow.bytesInFlight();
        sendWindow.onTransmit(seq, nowNs);
        rateSampler.onSent(seq, nowNs, inFlightBeforeBytes, sendWindow.bytesInFlight());
        lastDataSentNs = nowNs;
        if (deadlines[TimerKind.RETRANSMIT] == TimerKind.NONE)
        {
            deadlines[TimerKind.RETRANSMIT] = nowNs + rtt.rtoNs();
        }
        congestion.onPacketSent(nowNs, SendWindow.cost(payloadLength), sendWindow.bytesInFlight());
        pacer.onSent(nowNs, SendWindow.cost(payloadLength), congestion.pacingRateBytesPerSecond(rtt.srttNs()));
        return encoder.seal(payloadLength);
    }

    /**
     * A DATA segment may leave out the acknowledgement fields (the compact header) when they would tell the peer
     * nothing new: no ACK owed or due, the same acknowledgement and window edge as last sent, no cookie or probe to
     * echo. After a retransmission timeout the full header goes out again, so a peer that lost the connection can
     * name it in a reset (a compact segment carries no source id).
     */
    private boolean compactHeaderAllowed()
    {
        return config.compactDataHeader() && !cookieEchoPending && !handshakeAckPending && !ackNow && !ackPending &&
            probeEchoId == 0 && consecutiveTimeouts == 0 && receiveWindow.rcvNxt() == lastAdvertisedAck &&
            receiveWindow.rcvNxt() + receiveWindow.window() == lastAdvertisedEdge;
    }

    /**
     * Whether a DATA segment is a fragment from the middle of its message, neither first nor last, which the compact
     * header may send as a continuation: its receiver then knows the message and the offset from the fragment before.
     */
    private boolean continuesMessage(final int seq, final int payloadLength)
    {
        final int offsetInMessage = sendWindow.fragmentOffset(seq);
        return (sendWindow.flags(seq) & PacketLayout.FLAG_BATCH) == 0 && offsetInMessage > 0 &&
            offsetInMessage + payloadLength < sendWindow.messageLength(seq);
    }

    private int writeAck(final long nowNs, final MutableDirectBuffer out, final int offset)
    {
        final int flags = (cookieEchoPending ? PacketLayout.FLAG_COOKIE : 0) |
            (probeEchoId != 0 ? PacketLayout.FLAG_PROBE_ACK : 0);
        beginPacket(nowNs, out, offset, PacketType.ACK, flags, sendWindow.nxt());
        if (probeEchoId != 0)
        {
            encoder.probeId(probeEchoId);
            probeEchoId = 0;
        }
        final int blocks = receiveWindow.sackBlocks(sackStarts, sackEnds, PacketLayout.MAX_SACK_BLOCKS);
        for (int i = 0; i < blocks; i++)
        {
            encoder.sack(i, sackStarts[i], sackEnds[i]);
        }
        writeCookieIfEchoing();
        counters.acksSent++;
        return encoder.seal(0);
    }

    /**
     * RFC 8899 §4.1: a PROBE padded to the size being searched, sent only while application data waits (so an idle
     * connection never probes) and never as the handshake-completing packet (a PROBE carries no cookie). It uses no
     * sequence number and no congestion window: at most one is outstanding, paced by its acknowledgement or the
     * probe timer, and its loss is not taken as congestion.
     */
    private int writePathMtuProbe(final long nowNs, final MutableDirectBuffer out, final int offset)
    {
        final int size = pathMtu.probeSize();
        if (size == 0 || sendQueue.isEmpty() || cookieEchoPending || size > out.capacity() - offset ||
            !(state == ConnectionState.ESTABLISHED || state == ConnectionState.CLOSE_WAIT))
        {
            return 0;
        }
        final int id = pathMtu.onProbeSent(nowNs, size, Math.max(config.pathMtuProbeTimeoutNs(), rtt.rtoNs()));
        beginPacket(nowNs, out, offset, PacketType.PROBE, PacketLayout.FLAG_ACK_NOW, sendWindow.nxt());
        encoder.probeId(id);
        final int padding = size - PacketLayout.HEADER_LENGTH;
        out.setMemory(encoder.payloadIndex(), padding, (byte)0);
        counters.pathMtuProbesSent++;
        return encoder.seal(padding);
    }

    private int writeControl(final long nowNs, final MutableDirectBuffer out, final int offset, final int type,
        final int flags)
    {
        beginPacket(nowNs, out, offset, type, flags, sendWindow.nxt());
        if (type == PacketType.RST)
        {
            encoder.messageLength(rstReason);
        }
        return encoder.seal(0);
    }

    private void writeCookieIfEchoing()
    {
        if (cookieEchoPending)
        {
            encoder.buffer().putBytes(encoder.cookieIndex(), cookie, 0, PacketLayout.COOKIE_LENGTH);
            if (handshakeAckPending || sendWindow.isEmpty())
            {
                cookieTransmits++;
            }
            cookieSentNs = lastTransmitNs;
            handshakeAckPending = false;
        }
    }

    /** Header fields common to every packet after the handshake; piggybacks the ACK and window. */
    private void beginPacket(final long nowNs, final MutableDirectBuffer out, final int offset, final int type,
        final int flags, final int seq)
    {
        lastTransmitNs = nowNs;
        final int window = receiveWindow.window();
        encoder.wrap(out, offset)
            .type(type)
            .flags(flags)
            .destinationId(remoteId)
            .sourceId(localId)
            .seq(seq)
            .ack(receiveWindow.rcvNxt())
            .window(window)
            .timestamp(timestampUs(nowNs))
            .timestampEcho(tsRecent);
        counters.segmentsSent++;
        lastAdvertisedAck = receiveWindow.rcvNxt();
        lastAdvertisedEdge = receiveWindow.rcvNxt() + window;
        lastAdvertisedZero = window == 0;
        ackNow = false;
        ackPending = false;
        segmentsSinceAck = 0;
        deadlines[TimerKind.DELAYED_ACK] = TimerKind.NONE;
    }

    private static int timestampUs(final long nowNs)
    {
        return (int)(nowNs / 1000);
    }

    @Override
    public String toString()
    {
        return "Connection{local=" + Integer.toHexString(localId) + ", remote=" + Integer.toHexString(remoteId) +
            ", state=" + state + ", reason=" + closeReason + ", una=" + sendWindow.una() + ", nxt=" + sendWindow.nxt() +
            ", rcvNxt=" + receiveWindow.rcvNxt() + ", cwnd=" + congestion.windowBytes() + ", inFlight=" +
            sendWindow.bytesInFlight() + ", rto=" + rtt.rtoNs() + ", " + congestion + "}";
    }
}
