package io.conduit.messaging.aeron;

import java.io.File;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.aeron.Aeron;
import io.aeron.ChannelUriStringBuilder;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.logbuffer.Header;
import io.conduit.messaging.MessageHandler;
import io.conduit.messaging.Messaging;
import io.conduit.messaging.PeerEventHandler;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.BackoffIdleStrategy;

/**
 * {@link Messaging} over Aeron: this member subscribes once on its own endpoint ({@code aeron:udp?endpoint=HOST:PORT}
 * from {@link io.conduit.messaging.Members}, or {@code aeron:ipc} on stream {@code streamId + memberId}) and holds
 * one {@link ExclusivePublication} to each peer's endpoint.
 *
 * <p><b>Who sent a message.</b> No header: every publication carries an explicit Aeron session id that encodes the
 * sender's member id and a generation fresh for every publication ({@link MemberSessionIds}), so a fragment's
 * session id names its sender and an image names its peer as soon as it is available. Messages go out as they are,
 * zero-copy, and {@link #maxMessageLength()} is the publication's own limit.
 *
 * <p><b>Peer up and down.</b> Peer m is up while both directions work: our publication to m is connected (m's driver
 * acknowledges it with status messages) and we hold a trusted image from m. It goes down when either goes away:
 * m's image becomes unavailable (m closed it, or it fell silent for the link timeout), or our publication loses its
 * connection. A publication that lost its connection is replaced by a fresh one (new session id), and the image
 * from m is no longer trusted: it may belong to a dead incarnation of m still lingering in the driver, while the
 * fresh publication may already be acknowledged by m's restart. Trust returns with a new image from m (a restart,
 * or m renewing its own publication) or when the image outlives twice the link timeout, which no dead sender's
 * image does. A new image replacing one that was up is a down then an up (m restarted). Transitions are found in
 * {@link #doWork()} and queued for {@link #pollPeerEvents}, each once; a peer that changed more than twice between
 * polls is reported as its net change, or as down-then-up when it came back to where it was reported.
 * {@link #isConnected(int)} is the outgoing half alone: send will not return NOT_CONNECTED.
 *
 * <p><b>Threads.</b> The Aeron client runs in INVOKER mode: it has no conductor thread; {@link #doWork()} invokes
 * its conductor, so image callbacks and all state stay on the one thread that drives this object (not thread-safe).
 * That thread must call doWork at least every second or so: the driver drops a client it has not heard from for 10
 * s. The embedded driver runs on its own thread(s), so messages move even between doWork calls.
 *
 * <p><b>Back-pressure.</b> {@link #send} offers once and maps Aeron's result: BACK_PRESSURED and ADMIN_ACTION become
 * {@link #BACK_PRESSURED}, NOT_CONNECTED {@link #NOT_CONNECTED}, CLOSED and MAX_POSITION_EXCEEDED (128 TiB sent on
 * one link with 64 KiB terms) {@link #CLOSED}. Nothing is retried or dropped inside.
 */
public final class AeronMessaging implements Messaging
{
    private static final long NO_IMAGE = -1;
    private static final long NO_REGISTRATION = -1;
    /** Aeron's image liveness timeout, which bounds how long a dead sender's image lingers, unless configured. */
    private static final long DEFAULT_LINK_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final String DIRECTORY_PREFIX = "conduit-aeron-";
    /** Each publication takes the next generation, so a renewal or an in-process restart always differs. */
    private static final AtomicInteger NEXT_GENERATION =
        new AtomicInteger(ThreadLocalRandom.current().nextInt(MemberSessionIds.MAX_GENERATION));

    private final AeronMessagingContext context;
    private final int localMemberId;
    private final long imageTrustedAfterNs;
    private final boolean embeddedDriver;
    private final String aeronDirectoryName;
    private final Peer[] peers;
    private final Int2ObjectHashMap<Peer> peersById = new Int2ObjectHashMap<>();
    private final FragmentAssembler assembler = new FragmentAssembler(this::onFragment);
    private final Peer[] pendingEvents;
    private int pendingEventsHead;
    private int pendingEventsSize;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final AgentInvoker conductorInvoker;
    private final Subscription subscription;
    private final int maxMessageLength;
    private MessageHandler messageHandler;
    private int messagesDelivered;
    private long messagesFromStrangers;
    private boolean closed;

