package io.conduit.failure;

import java.util.Arrays;

import io.conduit.messaging.MessageHandler;
import io.conduit.messaging.Messaging;
import io.conduit.messaging.PeerEventHandler;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One member's failure detection engine: sends heartbeats and/or pings to every peer through a {@link Messaging},
 * feeds what arrives into one {@link FailureDetector} per peer, and keeps a {@link MembershipView}. Pure and
 * single-threaded: the caller supplies time and input.
 *
 * <p>Contract (as every Conduit engine): inputs are {@code on*} methods taking {@code nowNs} first;
 * {@link #onTick} when {@code nowNs} reaches {@link #nextDeadlineNs()} (earlier is harmless); every received message
 * to {@link #onMessage}, link events to {@link #onPeerDown}/{@link #onPeerUp}. Outputs are the messages sent through
 * the {@code Messaging}, listener callbacks of the view (fired inside those calls) and the counters. {@link #doWork}
 * does all of it for a {@code Messaging} dedicated to failure detection.
 *
 * <p>Monitoring starts at the first call (or {@link #start}): every peer is ALIVE and its detector is primed with a
 * synthetic arrival at that instant, so a peer that never speaks is declared DEAD one detection time later. The
 * first real arrival replaces the synthetic one (the detector is reset) so the start-up gap is never a sample.
 *
 * <p>A dead peer keeps receiving heartbeats and pings, and is ALIVE again on its first arrival. Link events from the
 * messaging layer are hints: a down link makes the peer SUSPECT at once (DEAD only with
 * {@link FailureDetectorConfig#deadOnLinkDown}) until it is heard from or the link comes back up; a link coming
 * up triggers an immediate heartbeat or ping to the peer so that it learns about us without waiting an interval.
 *
 * <p>Nothing allocates per message; malformed input and refused sends are counted, never thrown.
 */
public final class FailureDetectorNode
{
    private static final int POLL_LIMIT = 256;

    private final int localMemberId;
    private final FailureDetectorConfig config;
    private final Messaging messaging;
    private final MembershipView view;
    private final FailureDetector[] detectors;
    private final boolean[] linkDown;
    private final boolean[] synthetic;
    private final long[] pingSeq;
    private final long[] answeredPingSeq;
    private final long[] roundTripNs;
    private final long[] peerDeadlineNs;
    private final long[] counters = new long[FailureCounter.values().length];
    private final UnsafeBuffer sendBuffer = new UnsafeBuffer(new byte[FailureMessageFlyweight.LENGTH]);
    private final FailureMessageFlyweight message = new FailureMessageFlyweight();
    private final MessageHandler messageHandler = this::onPolledMessage;
    private final PeerEventHandler peerEventHandler = new PeerEventHandler()
    {
        @Override
        public void onPeerUp(final int memberId)
        {
            FailureDetectorNode.this.onPeerUp(polledNowNs, memberId);
        }

        @Override
        public void onPeerDown(final int memberId)
        {
            FailureDetectorNode.this.onPeerDown(polledNowNs, memberId);
        }
    };

    private boolean started;
    private long heartbeatSeq;
    private long nextHeartbeatNs;
    private long nextPingNs;
    private long polledNowNs;

    /**
     * @param localMemberId this member; must be the messaging binding's own id.
     * @param memberIds     the group, with or without the local member; every other id is monitored.
     */
    public FailureDetectorNode(
        final int localMemberId, final int[] memberIds, final FailureDetectorConfig config, final Messaging messaging)
    {
        config.validate();
        if (messaging.localMemberId() != localMemberId)
        {
            throw new IllegalArgumentException("messaging is bound to member " + messaging.localMemberId() +
                ", not " + localMemberId);
        }
        if (messaging.maxMessageLength() < FailureMessageFlyweight.LENGTH)
        {
            throw new IllegalArgumentException("messaging carries at most " + messaging.maxMessageLength() +
                " bytes; failure detection needs " + FailureMessageFlyweight.LENGTH);
        }
        final int[] peers = Arrays.stream(memberIds).filter((id) -> id != localMemberId).toArray();
        this.localMemberId = localMemberId;
        this.config = config;
        this.messaging = messaging;
        this.view = new MembershipView(peers, config.suspectFraction());
        this.detectors = new FailureDetector[peers.length];
        for (int i = 0; i < peers.length; i++)
        {
            detectors[i] = config.newDetector();
        }
        this.linkDown = new boolean[peers.length];
        this.synthetic = new boolean[peers.length];
        this.pingSeq = new long[peers.length];
        this.answeredPingSeq = new long[peers.length];
        this.roundTripNs = new long[peers.length];
        this.peerDeadlineNs = new long[peers.length];
        Arrays.fill(roundTripNs, -1L);
    }

    /** Starts monitoring at {@code nowNs} if not yet started; the first {@code on*} call does this implicitly. */
    public void start(final long nowNs)
    {
        if (started)
        {
            return;
        }
        started = true;
        nextHeartbeatNs = nowNs;
        // With both styles, pings go half an interval after heartbeats so arrivals are evenly spaced.
        nextPingNs = config.mode() == DetectionMode.BOTH ? nowNs + config.intervalNs() / 2 : nowNs;
        for (int i = 0; i < detectors.length; i++)
        {
            detectors[i].heartbeat(nowNs);
            synthetic[i] = true;
            peerDeadlineNs[i] = peerDeadline(i, nowNs);
        }
    }

    public boolean isStarted()
    {
        return started;
    }

    /** Sends what is due, re-evaluates every peer and fires the view's listeners for changes. */
    public void onTick(final long nowNs)
    {
        start(nowNs);
        if (config.mode().sendsHeartbeats() && nowNs - nextHeartbeatNs >= 0)
        {
            heartbeatSeq++;
            for (int i = 0; i < detectors.length; i++)
            {
                send(i, FailureMessageFlyweight.TYPE_HEARTBEAT, heartbeatSeq, nowNs);
            }
            nextHeartbeatNs = nextSendNs(nextHeartbeatNs, nowNs);
        }
        if (config.mode().sendsPings() && nowNs - nextPingNs >= 0)
        {
            for (int i = 0; i < detectors.length; i++)
            {
                send(i, FailureMessageFlyweight.TYPE_PING, ++pingSeq[i], nowNs);
            }
            nextPingNs = nextSendNs(nextPingNs, nowNs);
        }
        for (int i = 0; i < detectors.length; i++)
        {
            evaluate(i, nowNs);
        }
    }

    /** Decodes one message from {@code fromMemberId}; malformed or foreign messages are counted and dropped. */
    public void onMessage(
        final long nowNs, final int fromMemberId, final DirectBuffer buffer, final int offset, final int length)
    {
        start(nowNs);
        if (length < FailureMessageFlyweight.LENGTH || offset < 0 || offset + length > buffer.capacity() ||
            !message.wrap(buffer, offset, length).isValid())
        {
            counters[FailureCounter.MALFORMED.ordinal()]++;
            return;
        }
        final int index = view.indexOf(fromMemberId);
        if (index == -1)
        {
            counters[FailureCounter.UNKNOWN_SENDER.ordinal()]++;
            return;
        }
        switch (message.type())
        {
            case FailureMessageFlyweight.TYPE_HEARTBEAT:
                counters[FailureCounter.HEARTBEATS_RECEIVED.ordinal()]++;
                if (config.mode().sendsHeartbeats())
                {
                    arrival(index, nowNs);
                }
                break;
            case FailureMessageFlyweight.TYPE_PING:
                counters[FailureCounter.PINGS_RECEIVED.ordinal()]++;
                // Always answered, whatever our own mode, so members configured differently still see each other.
                send(index, FailureMessageFlyweight.TYPE_PONG, message.seq(), message.timestampNs());
                break;
            default:
                onPong(index, message.seq(), message.timestampNs(), nowNs);
                break;
        }
    }

    /** The messaging layer reports the link to {@code memberId} down: SUSPECT now (DEAD if so configured). */
    public void onPeerDown(final long nowNs, final int memberId)
    {
        start(nowNs);
        final int index = view.indexOf(memberId);
        if (index == -1)
        {
            return;
        }
        counters[FailureCounter.PEER_DOWN_EVENTS.ordinal()]++;
        linkDown[index] = true;
        evaluate(index, nowNs);
    }

    /** The link to {@code memberId} is up again: the hint is withdrawn and the peer is contacted at once. */
    public void onPeerUp(final long nowNs, final int memberId)
    {
        start(nowNs);
        final int index = view.indexOf(memberId);
        if (index == -1)
        {
            return;
        }
        counters[FailureCounter.PEER_UP_EVENTS.ordinal()]++;
        linkDown[index] = false;
        if (config.mode().sendsHeartbeats())
        {
            send(index, FailureMessageFlyweight.TYPE_HEARTBEAT, heartbeatSeq, nowNs);
        }
        if (config.mode().sendsPings())
        {
            send(index, FailureMessageFlyweight.TYPE_PING, ++pingSeq[index], nowNs);
        }
        evaluate(index, nowNs);
    }

    /**
     * One duty cycle over a {@code Messaging} used only by this node: runs its I/O, hands up to 256 messages and 256
     * link events to this node, and ticks if due. Returns the work done. Do not use it on a {@code Messaging} shared
     * with other protocols (it would consume their messages); call {@link #onMessage} from your own dispatch instead.
     */
    public int doWork(final long nowNs)
    {
        start(nowNs);
        polledNowNs = nowNs;
        int work = messaging.doWork();
        work += messaging.poll(messageHandler, POLL_LIMIT);
        work += messaging.pollPeerEvents(peerEventHandler, POLL_LIMIT);
        if (nextDeadlineNs() - nowNs <= 0)
        {
            onTick(nowNs);
            work++;
        }
        return work;
    }

    /**
     * When {@link #onTick} is next due: the next send, or the next time a peer's state could change without an
     * arrival. Throws {@link IllegalStateException} before {@link #start} or the first {@code on*} call, since there
     * is no clock to answer from.
     */
    public long nextDeadlineNs()
    {
        if (!started)
        {
            throw new IllegalStateException("not started: call start(nowNs) or onTick(nowNs) first");
        }
        long deadlineNs = Long.MAX_VALUE;
        if (config.mode().sendsHeartbeats())
        {
            deadlineNs = earlier(deadlineNs, nextHeartbeatNs);
        }
        if (config.mode().sendsPings())
        {
            deadlineNs = earlier(deadlineNs, nextPingNs);
        }
        for (final long peerNs : peerDeadlineNs)
        {
            deadlineNs = earlier(deadlineNs, peerNs);
        }
        return deadlineNs;
    }

    public MembershipView view()
    {
        return view;
    }

    public int localMemberId()
    {
        return localMemberId;
    }

    public FailureDetectorConfig config()
    {
        return config;
    }

    /** The detector judging {@code memberId}, for inspection (suspicion, phi). */
    public FailureDetector detector(final int memberId)
    {
        final int index = view.indexOf(memberId);
        if (index == -1)
        {
            throw new IllegalArgumentException("not a monitored peer: " + memberId);
        }
        return detectors[index];
    }

    /** The round trip of the last answered ping to {@code memberId}, or -1 if none has been answered. */
    public long lastRoundTripNs(final int memberId)
    {
        final int index = view.indexOf(memberId);
        return index == -1 ? -1L : roundTripNs[index];
    }

    public long counter(final FailureCounter counter)
    {
        return counters[counter.ordinal()];
    }

    private void onPong(final int index, final long seq, final long echoedSentNs, final long nowNs)
    {
        // A duplicate, or a reply to a ping older than one already answered, carries no news; nor one we never sent.
        if (!config.mode().sendsPings() || seq - answeredPingSeq[index] <= 0 || seq - pingSeq[index] > 0)
        {
            counters[FailureCounter.STALE_PONGS.ordinal()]++;
            return;
        }
        counters[FailureCounter.PONGS_RECEIVED.ordinal()]++;
        answeredPingSeq[index] = seq;
        roundTripNs[index] = nowNs - echoedSentNs;
        arrival(index, nowNs);
    }

    private void arrival(final int index, final long nowNs)
    {
        final FailureDetector detector = detectors[index];
        if (synthetic[index])
        {
            // The priming arrival was ours, not the peer's: the start-up gap must not become a sample.
            synthetic[index] = false;
            detector.reset();
        }
        linkDown[index] = false;
        detector.heartbeat(nowNs);
        evaluate(index, nowNs);
    }

    private void evaluate(final int index, final long nowNs)
    {
        view.evaluate(view.memberIdAt(index), detectors[index], linkDown[index], config.deadOnLinkDown(), nowNs);
        peerDeadlineNs[index] = peerDeadline(index, nowNs);
    }

    /** When this peer's state could next change without an arrival: its next level crossing, never in the past. */
    private long peerDeadline(final int index, final long nowNs)
    {
        final FailureDetector detector = detectors[index];
        final long deadlineNs;
        switch (view.state(view.memberIdAt(index)))
        {
            case ALIVE:
                deadlineNs = detector.suspicionReachedNs(view.suspectLevel(detector));
                break;
            case SUSPECT:
                deadlineNs = detector.nextCheckNs(nowNs);
                break;
            default:
                return Long.MAX_VALUE;
        }
        // Rounding in a detector must never make a deadline that is already due, or the caller would spin.
        return deadlineNs != Long.MAX_VALUE && deadlineNs - nowNs <= 0 ? nowNs + 1 : deadlineNs;
    }

    private void send(final int index, final byte type, final long seq, final long timestampNs)
    {
        final int length = FailureMessageFlyweight.encode(sendBuffer, 0, type, seq, timestampNs);
        final long result = messaging.send(view.memberIdAt(index), sendBuffer, 0, length);
        if (result >= 0)
        {
            final FailureCounter sent = type == FailureMessageFlyweight.TYPE_HEARTBEAT ?
                FailureCounter.HEARTBEATS_SENT :
                type == FailureMessageFlyweight.TYPE_PING ? FailureCounter.PINGS_SENT : FailureCounter.PONGS_SENT;
            counters[sent.ordinal()]++;
        }
        else if (result == Messaging.BACK_PRESSURED)
        {
            counters[FailureCounter.SEND_BACK_PRESSURED.ordinal()]++;
        }
        else if (result == Messaging.NOT_CONNECTED)
        {
            counters[FailureCounter.SEND_NOT_CONNECTED.ordinal()]++;
        }
        else
        {
            counters[FailureCounter.SEND_FAILED.ordinal()]++;
        }
    }

    private void onPolledMessage(final int fromMemberId, final DirectBuffer buffer, final int offset, final int length)
    {
        onMessage(polledNowNs, fromMemberId, buffer, offset, length);
    }

    /** The next slot on a fixed grid, so sends do not drift; a caller that fell behind skips the missed slots. */
    private long nextSendNs(final long scheduledNs, final long nowNs)
    {
        final long nextNs = scheduledNs + config.intervalNs();
        return nextNs - nowNs <= 0 ? nowNs + config.intervalNs() : nextNs;
    }

    /** The earlier of two deadlines, compared wrap-safely; {@link Long#MAX_VALUE} means none. */
    private static long earlier(final long aNs, final long bNs)
    {
        if (aNs == Long.MAX_VALUE)
        {
            return bNs;
        }
        if (bNs == Long.MAX_VALUE)
        {
            return aNs;
        }
        return bNs - aNs < 0 ? bNs : aNs;
    }

    @Override
    public String toString()
    {
        return "FailureDetectorNode{member=" + localMemberId + ", " + view + '}';
    }
}
