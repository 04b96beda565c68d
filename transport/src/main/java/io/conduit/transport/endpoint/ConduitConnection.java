package io.conduit.transport.endpoint;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

import io.conduit.transport.engine.CloseReason;
import io.conduit.transport.engine.Connection;
import io.conduit.transport.engine.ConnectionState;

/**
 * The application's side of one connection. Sending and receiving never take a lock: {@link #offer} writes the
 * message into this connection's many-to-one ring towards the endpoint agent and returns at once (Aeron's
 * {@code Publication.offer} contract), and {@link #poll} reads whole messages from a one-to-one ring the agent fills.
 * A per-connection ring means one slow connection never blocks another.
 *
 * <p>Threads: any thread may {@link #offer}; one thread at a time may {@link #poll} or {@link #receive}. State and
 * statistics are published by the agent and read here without locks. The blocking convenience calls ({@link #send},
 * {@link #receive}, {@link #awaitConnected}, {@link #awaitClosed}) drive the endpoint themselves in
 * {@link ThreadingMode#INVOKER} mode.
 */
public final class ConduitConnection
{
    /** The message was not queued: the send ring is full. Try again later. */
    public static final long BACK_PRESSURED = Connection.BACK_PRESSURED;
    /** The message was not queued: the handshake has not completed. */
    public static final long NOT_CONNECTED = Connection.NOT_CONNECTED;
    /** The message was not queued: the connection is closing or closed. */
    public static final long CLOSED = Connection.CLOSED;
    /** The message was not queued: it exceeds {@link #maxMessageBytes()}. */
    public static final long MESSAGE_TOO_LARGE = Connection.MESSAGE_TOO_LARGE;

    static final int MESSAGE_TYPE = 1;
    static final int REQUEST_CLOSE = 1;
    static final int REQUEST_ABORT = 2;

    private static final int STAT_SRTT_NS = 0;
    private static final int STAT_RTTVAR_NS = 1;
    private static final int STAT_RTO_NS = 2;
    private static final int STAT_CWND_BYTES = 3;
    private static final int STAT_RECEIVE_WINDOW = 4;
    private static final int STAT_BYTES_SENT = 5;
    private static final int STAT_BYTES_RECEIVED = 6;
    private static final int STAT_SEGMENTS_SENT = 7;
    private static final int STAT_SEGMENTS_RECEIVED = 8;
    private static final int STAT_RETRANSMITS = 9;
    private static final int STAT_DUPLICATES = 10;
    private static final int STAT_MESSAGES_SENT = 11;
    private static final int STAT_MESSAGES_DELIVERED = 12;
    private static final int STAT_BYTES_IN_FLIGHT = 13;
    private static final int STAT_TIMEOUTS = 14;
    private static final int STAT_MAX_DATAGRAM_BYTES = 15;
    private static final int STAT_PATH_MTU_PROBES = 16;
    private static final int STAT_COUNT = 17;

    private final Endpoint endpoint;
    private final InetSocketAddress remoteAddress;
    private final int maxMessageBytes;
    final ManyToOneRingBuffer sendRing;
    final OneToOneRingBuffer receiveRing;
    private final AtomicLong offeredPosition = new AtomicLong();
    final AtomicInteger doorbell = new AtomicInteger();
    final AtomicInteger requests = new AtomicInteger();
    private final AtomicLongArray stats = new AtomicLongArray(STAT_COUNT);
    private final PollAdapter pollAdapter = new PollAdapter();
    private volatile ConnectionState state;
    private volatile CloseReason closeReason = CloseReason.NONE;
    private volatile boolean inputFinished;
    private volatile int localId;

    // Owned by the endpoint agent's thread.
    Connection engine;
    boolean deliveryPending;
    boolean closeIssued;
    int liveIndex = -1;
    int[] statusCounterIds;