    /** Starts this member: its driver (unless external), client, subscription and a publication per peer. */
    public AeronMessaging(final AeronMessagingContext context)
    {
        this.context = context.conclude();
        localMemberId = context.localMemberId();
        imageTrustedAfterNs = 2 * (context.linkTimeoutNs() > 0 ? context.linkTimeoutNs() : DEFAULT_LINK_TIMEOUT_NS);
        peers = new Peer[context.members().size() - 1];
        pendingEvents = new Peer[peers.length];
        int index = 0;
        for (final int memberId : context.members().addresses().keySet())
        {
            if (memberId != localMemberId)
            {
                peers[index] = new Peer(memberId);
                peersById.put(memberId, peers[index++]);
            }
        }
        embeddedDriver = context.embeddedDriver();
        aeronDirectoryName = embeddedDriver ? uniqueDirectoryName(localMemberId) : context.aeronDirectoryName();

        MediaDriver startedDriver = null;
        Aeron startedClient = null;
        try
        {
            startedDriver = embeddedDriver ? launchDriver(context, aeronDirectoryName) : null;
            final Aeron.Context clientContext = new Aeron.Context()
                .useConductorAgentInvoker(true)
                .errorHandler(context.errorHandler())
                .clientName("conduit-member-" + localMemberId);
            if (null != aeronDirectoryName)
            {
                clientContext.aeronDirectoryName(aeronDirectoryName);
            }
            startedClient = Aeron.connect(clientContext);
            driver = startedDriver;
            aeron = startedClient;
            conductorInvoker = aeron.conductorAgentInvoker();
            subscription = aeron.addSubscription(
                channel(context, localMemberId, null), streamId(context, localMemberId),
                this::onAvailableImage, this::onUnavailableImage);
            int maxLength = FrameDescriptor.computeMaxMessageLength(context.termLength());
            for (final Peer peer : peers)
            {
                peer.publication = aeron.addExclusivePublication(
                    publicationChannel(peer.memberId), streamId(context, peer.memberId));
                maxLength = Math.min(maxLength, peer.publication.maxMessageLength());
            }
            maxMessageLength = maxLength;
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(startedClient, startedDriver);
            deleteEmbeddedDirectory();
            throw new IllegalStateException("member " + localMemberId + ": cannot start Aeron messaging: " +
                ex.getMessage(), ex);
        }
    }

    @Override
    public int localMemberId()
    {
        return localMemberId;
    }

    @Override
    public long send(final int memberId, final DirectBuffer buffer, final int offset, final int length)
    {
        if (closed)
        {
            return CLOSED;
        }
        final Peer peer = peersById.get(memberId);
        if (null == peer)
        {
            return UNKNOWN_MEMBER;
        }
        if (length > maxMessageLength)
        {
            return MESSAGE_TOO_LARGE;
        }
        if (length < 0)
        {
            throw new IllegalArgumentException("negative message length: " + length);
        }
        final ExclusivePublication publication = peer.publication;
        return null == publication ? NOT_CONNECTED : sendResult(publication.offer(buffer, offset, length));
    }

    private static long sendResult(final long aeronResult)
    {
        if (aeronResult >= 0)
        {
            return aeronResult;
        }
        if (aeronResult == Publication.BACK_PRESSURED || aeronResult == Publication.ADMIN_ACTION)
        {
            return BACK_PRESSURED;
        }
        if (aeronResult == Publication.NOT_CONNECTED)
        {
            return NOT_CONNECTED;
        }
        return CLOSED;
    }

    @Override
    public int poll(final MessageHandler handler, final int limit)
    {
        if (closed || limit <= 0)
        {
            return 0;
        }
        messageHandler = handler;
        messagesDelivered = 0;
        try
        {
            // One message per fragment at most, so a fragment limit of `limit` never hands over more messages.
            subscription.poll(assembler, limit);
        }
        finally
        {
            messageHandler = null;
        }
        return messagesDelivered;
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        final int fromMemberId = MemberSessionIds.memberId(header.sessionId());
        if (!peersById.containsKey(fromMemberId))
        {
            // A publisher outside the group (or our own id) on our endpoint: not a member's message.
            messagesFromStrangers++;
            return;
        }
        messagesDelivered++;
        messageHandler.onMessage(fromMemberId, buffer, offset, length);
    }

