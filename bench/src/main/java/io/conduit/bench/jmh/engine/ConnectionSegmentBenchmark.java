package io.conduit.bench.jmh.engine;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import io.conduit.bench.jmh.ForkedJvm;
import io.conduit.transport.codec.PacketType;
import io.conduit.transport.engine.Connection;

/**
 * One operation is the steady-state life of one 32-byte message: the sender queues it and emits one DATA segment,
 * the receiver processes the segment, delivers the message and emits one ACK, and the sender processes the ACK
 * (RTT sample, window release, congestion control). Virtual time advances 1 µs per operation, so no timer fires.
 *
 * <ul>
 *   <li>{@link #connectionDataAndAck()} drives the two {@link Connection}s directly (validating decode included),
 *   the engine's own per-segment cost;</li>
 *   <li>{@link #endpointDataAndAck()} drives the two endpoint engines as the I/O edge does in one duty cycle each:
 *   {@code onDatagram} (decode, demultiplex), {@code pollTransmit} until it returns 0 (transmit round-robin and
 *   timer rescheduling) and {@code nextDeadlineNs()}.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {ForkedJvm.OPEN_INTERNAL_MISC, ForkedJvm.OPEN_ZIP, ForkedJvm.OPEN_NIO_CH,
    ForkedJvm.OPEN_NIO, ForkedJvm.HEAP})
public class ConnectionSegmentBenchmark extends EnginePairBenchmark
{
    @Benchmark
    public int connectionDataAndAck()
    {
        nowNs += STEP_NS;
        operations++;
        final Connection sender = pair.clientConnection;
        final Connection receiver = pair.serverConnection;
        offer(sender);
        final int dataLength = sender.pollTransmit(nowNs, wire, 0);
        receiver.onPacket(nowNs, decode(dataLength, PacketType.DATA));
        final int delivered = receiver.pollMessages(consumer, 16);
        final int ackLength = receiver.pollTransmit(nowNs, wire, 0);
        sender.onPacket(nowNs, decode(ackLength, PacketType.ACK));
        return delivered;
    }

    @Benchmark
    public long endpointDataAndAck()
    {
        nowNs += STEP_NS;
        operations++;
        offer(pair.clientConnection);
        final int dataLength = pair.client.pollTransmit(nowNs, wire, 0);
        expectSent(dataLength, pair.client.pollTransmit(nowNs, wire, dataLength));
        pair.server.onDatagram(nowNs, EnginePair.CLIENT_KEY, wire, 0, dataLength);
        final int delivered = pair.serverConnection.pollMessages(consumer, 16);
        final int ackLength = pair.server.pollTransmit(nowNs, wire, 0);
        expectSent(ackLength, pair.server.pollTransmit(nowNs, wire, ackLength));
        pair.client.onDatagram(nowNs, EnginePair.SERVER_KEY, wire, 0, ackLength);
        return delivered + pair.client.nextDeadlineNs() + pair.server.nextDeadlineNs();
    }

    private static void expectSent(final int length, final int extra)
    {
        if (length <= 0 || extra != 0)
        {
            throw new IllegalStateException("expected exactly one datagram, got lengths " + length + ", " + extra);
        }
    }
}
