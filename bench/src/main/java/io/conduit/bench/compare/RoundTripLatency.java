package io.conduit.bench.compare;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Round-trip latency with one message in flight: the ping thread offers a message carrying its sequence number,
 * drives its peer until the echo is back, and records the time in an HdrHistogram (nanoseconds, 3 significant
 * digits, every sample, no coordinated-omission correction since the next ping waits for the last pong by design).
 * The echo thread sends each message straight back. Two spinning threads in all, one per side.
 */
final class RoundTripLatency
{
    /**
     * A round trip this long means the system has stalled; fail rather than hang the run. Longer than Conduit's
     * 10 s keepalive idle time, the event that ends its send-ring wrap stall (see docs/performance.md), so that
     * stall shows as a 10 s maximum rather than as a failed row.
     */
    private static final long STALL_NS = TimeUnit.SECONDS.toNanos(20);
    private static final long HIGHEST_TRACKABLE_NS = TimeUnit.SECONDS.toNanos(10);
    private static final int SIGNIFICANT_DIGITS = 3;

    record Result(String system, Histogram roundTripNs, String observations, String threads)
    {
    }

    private RoundTripLatency()
    {
    }

    static Result measure(final LoopbackSystem system, final int messageLength, final long warmup, final long count,
        final Supplier<IdleStrategy> idle) throws Exception
    {
        final Histogram histogram = new Histogram(HIGHEST_TRACKABLE_NS, SIGNIFICANT_DIGITS);
        try (LoopbackSystem.LoopbackLink link = system.open(messageLength))
        {
            final Echo echo = new Echo(link.server(), messageLength, idle.get());
            final PeerThread echoThread = new PeerThread("loopcmp-echo", echo::run);
            final PeerThread pingThread = new PeerThread("loopcmp-ping",
                control -> ping(link.client(), messageLength, warmup, count, idle.get(), histogram));
            final String threads = PeerThread.liveThreadNames();
            try
            {
                pingThread.join();
            }
            catch (final IllegalStateException ex)
            {
                echoThread.stop();
                // Both peer threads are stopped: the link's own account of itself is the best clue to the stall.
                throw new IllegalStateException(system.name() + ": " + ex.getMessage() + "; " + link.observations(),
                    ex);
            }
            echoThread.stop();
            return new Result(system.name(), histogram, link.observations(), threads);
        }
    }

    private static void ping(final LoopbackPeer peer, final int messageLength, final long warmup, final long count,
        final IdleStrategy idle, final Histogram histogram)
    {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[messageLength]);
        final Pong pong = new Pong();
        for (long sequence = 0; sequence < warmup + count; sequence++)
        {
            message.putLong(0, sequence);
            final long startNs = System.nanoTime();
            while (!peer.offer(message, 0, messageLength))
            {
                idle.idle(peer.doWork());
                checkStall(startNs, sequence);
            }
            while (true)
            {
                final int work = peer.doWork();
                if (peer.poll(pong, 1) > 0)
                {
                    break;
                }
                idle.idle(work);
                checkStall(startNs, sequence);
            }
            final long roundTripNs = System.nanoTime() - startNs;
            if (pong.sequence != sequence || pong.length != messageLength)
            {
                throw new IllegalStateException("echo of message " + pong.sequence + " (" + pong.length +
                    " B) for message " + sequence + " (" + messageLength + " B)");
            }
            if (sequence >= warmup)
            {
                histogram.recordValue(roundTripNs);
            }
        }
    }

    private static void checkStall(final long startNs, final long sequence)
    {
        if (System.nanoTime() - startNs > STALL_NS)
        {
            throw new IllegalStateException("round trip " + sequence + " stalled for " +
                TimeUnit.NANOSECONDS.toSeconds(STALL_NS) + " s");
        }
    }

    private static final class Pong implements MessageSink
    {
        long sequence = -1;
        int length;

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            this.sequence = buffer.getLong(offset);
            this.length = length;
        }
    }

    /** The server's application: echoes every message, keeping a copy while the send side is back-pressured. */
    private static final class Echo implements MessageSink
    {
        private final LoopbackPeer peer;
        private final IdleStrategy idle;
        private final UnsafeBuffer pending;
        private int pendingLength = -1;

        Echo(final LoopbackPeer peer, final int messageLength, final IdleStrategy idle)
        {
            this.peer = peer;
            this.idle = idle;
            this.pending = new UnsafeBuffer(new byte[messageLength]);
        }

        void run(final PeerThread control)
        {
            while (control.isRunning())
            {
                int work = peer.doWork();
                if (pendingLength >= 0 && peer.offer(pending, 0, pendingLength))
                {
                    pendingLength = -1;
                    work++;
                }
                // One message at a time, so at most one echo ever waits in the pending copy.
                if (pendingLength < 0)
                {
                    work += peer.poll(this, 1);
                }
                idle.idle(work);
            }
        }

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            if (!peer.offer(buffer, offset, length))
            {
                buffer.getBytes(offset, pending, 0, length);
                pendingLength = length;
            }
        }
    }
}
