package io.conduit.bench.jmh.engine;

import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.conduit.bench.jmh.ForkedJvm;
import io.conduit.bench.jmh.ThreadAllocationProbe;
import io.conduit.transport.codec.PacketDecoder;
import io.conduit.transport.codec.RejectReason;
import io.conduit.transport.engine.Connection;
import io.conduit.transport.engine.ConnectionConfig;
import io.conduit.transport.engine.ConnectionCounters;
import io.conduit.transport.engine.EndpointConfig;
import io.conduit.transport.engine.MessageHandler;

/**
 * A burst of {@value #BURST} 32-byte messages through two {@link Connection} engines, reported per message (so
 * 10^9 / score is messages per second on one thread doing both ends' engine work): the sender queues the burst and
 * emits what its windows allow, the receiver validates and processes each datagram, delivers every message and
 * acknowledges, and the sender processes the ACKs, until the whole burst is delivered. With {@code batching} the
 * burst travels as one FLAG_BATCH segment ({@value #BURST} x 34 bytes); without, as {@value #BURST} segments. Virtual
 * time advances 1 µs per burst, so no timer fires.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {ForkedJvm.OPEN_INTERNAL_MISC, ForkedJvm.OPEN_ZIP, ForkedJvm.OPEN_NIO_CH,
    ForkedJvm.OPEN_NIO, ForkedJvm.HEAP})
public class BatchedMessagesBenchmark
{
    static final int BURST = 32;
    private static final int MESSAGE_LENGTH = 32;
    private static final long STEP_NS = 1_000;
    private static final int MAX_ROUNDS = 64;

    @Param({"true", "false"})
    public boolean batching;

    private final UnsafeBuffer message = new UnsafeBuffer(new byte[MESSAGE_LENGTH]);
    private final PacketDecoder decoder = new PacketDecoder();
    private final MessageHandler consumer = EnginePair::consume;
    private final ThreadAllocationProbe allocation = new ThreadAllocationProbe();
    private EnginePair pair;
    private UnsafeBuffer wire;
    private long nowNs;
    private long operations;

    @Setup
    public void setUp()
    {
        nowNs = 1_000_000_000L;
        final EndpointConfig config = new EndpointConfig()
            .connection(new ConnectionConfig().ackEverySegments(1).batchMessages(batching));
        pair = new EnginePair(config, nowNs);
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

    @Benchmark
    @OperationsPerInvocation(BURST)
    public int burstOf32ByteMessages()
    {
        nowNs += STEP_NS;
        operations += BURST;
        final Connection sender = pair.clientConnection;
        final Connection receiver = pair.serverConnection;
        for (int i = 0; i < BURST; i++)
        {
            if (sender.offer(message, 0, MESSAGE_LENGTH) < 0)
            {
                throw new IllegalStateException("offer refused: " + sender);
            }
        }
        int delivered = 0;
        for (int round = 0; delivered < BURST; round++)
        {
            if (round == MAX_ROUNDS)
            {
                throw new IllegalStateException("burst not delivered: " + delivered + " " + sender);
            }
            int length;
            while ((length = sender.pollTransmit(nowNs, wire, 0)) > 0)
            {
                receiver.onPacket(nowNs, decode(length));
            }
            delivered += receiver.pollMessages(consumer, BURST);
            while ((length = receiver.pollTransmit(nowNs, wire, 0)) > 0)
            {
                sender.onPacket(nowNs, decode(length));
            }
        }
        return delivered;
    }

    /** Fails the run if the engines did anything but the clean exchange being measured. */
    @TearDown(Level.Trial)
    public void checkCleanExchange()
    {
        final ConnectionCounters sent = pair.clientConnection.counters();
        final ConnectionCounters received = pair.serverConnection.counters();
        final boolean batchedAsExpected = batching ? sent.batchesSent() > 0 : sent.batchesSent() == 0;
        if (sent.retransmits() != 0 || sent.timeouts() != 0 || received.messagesDelivered() != operations ||
            !batchedAsExpected)
        {
            throw new IllegalStateException("not a clean exchange after " + operations + " messages: retransmits " +
                sent.retransmits() + ", timeouts " + sent.timeouts() + ", delivered " + received.messagesDelivered() +
                ", batches " + sent.batchesSent());
        }
    }

    private PacketDecoder decode(final int length)
    {
        final int reason = decoder.wrap(wire, 0, length);
        if (reason != RejectReason.NONE.code())
        {
            throw new IllegalStateException("rejected datagram of " + length + " bytes: " + RejectReason.of(reason));
        }
        return decoder;
    }
}
