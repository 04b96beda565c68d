package io.conduit.transport.endpoint;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.random.RandomGenerator;

import org.agrona.BitUtil;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import io.conduit.transport.engine.ConnectionConfig;
import io.conduit.transport.engine.EndpointConfig;
import io.conduit.transport.media.SocketOptions;

/**
 * Everything an {@link Endpoint} is configured with. Defaults suit a LAN service: backoff idling (an idle endpoint
 * uses no CPU), 1 MiB send and receive rings per connection, a 4 MiB socket buffer request.
 *
 * <p>The largest message is bounded by the rings as in Aeron: a ring holds messages up to an eighth of its
 * capacity, so {@link #conclude()} caps {@code ConnectionConfig.maxMessageBytes} at {@code ringCapacity / 8}
 * (128 KiB by default). Both peers should use the same limit; raise the ring capacities for larger messages.
 */
public final class EndpointContext
{
    private final SocketOptions socket = new SocketOptions();
    private EndpointConfig endpointConfig = new EndpointConfig();
    private boolean listen;
    private ThreadingMode threadingMode = ThreadingMode.DEDICATED;
    private IdleStrategy idleStrategy;
    private int sendRingCapacity = 1024 * 1024;
    private int receiveRingCapacity = 1024 * 1024;
    private boolean directOffers = true;
    /**
     * One datagram per duty cycle by default, like Aeron's receiver: a receive that finds nothing costs a system call,
     * and after a request arrives that call would sit between it and its delivery (bench/run loopback: p50 13.7 µs
     * with 64, 10.5 µs with 1); a backlogged socket costs one call per datagram either way.
     */
    private int datagramBatch = 1;
    private int deliveryBatch = 64;
    private long statsIntervalNs = 100_000_000L;
    private long lingerNs = 2_000_000_000L;
    private NanoClock nanoClock = SystemNanoClock.INSTANCE;
    private RandomGenerator random;
    private ErrorHandler errorHandler = Throwable::printStackTrace;
    private Path statusDirectory;
    private boolean statusFile = true;
    private String name;

    public SocketOptions socket() { return socket; }

    /** Shorthand for {@code socket().bindAddress(...)}. */
    public EndpointContext bind(final InetSocketAddress address) { socket.bindAddress(address); return this; }
    public EndpointContext bind(final String host, final int port) { return bind(new InetSocketAddress(host, port)); }

    public EndpointConfig endpointConfig() { return endpointConfig; }
    public EndpointContext endpointConfig(final EndpointConfig value) { endpointConfig = value; return this; }
    /** The per-connection protocol settings (segment size, windows, timers, congestion control). */
    public ConnectionConfig connectionConfig() { return endpointConfig.connection(); }

    /** Accept incoming connections (take them with {@link Endpoint#accept} or {@link Endpoint#pollAccepted}). */
    public boolean listen() { return listen; }
    public EndpointContext listen(final boolean value) { listen = value; return this; }

    public ThreadingMode threadingMode() { return threadingMode; }
    public EndpointContext threadingMode(final ThreadingMode value) { threadingMode = value; return this; }

    /** How the duty cycle waits when it found no work; default {@link DeadlineBackoffIdleStrategy}. */
    public IdleStrategy idleStrategy() { return idleStrategy; }
    public EndpointContext idleStrategy(final IdleStrategy value) { idleStrategy = value; return this; }

    /** Bytes of the application-to-agent ring per connection; a power of two. */
    public int sendRingCapacity() { return sendRingCapacity; }
    public EndpointContext sendRingCapacity(final int value) { sendRingCapacity = value; return this; }
    /** Bytes of the agent-to-application ring per connection; a power of two. */
    public int receiveRingCapacity() { return receiveRingCapacity; }
    public EndpointContext receiveRingCapacity(final int value) { receiveRingCapacity = value; return this; }

    /**
     * Invoker mode: an offer made while no duty cycle runs, with nothing waiting in the connection's send ring, goes
     * straight into the engine's send queue instead of through the ring (one copy of the message fewer), and is
     * back-pressured when that queue holds {@code sendBufferBytes} already (the ring then adds no buffering). Off:
     * every offer goes through the ring, as in dedicated mode.
     */
    public boolean directOffers() { return directOffers; }
    public EndpointContext directOffers(final boolean value) { directOffers = value; return this; }

