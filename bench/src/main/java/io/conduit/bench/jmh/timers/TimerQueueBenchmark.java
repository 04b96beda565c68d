package io.conduit.bench.jmh.timers;

import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import io.conduit.bench.jmh.ForkedJvm;
import io.conduit.transport.engine.Connection;
import io.conduit.transport.engine.ConnectionConfig;
import io.conduit.transport.engine.EndpointConfig;
import io.conduit.transport.engine.EndpointEngine;
import io.conduit.transport.engine.TimerKind;

/**
 * The endpoint's connection timers with {@code timers} connections scheduled, each operation keeping that number
 * constant: {@code move} gives one connection a new deadline (what every input does to its connection),
 * {@code cancelThenSchedule} unschedules one and schedules it again, {@code pollDueThenSchedule} advances time to the
 * earliest deadline, takes that connection and schedules it again. Deadlines are 1 to 200 ms ahead, connections are
 * picked in a fixed random order. The baseline is a {@link PriorityQueue}, whose removal of an arbitrary entry is a
 * linear scan; for it {@code cancelThenSchedule} would be the same code as {@code move}, so it is not repeated.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {ForkedJvm.OPEN_INTERNAL_MISC, ForkedJvm.OPEN_ZIP, ForkedJvm.OPEN_NIO_CH,
    ForkedJvm.OPEN_NIO, ForkedJvm.HEAP})
public class TimerQueueBenchmark
{
    private static final int DELAYS = 4096;
    private static final long MIN_DELAY_NS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long MAX_DELAY_NS = TimeUnit.MILLISECONDS.toNanos(200);
    /** Wrap-safe like the engine's own comparisons. */
    private static final Comparator<ScheduledTimer> BY_DEADLINE =
        (left, right) -> Long.signum(left.deadlineNs - right.deadlineNs);

    @Param({"64", "4096"})
    public int timers;

    private final long[] delaysNs = new long[DELAYS];
    private Connection[] connections;
    private ScheduledTimer[] entries;
    private int[] order;
    private Object heap;
    private PriorityQueue<ScheduledTimer> queue;
    private int cursor;
    private int delayCursor;
    private long nowNs;

    /** The baseline's entry: what a connection would embed to sit in a {@link PriorityQueue}. */
    static final class ScheduledTimer
    {
        long deadlineNs;
    }

    @Setup
    public void setUp()
    {
        final SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < DELAYS; i++)
        {
            delaysNs[i] = random.nextLong(MIN_DELAY_NS, MAX_DELAY_NS);
        }
        order = new int[timers];
        for (int i = 0; i < timers; i++)
        {
            order[i] = i;
        }
        for (int i = timers - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        nowNs = 1_000_000_000L;
        // Small windows: these connections exist only to carry heap positions, thousands of them.
        final ConnectionConfig small = new ConnectionConfig().maxPayloadBytes(64).sendWindowSegments(4)
            .receiveWindowSegments(4).sendBufferBytes(1024).maxMessageBytes(1024);
        final EndpointEngine engine = new EndpointEngine(new EndpointConfig().connection(small),
            new SplittableRandom(3));
        connections = new Connection[timers];
        entries = new ScheduledTimer[timers];
        heap = DeadlineHeapAccess.newHeap(timers);
        queue = new PriorityQueue<>(timers, BY_DEADLINE);
        for (int i = 0; i < timers; i++)
        {
            connections[i] = engine.connect(nowNs, i + 1);
            entries[i] = new ScheduledTimer();
            entries[i].deadlineNs = nowNs + nextDelayNs();
            DeadlineHeapAccess.schedule(heap, connections[i], entries[i].deadlineNs);
            queue.add(entries[i]);
        }
    }

    @Benchmark
    public long heapMove()
    {
        DeadlineHeapAccess.schedule(heap, connections[nextIndex()], nowNs + nextDelayNs());
        return DeadlineHeapAccess.earliestDeadlineNs(heap);
    }

    @Benchmark
    public long heapCancelThenSchedule()
    {
        final Connection connection = connections[nextIndex()];
        DeadlineHeapAccess.schedule(heap, connection, TimerKind.NONE);
        DeadlineHeapAccess.schedule(heap, connection, nowNs + nextDelayNs());
        return DeadlineHeapAccess.earliestDeadlineNs(heap);
    }

    @Benchmark
    public long heapPollDueThenSchedule()
    {
        nowNs = DeadlineHeapAccess.earliestDeadlineNs(heap);
        final Connection due = DeadlineHeapAccess.pollDue(heap, nowNs);
        DeadlineHeapAccess.schedule(heap, due, nowNs + nextDelayNs());
        return nowNs;
    }

    @Benchmark
    public long priorityQueueMove()
    {
        final ScheduledTimer entry = entries[nextIndex()];
        queue.remove(entry);
        entry.deadlineNs = nowNs + nextDelayNs();
        queue.add(entry);
        return queue.peek().deadlineNs;
    }

    @Benchmark
    public long priorityQueuePollDueThenSchedule()
    {
        final ScheduledTimer due = queue.poll();
        nowNs = due.deadlineNs;
        due.deadlineNs = nowNs + nextDelayNs();
        queue.add(due);
        return nowNs;
    }

    private int nextIndex()
    {
        final int index = order[cursor];
        cursor = cursor + 1 == timers ? 0 : cursor + 1;
        return index;
    }

    private long nextDelayNs()
    {
        return delaysNs[delayCursor++ & (DELAYS - 1)];
    }
}
