package io.conduit.bench.lossy;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A short transfer over the host's loopback inside this process before the measured one, so the code of both ends is
 * compiled when the measured transfer starts. Without it the first seconds of a Conduit flow run in the interpreter:
 * the sender cannot keep its pacing rate, BBR's STARTUP measures the JVM instead of the link and leaves it early, and
 * the run says more about the JIT than about congestion control. Kernel TCP's protocol code needs no warming, but its
 * Java loop gets the same treatment, so both systems start alike.
 */
final class WarmUp
{
    private static final int CONDUIT_PORT = 47_201;
    private static final int TCP_PORT = 47_202;
    private static final long RECEIVER_EXIT_SECONDS = 30;

    private WarmUp()
    {
    }

    /**
     * @param tcp        whether to warm the TCP ends instead of Conduit's.
     * @param congestion the congestion controller the measured run uses (Conduit only).
     * @param window     the window in segments the measured run asks for (Conduit only).
     * @param payload    the segment payload the measured run uses (Conduit only).
     * @param seconds    how long to send; nothing happens when not positive.
     */
    static void run(final boolean tcp, final String congestion, final int window, final int payload,
        final double seconds)
        throws IOException, InterruptedException
    {
        if (seconds <= 0)
        {
            return;
        }
        final InetSocketAddress local = new InetSocketAddress(InetAddress.getLoopbackAddress(),
            tcp ? TCP_PORT : CONDUIT_PORT);
        final CountDownLatch listening = new CountDownLatch(1);
        final AtomicReference<Exception> failure = new AtomicReference<>();
        final PrintStream signal = new PrintStream(OutputStream.nullOutputStream())
        {
            @Override
            public void println(final String line)
            {
                listening.countDown();
            }
        };
        final Thread receiver = new Thread(() ->
        {
            try
            {
                if (tcp)
                {
                    TcpBulk.receive(local, signal);
                }
                else
                {
                    ConduitBulk.receive(local, window, payload, signal);
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                failure.set(ex);
                listening.countDown();
            }
        }, "warm-up-receiver");
        receiver.setDaemon(true);
        receiver.start();
        listening.await();
        throwIfFailed(failure);
        final long deadlineNs = System.nanoTime() + (long)(seconds * 1e9);
        if (tcp)
        {
            TcpBulk.send(local, Long.MAX_VALUE, deadlineNs);
        }
        else
        {
            // The warm-up's counters are not the transfer's: they go nowhere.
            ConduitBulk.send(local, Long.MAX_VALUE, deadlineNs, congestion, window, payload,
                new PrintStream(OutputStream.nullOutputStream()));
        }
        receiver.join(TimeUnit.SECONDS.toMillis(RECEIVER_EXIT_SECONDS));
        throwIfFailed(failure);
    }

    private static void throwIfFailed(final AtomicReference<Exception> failure) throws IOException
    {
        final Exception ex = failure.get();
        if (ex != null)
        {
            throw new IOException("warm-up transfer over loopback failed: " + ex, ex);
        }
    }
}