    @Override
    public int pollPeerEvents(final PeerEventHandler handler, final int limit)
    {
        int count = 0;
        while (count < limit && pendingEventsSize > 0)
        {
            final Peer peer = pendingEvents[pendingEventsHead];
            peer.reportedUp = !peer.reportedUp;
            if (--peer.pendingTransitions == 0)
            {
                pendingEventsHead = (pendingEventsHead + 1) % pendingEvents.length;
                pendingEventsSize--;
            }
            count++;
            if (peer.reportedUp)
            {
                handler.onPeerUp(peer.memberId);
            }
            else
            {
                handler.onPeerDown(peer.memberId);
            }
        }
        return count;
    }

    @Override
    public boolean isConnected(final int memberId)
    {
        final Peer peer = closed ? null : peersById.get(memberId);
        return null != peer && null != peer.publication && peer.publication.isConnected();
    }

    @Override
    public int doWork()
    {
        if (closed)
        {
            return 0;
        }
        int work = conductorInvoker.invoke();
        final long nowNs = System.nanoTime();
        for (final Peer peer : peers)
        {
            work += updatePeer(peer, nowNs);
        }
        return work;
    }

    private int updatePeer(final Peer peer, final long nowNs)
    {
        int work = 0;
        if (null == peer.publication)
        {
            peer.publication = aeron.getExclusivePublication(peer.pendingPublicationId);
            work += null == peer.publication ? 0 : 1;
        }
        final boolean connected = null != peer.publication && peer.publication.isConnected();
        if (peer.publicationConnected && !connected)
        {
            distrustImage(peer, nowNs);
            renewPublication(peer);
            work++;
        }
        peer.publicationConnected = connected;
        if (NO_IMAGE != peer.distrustedImageCorrelationId && nowNs - peer.distrustedAtNs - imageTrustedAfterNs > 0)
        {
            // Still available long after any dead sender's image would have timed out: its sender is alive.
            peer.imageCorrelationId = peer.distrustedImageCorrelationId;
            peer.distrustedImageCorrelationId = NO_IMAGE;
        }
        final boolean up = connected && NO_IMAGE != peer.imageCorrelationId;
        if (up != peer.up)
        {
            transition(peer, up);
            work++;
        }
        return work;
    }

    private static void distrustImage(final Peer peer, final long nowNs)
    {
        if (NO_IMAGE != peer.imageCorrelationId)
        {
            peer.distrustedImageCorrelationId = peer.imageCorrelationId;
            peer.distrustedAtNs = nowNs;
            peer.imageCorrelationId = NO_IMAGE;
        }
    }

    /** Replaces a publication that lost its connection, asynchronously: send says NOT_CONNECTED meanwhile. */
    private void renewPublication(final Peer peer)
    {
        aeron.asyncRemovePublication(peer.publication.registrationId());
        peer.publication = null;
        peer.pendingPublicationId = aeron.asyncAddExclusivePublication(
            publicationChannel(peer.memberId), streamId(context, peer.memberId));
    }

    @Override
    public int maxMessageLength()
    {
        return maxMessageLength;
    }

    /** The Aeron directory in use: the embedded driver's (gone after close) or the external one's. */
    public String aeronDirectoryName()
    {
        return aeronDirectoryName;
    }

    /** Fragments that arrived on our endpoint from a session naming no peer, and were dropped. */
    public long messagesFromStrangers()
    {
        return messagesFromStrangers;
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        // Closing the client closes its publications and subscription; the driver then stops and deletes its files.
        CloseHelper.closeAll(aeron, driver);
        deleteEmbeddedDirectory();
    }

    private void onAvailableImage(final Image image)
    {
        final Peer peer = peersById.get(MemberSessionIds.memberId(image.sessionId()));
        if (closed || null == peer)
        {
            return;
        }
        if (NO_IMAGE != peer.imageCorrelationId && peer.up)
        {
            // A new incarnation while the old one still looked up: the peer restarted, so it went down in between.
            transition(peer, false);
        }
        peer.imageCorrelationId = image.correlationId();
        peer.distrustedImageCorrelationId = NO_IMAGE;
    }

