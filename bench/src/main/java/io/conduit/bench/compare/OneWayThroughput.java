package io.conduit.bench.compare;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One-way throughput: a sender thread offers fixed-size messages as fast as its peer accepts them, a receiver thread
 * drains its peer, and only messages received count. The rate is taken between two snapshots of the receiver's
 * count, after a warm-up, over a fixed time. Every message carries a sequence number that the receiver checks, so a
 * system that lost, duplicated or reordered a message would show it. Two spinning threads in all, one per side.
 */
final class OneWayThroughput
{
    /** Most messages offered between two duty cycles, so the sender's own I/O keeps running under any system. */
    private static final int SEND_BURST = 256;
    private static final int RECEIVE_LIMIT = 256;

    record Result(String system, int messageLength, long messages, double seconds, long sequenceErrors,
        String observations, String threads)
    {
        double messagesPerSecond()
        {
            return messages / seconds;
        }

        double megabytesPerSecond()
        {
            return messages * (double)messageLength / seconds / 1e6;
        }
    }

    private OneWayThroughput()
    {
    }

    static Result measure(final LoopbackSystem system, final int messageLength, final long warmupNs,
        final long measureNs, final Supplier<IdleStrategy> idle) throws Exception
    {
        try (LoopbackSystem.LoopbackLink link = system.open(messageLength))
        {
            final Receiver receiver = new Receiver(link.server(), messageLength, idle.get());
            final PeerThread receiverThread = new PeerThread("loopcmp-receiver", receiver::run);
            final PeerThread senderThread = new PeerThread("loopcmp-sender",
                control -> send(control, link.client(), messageLength, idle.get()));
            final long messages;
            final double seconds;
            final String threads;
            try
            {
                TimeUnit.NANOSECONDS.sleep(warmupNs);
                threads = PeerThread.liveThreadNames();
                final long startMessages = receiver.received.get();
                final long startNs = System.nanoTime();
                TimeUnit.NANOSECONDS.sleep(measureNs);
                messages = receiver.received.get() - startMessages;
                seconds = (System.nanoTime() - startNs) / 1e9;
            }
            finally
            {
                senderThread.stop();
                receiverThread.stop();
            }
            if (messages == 0)
            {
                throw new IllegalStateException(system.name() + ": no " + messageLength + "-byte message received in " +
                    seconds + " s; " + link.observations());
            }
            return new Result(system.name(), messageLength, messages, seconds, receiver.sequenceErrors,
                link.observations(), threads);
        }
    }

    private static void send(final PeerThread control, final LoopbackPeer peer, final int messageLength,
        final IdleStrategy idle)
    {
        final UnsafeBuffer message = new UnsafeBuffer(new byte[messageLength]);
        long sequence = 0;
        while (control.isRunning())
        {
            int work = peer.doWork();
            for (int i = 0; i < SEND_BURST; i++)
            {
                message.putLong(0, sequence);
                if (!peer.offer(message, 0, messageLength))
                {
                    break;
                }
                sequence++;
                work++;
            }
            idle.idle(work);
        }
    }

    private static final class Receiver implements MessageSink
    {
        /** Messages received so far, published once per duty cycle for the runner's snapshots. */
        final AtomicLong received = new AtomicLong();
        private final LoopbackPeer peer;
        private final int messageLength;
        private final IdleStrategy idle;
        private long messages;
        private long expectedSequence;
        private long sequenceErrors;

        Receiver(final LoopbackPeer peer, final int messageLength, final IdleStrategy idle)
        {
            this.peer = peer;
            this.messageLength = messageLength;
            this.idle = idle;
        }

        void run(final PeerThread control)
        {
            while (control.isRunning())
            {
                final int work = peer.doWork() + peer.poll(this, RECEIVE_LIMIT);
                received.lazySet(messages);
                idle.idle(work);
            }
        }

        @Override
        public void onMessage(final DirectBuffer buffer, final int offset, final int length)
        {
            final long sequence = buffer.getLong(offset);
            if (sequence != expectedSequence || length != messageLength)
            {
                sequenceErrors++;
            }
            expectedSequence = sequence + 1;
            messages++;
        }
    }
}
