package io.conduit.messaging;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What every {@link Messaging} binding must do, written once: a binding's test extends this class and says how to
 * start a member ({@link #prepareGroup}, {@link #start}) and, if it needs more than {@code doWork()}, how to drive
 * the group ({@link #drive}). Members are numbered 1..size. Every wait polls a condition while driving the group,
 * up to a generous deadline; nothing sleeps and nothing asserts on timing.
 */
public abstract class MessagingConformanceTest
{
    /** Long enough for a slow, shared 2-core machine; a healthy run waits a small fraction of it. */
    protected static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(30);

    private Messaging[] nodes = new Messaging[0];
    private List<List<String>> peerEvents = new ArrayList<>();

    /** Chooses the group's addresses (or whatever the binding needs) for members 1..size; once per test. */
    protected abstract void prepareGroup(int size);

    /** Starts member {@code memberId} of the prepared group; called again after it was closed, as a restart. */
    protected abstract Messaging start(int memberId);

    /** One duty cycle of every running node (null entries are stopped nodes). */
    protected void drive(final Messaging[] group)
    {
        for (final Messaging node : group)
        {
            if (null != node)
            {
                node.doWork();
            }
        }
    }

    /**
     * A group of members 1..size on 127.0.0.1, each on a UDP port that was free a moment ago. Ports come from below
     * Linux's ephemeral range (32768+): a restarted member rebinds its port, and a port in the ephemeral range could
     * meanwhile be handed to some other socket bound to port 0 (Aeron's publications bind that way).
     */
    public static Members loopbackMembers(final int size)
    {
        final Map<Integer, InetSocketAddress> addresses = new TreeMap<>();
        final List<DatagramSocket> sockets = new ArrayList<>();
        final java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        try
        {
            // All sockets stay bound until every port is chosen, so no two members get the same one.
            for (int id = 1; id <= size; id++)
            {
                DatagramSocket socket = null;
                for (int attempt = 0; socket == null && attempt < 1_000; attempt++)
                {
                    try
                    {
                        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                            random.nextInt(20_000, 32_000)));
                    }
                    catch (final SocketException inUse)
                    {
                        // Try another port.
                    }
                }
                if (socket == null)
                {
                    throw new IllegalStateException("no free UDP port on loopback in 20000..31999");
                }
                sockets.add(socket);
                addresses.put(id, new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort()));
            }
        }
        finally
        {
            sockets.forEach(DatagramSocket::close);
        }
        return Members.of(addresses);
    }

    @AfterEach
    void closeGroup()
    {
        for (final Messaging node : nodes)
        {
            if (null != node)
            {
                node.close();
            }
        }
        nodes = new Messaging[0];
    }

    @Test
    void everyLinkComesUpOnceAndCarriesMessagesBothWays()
    {
        final int size = 5;
        startGroup(size);
        awaitAllUp();
        for (int id = 1; id <= size; id++)
        {
            for (int peer = 1; peer <= size; peer++)
            {
                assertEquals(peer != id, node(id).isConnected(peer), "member " + id + " connected to " + peer);
            }
        }

        final int perLink = 200;
        final long[][] sent = new long[size + 1][size + 1];
        final long[][] received = new long[size + 1][size + 1];
        final TestMessages writer = new TestMessages(node(1).maxMessageLength());
        awaitUntil("every member to receive " + perLink + " messages from every other", () ->
        {
            boolean done = true;
            for (int from = 1; from <= size; from++)
            {
                for (int to = 1; to <= size; to++)
                {
                    if (from != to && sent[from][to] < perLink && acceptedOrBackPressured(
                        node(from).send(to, writer.buffer, 0, writer.message(from, sent[from][to]))))
                    {
                        sent[from][to]++;
                    }
                }
            }
            for (int to = 1; to <= size; to++)
            {
                final int receiverId = to;
                node(to).poll((fromMemberId, buffer, offset, length) ->
                {
                    assertMessage(fromMemberId, received[fromMemberId][receiverId], buffer, offset, length);
                    received[fromMemberId][receiverId]++;
                }, 64);
                for (int from = 1; from <= size; from++)
                {
                    done &= from == to || received[from][to] == perLink;
                }
            }
            return done;
        });

        drivePolling(200);
        for (int id = 1; id <= size; id++)
        {
            final List<String> expected = new ArrayList<>();
            for (int peer = 1; peer <= size; peer++)
            {
                if (peer != id)
                {
                    expected.add("up:" + peer);
                }
            }
            final List<String> actual = new ArrayList<>(peerEvents.get(id));
            actual.sort(null);
            assertEquals(expected, actual, "member " + id + " peer events, each link up exactly once");
        }
    }

    @Test
    void messagesFromTwoSendersArriveInOrderPerSenderWithoutLoss()
    {
        startGroup(3);
        awaitAllUp();
        final int count = 10_000;
        final long[] sent = new long[4];
        final long[] received = new long[4];
        final TestMessages writer = new TestMessages(node(1).maxMessageLength());
        awaitUntil(count + " messages from each of members 2 and 3 at member 1", () ->
        {
            for (int from = 2; from <= 3; from++)
            {
                // A burst per sender per cycle, so the two interleave at the receiver.
                for (int burst = 0; burst < 64 && sent[from] < count; burst++)
                {
                    final int length = writer.message(from, sent[from]);
                    if (!acceptedOrBackPressured(node(from).send(1, writer.buffer, 0, length)))
                    {
                        break;
                    }
                    sent[from]++;
                }
            }
            node(1).poll((fromMemberId, buffer, offset, length) ->
            {
                assertMessage(fromMemberId, received[fromMemberId], buffer, offset, length);
                received[fromMemberId]++;
            }, 256);
            return received[2] == count && received[3] == count;
        });
        assertEquals(0, received[1]);
    }

    @Test
    void backPressureIsSurfacedAndAcceptedMessagesAllArrive()
    {
        startGroup(2);
        awaitAllUp();
        final Messaging sender = node(2);
        final Messaging receiver = node(1);
        final TestMessages writer = new TestMessages(sender.maxMessageLength());
        final long[] accepted = new long[1];
        final boolean[] backPressured = new boolean[1];
        // The receiver never polls: the link fills, and the sender must be told so rather than lose messages.
        awaitUntil("the sender to see BACK_PRESSURED", () ->
        {
            for (int burst = 0; burst < 256; burst++)
            {
                final long result = sender.send(1, writer.buffer, 0, writer.message(2, accepted[0], 1024));
                if (result == Messaging.BACK_PRESSURED)
                {
                    backPressured[0] = true;
                    return true;
                }
                assertTrue(result >= 0, () -> "send to a live peer: " + Messaging.describe(result));
                accepted[0]++;
            }
            return false;
        });
        assertTrue(backPressured[0]);
        assertTrue(accepted[0] > 0, "the link accepted something before it filled");

        final long[] received = new long[1];
        awaitUntil("all " + accepted[0] + " accepted messages at the receiver", () ->
        {
            receiver.poll((fromMemberId, buffer, offset, length) ->
            {
                assertMessage(fromMemberId, received[0], buffer, offset, length);
                received[0]++;
            }, 256);
            return received[0] == accepted[0];
        });
        awaitUntil("the drained link to accept again", () ->
            acceptedOrBackPressured(sender.send(1, writer.buffer, 0, writer.message(2, accepted[0], 1024))));
        awaitUntil("the message sent after draining", () ->
        {
            receiver.poll((fromMemberId, buffer, offset, length) ->
            {
                assertMessage(fromMemberId, received[0], buffer, offset, length);
                received[0]++;
            }, 16);
            return received[0] == accepted[0] + 1;
        });
    }

    @Test
    void notConnectedUntilThePeerExists()
    {
        prepareGroup(2);
        nodes = new Messaging[2];
        peerEvents = newEventLogs(2);
        nodes[0] = start(1);
        final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
        assertEquals(Messaging.NOT_CONNECTED, node(1).send(2, message, 0, 8));
        assertFalse(node(1).isConnected(2));
        drivePolling(100);
        assertEquals(Messaging.NOT_CONNECTED, node(1).send(2, message, 0, 8), "still nobody at member 2");
        assertEquals(List.of(), peerEvents.get(1));

        nodes[1] = start(2);
        awaitAllUp();
        assertTrue(node(1).isConnected(2));
        awaitMessage(1, 2);
    }

    @Test
    void unknownMembersAndTheLocalMemberAreRejected()
    {
        startGroup(2);
        final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
        for (final int memberId : new int[] {0, -1, 3, 99, Integer.MAX_VALUE, 1})
        {
            assertEquals(Messaging.UNKNOWN_MEMBER, node(1).send(memberId, message, 0, 8), "member " + memberId);
            assertFalse(node(1).isConnected(memberId), "member " + memberId);
        }
    }

    @Test
    void messagesLongerThanTheMaximumAreRejectedAndTheMaximumArrivesWhole()
    {
        startGroup(2);
        awaitAllUp();
        final int max = node(1).maxMessageLength();
        assertTrue(max > 0);
        assertEquals(max, node(2).maxMessageLength(), "members with the same settings agree");
        final TestMessages writer = new TestMessages(max + 1);
        assertEquals(Messaging.MESSAGE_TOO_LARGE, node(1).send(2, writer.buffer, 0, max + 1));

        awaitUntil("a message of the maximum length to be accepted", () ->
            acceptedOrBackPressured(node(1).send(2, writer.buffer, 0, writer.message(1, 0, max))));
        final int[] lengths = new int[1];
        awaitUntil("the message of the maximum length", () ->
        {
            node(2).poll((fromMemberId, buffer, offset, length) ->
            {
                assertMessage(fromMemberId, 0, buffer, offset, length);
                lengths[0] = length;
            }, 1);
            return lengths[0] != 0;
        });
        assertEquals(max, lengths[0]);
    }

    @Test
    void aClosedMemberRefusesEverything()
    {
        startGroup(2);
        awaitAllUp();
        node(1).close();
        final UnsafeBuffer message = new UnsafeBuffer(new byte[8]);
        assertEquals(Messaging.CLOSED, node(1).send(2, message, 0, 8));
        assertFalse(node(1).isConnected(2));
        assertEquals(0, node(1).poll((fromMemberId, buffer, offset, length) -> fail("closed"), 10));
        node(1).close();
    }

    @Test
    void aClosedPeerGoesDownAndComesBackUpWhenRestarted()
    {
        startGroup(3);
        awaitAllUp();
        stop(3);
        awaitUntil("members 1 and 2 to see member 3 down", () ->
            peerEvents.get(1).contains("down:3") && peerEvents.get(2).contains("down:3"));

        peerEvents.set(3, new ArrayList<>());
        nodes[2] = start(3);
        awaitUntil("member 3 back up everywhere", () ->
            peerEvents.get(1).lastIndexOf("up:3") > peerEvents.get(1).indexOf("down:3") &&
            peerEvents.get(2).lastIndexOf("up:3") > peerEvents.get(2).indexOf("down:3") &&
            peerEvents.get(3).containsAll(List.of("up:1", "up:2")));
        awaitMessage(3, 1);
        awaitMessage(1, 3);

        drivePolling(100);
        for (int id = 1; id <= 2; id++)
        {
            assertEquals(List.of("up:3", "down:3", "up:3"), eventsAbout(id, 3), "member " + id + " about 3");
        }
    }

    /** Starts members 1..size. */
    protected final void startGroup(final int size)
    {
        prepareGroup(size);
        nodes = new Messaging[size];
        peerEvents = newEventLogs(size);
        for (int id = 1; id <= size; id++)
        {
            nodes[id - 1] = start(id);
        }
    }

    protected final Messaging node(final int memberId)
    {
        return nodes[memberId - 1];
    }

    /** Closes a member as a crash would look to its peers: at once, with no goodbye beyond what close does. */
    protected final void stop(final int memberId)
    {
        nodes[memberId - 1].close();
        nodes[memberId - 1] = null;
    }

    /** Drives the group, recording peer events, until the condition holds; fails at the deadline. */
    protected final void awaitUntil(final String what, final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (true)
        {
            drive(nodes);
            recordPeerEvents();
            if (condition.getAsBoolean())
            {
                return;
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("timed out waiting for " + what + "; peer events: " + peerEvents);
            }
            // The binding's own threads (drivers, agents) need the cores as much as this loop does.
            Thread.yield();
        }
    }

    /** Waits until every member's latest event about every other member is "up". */
    private void awaitAllUp()
    {
        awaitUntil("every member to see every other up", () ->
        {
            for (int id = 1; id <= nodes.length; id++)
            {
                for (int peer = 1; peer <= nodes.length; peer++)
                {
                    final List<String> about = eventsAbout(id, peer);
                    if (peer != id && (about.isEmpty() || !about.get(about.size() - 1).equals("up:" + peer)))
                    {
                        return false;
                    }
                }
            }
            return true;
        });
    }

    private void awaitMessage(final int from, final int to)
    {
        final TestMessages writer = new TestMessages(64);
        awaitUntil("member " + from + " to accept a message to " + to, () ->
            acceptedOrBackPressured(node(from).send(to, writer.buffer, 0, writer.message(from, 0))));
        final boolean[] arrived = new boolean[1];
        awaitUntil("member " + to + " to receive from " + from, () ->
        {
            node(to).poll((fromMemberId, buffer, offset, length) ->
            {
                assertMessage(fromMemberId, 0, buffer, offset, length);
                arrived[0] |= fromMemberId == from;
            }, 16);
            return arrived[0];
        });
    }

    /** Drives a fixed number of cycles (not a wait: nothing is expected to happen), recording peer events. */
    private void drivePolling(final int cycles)
    {
        for (int i = 0; i < cycles; i++)
        {
            drive(nodes);
            recordPeerEvents();
            Thread.yield();
        }
    }

    private void recordPeerEvents()
    {
        for (int id = 1; id <= nodes.length; id++)
        {
            final Messaging node = nodes[id - 1];
            final List<String> log = peerEvents.get(id);
            if (null != node)
            {
                node.pollPeerEvents(new PeerEventHandler()
                {
                    @Override
                    public void onPeerUp(final int memberId)
                    {
                        log.add("up:" + memberId);
                    }

                    @Override
                    public void onPeerDown(final int memberId)
                    {
                        log.add("down:" + memberId);
                    }
                }, 100);
            }
        }
    }

    private List<String> eventsAbout(final int memberId, final int peer)
    {
        final List<String> about = new ArrayList<>();
        for (final String event : peerEvents.get(memberId))
        {
            if (event.endsWith(":" + peer))
            {
                about.add(event);
            }
        }
        return about;
    }

    private static List<List<String>> newEventLogs(final int size)
    {
        final List<List<String>> logs = new ArrayList<>();
        for (int id = 0; id <= size; id++)
        {
            logs.add(new ArrayList<>());
        }
        return logs;
    }

    /** True if the send went through, false if back-pressured; anything else fails the test. */
    private static boolean acceptedOrBackPressured(final long result)
    {
        if (result == Messaging.BACK_PRESSURED)
        {
            return false;
        }
        assertTrue(result >= 0, () -> "send: " + Messaging.describe(result));
        return true;
    }

    /** Checks a message written by {@link TestMessages#message}: sender, sequence, length, contents. */
    private static void assertMessage(
        final int fromMemberId,
        final long expectedSequence,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        assertTrue(length >= TestMessages.HEADER_LENGTH, () -> "short message: " + length);
        assertEquals(fromMemberId, buffer.getInt(offset + TestMessages.SENDER_OFFSET), "sender");
        assertEquals(expectedSequence, buffer.getLong(offset + TestMessages.SEQUENCE_OFFSET),
            () -> "sequence from member " + fromMemberId);
        assertEquals(length, buffer.getInt(offset + TestMessages.LENGTH_OFFSET), "length");
        for (int i = TestMessages.HEADER_LENGTH; i < length; i++)
        {
            if (buffer.getByte(offset + i) != TestMessages.fill(expectedSequence, i))
            {
                fail("message " + expectedSequence + " from member " + fromMemberId + " corrupt at byte " + i);
            }
        }
    }

    /** Writes numbered test messages of varied lengths (some of the maximum) that can be checked byte by byte. */
    private static final class TestMessages
    {
        static final int SENDER_OFFSET = 0;
        static final int LENGTH_OFFSET = 4;
        static final int SEQUENCE_OFFSET = 8;
        static final int HEADER_LENGTH = 16;

        final UnsafeBuffer buffer;
        final int maxLength;

        TestMessages(final int maxLength)
        {
            this.maxLength = maxLength;
            buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(Math.max(maxLength, HEADER_LENGTH)));
        }

        /** Lengths vary with the sequence; every 1000th message is as long as allowed, to cross fragment limits. */
        int message(final int sender, final long sequence)
        {
            final int length = sequence % 1000 == 999 ? maxLength : HEADER_LENGTH + (int)(sequence % 97);
            return message(sender, sequence, Math.min(length, maxLength));
        }

        int message(final int sender, final long sequence, final int length)
        {
            buffer.putInt(SENDER_OFFSET, sender);
            buffer.putInt(LENGTH_OFFSET, length);
            buffer.putLong(SEQUENCE_OFFSET, sequence);
            for (int i = HEADER_LENGTH; i < length; i++)
            {
                buffer.putByte(i, fill(sequence, i));
            }
            return length;
        }

        static byte fill(final long sequence, final int index)
        {
            return (byte)(sequence * 31 + index);
        }
    }
}
