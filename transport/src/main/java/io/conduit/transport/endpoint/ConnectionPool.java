package io.conduit.transport.endpoint;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Established connections kept per remote address, so request/response users reuse one instead of paying a
 * handshake and leaving a TIME-WAIT entry per request. {@link #acquire} hands out an idle connection to that address
 * (checking it is still established) or opens a new one; {@link #release} gives it back, or closes it when the pool
 * already holds {@code maxIdlePerRemote} for that address or the connection is no longer usable.
 *
 * <p>A connection is used by one caller between acquire and release. Any thread may call any method; the idle lists
 * are lock-free deques. The pool never blocks except in the connect of {@link #acquire}.
 */
public final class ConnectionPool implements AutoCloseable
{
    private final Endpoint endpoint;
    private final int maxIdlePerRemote;
    private final long connectTimeoutNs;
    private final Map<InetSocketAddress, ConcurrentLinkedDeque<ConduitConnection>> idle = new ConcurrentHashMap<>();
    private final AtomicInteger opened = new AtomicInteger();
    private volatile boolean closed;

    public ConnectionPool(final Endpoint endpoint, final int maxIdlePerRemote, final long connectTimeout,
        final TimeUnit unit)
    {
        if (maxIdlePerRemote < 1)
        {
            throw new IllegalArgumentException("maxIdlePerRemote must be >= 1: " + maxIdlePerRemote);
        }
        this.endpoint = endpoint;
        this.maxIdlePerRemote = maxIdlePerRemote;
        this.connectTimeoutNs = unit.toNanos(connectTimeout);
    }

    /** An established connection to {@code remote}: a pooled one when available, else a new one (blocking). */
    public ConduitConnection acquire(final InetSocketAddress remote) throws IOException
    {
        if (closed)
        {
            throw new IllegalStateException("connection pool is closed");
        }
        final ConcurrentLinkedDeque<ConduitConnection> connections = idle.get(remote);
        if (connections != null)
        {
            ConduitConnection connection;
            while ((connection = connections.pollFirst()) != null)
            {
                if (isReusable(connection))
                {
                    return connection;
                }
                connection.close();
            }
        }
        opened.incrementAndGet();
        return endpoint.connect(remote, connectTimeoutNs, TimeUnit.NANOSECONDS);
    }

    /**
     * Returns a connection for reuse. The caller must have read the whole response: a connection with messages still
     * waiting would hand them to the next user, so it is closed instead.
     */
    public void release(final ConduitConnection connection)
    {
        if (closed || !isReusable(connection) || connection.receiveRing.size() != 0)
        {
            connection.close();
            return;
        }
        final ConcurrentLinkedDeque<ConduitConnection> connections =
            idle.computeIfAbsent(connection.remoteAddress(), key -> new ConcurrentLinkedDeque<>());
        if (connections.size() >= maxIdlePerRemote)
        {
            connection.close();
            return;
        }
        connections.offerFirst(connection);
    }

    /** Connections this pool has opened so far (reuse keeps this low). */
    public int connectionsOpened()
    {
        return opened.get();
    }

    /** Idle connections held for {@code remote}. */
    public int idleCount(final InetSocketAddress remote)
    {
        final ConcurrentLinkedDeque<ConduitConnection> connections = idle.get(remote);
        return connections == null ? 0 : connections.size();
    }

    /** Closes every idle connection gracefully; connections still acquired are closed when released. */
    @Override
    public void close()
    {
        closed = true;
        for (final ConcurrentLinkedDeque<ConduitConnection> connections : idle.values())
        {
            ConduitConnection connection;
            while ((connection = connections.pollFirst()) != null)
            {
                connection.close();
            }
        }
    }

    private static boolean isReusable(final ConduitConnection connection)
    {
        return connection.isConnected() && connection.requests.get() == 0 && !connection.isInputFinished();
    }
}
