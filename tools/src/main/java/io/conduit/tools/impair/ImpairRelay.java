package io.conduit.tools.impair;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The socket side of {@code conduit impair}: clients send to the listen address; each client gets its own upstream
 * channel to the forward address (NAT style, so replies find their way back and several clients work),
 * and every datagram in either direction passes through that direction's {@link Impairment} before it is sent.
 *
 * <p>One thread runs everything: non-blocking channels on a {@link Selector}, a preallocated pool of buffer slots,
 * and a {@link ReleaseQueue} of slots waiting for their release time. Anything the relay itself cannot carry (pool
 * exhausted, too many clients, oversized datagram, full socket buffer) is dropped and counted as overflow, so a
 * run can tell relay losses from configured ones. {@link #doWork(long)} is one duty cycle for tests to drive by
 * hand; {@link #run(long)} loops it. {@link #stop()} may be called from any thread; everything else is confined to
 * the thread that runs the loop.
 */
public final class ImpairRelay implements AutoCloseable
{
    /** Default pool: enough for about 100 ms of 300 Mbit/s of 1,400-byte datagrams held in flight. */
    public static final int DEFAULT_SLOT_COUNT = 4096;
    /** Default slot size: a 9,000-byte jumbo frame's payload fits, larger datagrams count as overflow. */
    public static final int DEFAULT_SLOT_BYTES = 9216;
    public static final int DEFAULT_MAX_CLIENTS = 1024;

    private static final int UPSTREAM = 0;
    private static final int DOWNSTREAM = 1;
    private static final int RECEIVE_BATCH = 64;
    private static final long NANOS_PER_MILLI = 1_000_000L;
    /** Asked for, not guaranteed: the kernel caps it at net.core.rmem_max / wmem_max. */
    private static final int SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

    private final InetSocketAddress forwardAddress;
    private final Selector selector;
    private final DatagramChannel listenChannel;
    private final Impairment[] impairments = new Impairment[2];
    private final Map<SocketAddress, ClientSession> sessions = new HashMap<>();
    private final int maxClients;
    private final int slotBytes;
    private final ByteBuffer[] slotBuffers;
    private final ClientSession[] slotSession;
    private final int[] slotDirection;
    private final int[] freeSlots;
    private int freeCount;
    private final ReleaseQueue releaseQueue;
    private final int[] heldSlot = {-1, -1};
    private final ByteBuffer overflowBuffer;
    private volatile boolean running = true;

    public ImpairRelay(
        final InetSocketAddress listenAddress,
        final InetSocketAddress forwardAddress,
        final ImpairmentConfig upstreamConfig,
        final ImpairmentConfig downstreamConfig,
        final long seed) throws IOException
    {
        this(listenAddress, forwardAddress, upstreamConfig, downstreamConfig, seed, DEFAULT_SLOT_COUNT,
            DEFAULT_SLOT_BYTES, DEFAULT_MAX_CLIENTS);
    }

    public ImpairRelay(
        final InetSocketAddress listenAddress,
        final InetSocketAddress forwardAddress,
        final ImpairmentConfig upstreamConfig,
        final ImpairmentConfig downstreamConfig,
        final long seed,
        final int slotCount,
        final int slotBytes,
        final int maxClients) throws IOException
    {
        this.forwardAddress = forwardAddress;
        this.maxClients = maxClients;
        this.slotBytes = slotBytes;
        // Each direction draws from its own stream, so traffic in one never shifts the other's decisions.
        final SplittableRandom random = new SplittableRandom(seed);
        impairments[UPSTREAM] = new Impairment(upstreamConfig, random.split(), new ImpairStats("client->server"));
        impairments[DOWNSTREAM] = new Impairment(downstreamConfig, random.split(), new ImpairStats("server->client"));
        // One spare byte per slot shows a datagram was larger than a slot (receive truncates silently).
        slotBuffers = new ByteBuffer[slotCount];
        for (int i = 0; i < slotCount; i++)
        {
            slotBuffers[i] = ByteBuffer.allocate(slotBytes + 1);
        }
        overflowBuffer = ByteBuffer.allocate(slotBytes + 1);
        slotSession = new ClientSession[slotCount];
        slotDirection = new int[slotCount];
        freeSlots = new int[slotCount];
        for (int i = 0; i < slotCount; i++)
        {
            freeSlots[i] = slotCount - 1 - i;
        }
        freeCount = slotCount;
        releaseQueue = new ReleaseQueue(slotCount);

        selector = Selector.open();
        DatagramChannel channel = null;
        try
        {
            channel = DatagramChannel.open();
            socketBuffers(channel);
            channel.bind(listenAddress);
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ, null);
        }
        catch (final IOException | RuntimeException ex)
        {
            if (channel != null)
            {
                channel.close();
            }
            selector.close();
            throw ex;
        }
        listenChannel = channel;
    }

    /** The bound listen address: the real port when the caller asked for port 0. */
    public InetSocketAddress listenAddress() throws IOException
    {
        return (InetSocketAddress)listenChannel.getLocalAddress();
    }

    public ImpairStats upstreamStats()
    {
        return impairments[UPSTREAM].stats();
    }

    public ImpairStats downstreamStats()
    {
        return impairments[DOWNSTREAM].stats();
    }

    /** Clients seen so far; each has its own upstream channel. */
    public int clientCount()
    {
        return sessions.size();
    }

    /** Asks a running {@link #run(long)} to return; safe from any thread, e.g. a shutdown hook. */
    public void stop()
    {
        running = false;
        selector.wakeup();
    }

    /** Loops {@link #doWork(long)} until {@link #stop()} or, if {@code durationNs > 0}, until that much time passed. */
    public void run(final long durationNs) throws IOException
    {
        final long startNs = System.nanoTime();
        while (running)
        {
            long waitNs = Long.MAX_VALUE;
            if (durationNs > 0)
            {
                waitNs = durationNs - (System.nanoTime() - startNs);
                if (waitNs <= 0)
                {
                    return;
                }
            }
            doWork(waitNs);
        }
    }

    /**
     * One duty cycle: sends what is due, waits at most {@code maxWaitNs} (less if a datagram comes due sooner) for
     * datagrams, receives a bounded batch from each ready channel, and sends what became due.
     *
     * @return datagrams received plus datagrams sent
     */
    public int doWork(final long maxWaitNs) throws IOException
    {
        int work = releaseDue(System.nanoTime());
        final int head = releaseQueue.peek();
        long waitNs = maxWaitNs;
        if (head >= 0)
        {
            waitNs = Math.min(waitNs, releaseQueue.releaseNs(head) - System.nanoTime());
        }
        if (work > 0 || waitNs <= 0)
        {
            selector.selectNow();
        }
        else
        {
            // Selector waits are in whole milliseconds: round up so a release is never sent early.
            selector.select(Math.max(1, (waitNs + NANOS_PER_MILLI - 1) / NANOS_PER_MILLI));
        }
        final Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext())
        {
            final SelectionKey key = keys.next();
            keys.remove();
            if (key.isValid() && key.isReadable())
            {
                final ClientSession session = (ClientSession)key.attachment();
                work += session == null ? receiveFromClients() : receiveFromServer(session);
            }
        }
        return work + releaseDue(System.nanoTime());
    }

    @Override
    public void close() throws IOException
    {
        for (final ClientSession session : sessions.values())
        {
            session.channel.close();
        }
        sessions.clear();
        listenChannel.close();
        selector.close();
    }

    private int receiveFromClients() throws IOException
    {
        int received = 0;
        while (received < RECEIVE_BATCH)
        {
            final int slot = allocate();
            final ByteBuffer buffer = slot >= 0 ? slotBuffers[slot] : overflowBuffer;
            buffer.clear();
            final SocketAddress from = listenChannel.receive(buffer);
            if (from == null)
            {
                free(slot);
                break;
            }
            received++;
            final ClientSession session = slot >= 0 ? sessionFor(from) : null;
            impair(slot, session, UPSTREAM);
        }
        return received;
    }

    private int receiveFromServer(final ClientSession session)
    {
        int received = 0;
        while (received < RECEIVE_BATCH)
        {
            final int slot = allocate();
            final ByteBuffer buffer = slot >= 0 ? slotBuffers[slot] : overflowBuffer;
            buffer.clear();
            final SocketAddress from;
            try
            {
                from = session.channel.receive(buffer);
            }
            catch (final IOException ex)
            {
                // An ICMP error after an earlier send (e.g. port unreachable) surfaces here; the next read goes on.
                free(slot);
                break;
            }
            if (from == null)
            {
                free(slot);
                break;
            }
            if (!forwardAddress.equals(from))
            {
                free(slot); // not from the server: a connected socket would never have shown it either
                continue;
            }
            received++;
            impair(slot, session, DOWNSTREAM);
        }
        return received;
    }

    /** Runs one received datagram through its direction's impairment and queues the copies it decides on. */
    private void impair(final int slot, final ClientSession session, final int direction)
    {
        final Impairment impairment = impairments[direction];
        final ImpairStats stats = impairment.stats();
        final ByteBuffer buffer = slot >= 0 ? slotBuffers[slot] : overflowBuffer;
        final int length = buffer.position();
        if (slot < 0 || session == null || length > slotBytes)
        {
            stats.onReceived(length);
            stats.onOverflowDropped();
            free(slot);
            return;
        }
        buffer.flip();
        final long nowNs = System.nanoTime();
        final int copies = impairment.onDatagram(nowNs, buffer.array(), 0, length);
        if (copies == 0)
        {
            free(slot);
            return;
        }
        int heldNow = -1;
        for (int copy = 0; copy < copies; copy++)
        {
            final int copySlot = copy == 0 ? slot : duplicate(slot, length, stats);
            if (copySlot < 0)
            {
                continue;
            }
            slotSession[copySlot] = session;
            slotDirection[copySlot] = direction;
            releaseQueue.add(copySlot, impairment.releaseNs(copy));
            if (copy == impairment.heldCopy())
            {
                heldNow = copySlot;
            }
        }
        final long previousReleaseNs = impairment.previousHeldReleaseNs();
        if (previousReleaseNs != Impairment.NONE)
        {
            if (heldSlot[direction] >= 0)
            {
                // Queued after this datagram's copies, so on an equal release time it still goes second.
                releaseQueue.reschedule(heldSlot[direction], previousReleaseNs);
            }
            heldSlot[direction] = -1;
        }
        if (heldNow >= 0)
        {
            heldSlot[direction] = heldNow;
        }
    }

    private int duplicate(final int slot, final int length, final ImpairStats stats)
    {
        final int copySlot = allocate();
        if (copySlot < 0)
        {
            stats.onOverflowDropped();
            return -1;
        }
        final ByteBuffer copy = slotBuffers[copySlot];
        copy.clear();
        copy.put(slotBuffers[slot].array(), 0, length).flip();
        return copySlot;
    }

    private int releaseDue(final long nowNs)
    {
        int sent = 0;
        int slot;
        while ((slot = releaseQueue.peek()) >= 0 && releaseQueue.releaseNs(slot) - nowNs <= 0)
        {
            releaseQueue.poll();
            final int direction = slotDirection[slot];
            if (heldSlot[direction] == slot)
            {
                heldSlot[direction] = -1;
            }
            send(slot, direction);
            free(slot);
            sent++;
        }
        return sent;
    }

    private void send(final int slot, final int direction)
    {
        final ByteBuffer buffer = slotBuffers[slot];
        final ClientSession session = slotSession[slot];
        final ImpairStats stats = impairments[direction].stats();
        final int length = buffer.remaining();
        int written;
        try
        {
            written = direction == UPSTREAM ? session.channel.send(buffer, forwardAddress) :
                listenChannel.send(buffer, session.clientAddress);
        }
        catch (final IOException ex)
        {
            written = -1; // e.g. the server is not listening yet: like a datagram lost on the wire, but counted
        }
        if (written < 0 || (written == 0 && length > 0))
        {
            stats.onOverflowDropped();
        }
        else
        {
            stats.onForwarded(length);
        }
    }

    private ClientSession sessionFor(final SocketAddress clientAddress) throws IOException
    {
        ClientSession session = sessions.get(clientAddress);
        if (session == null && sessions.size() < maxClients)
        {
            final DatagramChannel channel = DatagramChannel.open();
            try
            {
                channel.configureBlocking(false);
                socketBuffers(channel);
                // Bound, not connected: a connected DatagramChannel silently skips sending empty datagrams.
                channel.bind(null);
                session = new ClientSession((InetSocketAddress)clientAddress, channel);
                channel.register(selector, SelectionKey.OP_READ, session);
            }
            catch (final IOException | RuntimeException ex)
            {
                channel.close();
                throw ex;
            }
            sessions.put(clientAddress, session);
        }
        return session;
    }

    /** Bursts arrive faster than one thread turns them round; a deeper socket buffer keeps them off the floor. */
    private static void socketBuffers(final DatagramChannel channel) throws IOException
    {
        channel.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER_BYTES);
        channel.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER_BYTES);
    }

    private int allocate()
    {
        return freeCount == 0 ? -1 : freeSlots[--freeCount];
    }

    private void free(final int slot)
    {
        if (slot >= 0)
        {
            slotSession[slot] = null;
            freeSlots[freeCount++] = slot;
        }
    }

    /** One client: where its replies go, and the channel that speaks for it to the forward address. */
    private static final class ClientSession
    {
        final InetSocketAddress clientAddress;
        final DatagramChannel channel;

        ClientSession(final InetSocketAddress clientAddress, final DatagramChannel channel)
        {
            this.clientAddress = clientAddress;
            this.channel = channel;
        }
    }
}
