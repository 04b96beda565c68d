package io.conduit.bench.jmh.engine;

import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import io.conduit.bench.jmh.ThreadAllocationProbe;
import io.conduit.transport.codec.PacketDecoder;
import io.conduit.transport.codec.PacketType;
import io.conduit.transport.codec.RejectReason;
import io.conduit.transport.engine.Connection;
import io.conduit.transport.engine.ConnectionCounters;
import io.conduit.transport.engine.EndpointConfig;
import io.conduit.transport.engine.MessageHandler;

/**
 * The fixture the engine benchmarks share: an {@link EnginePair} on virtual time, a 32-byte message to offer, a
 * decoder over the pair's datagram buffer, the benchmark thread's allocation per iteration, and the check after the
 * trial that the engines did nothing but the clean exchange being measured. Subclasses carry the JMH annotations and
 * the benchmark methods; JMH runs the lifecycle methods here as their own.
 */
public abstract class EnginePairBenchmark
{
    static final int MESSAGE_LENGTH = 32;
    /** Virtual time per benchmark operation: far below every timer, so none fires. */
    static final long STEP_NS = 1_000;
    private static final long START_NS = 1_000_000_000L;

    final UnsafeBuffer message = new UnsafeBuffer(new byte[MESSAGE_LENGTH]);
    final MessageHandler consumer = EnginePair::consume;
    private final PacketDecoder decoder = new PacketDecoder();
    private final ThreadAllocationProbe allocation = new ThreadAllocationProbe();
    EnginePair pair;
    UnsafeBuffer wire;
    long nowNs;
    /** Messages delivered so far, by the benchmark's own count; the allocation probe divides by it. */
    long operations;

    @Setup
    public void setUp()
    {
        nowNs = START_NS;
        pair = new EnginePair(config(), nowNs);
        wire = pair.wire();
    }

    @Setup(Level.Iteration)
    public void beginIteration()
    {
        allocation.begin(operations);
    }

    @TearDown(Level.Iteration)
    public void endIteration()
    {
        allocation.end(operations);
    }

    /** Fails the run if the engines did anything but the clean exchange being measured. */
    @TearDown(Level.Trial)
    public void checkCleanExchange()
    {
        final ConnectionCounters sent = pair.clientConnection.counters();
        final ConnectionCounters received = pair.serverConnection.counters();
        if (sent.retransmits() != 0 || sent.timeouts() != 0 || received.messagesDelivered() != operations ||
            !sentAsConfigured(sent))
        {
            throw new IllegalStateException("not a clean exchange after " + operations + " messages: retransmits " +
                sent.retransmits() + ", timeouts " + sent.timeouts() + ", delivered " + received.messagesDelivered() +
                ", batches " + sent.batchesSent());
        }
    }

    /** Both ends' configuration, read once at set-up; after {@code @Param} fields are set. */
    EndpointConfig config()
    {
        return EnginePair.config();
    }

    /** A subclass's own check of the sender's counters at the end of the trial. */
    boolean sentAsConfigured(final ConnectionCounters sent)
    {
        return true;
    }

    final void offer(final Connection sender)
    {
        final long position = sender.offer(message, 0, MESSAGE_LENGTH);
        if (position < 0)
        {
            throw new IllegalStateException("offer refused: " + position + " " + sender);
        }
    }

    /** Decodes the datagram at the start of the wire buffer; a rejected one fails the run. */
    final PacketDecoder decode(final int length)
    {
        final int reason = decoder.wrap(wire, 0, length);
        if (reason != RejectReason.NONE.code())
        {
            throw new IllegalStateException("rejected datagram of " + length + " bytes: " + RejectReason.of(reason));
        }
        return decoder;
    }

    /** As {@link #decode(int)}, and a packet of another type fails the run too. */
    final PacketDecoder decode(final int length, final int expectedType)
    {
        final PacketDecoder decoded = decode(length);
        if (decoded.type() != expectedType)
        {
            throw new IllegalStateException("expected " + PacketType.name(expectedType) + ", got " +
                PacketType.name(decoded.type()) + " of " + length + " bytes");
        }
        return decoded;
    }
}
