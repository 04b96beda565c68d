package io.conduit.transport.endpoint;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import io.conduit.transport.engine.Connection;
import io.conduit.transport.engine.ConnectionState;
import io.conduit.transport.media.UdpChannel;

/**
 * One UDP socket and the connections over it. {@link #launch} binds the socket and, in
 * {@link ThreadingMode#DEDICATED} mode, starts the agent thread; in {@link ThreadingMode#INVOKER} mode the
 * application calls {@link #doWork()} from one thread of its choosing.
 *
 * <pre>{@code
 * try (Endpoint endpoint = Endpoint.launch(new EndpointContext().bind("127.0.0.1", 0)))
 * {
 *     ConduitConnection connection = endpoint.connect(new InetSocketAddress("127.0.0.1", 9000))
 *         .awaitConnected(5, TimeUnit.SECONDS);
 *     connection.send(buffer, 0, length, 5, TimeUnit.SECONDS);
 *     connection.close();
 * }
 * }</pre>
 */
public final class Endpoint implements AutoCloseable
{
    /** {@link #offerDirect} result: take the send ring. */
    static final long NOT_DIRECT = Long.MIN_VALUE;

    private final EndpointContext context;
    private final EndpointAgent agent;
    private final AgentRunner runner;
    private final AgentInvoker invoker;
    /**
     * Invoker mode: held by whichever thread touches the engine, a duty cycle or a direct offer, so the engine never
     * has two threads in it however the application's threads interleave.
     */
    private final AtomicBoolean engineBusy = new AtomicBoolean();
    /** Invoker mode with {@link EndpointContext#directOffers()}. */
    private final boolean directOffers;
    private volatile boolean closed;

    private Endpoint(final EndpointContext context) throws IOException
    {
        this.context = context;
        final UdpChannel channel = UdpChannel.open(context.socket());
        try
        {
            this.agent = new EndpointAgent(this, context, channel);
        }
        catch (final RuntimeException ex)
        {
            channel.close();
            throw ex;
        }
        if (context.idleStrategy() instanceof DeadlineBackoffIdleStrategy deadlineIdle)
        {
            deadlineIdle.bind(context.nanoClock(), agent::nextDeadlineNs);
        }
        directOffers = context.threadingMode() == ThreadingMode.INVOKER && context.directOffers();
        if (context.threadingMode() == ThreadingMode.DEDICATED)
        {
            runner = new AgentRunner(context.idleStrategy(), context.errorHandler(), null, agent);
            invoker = null;
            AgentRunner.startOnThread(runner);
        }
        else
        {
            runner = null;
            invoker = new AgentInvoker(context.errorHandler(), null, agent);
            invoker.start();
        }
    }

    /** Binds the socket and starts the endpoint. Throws a clear {@link IOException} when the address is unusable. */
    public static Endpoint launch(final EndpointContext context) throws IOException
    {
        return new Endpoint(context.conclude());
    }

    public EndpointContext context()
    {
        return context;
    }

    /** The bound address (with the actual port when port 0 was asked for). */
    public InetSocketAddress localAddress()
    {
        return agent.localAddress();
    }

    /**
     * Starts a connection and returns at once; its state is {@link ConnectionState#SYN_SENT} until the handshake
     * completes. Use {@link ConduitConnection#awaitConnected} to wait.
     */
    public ConduitConnection connect(final InetSocketAddress remote)
    {
        ensureOpen();
        if (remote.isUnresolved())
        {
            throw new IllegalArgumentException("cannot resolve " + remote.getHostString());
        }
        final ConduitConnection connection = new ConduitConnection(this, remote, context, ConnectionState.SYN_SENT);
        if (!agent.connectRequests.offer(connection))
        {
            connection.failBeforeOpen(io.conduit.transport.engine.CloseReason.REFUSED);
        }
        return connection;
    }

    /** Connects and waits for the handshake; throws {@link ConnectionClosedException} or a timeout. */
    public ConduitConnection connect(final InetSocketAddress remote, final long timeout, final TimeUnit unit)
        throws IOException
    {
        return connect(remote).awaitConnected(timeout, unit);
    }

    /** The next connection the listener accepted, or null. */
    public ConduitConnection pollAccepted()
    {
        return agent.accepted.poll();
    }

    /** Waits for an accepted connection; null on timeout. */
    public ConduitConnection accept(final long timeout, final TimeUnit unit)
    {
        final long deadlineNs = System.nanoTime() + unit.toNanos(timeout);
        final Waiter waiter = waiter();
        ConduitConnection connection;
        while ((connection = pollAccepted()) == null)
        {
            ensureOpen();
            if (System.nanoTime() - deadlineNs > 0)
            {
                return null;
            }
            waiter.await();
        }
        return connection;
    }

