package io.conduit.transport.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.conduit.transport.engine.ConnectionState;

/**
 * Invoker mode's direct offers ({@link EndpointContext#directOffers()}): an offer made while no duty cycle runs goes
 * straight into the engine's send queue; with offers from several threads at once nothing is lost, duplicated or
 * reordered within a thread, and the engine never has two threads in it.
 */
class DirectOfferTest
{
    private static final int PRODUCERS = 2;
    private static final int PER_PRODUCER = 20_000;

    @TempDir
    Path statusDir;

    @Test
    void anOfferWhileNoDutyCycleRunsIsInTheEngineAtOnce() throws Exception
    {
        try (Pair pair = new Pair(statusDir, true))
        {
            final UnsafeBuffer message = new UnsafeBuffer(new byte[700]);

            assertTrue(pair.outbound.offer(message, 0, message.capacity()) >= 0);

            assertEquals(0, pair.outbound.sendRing.size(), "not through the send ring");
            assertTrue(pair.outbound.engine.queuedBytes() >= 700, "queued in the engine before any duty cycle");
            assertEquals(1, pair.deliver(1), "and delivered");
        }
    }

    @Test
    void aFullSendBufferBackPressuresTheOfferInsteadOfFillingTheRing() throws Exception
    {
        try (Pair pair = new Pair(statusDir, true, 4096))
        {
            final UnsafeBuffer message = new UnsafeBuffer(new byte[700]);
            int accepted = 0;
            long result;
            while ((result = pair.outbound.offer(message, 0, message.capacity())) >= 0)
            {
                accepted++;
            }

            assertEquals(ConduitConnection.BACK_PRESSURED, result);
            assertTrue(accepted >= 2 && accepted * 700 <= 4096, "the engine took what its send buffer holds: " +
                accepted);
            assertEquals(0, pair.outbound.sendRing.size(), "nothing queued behind the engine in the ring");
            assertEquals(accepted, pair.deliver(accepted));
            assertTrue(pair.outbound.offer(message, 0, message.capacity()) >= 0, "room again once it was sent");
        }
    }

    @Test
    void withDirectOffersOffTheOfferWaitsInTheSendRing() throws Exception
    {
        try (Pair pair = new Pair(statusDir, false))
        {
            final UnsafeBuffer message = new UnsafeBuffer(new byte[700]);

            assertTrue(pair.outbound.offer(message, 0, message.capacity()) >= 0);

            assertTrue(pair.outbound.sendRing.size() > 0);
            assertEquals(0, pair.outbound.engine.queuedBytes());
            assertEquals(1, pair.deliver(1));
        }
    }

    @Test
    void offersFromSeveralThreadsArriveOnceEachAndInEachThreadsOrder() throws Exception
    {
        try (Pair pair = new Pair(statusDir, true))
        {
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final AtomicBoolean done = new AtomicBoolean();
            final List<Thread> producers = new ArrayList<>();
            for (int p = 0; p < PRODUCERS; p++)
            {
                final int producer = p;
                final Thread thread = new Thread(() ->
                {
                    final UnsafeBuffer message = new UnsafeBuffer(new byte[64]);
                    int sent = 0;
                    while (sent < PER_PRODUCER && failure.get() == null && !done.get())
                    {
                        message.putInt(0, producer);
                        message.putInt(4, sent);
                        final long result = pair.outbound.offer(message, 0, message.capacity());
                        if (result >= 0)
                        {
                            sent++;
                        }
                        else if (result != ConduitConnection.BACK_PRESSURED)
                        {
                            failure.set(new AssertionError("offer failed: " + result));
                        }
                        else
                        {
                            Thread.onSpinWait();
                        }
                    }
                }, "producer-" + p);
                producers.add(thread);
                thread.start();
            }

            // This thread invokes both endpoints (so duty cycles race the producers' direct offers) and also offers.
            final int[] next = new int[PRODUCERS + 1];
            final int total = (PRODUCERS + 1) * PER_PRODUCER;
            final UnsafeBuffer own = new UnsafeBuffer(new byte[64]);
            int ownSent = 0;
            long received = 0;
            for (long cycle = 0; cycle < 5_000_000L && received < total && failure.get() == null; cycle++)
            {
                if (ownSent < PER_PRODUCER)
                {
                    own.putInt(0, PRODUCERS);
                    own.putInt(4, ownSent);
                    if (pair.outbound.offer(own, 0, own.capacity()) >= 0)
                    {
                        ownSent++;
                    }
                }
                pair.client.doWork();
                pair.server.doWork();
                received += pair.inbound.poll((buffer, offset, length) ->
                {
                    final int producer = buffer.getInt(offset);
                    final int sequence = buffer.getInt(offset + 4);
                    if (sequence != next[producer])
                    {
                        failure.compareAndSet(null, new AssertionError(
                            "producer " + producer + ": expected " + next[producer] + ", got " + sequence));
                    }
                    next[producer] = sequence + 1;
                }, Integer.MAX_VALUE);
            }
            // Producers stop with the loop, even one still back-pressured because the loop gave up.
            done.set(true);
            for (final Thread thread : producers)
            {
                thread.join();
            }
            if (failure.get() != null)
            {
                throw new AssertionError(failure.get());
            }
            assertEquals(total, received, "every message from every thread, once");
            for (int p = 0; p <= PRODUCERS; p++)
            {
                assertEquals(PER_PRODUCER, next[p], "producer " + p);
            }
        }
    }

    /** Two invoker-mode endpoints on loopback with one established connection, driven by the test's thread. */
    private static final class Pair implements AutoCloseable
    {
        final Endpoint server;
        final Endpoint client;
        final ConduitConnection outbound;
        final ConduitConnection inbound;

        Pair(final Path statusDir, final boolean directOffers) throws Exception
        {
            this(statusDir, directOffers, 0);
        }

        /** @param sendBufferBytes the client connection's send buffer, or 0 for the default. */
        Pair(final Path statusDir, final boolean directOffers, final int sendBufferBytes) throws Exception
        {
            server = LoopbackEndpoints.launch(LoopbackEndpoints.context(statusDir).listen(true)
                .threadingMode(ThreadingMode.INVOKER));
            final EndpointContext clientContext = LoopbackEndpoints.context(statusDir)
                .threadingMode(ThreadingMode.INVOKER).directOffers(directOffers);
            if (sendBufferBytes > 0)
            {
                clientContext.connectionConfig().sendBufferBytes(sendBufferBytes);
            }
            client = LoopbackEndpoints.launch(clientContext);
            outbound = client.connect(new InetSocketAddress("127.0.0.1", server.localAddress().getPort()));
            ConduitConnection accepted = null;
            for (int cycle = 0; cycle < 1_000_000 &&
                (accepted == null || outbound.state() != ConnectionState.ESTABLISHED); cycle++)
            {
                client.doWork();
                server.doWork();
                if (accepted == null)
                {
                    accepted = server.pollAccepted();
                }
            }
            assertEquals(ConnectionState.ESTABLISHED, outbound.state());
            inbound = accepted;
        }

        int deliver(final int expected)
        {
            final int[] received = new int[1];
            for (int cycle = 0; cycle < 1_000_000 && received[0] < expected; cycle++)
            {
                client.doWork();
                server.doWork();
                received[0] += inbound.poll((buffer, offset, length) -> { }, Integer.MAX_VALUE);
            }
            return received[0];
        }

        @Override
        public void close()
        {
            client.close();
            server.close();
        }
    }
}
