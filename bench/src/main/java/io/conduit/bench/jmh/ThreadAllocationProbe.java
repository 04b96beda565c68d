package io.conduit.bench.jmh;

import java.lang.management.ManagementFactory;

/**
 * Bytes allocated by the benchmark thread alone over one iteration. {@code -prof gc} sums every thread of the
 * forked JVM, JMH's own included (a few KB/s), which shows as a fraction of a byte per operation when operations
 * are microseconds long; this probe tells the benchmark's own allocation apart. Call {@link #begin} and
 * {@link #end} from {@code @Setup}/{@code @TearDown(Level.Iteration)}, which run on the benchmark thread.
 */
public final class ThreadAllocationProbe
{
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    private long startBytes;
    private long startOperations;

    public void begin(final long operations)
    {
        startOperations = operations;
        startBytes = THREADS.getCurrentThreadAllocatedBytes();
    }

    /** Prints this iteration's allocation by the benchmark thread; JMH shows the forked JVM's output. */
    public void end(final long operations)
    {
        final long bytes = THREADS.getCurrentThreadAllocatedBytes() - startBytes;
        final long count = operations - startOperations;
        System.out.printf("benchmark thread: %d B allocated in %d operations = %.4f B/op%n", bytes, count,
            count == 0 ? 0.0 : (double)bytes / count);
    }
}