    /** Runs one duty cycle (invoker mode only); returns the work done, 0 when idle. */
    public int doWork()
    {
        if (invoker == null)
        {
            throw new IllegalStateException("doWork() is for ThreadingMode.INVOKER; this endpoint runs its own thread");
        }
        return invoke();
    }

    /** One duty cycle, unless a direct offer holds the engine this instant (then 0: the caller simply goes round). */
    private int invoke()
    {
        if (!engineBusy.compareAndSet(false, true))
        {
            return 0;
        }
        try
        {
            return invoker.invoke();
        }
        finally
        {
            engineBusy.set(false);
        }
    }

    /**
     * Invoker mode: puts a message straight into the engine's send queue when no duty cycle is running and nothing
     * waits in the connection's send ring (so it cannot overtake an earlier offer). That skips one of a message's
     * three user-space copies on the way out (the ring's) and Agrona's zeroing of what the agent read from the ring.
     * @return the engine's new stream position, {@link Connection#BACK_PRESSURED} when its send buffer is full, or
     * {@link #NOT_DIRECT} when the message must go through the ring.
     */
    long offerDirect(final ConduitConnection connection, final DirectBuffer buffer, final int offset,
        final int length)
    {
        if (!directOffers || connection.sendRing.size() != 0 || !engineBusy.compareAndSet(false, true))
        {
            return NOT_DIRECT;
        }
        try
        {
            final Connection engine = connection.engine;
            if (engine == null || connection.liveIndex < 0 || connection.sendRing.size() != 0 ||
                !engine.state().canSend())
            {
                return NOT_DIRECT;
            }
            final long result = engine.offer(buffer, offset, length);
            // A full send buffer is back-pressure, as from the ring: queueing the message in the ring instead would
            // only buffer more, at the cost of two more copies of it and the ring's zeroing.
            return result >= 0 || result == Connection.BACK_PRESSURED ? result : NOT_DIRECT;
        }
        finally
        {
            engineBusy.set(false);
        }
    }

    /** Snapshot-free view of the endpoint's counters, refreshed by the agent every statsIntervalNs. */
    public EndpointStats stats()
    {
        return agent.stats;
    }

    /** Publishes fresh statistics now instead of at the next interval, and returns once they are visible. */
    public void refreshStats()
    {
        ensureOpen();
        agent.statsRequested = true;
        final Waiter waiter = waiter();
        while (agent.statsRequested)
        {
            waiter.await();
        }
    }

    /**
     * Closes every connection gracefully, waits up to the context's linger time for them to finish, aborts the
     * rest, stops the agent and closes the socket. In invoker mode call it from the invoking thread.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        agent.requestClose();
        if (runner != null)
        {
            // Bounded: if the agent thread died (its error handler threw), close anyway rather than hang.
            final long deadlineNs = System.nanoTime() + context.lingerNs() + TimeUnit.SECONDS.toNanos(1);
            final Waiter waiter = new Waiter(null, new BackoffIdleStrategy(1, 1, 10_000, 1_000_000));
            while (!agent.isDrained() && !runner.isClosed() && System.nanoTime() - deadlineNs < 0)
            {
                waiter.await();
            }
            runner.close();
        }
        else
        {
            while (!agent.isDrained())
            {
                if (invoke() == 0)
                {
                    context.idleStrategy().idle();
                }
            }
            while (!engineBusy.compareAndSet(false, true))
            {
                Thread.onSpinWait();
            }
            invoker.close();
        }
    }

    public boolean isClosed()
    {
        return closed;
    }

    void ring(final ConduitConnection connection)
    {
        if (!agent.doorbells.offer(connection))
        {
            // Cannot happen while each connection holds at most one entry and capacity covers maxConnections.
            throw new IllegalStateException("doorbell queue full");
        }
    }

    Waiter waiter()
    {
        return new Waiter(invoker != null ? this : null, invoker != null ? context.idleStrategy() :
            new BackoffIdleStrategy(10, 10, 1_000, 200_000));
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("endpoint is closed");
        }
    }

    /** How a blocking call waits: it runs the duty cycle itself in invoker mode, else it idles. */
    static final class Waiter
    {
        private final Endpoint invoking;
        private final IdleStrategy idle;

        Waiter(final Endpoint invoking, final IdleStrategy idle)
        {
            this.invoking = invoking;
            this.idle = idle;
        }

        void await()
        {
            final int work = invoking == null ? 0 : invoking.invoke();
            idle.idle(work);
        }
    }
}
