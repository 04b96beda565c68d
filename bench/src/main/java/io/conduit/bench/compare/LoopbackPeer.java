package io.conduit.bench.compare;

import org.agrona.DirectBuffer;

/**
 * One end of a connected loopback link. The owning thread does all of this end's I/O itself through
 * {@link #doWork()} (Conduit's endpoint and Aeron's driver and client conductor in invoker mode, the socket for
 * TCP), so a benchmark thread is the only thread that spins on its side. Confined to one thread at a time; a hand-off
 * between threads needs a happens-before edge such as {@link Thread#start()} or {@link Thread#join()}.
 */
public interface LoopbackPeer
{
    /** Runs one duty cycle of this end's I/O on the calling thread; returns the work done, 0 when idle. */
    int doWork();

    /**
     * Queues one message without blocking; false when back-pressured (run {@link #doWork()} and retry). Throws when
     * the link has failed, so a broken system cannot pass for a slow one.
     */
    boolean offer(DirectBuffer buffer, int offset, int length);

    /** Hands up to {@code limit} received messages (Aeron: fragments) to the sink, in order; returns how many. */
    int poll(MessageSink sink, int limit);
}
