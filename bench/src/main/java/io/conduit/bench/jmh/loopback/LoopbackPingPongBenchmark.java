package io.conduit.bench.jmh.loopback;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.conduit.bench.jmh.ForkedJvm;
import io.conduit.bench.jmh.ThreadAllocationProbe;
import io.conduit.transport.endpoint.ConduitConnection;
import io.conduit.transport.endpoint.Endpoint;
import io.conduit.transport.endpoint.EndpointContext;
import io.conduit.transport.endpoint.ReceivedMessageHandler;
import io.conduit.transport.endpoint.ThreadingMode;

/**
 * One operation is one round trip of a 32-byte message between two endpoints on 127.0.0.1: the client offers a
 * ping, the server's application echoes it, the client receives the pong. Both endpoints run in
 * {@link ThreadingMode#INVOKER} mode on the benchmark thread, so exactly one thread spins and every byte crosses
 * the kernel's UDP loopback: the number includes four system calls' worth of socket I/O, and the B/op is everything
 * the edges (rings, agent duty cycles, {@code DatagramChannel}) and the engines allocate per round trip.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
// Longer warm-up than the others: a round trip takes tens of microseconds on a loaded 2-core machine, and C2 must
// have compiled the whole duty cycle before the probe can show 0 B/op (under C1 it allocates, see performance.md).
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {ForkedJvm.OPEN_INTERNAL_MISC, ForkedJvm.OPEN_ZIP, ForkedJvm.OPEN_NIO_CH,
    ForkedJvm.OPEN_NIO, ForkedJvm.HEAP})
public class LoopbackPingPongBenchmark
{
    private static final int MESSAGE_LENGTH = 32;
    /** A round trip that needs this many duty cycles has stalled; fail rather than hang the run. */
    private static final long MAX_SPINS = 100_000_000L;

    private final UnsafeBuffer ping = new UnsafeBuffer(new byte[MESSAGE_LENGTH]);
    private final Echo echo = new Echo();
    private final Pong pong = new Pong();
    private final ThreadAllocationProbe allocation = new ThreadAllocationProbe();
    private long roundTrips;
    private Endpoint client;
    private Endpoint server;
    private ConduitConnection clientConnection;

    /** The server's application: sends every message straight back. */
    static final class Echo implements ReceivedMessageHandler
    {
        ConduitConnection connection;
        long refused;

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            if (connection.offer(buffer, offset, length) < 0)
            {
                refused++;
            }
        }
    }

    static final class Pong implements ReceivedMessageHandler
    {
        long bytes;

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            bytes += length;
        }
    }

    @Setup
    public void setUp() throws IOException
    {
        server = Endpoint.launch(context(11).listen(true).name("jmh-server"));
        client = Endpoint.launch(context(12).name("jmh-client"));
        clientConnection = client.connect(new InetSocketAddress("127.0.0.1", server.localAddress().getPort()));
        ConduitConnection accepted = null;
        long spins = 0;
        while (accepted == null || !clientConnection.isConnected())
        {
            drive(++spins);
            if (accepted == null)
            {
                accepted = server.pollAccepted();
            }
        }
        echo.connection = accepted;
    }

    @Setup(Level.Iteration)
    public void beginIteration()
    {
        allocation.begin(roundTrips);
    }

    @TearDown(Level.Iteration)
    public void endIteration()
    {
        allocation.end(roundTrips);
    }

    @Benchmark
    public long roundTrip()
    {
        long spins = 0;
        while (clientConnection.offer(ping, 0, MESSAGE_LENGTH) < 0)
        {
            drive(++spins);
        }
        while (echo.connection.poll(echo, 1) == 0)
        {
            drive(++spins);
        }
        if (echo.refused != 0)
        {
            throw new IllegalStateException("echo refused by the server's send ring");
        }
        while (clientConnection.poll(pong, 1) == 0)
        {
            drive(++spins);
        }
        roundTrips++;
        return pong.bytes;
    }

    @TearDown
    public void tearDown()
    {
        client.close();
        server.close();
    }

    private void drive(final long spins)
    {
        if (spins > MAX_SPINS)
        {
            throw new IllegalStateException("round trip stalled: " + clientConnection);
        }
        client.doWork();
        server.doWork();
    }

    private static EndpointContext context(final long seed)
    {
        // No status file: the benchmark measures the data path, not the once-per-interval counter publication.
        return new EndpointContext().bind("127.0.0.1", 0).threadingMode(ThreadingMode.INVOKER).statusFile(false)
            .sendRingCapacity(256 * 1024).receiveRingCapacity(256 * 1024).lingerNs(TimeUnit.MILLISECONDS.toNanos(100))
            .random(new SplittableRandom(seed))
            .errorHandler(error ->
            {
                throw new IllegalStateException("endpoint agent error", error);
            });
    }
}
