package io.conduit.client;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import io.conduit.kv.Consistency;
import io.conduit.kv.KvCodecError;
import io.conduit.kv.KvOperation;
import io.conduit.kv.client.KvClientConfig;
import io.conduit.kv.client.KvClientSession;
import io.conduit.kv.client.KvResult;
import io.conduit.messaging.conduit.ClientHello;
import io.conduit.transport.endpoint.ConduitConnection;
import io.conduit.transport.endpoint.Endpoint;
import io.conduit.transport.endpoint.ReceivedMessageHandler;
import io.conduit.transport.endpoint.ThreadingMode;

/**
 * A blocking client of the replicated key-value store: one command at a time, each with a timeout, answered with
 * a {@link KvResult}. It finds the leader itself (hints, then turns) and retries a command under the same session
 * sequence until a final status or the timeout, so a command is applied at most once and an ERROR always means
 * not applied; {@link KvResult.Outcome#TIMEOUT} means the outcome is unknown.
 *
 * <p>Links: one {@link ConduitConnection} per cluster address, opened at construction (so every node can name its
 * member id early) and again on demand after a failure; the first message is a CLIENT_HELLO, the node's first
 * answer names its member id. A node whose link fails, or that stays silent for an attempt, is skipped for a while.
 *
 * <p>Threads: confined to the calling thread. With a {@link ThreadingMode#INVOKER} endpoint this client drives the
 * endpoint's duty cycle itself; call {@link #doWork()} while idle between commands so keepalives are answered. The
 * caller owns the endpoint and closes it after this client.
 */
public final class KvClient implements AutoCloseable
{
    private static final int POLL_LIMIT = 16;

    private final Endpoint endpoint;
    private final boolean invoker;
    private final NanoClock clock;
    private final IdleStrategy idle;
    private final InetSocketAddress[] cluster;
    private final KvClientSession session;
    private final ConduitConnection[] links;
    private final boolean[] helloSent;
    private final boolean[] identified;
    private final UnsafeBuffer hello = new UnsafeBuffer(new byte[ClientHello.LENGTH]);
    private final LinkReader reader = new LinkReader();
    private boolean closed;

    /**
     * @param endpoint    a client endpoint (no need to listen); in invoker mode driven by this client.
     * @param cluster     the nodes' addresses, as their {@code --members} list them.
     * @param consistency how every get is read.
     * @param random      the source of the client id; a strong generator in production, a seeded one in tests.
     */
    public KvClient(final Endpoint endpoint, final List<InetSocketAddress> cluster, final Consistency consistency,
        final KvClientConfig config, final RandomGenerator random)
    {
        if (cluster.isEmpty())
        {
            throw new IllegalArgumentException("the cluster needs at least one address");
        }
        this.endpoint = endpoint;
        this.invoker = endpoint.context().threadingMode() == ThreadingMode.INVOKER;
        this.clock = endpoint.context().nanoClock();
        this.idle = endpoint.context().idleStrategy();
        this.cluster = cluster.toArray(new InetSocketAddress[0]);
        this.session = new KvClientSession(this.cluster.length, consistency, config, random);
        this.links = new ConduitConnection[this.cluster.length];
        this.helloSent = new boolean[this.cluster.length];
        this.identified = new boolean[this.cluster.length];
        ClientHello.encode(hello, 0);
        for (int node = 0; node < links.length; node++)
        {
            connect(node);
        }
    }

    public KvResult put(final String key, final String value, final long timeoutMs)
    {
        return execute(KvOperation.put(key, value), timeoutMs);
    }

    public KvResult get(final String key, final long timeoutMs)
    {
        return execute(KvOperation.get(key), timeoutMs);
    }

    public KvResult cas(final String key, final String expected, final String newValue, final long timeoutMs)
    {
        return execute(KvOperation.cas(key, expected, newValue), timeoutMs);
    }

    public KvResult delete(final String key, final long timeoutMs)
    {
        return execute(KvOperation.delete(key), timeoutMs);
    }

    public KvResult lease(final String name, final String holder, final long ttlMs, final long timeoutMs)
    {
        return execute(KvOperation.lease(name, holder, ttlMs), timeoutMs);
    }

