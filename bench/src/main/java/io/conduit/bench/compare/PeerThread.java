package io.conduit.bench.compare;

import java.util.concurrent.TimeUnit;

/**
 * Runs one peer's loop on a thread of its own until stopped, and keeps the loop's error for the runner to rethrow:
 * a failed system must fail the run, not show up as a low number. Starting and joining the thread are the
 * happens-before edges that hand a peer to this thread and back.
 */
final class PeerThread
{
    private static final long JOIN_TIMEOUT_MS = TimeUnit.SECONDS.toMillis(30);

    /** A peer's loop; it returns when {@link PeerThread#isRunning()} turns false or when its work is done. */
    @FunctionalInterface
    interface Loop
    {
        void run(PeerThread control) throws Exception;
    }

    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable error;

    PeerThread(final String name, final Loop loop)
    {
        thread = new Thread(() ->
        {
            try
            {
                loop.run(this);
            }
            catch (final Throwable ex)
            {
                error = ex;
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * The names of the application's live threads (the main thread group's), so the report can show that no system
     * started threads of its own beside the two peer threads.
     */
    static String liveThreadNames()
    {
        final ThreadGroup group = Thread.currentThread().getThreadGroup();
        final Thread[] threads = new Thread[group.activeCount() + 16];
        final int count = group.enumerate(threads);
        final StringBuilder names = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            names.append(i == 0 ? "" : ", ").append(threads[i].getName());
        }
        return names.toString();
    }

    boolean isRunning()
    {
        return running;
    }

    /** Asks the loop to stop, waits for it, and rethrows what it threw. */
    void stop() throws InterruptedException
    {
        running = false;
        await(JOIN_TIMEOUT_MS);
    }

    /**
     * Waits for the loop to return on its own, however long it takes (the loop must bound its own stalls), and
     * rethrows what it threw.
     */
    void join() throws InterruptedException
    {
        thread.join();
        rethrow();
    }

    private void await(final long timeoutMs) throws InterruptedException
    {
        thread.join(timeoutMs);
        if (thread.isAlive())
        {
            throw new IllegalStateException(thread.getName() + " did not stop within " + timeoutMs + " ms");
        }
        rethrow();
    }

    private void rethrow()
    {
        final Throwable failure = error;
        if (failure != null)
        {
            throw new IllegalStateException(thread.getName() + " failed: " + failure, failure);
        }
    }
}
