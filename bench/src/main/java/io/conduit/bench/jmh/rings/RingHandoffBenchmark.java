package io.conduit.bench.jmh.rings;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.jctools.queues.MpscArrayQueue;
import org.jctools.queues.SpscArrayQueue;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Control;

import io.conduit.bench.jmh.ForkedJvm;

/**
 * One producer thread hands 32-byte messages to one consumer thread. Each JMH group runs the pair on one
 * structure; one operation of a thread is one message written or read, spinning (bounded by JMH's stop flag) while
 * the structure is full or empty, so the score approximates the time per handoff. The Agrona rings copy the bytes,
 * as the endpoint's per-connection rings do ({@code ManyToOneRingBuffer} from the application, {@code
 * OneToOneRingBuffer} back); the queues pass a preallocated reference, so they move no bytes at all.
 *
 * <p>On two cores shared with other work the two threads compete with everything else: read the numbers as a
 * ranking, not as the cost of a handoff between dedicated cores.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {ForkedJvm.OPEN_INTERNAL_MISC, ForkedJvm.OPEN_ZIP, ForkedJvm.OPEN_NIO_CH,
    ForkedJvm.OPEN_NIO, ForkedJvm.HEAP})
public class RingHandoffBenchmark
{
    private static final int MESSAGE_LENGTH = 32;
    private static final int MESSAGE_TYPE = 1;
    private static final int RING_BYTES = 64 * 1024;
    private static final int QUEUE_CAPACITY = 1024;

    /** What the queues carry: one preallocated message, so the queue's own cost is all that is measured. */
    static final Object MESSAGE = new UnsafeBuffer(new byte[MESSAGE_LENGTH]);

    /** One ring and its reader, shared by the group's two threads. */
    @State(Scope.Group)
    public static class Ring
    {
        final MutableDirectBuffer message = new UnsafeBuffer(new byte[MESSAGE_LENGTH]);
        final CountingReader reader = new CountingReader();
        RingBuffer ring;

        static UnsafeBuffer ringBuffer()
        {
            return new UnsafeBuffer(BufferUtil.allocateDirectAligned(
                RING_BYTES + RingBufferDescriptor.TRAILER_LENGTH, 64));
        }
    }

    @State(Scope.Group)
    public static class ManyToOne extends Ring
    {
        public ManyToOne()
        {
            ring = new ManyToOneRingBuffer(ringBuffer());
        }
    }

    @State(Scope.Group)
    public static class OneToOne extends Ring
    {
        public OneToOne()
        {
            ring = new OneToOneRingBuffer(ringBuffer());
        }
    }

    @State(Scope.Group)
    public static class Mpsc
    {
        final MpscArrayQueue<Object> queue = new MpscArrayQueue<>(QUEUE_CAPACITY);
    }

    @State(Scope.Group)
    public static class Spsc
    {
        final SpscArrayQueue<Object> queue = new SpscArrayQueue<>(QUEUE_CAPACITY);
    }

    @State(Scope.Group)
    public static class Blocking
    {
        final ArrayBlockingQueue<Object> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    }

    /** Consumes a record without keeping it; a field, so reading allocates no handler. */
    static final class CountingReader implements MessageHandler
    {
        long bytes;

        @Override
        public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            bytes += length;
        }
    }

    @Benchmark
    @Group("agronaManyToOne")
    @GroupThreads(1)
    public boolean agronaManyToOneWrite(final ManyToOne state, final Control control)
    {
        return write(state, control);
    }

    @Benchmark
    @Group("agronaManyToOne")
    @GroupThreads(1)
    public int agronaManyToOneRead(final ManyToOne state, final Control control)
    {
        return read(state, control);
    }

    @Benchmark
    @Group("agronaOneToOne")
    @GroupThreads(1)
    public boolean agronaOneToOneWrite(final OneToOne state, final Control control)
    {
        return write(state, control);
    }

    @Benchmark
    @Group("agronaOneToOne")
    @GroupThreads(1)
    public int agronaOneToOneRead(final OneToOne state, final Control control)
    {
        return read(state, control);
    }

    @Benchmark
    @Group("jctoolsMpsc")
    @GroupThreads(1)
    public boolean jctoolsMpscOffer(final Mpsc state, final Control control)
    {
        while (!state.queue.offer(MESSAGE))
        {
            if (control.stopMeasurement)
            {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    @Benchmark
    @Group("jctoolsMpsc")
    @GroupThreads(1)
    public Object jctoolsMpscPoll(final Mpsc state, final Control control)
    {
        Object message;
        while ((message = state.queue.poll()) == null)
        {
            if (control.stopMeasurement)
            {
                return null;
            }
            Thread.onSpinWait();
        }
        return message;
    }

    @Benchmark
    @Group("jctoolsSpsc")
    @GroupThreads(1)
    public boolean jctoolsSpscOffer(final Spsc state, final Control control)
    {
        while (!state.queue.offer(MESSAGE))
        {
            if (control.stopMeasurement)
            {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    @Benchmark
    @Group("jctoolsSpsc")
    @GroupThreads(1)
    public Object jctoolsSpscPoll(final Spsc state, final Control control)
    {
        Object message;
        while ((message = state.queue.poll()) == null)
        {
            if (control.stopMeasurement)
            {
                return null;
            }
            Thread.onSpinWait();
        }
        return message;
    }

    @Benchmark
    @Group("arrayBlockingQueue")
    @GroupThreads(1)
    public boolean arrayBlockingQueueOffer(final Blocking state, final Control control)
    {
        while (!state.queue.offer(MESSAGE))
        {
            if (control.stopMeasurement)
            {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    @Benchmark
    @Group("arrayBlockingQueue")
    @GroupThreads(1)
    public Object arrayBlockingQueuePoll(final Blocking state, final Control control)
    {
        Object message;
        while ((message = state.queue.poll()) == null)
        {
            if (control.stopMeasurement)
            {
                return null;
            }
            Thread.onSpinWait();
        }
        return message;
    }

    private static boolean write(final Ring state, final Control control)
    {
        while (!state.ring.write(MESSAGE_TYPE, state.message, 0, MESSAGE_LENGTH))
        {
            if (control.stopMeasurement)
            {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    private static int read(final Ring state, final Control control)
    {
        int read;
        while ((read = state.ring.read(state.reader, 1)) == 0)
        {
            if (control.stopMeasurement)
            {
                return 0;
            }
            Thread.onSpinWait();
        }
        return read;
    }
}
