package io.conduit.bench.compare;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AgentInvoker;

import io.aeron.Aeron;
import io.aeron.AeronVersion;
import io.aeron.ChannelUriStringBuilder;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.driver.status.SystemCounterDescriptor;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;

/**
 * Aeron over UDP on 127.0.0.1, each peer with its own embedded {@link MediaDriver} in {@link ThreadingMode#INVOKER}
 * mode and its own client with the conductor invoker, so the peer's thread runs driver and client itself (as
 * Conduit's invoker mode does) and no Aeron thread exists. One exclusive publication each way, offered from a reused
 * buffer; a {@link FragmentAssembler} only when a message can exceed one frame (the MTU less the 32-byte header).
 */
final class AeronSystem implements LoopbackSystem
{
    private static final int STREAM_ID = 1001;
    private static final long CONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final AtomicInteger DRIVERS = new AtomicInteger();

    private final int mtu;
    private final int termLength;
    private final int windowBytes;
    private final int socketBufferBytes;

    /**
     * @param windowBytes       the receiver window, or 0 for Aeron's default (128 KiB); Aeron's tuning guide raises
     *                          it with the socket buffers for throughput.
     * @param socketBufferBytes SO_RCVBUF and SO_SNDBUF to request, or 0 for Aeron's default (128 KiB).
     */
    AeronSystem(final int mtu, final int termLength, final int windowBytes, final int socketBufferBytes)
    {
        this.mtu = mtu;
        this.termLength = termLength;
        this.windowBytes = windowBytes;
        this.socketBufferBytes = socketBufferBytes;
    }

    @Override
    public String name()
    {
        return "Aeron";
    }

    @Override
    public String settings()
    {
        final MediaDriver.Context context = driverContext("unused");
        return "Aeron " + AeronVersion.VERSION + ": 2 embedded drivers and clients in INVOKER mode (no driver, " +
            "conductor or async executor threads), UDP unicast, MTU " + mtu + " B, term length " + termLength / 1024 +
            " KiB, receiver window " + context.initialWindowLength() / 1024 + " KiB, SO_RCVBUF/SO_SNDBUF requested " +
            context.socketRcvbufLength() / 1024 + "/" + context.socketSndbufLength() / 1024 + " KiB";
    }

    @Override
    public LoopbackLink open(final int maxMessageLength) throws IOException
    {
        final int clientToServer = freeUdpPort();
        final int serverToClient = freeUdpPort();
        final Side client = new Side();
        Side server = null;
        try
        {
            server = new Side();
            client.connect(channel(clientToServer), channel(serverToClient));
            server.connect(channel(serverToClient), channel(clientToServer));
            awaitConnected(client, server);
            final boolean fragmented = maxMessageLength > client.publication.maxPayloadLength();
            return new Link(new Peer(client, fragmented), new Peer(server, fragmented));
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.closeAll(client, server);
            throw ex;
        }
    }

    private String channel(final int port)
    {
        return new ChannelUriStringBuilder().media("udp").endpoint("127.0.0.1:" + port).mtu(mtu)
            .termLength(termLength).build();
    }

