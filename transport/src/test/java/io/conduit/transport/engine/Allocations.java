package io.conduit.transport.engine;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Measures heap allocation by the current thread, to check hot-path code allocates nothing per call.
 */
final class Allocations
{
    private static final com.sun.management.ThreadMXBean THREAD_MX_BEAN =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    private Allocations()
    {
    }

    /**
     * Runs {@code work} once to warm it up, then again while counting the bytes this thread allocates.
     */
    static long bytesAllocatedBy(final Runnable work)
    {
        assertTrue(THREAD_MX_BEAN.isThreadAllocatedMemorySupported() && THREAD_MX_BEAN.isThreadAllocatedMemoryEnabled(),
            "per-thread allocation accounting unavailable");
        work.run();

        final long threadId = Thread.currentThread().getId();
        THREAD_MX_BEAN.getThreadAllocatedBytes(threadId);
        final long beforeBytes = THREAD_MX_BEAN.getThreadAllocatedBytes(threadId);
        work.run();
        final long afterBytes = THREAD_MX_BEAN.getThreadAllocatedBytes(threadId);

        return afterBytes - beforeBytes;
    }
}