    private void onUnavailableImage(final Image image)
    {
        assembler.freeSessionBuffer(image.sessionId());
        final Peer peer = peersById.get(MemberSessionIds.memberId(image.sessionId()));
        if (null != peer && peer.imageCorrelationId == image.correlationId())
        {
            peer.imageCorrelationId = NO_IMAGE;
        }
        if (null != peer && peer.distrustedImageCorrelationId == image.correlationId())
        {
            peer.distrustedImageCorrelationId = NO_IMAGE;
        }
    }

    /** Records a change of the peer's state; at most two unreported changes are kept, with the right parity. */
    private void transition(final Peer peer, final boolean up)
    {
        peer.up = up;
        if (0 == peer.pendingTransitions)
        {
            pendingEvents[(pendingEventsHead + pendingEventsSize) % pendingEvents.length] = peer;
            pendingEventsSize++;
        }
        peer.pendingTransitions = peer.pendingTransitions == 2 ? 1 : peer.pendingTransitions + 1;
    }

    private static MediaDriver launchDriver(final AeronMessagingContext context, final String directoryName)
    {
        final MediaDriver.Context driverContext = new MediaDriver.Context()
            .aeronDirectoryName(directoryName)
            .threadingMode(context.driverThreadingMode())
            .sharedIdleStrategy(new BackoffIdleStrategy())
            .sharedNetworkIdleStrategy(new BackoffIdleStrategy())
            .conductorIdleStrategy(new BackoffIdleStrategy())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .termBufferSparseFile(true)
            .publicationTermBufferLength(context.termLength())
            .ipcTermBufferLength(context.termLength())
            .errorHandler(context.errorHandler());
        if (context.linkTimeoutNs() > 0)
        {
            driverContext
                .imageLivenessTimeoutNs(context.linkTimeoutNs())
                .publicationConnectionTimeoutNs(context.linkTimeoutNs());
        }
        return MediaDriver.launch(driverContext);
    }

    private static String uniqueDirectoryName(final int memberId)
    {
        final String name = DIRECTORY_PREFIX + ProcessHandle.current().pid() + "-" + memberId + "-" +
            Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
        return new File(System.getProperty("java.io.tmpdir"), name).getAbsolutePath();
    }

    private void deleteEmbeddedDirectory()
    {
        if (embeddedDriver && null != aeronDirectoryName)
        {
            IoUtil.delete(new File(aeronDirectoryName), true);
        }
    }

    /** The channel to a peer, with a session id naming this member and a fresh generation. */
    private String publicationChannel(final int memberId)
    {
        final int generation = 1 + Math.floorMod(NEXT_GENERATION.getAndIncrement(), MemberSessionIds.MAX_GENERATION);
        return channel(context, memberId, MemberSessionIds.sessionId(localMemberId, generation));
    }

    private static String channel(final AeronMessagingContext context, final int memberId, final Integer sessionId)
    {
        final ChannelUriStringBuilder builder = new ChannelUriStringBuilder();
        if (context.ipc())
        {
            builder.media("ipc");
        }
        else
        {
            builder.media("udp").endpoint(endpoint(context.members().address(memberId)));
        }
        if (null != sessionId)
        {
            builder.termLength(context.termLength()).sessionId(sessionId);
        }
        return builder.build();
    }

    private static int streamId(final AeronMessagingContext context, final int memberId)
    {
        // UDP links are told apart by endpoint; IPC has none, so each member listens on a stream of its own.
        return context.ipc() ? context.streamId() + memberId : context.streamId();
    }

    private static String endpoint(final InetSocketAddress address)
    {
        final String host = address.getAddress().getHostAddress();
        return (address.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /** One peer's link: our publication to it, the image we read from it, and its reported state. */
    private static final class Peer
    {
        final int memberId;
        ExclusivePublication publication;
        long pendingPublicationId = NO_REGISTRATION;
        boolean publicationConnected;
        long imageCorrelationId = NO_IMAGE;
        long distrustedImageCorrelationId = NO_IMAGE;
        long distrustedAtNs;
        boolean up;
        boolean reportedUp;
        int pendingTransitions;

        Peer(final int memberId)
        {
            this.memberId = memberId;
        }
    }
}
