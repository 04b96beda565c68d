package io.conduit.failure;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.conduit.messaging.Messaging;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static io.conduit.failure.FailureMessageFlyweight.TYPE_HEARTBEAT;
import static io.conduit.failure.FailureMessageFlyweight.TYPE_PING;
import static io.conduit.failure.FailureMessageFlyweight.TYPE_PONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FailureDetectorNodeTest
{
    private static final long MS = 1_000_000L;
    private static final int[] MEMBERS = {1, 2, 3};

    private final RecordingMessaging messaging = new RecordingMessaging(1);
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
    private final List<String> changes = new ArrayList<>();

    private FailureDetectorNode node(final FailureDetectorConfig config)
    {
        final FailureDetectorNode node = new FailureDetectorNode(1, MEMBERS, config, messaging);
        node.view().addListener((member, from, to, nowNs) -> changes.add(member + ":" + to + "@" + nowNs / MS));
        return node;
    }

    private void deliver(final FailureDetectorNode node, final long nowNs, final int from, final byte type,
        final long seq, final long timestampNs)
    {
        final int length = FailureMessageFlyweight.encode(buffer, 0, type, seq, timestampNs);
        node.onMessage(nowNs, from, buffer, 0, length);
    }

    @Test
    void heartbeatsEveryPeerEveryIntervalOnAFixedGrid()
    {
        final FailureDetectorNode node = node(new FailureDetectorConfig());
        node.onTick(0);
        assertEquals(List.of(new RecordingMessaging.Sent(2, TYPE_HEARTBEAT, 1, 0),
            new RecordingMessaging.Sent(3, TYPE_HEARTBEAT, 1, 0)), messaging.sent);
        assertEquals(100 * MS, node.nextDeadlineNs());
        node.onTick(50 * MS);
        assertEquals(2, messaging.sent.size());
        node.onTick(130 * MS);
        assertEquals(4, messaging.sent.size());
        assertEquals(200 * MS, node.nextDeadlineNs(), "a late tick must not shift the grid");
        assertEquals(4, node.counter(FailureCounter.HEARTBEATS_SENT));
        assertEquals(0, node.counter(FailureCounter.PINGS_SENT));
    }

    @Test
    void pingsAreAnsweredAndAnAnsweredPingIsAnArrival()
    {
        final FailureDetectorNode node = node(new FailureDetectorConfig().mode(DetectionMode.PING));
        node.onTick(0);
        assertEquals(2, messaging.sentOfType(TYPE_PING).size());
        deliver(node, 5 * MS, 2, TYPE_PING, 77, 123);
        assertEquals(new RecordingMessaging.Sent(2, TYPE_PONG, 77, 123), messaging.sent.get(2));
        deliver(node, 8 * MS, 2, TYPE_PONG, 1, 0);
        assertEquals(1, node.counter(FailureCounter.PONGS_RECEIVED));
        assertEquals(8 * MS, node.lastRoundTripNs(2));
        deliver(node, 9 * MS, 2, TYPE_PONG, 1, 0);
        deliver(node, 9 * MS, 3, TYPE_PONG, 2, 0);
        assertEquals(2, node.counter(FailureCounter.STALE_PONGS), "a duplicate and a never-sent ping are stale");
        assertEquals(-1, node.lastRoundTripNs(3));
        deliver(node, 9 * MS, 3, TYPE_HEARTBEAT, 1, 0);
        assertEquals(1, node.counter(FailureCounter.HEARTBEATS_RECEIVED));
    }

    @Test
    void bothModeSendsPingsHalfAnIntervalAfterHeartbeats()
    {
        final FailureDetectorNode node = node(new FailureDetectorConfig().mode(DetectionMode.BOTH));
        node.onTick(0);
        assertEquals(2, messaging.sentOfType(TYPE_HEARTBEAT).size());
        assertEquals(0, messaging.sentOfType(TYPE_PING).size());
        assertEquals(50 * MS, node.nextDeadlineNs());
        node.onTick(50 * MS);
        assertEquals(2, messaging.sentOfType(TYPE_PING).size());
    }

    @Test
    void aSilentPeerIsDeclaredDeadAndComesBackOnItsFirstHeartbeat()
    {
        final FailureDetectorNode node = node(new FailureDetectorConfig().detectorKind(DetectorKind.FIXED));
        node.start(0);
        long nowNs = 0;
        while (nowNs < 2_000 * MS)
        {
            node.onTick(nowNs);
            deliver(node, nowNs, 3, TYPE_HEARTBEAT, 1, nowNs);
            nowNs = node.nextDeadlineNs();
        }
        assertEquals(List.of("2:SUSPECT@250", "2:DEAD@500"), changes);
        assertTrue(messaging.sent.stream().filter((s) -> s.to() == 2).count() >= 20, "the dead peer is still told");
        deliver(node, nowNs, 2, TYPE_HEARTBEAT, 1, nowNs);
        assertEquals(MemberState.ALIVE, node.view().state(2));
        assertEquals(MemberState.ALIVE, node.view().state(3));
    }

    @Test
    void aDownLinkIsAHintNotAVerdictUnlessConfigured()
    {
        final FailureDetectorNode node = node(new FailureDetectorConfig());
        node.onTick(0);
        node.onPeerDown(10 * MS, 2);
        assertEquals(MemberState.SUSPECT, node.view().state(2));
        deliver(node, 20 * MS, 2, TYPE_HEARTBEAT, 1, 0);
        assertEquals(MemberState.ALIVE, node.view().state(2), "an arrival withdraws the hint");
        node.onPeerDown(30 * MS, 2);
        final int before = messaging.sent.size();
        node.onPeerUp(40 * MS, 2);
        assertEquals(MemberState.ALIVE, node.view().state(2));
        assertEquals(new RecordingMessaging.Sent(2, TYPE_HEARTBEAT, 1, 40 * MS), messaging.sent.get(before));

        final FailureDetectorNode strict = new FailureDetectorNode(1, MEMBERS,
            new FailureDetectorConfig().deadOnLinkDown(true), new RecordingMessaging(1));
        strict.onPeerDown(0, 3);
        assertEquals(MemberState.DEAD, strict.view().state(3));
        assertEquals(1, strict.counter(FailureCounter.PEER_DOWN_EVENTS));
    }

    @Test
    void malformedAndForeignMessagesAreCountedNeverThrown()
    {
        final FailureDetectorNode node = node(new FailureDetectorConfig());
        node.onTick(0);
        node.onMessage(MS, 2, buffer, 0, 10);
        node.onMessage(MS, 2, buffer, 60, 24);
        FailureMessageFlyweight.encode(buffer, 0, (byte)42, 1, 1);
        node.onMessage(MS, 2, buffer, 0, 24);
        FailureMessageFlyweight.encode(buffer, 0, TYPE_HEARTBEAT, 1, 1);
        node.onMessage(MS, 9, buffer, 0, 24);
        node.onMessage(MS, 1, buffer, 0, 24);
        assertEquals(3, node.counter(FailureCounter.MALFORMED));
        assertEquals(2, node.counter(FailureCounter.UNKNOWN_SENDER));
        assertEquals(0, node.counter(FailureCounter.HEARTBEATS_RECEIVED));

        final SplittableRandom random = new SplittableRandom(3);
        final byte[] garbage = new byte[64];
        for (int i = 0; i < 20_000; i++)
        {
            random.nextBytes(garbage);
            garbage[1] = random.nextInt(4) == 0 ? FailureMessageFlyweight.VERSION : garbage[1];
            buffer.putBytes(0, garbage);
            node.onMessage(MS + i, 2 + random.nextInt(3), buffer, random.nextInt(8), random.nextInt(40));
        }
        assertTrue(node.counter(FailureCounter.MALFORMED) > 1_000);
    }

    @Test
    void refusedSendsAreCountedByReason()
    {
        final FailureDetectorNode node = node(new FailureDetectorConfig().mode(DetectionMode.BOTH));
        messaging.sendResult = Messaging.BACK_PRESSURED;
        node.onTick(0);
        messaging.sendResult = Messaging.NOT_CONNECTED;
        node.onTick(50 * MS);
        messaging.sendResult = Messaging.CLOSED;
        node.onTick(100 * MS);
        assertEquals(2, node.counter(FailureCounter.SEND_BACK_PRESSURED));
        assertEquals(2, node.counter(FailureCounter.SEND_NOT_CONNECTED));
        assertEquals(2, node.counter(FailureCounter.SEND_FAILED));
        assertEquals(0, node.counter(FailureCounter.HEARTBEATS_SENT) + node.counter(FailureCounter.PINGS_SENT));
    }

    @Test
    void rejectsAMismatchedBindingAndDeadlinesBeforeStart()
    {
        assertThrows(IllegalArgumentException.class,
            () -> new FailureDetectorNode(2, MEMBERS, new FailureDetectorConfig(), messaging));
        assertThrows(IllegalArgumentException.class,
            () -> new FailureDetectorNode(1, MEMBERS, new FailureDetectorConfig().intervalNs(0), messaging));
        final IllegalStateException error = assertThrows(IllegalStateException.class,
            () -> new FailureDetectorNode(1, MEMBERS, new FailureDetectorConfig(), messaging).nextDeadlineNs());
        assertTrue(error.getMessage().contains("start"));
    }

    @Test
    void steadyStateAllocatesNothingPerMessage()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
            "this JVM cannot measure allocation, so the test would prove nothing");
        final FailureDetectorNode node = node(new FailureDetectorConfig().mode(DetectionMode.BOTH));
        messaging.recording = false;
        long nowNs = 0;
        long allocated = 0;
        for (int round = 0; round < 3; round++)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 20_000; i++)
            {
                nowNs += 10 * MS;
                node.onTick(nowNs);
                final int length = FailureMessageFlyweight.encode(buffer, 0, TYPE_HEARTBEAT, i, nowNs);
                node.onMessage(nowNs, 2 + (i & 1), buffer, 0, length);
                FailureMessageFlyweight.encode(buffer, 0, TYPE_PING, i, nowNs);
                node.onMessage(nowNs, 3, buffer, 0, length);
                node.nextDeadlineNs();
            }
            allocated = threads.getCurrentThreadAllocatedBytes() - before;
        }
        assertEquals(0, allocated, "bytes allocated in the last 20,000 rounds");
    }
}
