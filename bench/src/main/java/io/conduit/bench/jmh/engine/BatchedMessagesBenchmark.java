package io.conduit.bench.jmh.engine;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import io.conduit.bench.jmh.ForkedJvm;
import io.conduit.transport.engine.Connection;
import io.conduit.transport.engine.ConnectionConfig;
import io.conduit.transport.engine.ConnectionCounters;
import io.conduit.transport.engine.EndpointConfig;

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
public class BatchedMessagesBenchmark extends EnginePairBenchmark
{
    static final int BURST = 32;
    private static final int MAX_ROUNDS = 64;

    @Param({"true", "false"})
    public boolean batching;

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
            offer(sender);
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

    @Override
    EndpointConfig config()
    {
        return new EndpointConfig().connection(new ConnectionConfig().ackEverySegments(1).batchMessages(batching));
    }

    /** With batching the burst must have travelled in FLAG_BATCH segments, without it in none. */
    @Override
    boolean sentAsConfigured(final ConnectionCounters sent)
    {
        return batching ? sent.batchesSent() > 0 : sent.batchesSent() == 0;
    }
}