    /** Most datagrams read per duty cycle, so reading cannot starve sending. */
    public int datagramBatch() { return datagramBatch; }
    public EndpointContext datagramBatch(final int value) { datagramBatch = value; return this; }
    /** Most messages handed to one connection's receive ring per duty cycle. */
    public int deliveryBatch() { return deliveryBatch; }
    public EndpointContext deliveryBatch(final int value) { deliveryBatch = value; return this; }

    /** How often connection statistics and the counters file are refreshed. */
    public long statsIntervalNs() { return statsIntervalNs; }
    public EndpointContext statsIntervalNs(final long value) { statsIntervalNs = value; return this; }
    /** How long {@link Endpoint#close()} lets open connections finish gracefully before aborting them. */
    public long lingerNs() { return lingerNs; }
    public EndpointContext lingerNs(final long value) { lingerNs = value; return this; }

    public NanoClock nanoClock() { return nanoClock; }
    public EndpointContext nanoClock(final NanoClock value) { nanoClock = value; return this; }
    /** Source of connection ids, sequence numbers and cookie secrets; default {@link SecureRandom}. */
    public RandomGenerator random() { return random; }
    public EndpointContext random(final RandomGenerator value) { random = value; return this; }
    /** Receives errors thrown inside the duty cycle (the endpoint keeps running). */
    public ErrorHandler errorHandler() { return errorHandler; }
    public EndpointContext errorHandler(final ErrorHandler value) { errorHandler = value; return this; }

    /** Publish counters to a memory-mapped file that {@code conduit stat} reads; default on. */
    public boolean statusFile() { return statusFile; }
    public EndpointContext statusFile(final boolean value) { statusFile = value; return this; }
    /** Where the counters file goes; default {@code StatusDirectory.defaultDir()}. */
    public Path statusDirectory() { return statusDirectory; }
    public EndpointContext statusDirectory(final Path value) { statusDirectory = value; return this; }
    /** A name for this endpoint in counters and thread names; default derived from the bound address. */
    public String name() { return name; }
    public EndpointContext name(final String value) { name = value; return this; }

    /** Largest message an application may offer or receive: the engine's limit capped by the rings. */
    public int maxMessageBytes()
    {
        return connectionConfig().maxMessageBytes();
    }

    /** Validates and fills in defaults; called by {@link Endpoint#launch}. */
    public EndpointContext conclude()
    {
        socket.validate();
        require(BitUtil.isPowerOfTwo(sendRingCapacity) && sendRingCapacity >= 4096,
            "sendRingCapacity must be a power of two >= 4096: " + sendRingCapacity);
        require(BitUtil.isPowerOfTwo(receiveRingCapacity) && receiveRingCapacity >= 4096,
            "receiveRingCapacity must be a power of two >= 4096: " + receiveRingCapacity);
        require(datagramBatch > 0 && deliveryBatch > 0, "batches must be > 0");
        require(statsIntervalNs > 0 && lingerNs >= 0, "statsIntervalNs must be > 0 and lingerNs >= 0");
        final int ringLimit = Math.min(sendRingCapacity, receiveRingCapacity) / 8 - RECORD_HEADER_ALLOWANCE;
        if (connectionConfig().maxMessageBytes() > ringLimit)
        {
            connectionConfig().maxMessageBytes(ringLimit);
        }
        endpointConfig.validate();
        if (idleStrategy == null)
        {
            idleStrategy = new DeadlineBackoffIdleStrategy();
        }
        if (random == null)
        {
            random = new SecureRandom();
        }
        return this;
    }

    /** Agrona's ring record header, so a maximum message still fits in one record. */
    private static final int RECORD_HEADER_ALLOWANCE = 8;

    static int ringBufferBytes(final int capacity)
    {
        return capacity + RingBufferDescriptor.TRAILER_LENGTH;
    }

    private static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new IllegalArgumentException(message);
        }
    }
}
