package io.conduit.transport.endpoint;

import java.util.concurrent.atomic.AtomicLongArray;

import io.conduit.transport.codec.RejectReason;
import io.conduit.transport.engine.EndpointCounters;

/**
 * The endpoint's counters as the application sees them: copied from the engine by the agent every
 * {@code statsIntervalNs} with ordered stores, read here without locks. The same values go to the counters file.
 */
public final class EndpointStats
{
    static final int DATAGRAMS_RECEIVED = 0;
    static final int DATAGRAMS_SENT = 1;
    static final int BYTES_RECEIVED = 2;
    static final int BYTES_SENT = 3;
    static final int REJECTED = 4;
    static final int CONNECTIONS_OPENED = 5;
    static final int CONNECTIONS_ACCEPTED = 6;
    static final int CONNECTIONS_CLOSED = 7;
    static final int CONNECTIONS_ACTIVE = 8;
    static final int TIME_WAIT_SIZE = 9;
    static final int SEND_WOULD_BLOCK = 10;
    static final int DUTY_CYCLES = 11;
    static final int SOCKET_ERRORS = 12;
    static final int UNKNOWN_CONNECTION = 13;
    static final int COOKIES_REJECTED = 14;
    static final int ACCEPT_QUEUE_FULL = 15;
    static final int TIME_WAIT_EVICTIONS = 16;
    static final int FIRST_REJECT_REASON = 17;
    static final int COUNT = FIRST_REJECT_REASON + 32;

    private static final RejectReason[] REASONS = RejectReason.values();
    private final AtomicLongArray values = new AtomicLongArray(COUNT);

    public long datagramsReceived() { return values.get(DATAGRAMS_RECEIVED); }
    public long datagramsSent() { return values.get(DATAGRAMS_SENT); }
    public long bytesReceived() { return values.get(BYTES_RECEIVED); }
    public long bytesSent() { return values.get(BYTES_SENT); }
    /** Datagrams refused by the decoder, all reasons. */
    public long rejected() { return values.get(REJECTED); }
    public long rejected(final RejectReason reason) { return values.get(FIRST_REJECT_REASON + reason.code()); }
    public long connectionsOpened() { return values.get(CONNECTIONS_OPENED); }
    public long connectionsAccepted() { return values.get(CONNECTIONS_ACCEPTED); }
    public long connectionsClosed() { return values.get(CONNECTIONS_CLOSED); }
    public long connectionsActive() { return values.get(CONNECTIONS_ACTIVE); }
    public long timeWaitSize() { return values.get(TIME_WAIT_SIZE); }
    public long timeWaitEvictions() { return values.get(TIME_WAIT_EVICTIONS); }
    /** Times the socket's send buffer was full and a datagram had to wait. */
    public long sendWouldBlock() { return values.get(SEND_WOULD_BLOCK); }
    public long dutyCycles() { return values.get(DUTY_CYCLES); }
    /** I/O errors from the socket (counted, never fatal). */
    public long socketErrors() { return values.get(SOCKET_ERRORS); }
    public long unknownConnection() { return values.get(UNKNOWN_CONNECTION); }
    public long cookiesRejected() { return values.get(COOKIES_REJECTED); }
    /** Accepted connections aborted because the application did not take them fast enough. */
    public long acceptQueueFull() { return values.get(ACCEPT_QUEUE_FULL); }

    long get(final int index)
    {
        return values.get(index);
    }

    void publish(final EndpointCounters engine, final long[] edge, final int active, final int timeWait,
        final long evictions)
    {
        values.lazySet(DATAGRAMS_RECEIVED, engine.datagramsReceived());
        values.lazySet(DATAGRAMS_SENT, engine.datagramsSent());
        values.lazySet(BYTES_RECEIVED, edge[BYTES_RECEIVED]);
        values.lazySet(BYTES_SENT, edge[BYTES_SENT]);
        values.lazySet(REJECTED, engine.rejectedTotal());
        values.lazySet(CONNECTIONS_OPENED, engine.connectionsOpened());
        values.lazySet(CONNECTIONS_ACCEPTED, engine.connectionsAccepted());
        values.lazySet(CONNECTIONS_CLOSED, engine.connectionsClosed());
        values.lazySet(CONNECTIONS_ACTIVE, active);
        values.lazySet(TIME_WAIT_SIZE, timeWait);
        values.lazySet(TIME_WAIT_EVICTIONS, evictions);
        values.lazySet(SEND_WOULD_BLOCK, edge[SEND_WOULD_BLOCK]);
        values.lazySet(DUTY_CYCLES, edge[DUTY_CYCLES]);
        values.lazySet(SOCKET_ERRORS, edge[SOCKET_ERRORS]);
        values.lazySet(UNKNOWN_CONNECTION, engine.unknownConnection());
        values.lazySet(COOKIES_REJECTED, engine.cookiesRejected());
        values.lazySet(ACCEPT_QUEUE_FULL, edge[ACCEPT_QUEUE_FULL]);
        for (final RejectReason reason : REASONS)
        {
            values.lazySet(FIRST_REJECT_REASON + reason.code(), engine.rejected(reason));
        }
    }
}