    /**
     * Runs one command until a final answer or {@code timeoutMs}. A request that breaks the store's limits, or is
     * too long for the transport, is answered ERROR without being sent.
     */
    public KvResult execute(final KvOperation operation, final long timeoutMs)
    {
        if (closed)
        {
            throw new IllegalStateException("client closed");
        }
        if (timeoutMs < 1)
        {
            throw new IllegalArgumentException("timeoutMs must be >= 1, was " + timeoutMs);
        }
        final int maxMessageBytes = endpoint.context().maxMessageBytes();
        if (operation.encodedLength() > maxMessageBytes)
        {
            return KvResult.error("request of " + operation.encodedLength() + " bytes exceeds the transport's " +
                "message limit of " + maxMessageBytes);
        }
        final int started = session.start(clock.nanoTime(), operation, TimeUnit.MILLISECONDS.toNanos(timeoutMs));
        if (started < 0)
        {
            return KvResult.error("bad request: " + KvCodecError.describe(started));
        }
        while (true)
        {
            int work = doWork();
            final long nowNs = clock.nanoTime();
            session.onTimer(nowNs);
            if (!session.isBusy())
            {
                break;
            }
            work += sendRequest(nowNs);
            idle.idle(work);
        }
        idle.reset();
        return session.state() == KvClientSession.State.COMPLETED ? KvResult.of(session.response()) :
            KvResult.timeout();
    }

    /**
     * One round of background work: the endpoint's duty cycle (invoker mode), hello replies, answers, failed links.
     * Returns the work done, 0 when idle.
     */
    public int doWork()
    {
        int work = invoker ? endpoint.doWork() : 0;
        final long nowNs = clock.nanoTime();
        for (int node = 0; node < links.length; node++)
        {
            work += service(node, nowNs);
        }
        return work;
    }

    public long clientId()
    {
        return session.clientId();
    }

    /** The session, for statistics and tests (attempts, leader, minIndex). */
    public KvClientSession session()
    {
        return session;
    }

    /** Aborts every link (the nodes see their client links close at once); the endpoint stays the caller's. */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            for (int node = 0; node < links.length; node++)
            {
                if (links[node] != null)
                {
                    links[node].abort();
                    links[node] = null;
                }
            }
        }
    }

    private int sendRequest(final long nowNs)
    {
        if (session.state() != KvClientSession.State.READY_TO_SEND)
        {
            return 0;
        }
        final int node = session.targetNode();
        if (links[node] == null)
        {
            connect(node);
            return 1;
        }
        if (!helloSent[node])
        {
            return 0;
        }
        final long result = links[node].offer(session.requestBuffer(), 0, session.requestLength());
        if (result >= 0)
        {
            session.onSent(nowNs, node);
            return 1;
        }
        if (result == ConduitConnection.CLOSED)
        {
            drop(node, nowNs);
            return 1;
        }
        return 0;
    }

    private int service(final int node, final long nowNs)
    {
        final ConduitConnection link = links[node];
        if (link == null)
        {
            return 0;
        }
        int work = 0;
        if (!helloSent[node] && link.isConnected() && link.offer(hello, 0, ClientHello.LENGTH) >= 0)
        {
            helloSent[node] = true;
            work++;
        }
        reader.node = node;
        reader.nowNs = nowNs;
        reader.badReply = false;
        work += link.poll(reader, POLL_LIMIT);
        if (reader.badReply)
        {
            // Not a Conduit node (or another version): leave it be for a while.
            link.abort();
            drop(node, nowNs);
            return work + 1;
        }
        if (link.isClosed() || link.isInputFinished())
        {
            if (!link.isClosed())
            {
                link.abort();
            }
            drop(node, nowNs);
            work++;
        }
        return work;
    }

    private void connect(final int node)
    {
        links[node] = endpoint.connect(cluster[node]);
        helloSent[node] = false;
        identified[node] = false;
    }

    private void drop(final int node, final long nowNs)
    {
        links[node] = null;
        helloSent[node] = false;
        identified[node] = false;
        session.onNodeUnavailable(nowNs, node);
    }

    /** The first message on a link is the hello reply; everything after it goes to the session. */
    private final class LinkReader implements ReceivedMessageHandler
    {
        int node;
        long nowNs;
        boolean badReply;

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            if (identified[node])
            {
                session.onResponse(nowNs, node, buffer, offset, length);
                return;
            }
            final int memberId = ClientHello.replyMemberId(buffer, offset, length);
            if (memberId < 0)
            {
                badReply = true;
                return;
            }
            identified[node] = true;
            session.onNodeIdentified(node, memberId);
        }
    }
}