    ConduitConnection(final Endpoint endpoint, final InetSocketAddress remoteAddress, final EndpointContext context,
        final ConnectionState initialState)
    {
        this.endpoint = endpoint;
        this.remoteAddress = remoteAddress;
        this.maxMessageBytes = context.maxMessageBytes();
        this.sendRing = new ManyToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(EndpointContext.ringBufferBytes(context.sendRingCapacity()))));
        this.receiveRing = new OneToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(EndpointContext.ringBufferBytes(context.receiveRingCapacity()))));
        this.state = initialState;
    }

    // ------------------------------------------------------------ application

    /**
     * Queues a message for reliable, ordered delivery without blocking. Returns the connection's new stream position
     * (total bytes offered so far) or a negative code: {@link #BACK_PRESSURED}, {@link #NOT_CONNECTED},
     * {@link #CLOSED}, {@link #MESSAGE_TOO_LARGE}.
     */
    public long offer(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < 0 || length > maxMessageBytes)
        {
            return MESSAGE_TOO_LARGE;
        }
        final ConnectionState current = state;
        if (requests.get() != 0 || !current.canSend())
        {
            return CLOSED;
        }
        if (current != ConnectionState.ESTABLISHED && current != ConnectionState.CLOSE_WAIT)
        {
            return NOT_CONNECTED;
        }
        final long direct = endpoint.offerDirect(this, buffer, offset, length);
        if (direct != Endpoint.NOT_DIRECT)
        {
            // In the engine already, which marked the connection for the next duty cycle: no doorbell needed.
            return direct >= 0 ? offeredPosition.addAndGet(length) : direct;
        }
        if (!sendRing.write(MESSAGE_TYPE, buffer, offset, length))
        {
            return BACK_PRESSURED;
        }
        final long position = offeredPosition.addAndGet(length);
        ringDoorbell();
        return position;
    }

    /** Delivers up to {@code limit} received messages, in order. Returns how many. One polling thread at a time. */
    public int poll(final ReceivedMessageHandler handler, final int limit)
    {
        pollAdapter.handler = handler;
        final int read = receiveRing.read(pollAdapter, limit);
        pollAdapter.handler = null;
        // No doorbell here: the agent retries connections whose ring was full on every duty cycle.
        return read;
    }

    /** Starts a graceful close: messages already offered are delivered, then FIN. Never blocks. */
    public void close()
    {
        request(REQUEST_CLOSE);
    }

    /** Closes at once with RST; queued messages are discarded. Never blocks. */
    public void abort()
    {
        request(REQUEST_ABORT);
    }

    /** Offers until queued, waiting (not spinning hot) while back-pressured; throws when closed or out of time. */
    public long send(final DirectBuffer buffer, final int offset, final int length, final long timeout,
        final TimeUnit unit) throws IOException
    {
        final long deadlineNs = System.nanoTime() + unit.toNanos(timeout);
        final Endpoint.Waiter waiter = endpoint.waiter();
        while (true)
        {
            final long result = offer(buffer, offset, length);
            if (result >= 0)
            {
                return result;
            }
            if (result == MESSAGE_TOO_LARGE)
            {
                throw new IllegalArgumentException("message of " + length + " bytes exceeds maxMessageBytes " +
                    maxMessageBytes);
            }
            if (result == CLOSED)
            {
                throw closedException();
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IOException("send timed out after " + unit.toMillis(timeout) + " ms (" +
                    (result == NOT_CONNECTED ? "not connected" : "back-pressured") + ") to " + remoteAddress);
            }
            waiter.await();
        }
    }

    /**
     * Waits for one message. Returns true when one was handed to the handler, false on timeout; throws
     * {@link ConnectionClosedException} once the peer has finished and every message has been received (reason
     * {@link CloseReason#GRACEFUL} after a clean close) or the connection failed.
     */
    public boolean receive(final ReceivedMessageHandler handler, final long timeout, final TimeUnit unit)
        throws ConnectionClosedException
    {
        final long deadlineNs = System.nanoTime() + unit.toNanos(timeout);
        final Endpoint.Waiter waiter = endpoint.waiter();
        while (true)
        {
            if (poll(handler, 1) == 1)
            {
                return true;
            }
            if (isInputFinished())
            {
                final CloseReason reason = closeReason;
                throw new ConnectionClosedException("connection to " + remoteAddress + ": " +
                    (reason == CloseReason.NONE ? "peer finished sending" : ConnectionClosedException.describe(reason)),
                    reason == CloseReason.NONE ? CloseReason.GRACEFUL : reason);
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                return false;
            }
            waiter.await();
        }
    }

    /** Waits until the handshake completes; throws on failure or timeout. */
    public ConduitConnection awaitConnected(final long timeout, final TimeUnit unit) throws IOException
    {
        final long deadlineNs = System.nanoTime() + unit.toNanos(timeout);
        final Endpoint.Waiter waiter = endpoint.waiter();
        while (true)
        {
            final ConnectionState current = state;
            if (current == ConnectionState.ESTABLISHED || current == ConnectionState.CLOSE_WAIT)
            {
                return this;
            }
            if (isClosed())
            {
                throw new ConnectionClosedException("connect to " + remoteAddress + " failed: " +
                    ConnectionClosedException.describe(closeReason), closeReason);
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                abort();
                throw new IOException("connect to " + remoteAddress + " timed out after " + unit.toMillis(timeout) +
                    " ms");
            }
            waiter.await();
        }
    }

    /** Waits until the connection is closed (or in TIME-WAIT, which the endpoint finishes on its own). */
    public boolean awaitClosed(final long timeout, final TimeUnit unit)
    {
        final long deadlineNs = System.nanoTime() + unit.toNanos(timeout);
        final Endpoint.Waiter waiter = endpoint.waiter();
        while (!isClosed())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                return false;
            }
            waiter.await();
        }
        return true;
    }

    // ------------------------------------------------------------ observation

    public InetSocketAddress remoteAddress() { return remoteAddress; }
    /** This side's connection id (0 until the agent has opened the connection). */
    public int localId() { return localId; }
    public ConnectionState state() { return state; }
    public CloseReason closeReason() { return closeReason; }
    public int maxMessageBytes() { return maxMessageBytes; }
    public boolean isConnected() { return state == ConnectionState.ESTABLISHED; }

    /** True once the connection is closed, or in TIME-WAIT (done for the application; the endpoint finishes it). */
    public boolean isClosed()
    {
        final ConnectionState current = state;
        return current == ConnectionState.CLOSED || current == ConnectionState.TIME_WAIT;
    }

    /** True when no more messages will arrive and every received message has been polled. */
    public boolean isInputFinished()
    {
        return inputFinished && receiveRing.size() == 0;
    }

    /** Total bytes offered (the position the next successful {@link #offer} returns, minus its length). */
    public long position() { return offeredPosition.get(); }
    public long srttNs() { return stats.get(STAT_SRTT_NS); }
    public long rttVarNs() { return stats.get(STAT_RTTVAR_NS); }
    public long rtoNs() { return stats.get(STAT_RTO_NS); }
    public long congestionWindowBytes() { return stats.get(STAT_CWND_BYTES); }
    public long receiveWindowSegments() { return stats.get(STAT_RECEIVE_WINDOW); }
    public long payloadBytesSent() { return stats.get(STAT_BYTES_SENT); }
    public long payloadBytesReceived() { return stats.get(STAT_BYTES_RECEIVED); }
    public long segmentsSent() { return stats.get(STAT_SEGMENTS_SENT); }
    public long segmentsReceived() { return stats.get(STAT_SEGMENTS_RECEIVED); }
    public long retransmits() { return stats.get(STAT_RETRANSMITS); }
    public long timeouts() { return stats.get(STAT_TIMEOUTS); }
    public long duplicateSegments() { return stats.get(STAT_DUPLICATES); }
    public long messagesSent() { return stats.get(STAT_MESSAGES_SENT); }
    public long messagesDelivered() { return stats.get(STAT_MESSAGES_DELIVERED); }
    public long bytesInFlight() { return stats.get(STAT_BYTES_IN_FLIGHT); }
    /** The largest datagram new DATA segments use now: the discovered path MTU, or the configured maximum. */
    public long maxDatagramBytes() { return stats.get(STAT_MAX_DATAGRAM_BYTES); }
    /** Path MTU probes sent so far (RFC 8899 PROBE packets). */
    public long pathMtuProbesSent() { return stats.get(STAT_PATH_MTU_PROBES); }

    @Override
    public String toString()
    {
        return "ConduitConnection{" + Integer.toHexString(localId) + "->" + remoteAddress + " " + state + "}";
    }

    // ------------------------------------------------------------ agent side

    private void request(final int bit)
    {
        requests.getAndUpdate(value -> value | bit);
        ringDoorbell();
    }

    private void ringDoorbell()
    {
        // One doorbell entry per connection at most: the agent clears the flag before it drains the ring.
        if (doorbell.get() == 0 && doorbell.compareAndSet(0, 1))
        {
            endpoint.ring(this);
        }
    }

    private ConnectionClosedException closedException()
    {
        final CloseReason reason = closeReason;
        if (reason == CloseReason.NONE)
        {
            return new ConnectionClosedException("connection to " + remoteAddress + " is closing (" + state + ")",
                CloseReason.NONE);
        }
        return new ConnectionClosedException("connection to " + remoteAddress + " closed: " +
            ConnectionClosedException.describe(reason), reason);
    }

    void bind(final Connection connection)
    {
        engine = connection;
        connection.attachment(this);
        localId = connection.localId();
        state = connection.state();
    }

    void onStateChange(final ConnectionState to, final CloseReason reason)
    {
        if (reason != CloseReason.NONE)
        {
            closeReason = reason;
        }
        state = to;
    }

    void failBeforeOpen(final CloseReason reason)
    {
        closeReason = reason;
        inputFinished = true;
        state = ConnectionState.CLOSED;
    }

    void markInputFinished()
    {
        inputFinished = true;
    }

    boolean inputFinishedByAgent()
    {
        return inputFinished;
    }

    void publishStats(final Connection connection)
    {
        final io.conduit.transport.engine.ConnectionCounters counters = connection.counters();
        stats.lazySet(STAT_SRTT_NS, connection.srttNs());
        stats.lazySet(STAT_RTTVAR_NS, connection.rttVarNs());
        stats.lazySet(STAT_RTO_NS, connection.rtoNs());
        stats.lazySet(STAT_CWND_BYTES, connection.congestionWindowBytes());
        stats.lazySet(STAT_RECEIVE_WINDOW, connection.receiveWindow());
        stats.lazySet(STAT_BYTES_SENT, counters.payloadBytesSent());
        stats.lazySet(STAT_BYTES_RECEIVED, counters.payloadBytesReceived());
        stats.lazySet(STAT_SEGMENTS_SENT, counters.segmentsSent());
        stats.lazySet(STAT_SEGMENTS_RECEIVED, counters.segmentsReceived());
        stats.lazySet(STAT_RETRANSMITS, counters.retransmits());
        stats.lazySet(STAT_TIMEOUTS, counters.timeouts());
        stats.lazySet(STAT_DUPLICATES, counters.duplicateSegments());
        stats.lazySet(STAT_MESSAGES_SENT, counters.messagesSent());
        stats.lazySet(STAT_MESSAGES_DELIVERED, counters.messagesDelivered());
        stats.lazySet(STAT_BYTES_IN_FLIGHT, connection.bytesInFlight());
        stats.lazySet(STAT_MAX_DATAGRAM_BYTES, connection.maxDatagramBytes());
        stats.lazySet(STAT_PATH_MTU_PROBES, counters.pathMtuProbesSent());
    }

    /** Reused so polling allocates nothing; Agrona's ring hands out a record, we hand out the message. */
    private static final class PollAdapter implements MessageHandler
    {
        ReceivedMessageHandler handler;

        @Override
        public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            handler.onMessage(buffer, index, length);
        }
    }
}