    private static void awaitConnected(final Side client, final Side server) throws IOException
    {
        final long deadlineNs = System.nanoTime() + CONNECT_TIMEOUT_NS;
        while (!client.isConnected() || !server.isConnected())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IOException("Aeron publications on loopback did not connect");
            }
            client.doWork();
            server.doWork();
        }
    }

    private MediaDriver.Context driverContext(final String directory)
    {
        final MediaDriver.Context context = new MediaDriver.Context()
            .aeronDirectoryName(directory)
            .threadingMode(ThreadingMode.INVOKER)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .mtuLength(mtu)
            .publicationTermBufferLength(termLength)
            // Its async executor would be a third thread per side; without it the conductor runs those tasks.
            .asyncExecutorEnabled(false)
            .errorHandler(AeronSystem::fail);
        if (windowBytes > 0)
        {
            context.initialWindowLength(windowBytes);
        }
        if (socketBufferBytes > 0)
        {
            context.socketRcvbufLength(socketBufferBytes).socketSndbufLength(socketBufferBytes);
        }
        return context;
    }

    private static void fail(final Throwable error)
    {
        throw new IllegalStateException("Aeron error", error);
    }

    /** A port the kernel just handed out, so that a subscription can bind it (the race is harmless here). */
    private static int freeUdpPort() throws IOException
    {
        try (DatagramChannel probe = DatagramChannel.open())
        {
            probe.bind(new InetSocketAddress("127.0.0.1", 0));
            return ((InetSocketAddress)probe.getLocalAddress()).getPort();
        }
    }

    private static String directoryName()
    {
        // Aeron's own choice of base: shared memory when the machine has it, so term buffers never touch a disk.
        final File shm = new File("/dev/shm");
        final String base = shm.isDirectory() ? shm.getPath() : System.getProperty("java.io.tmpdir");
        return base + File.separator + "conduit-loopcmp-aeron-" + ProcessHandle.current().pid() + "-" +
            DRIVERS.incrementAndGet();
    }

    /** One end's driver and client, driven by whichever thread owns the peer. */
    private final class Side implements AutoCloseable
    {
        private final MediaDriver driver;
        private final Aeron aeron;
        private final AgentInvoker driverInvoker;
        private final AgentInvoker conductorInvoker;
        private ExclusivePublication publication;
        private Subscription subscription;

        Side()
        {
            final String directory = directoryName();
            driver = MediaDriver.launch(driverContext(directory));
            driverInvoker = driver.sharedAgentInvoker();
            try
            {
                aeron = Aeron.connect(new Aeron.Context()
                    .aeronDirectoryName(directory)
                    .useConductorAgentInvoker(true)
                    // Lets the client's blocking calls (add publication, close) run the driver they wait for.
                    .driverAgentInvoker(driverInvoker)
                    .errorHandler(AeronSystem::fail));
            }
            catch (final RuntimeException ex)
            {
                driver.close();
                throw ex;
            }
            conductorInvoker = aeron.conductorAgentInvoker();
        }

        void connect(final String outbound, final String inbound)
        {
            subscription = aeron.addSubscription(inbound, STREAM_ID);
            publication = aeron.addExclusivePublication(outbound, STREAM_ID);
        }

        boolean isConnected()
        {
            return publication.isConnected() && subscription.isConnected();
        }

        int doWork()
        {
            return driverInvoker.invoke() + conductorInvoker.invoke();
        }

        long counter(final SystemCounterDescriptor descriptor)
        {
            return driver.context().systemCounters().get(descriptor).get();
        }

        @Override
        public void close()
        {
            CloseHelper.closeAll(publication, subscription, aeron, driver);
        }
    }

    private record Link(Peer client, Peer server) implements LoopbackLink
    {
        @Override
        public String observations()
        {
            final Side side = client.side;
            return String.format("client driver sent %,d bytes, %,d retransmits, %,d NAKs received, %,d short sends; " +
                "%s", side.counter(SystemCounterDescriptor.BYTES_SENT),
                side.counter(SystemCounterDescriptor.RETRANSMITS_SENT),
                side.counter(SystemCounterDescriptor.NAK_MESSAGES_RECEIVED),
                side.counter(SystemCounterDescriptor.SHORT_SENDS),
                client.fragmented ? "FragmentAssembler on" : "no FragmentAssembler (one frame per message)");
        }

        @Override
        public void close()
        {
            CloseHelper.closeAll(client.side, server.side);
        }
    }

    private static final class Peer implements LoopbackPeer, FragmentHandler
    {
        private final Side side;
        private final boolean fragmented;
        private final FragmentHandler handler;
        private MessageSink sink;

        Peer(final Side side, final boolean fragmented)
        {
            this.side = side;
            this.fragmented = fragmented;
            this.handler = fragmented ? new FragmentAssembler(this) : this;
        }

        @Override
        public int doWork()
        {
            return side.doWork();
        }

        @Override
        public boolean offer(final DirectBuffer buffer, final int offset, final int length)
        {
            final long result = side.publication.offer(buffer, offset, length);
            if (result > 0)
            {
                return true;
            }
            if (result == Publication.BACK_PRESSURED || result == Publication.ADMIN_ACTION)
            {
                return false;
            }
            throw new IllegalStateException("Aeron offer failed: " + Publication.errorString(result));
        }

        @Override
        public int poll(final MessageSink sink, final int limit)
        {
            this.sink = sink;
            return side.subscription.poll(handler, limit);
        }

        @Override
        public void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
        {
            sink.onMessage(buffer, offset, length);
        }
    }
}
