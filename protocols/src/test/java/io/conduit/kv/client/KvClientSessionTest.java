package io.conduit.kv.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.conduit.kv.Consistency;
import io.conduit.kv.KvCodecError;
import io.conduit.kv.KvConfig;
import io.conduit.kv.KvOperation;
import io.conduit.kv.KvRequestFlyweight;
import io.conduit.kv.KvResponseFlyweight;
import io.conduit.kv.KvStatus;
import io.conduit.kv.KvTextProtocol;
import io.conduit.kv.client.KvClientSession.State;

/** The client session on its own: retries, redirects, deadlines, minIndex; time is a plain number here. */
class KvClientSessionTest
{
    private static final long MS = 1_000_000L;
    private static final long TIMEOUT_NS = 5_000 * MS;
    private static final KvClientConfig CONFIG = new KvClientConfig()
        .attemptTimeoutNs(100 * MS).retryBackoffNs(10 * MS).nodeBackoffNs(500 * MS);

    private final UnsafeBuffer reply = new UnsafeBuffer(new byte[KvResponseFlyweight.maxLength(KvConfig.DEFAULT)]);
    private long now = 1_000 * MS;

    @Test
    void theClientIdIsTheGeneratorsFirstNonZeroNumber()
    {
        final long[] numbers = {0, 0, 42};
        final RandomGenerator generator = new RandomGenerator()
        {
            private int next;

            @Override
            public long nextLong()
            {
                return numbers[next++];
            }
        };
        assertEquals(42, new KvClientSession(1, Consistency.LINEARIZABLE, CONFIG, generator).clientId());
    }

    @Test
    void aRetryAfterALostLinkKeepsTheSequenceAndTheBytesAndTheNextCommandTakesTheNextSequence()
    {
        final KvClientSession session = session(3, Consistency.LINEARIZABLE);
        session.start(now, KvOperation.put("k", "v"), TIMEOUT_NS);
        assertEquals(State.READY_TO_SEND, session.state());
        assertEquals(1, session.sequence());
        final int first = session.targetNode();
        final byte[] sent = requestBytes(session);
        session.onSent(now, first);

        session.onNodeUnavailable(now, first);

        assertEquals(State.READY_TO_SEND, session.state());
        assertTrue(session.targetNode() != first, "another node");
        assertArrayEquals(sent, requestBytes(session), "the same request, byte for byte");
        assertEquals(1, request(session).sequence());
        final int second = session.targetNode();
        session.onSent(now, second);
        assertTrue(session.onResponse(now, second, reply, 0, ok(session, 1, 7)));
        assertEquals(State.COMPLETED, session.state());
        assertEquals(KvStatus.OK, session.response().status());
        assertEquals(2, session.attempts());

        session.start(now, KvOperation.get("k"), TIMEOUT_NS);
        assertEquals(2, session.sequence());
        assertEquals(2, request(session).sequence());
        assertEquals(second, session.targetNode(), "the node that applied a write leads");
    }

    @Test
    void notLeaderWithAHintGoesStraightToTheHintedMember()
    {
        final KvClientSession session = session(3, Consistency.LINEARIZABLE);
        identifyAll(session);
        session.start(now, KvOperation.put("k", "v"), TIMEOUT_NS);
        final int asked = session.targetNode();
        session.onSent(now, asked);
        final int hintedNode = (asked + 2) % 3;

        session.onResponse(now, asked, reply, 0,
            KvResponseFlyweight.encodeNotLeader(reply, 0, session.clientId(), 1, hintedNode + 1));

        assertEquals(State.READY_TO_SEND, session.state());
        assertEquals(hintedNode, session.targetNode());
        assertEquals(hintedNode, session.leaderNode());
    }

    @Test
    void aHintToAMemberNotYetIdentifiedIsFollowedOnceItsNodeNamesItself()
    {
        final KvClientSession session = session(3, Consistency.LINEARIZABLE);
        session.start(now, KvOperation.delete("k"), TIMEOUT_NS);
        session.onSent(now, 0);
        session.onResponse(now, 0, reply, 0, KvResponseFlyweight.encodeNotLeader(reply, 0, session.clientId(), 1, 9));
        assertEquals(1, session.targetNode(), "member 9 unknown: next in turn");
        assertEquals(-1, session.leaderNode());

        session.onNodeIdentified(2, 9);
        assertEquals(2, session.leaderNode());
        session.onSent(now, 1);
        session.onResponse(now, 1, reply, 0, KvResponseFlyweight.encodeNotLeader(reply, 0, session.clientId(), 1, 9));
        assertEquals(2, session.targetNode());
    }

    @Test
    void aHintToAnUnknownMemberIsLookedForAmongTheNodesThatHaveNotNamedThemselves()
    {
        final KvClientSession session = session(3, Consistency.LINEARIZABLE);
        session.onNodeIdentified(0, 1);
        session.onNodeIdentified(1, 2);
        session.start(now, KvOperation.put("k", "v"), TIMEOUT_NS);
        session.onSent(now, session.targetNode());
        final int asked = session.targetNode();

        session.onResponse(now, asked, reply, 0,
            KvResponseFlyweight.encodeNotLeader(reply, 0, session.clientId(), 1, 3));

        assertEquals(2, session.targetNode(), "member 3 can only be the node that has not named itself");
    }

    @Test
    void theDeadlineEndsACommandAsTimedOutAndALateAnswerIsIgnored()
    {
        final KvClientSession session = session(1, Consistency.LINEARIZABLE);
        session.start(now, KvOperation.put("k", "v"), 300 * MS);
        session.onSent(now, 0);
        final long deadline = now + 300 * MS;
        int guard = 0;
        while (session.isBusy() && guard++ < 1_000)
        {
            now = Math.max(now + 1, session.nextDeadlineNs());
            session.onTimer(now);
            if (session.state() == State.READY_TO_SEND)
            {
                session.onSent(now, session.targetNode());
            }
        }
        assertEquals(State.TIMED_OUT, session.state());
        assertTrue(now - deadline >= 0 && now - deadline < 10 * MS, "ends at the deadline");
        assertTrue(session.attempts() > 1, "attempts were retried before the deadline");
        assertFalse(session.onResponse(now, 0, reply, 0, ok(session, 1, 3)));
        assertEquals(State.TIMED_OUT, session.state());
        assertThrows(IllegalStateException.class, session::response);
    }

    @Test
    void retryWaitsTheBackoffThenResendsTheSameSequence()
    {
        final KvClientSession session = session(1, Consistency.SEQUENTIAL);
        session.start(now, KvOperation.get("k"), TIMEOUT_NS);
        session.onSent(now, 0);
        session.onResponse(now, 0, reply, 0,
            KvResponseFlyweight.encode(reply, 0, session.clientId(), 1, KvStatus.RETRY, 3));
        assertEquals(State.BACKING_OFF, session.state());
        assertEquals(now + 10 * MS, session.nextDeadlineNs());

        session.onTimer(now + 10 * MS);
        assertEquals(State.READY_TO_SEND, session.state());
        assertEquals(1, request(session).sequence());
        assertEquals(0, session.minIndex(), "a RETRY's index is not an answer the client has seen");
    }

    @Test
    void sequentialMinIndexIsCarriedIntoEveryRequestAndNeverDecreases()
    {
        final KvClientSession session = session(3, Consistency.SEQUENTIAL);
        final long[] answerIndexes = {10, 4, 25, 25, 7};
        long expected = 0;
        for (final long index : answerIndexes)
        {
            session.start(now, KvOperation.get("k"), TIMEOUT_NS);
            assertEquals(expected, request(session).minIndex(), "the request carries the highest index seen");
            final int node = session.targetNode();
            session.onSent(now, node);
            session.onResponse(now, node, reply, 0,
                KvResponseFlyweight.encode(reply, 0, session.clientId(), session.sequence(), KvStatus.MISSING, index));
            expected = Math.max(expected, index);
            assertEquals(expected, session.minIndex());
        }
        session.start(now, KvOperation.put("k", "v"), TIMEOUT_NS);
        assertEquals(25, request(session).minIndex());
    }

    @Test
    void answersToOtherClientsOtherSequencesAndGarbageAreIgnored()
    {
        final KvClientSession session = session(2, Consistency.LINEARIZABLE);
        session.start(now, KvOperation.put("a", "1"), TIMEOUT_NS);
        session.onSent(now, 0);
        session.onResponse(now, 0, reply, 0, ok(session, 1, 1));
        session.start(now, KvOperation.put("a", "2"), TIMEOUT_NS);
        session.onSent(now, 0);

        assertFalse(session.onResponse(now, 0, reply, 0, ok(session, 1, 1)), "the previous sequence");
        assertFalse(session.onResponse(now, 0, reply, 0,
            KvResponseFlyweight.encode(reply, 0, session.clientId() + 1, 2, KvStatus.OK, 2)), "another client");
        reply.putByte(0, (byte)99);
        assertFalse(session.onResponse(now, 0, reply, 0, 48), "garbage");
        assertEquals(State.AWAITING_RESPONSE, session.state());
    }

    @Test
    void aSilentNodeIsSkippedAfterTheAttemptTimeoutAndTheSameRequestGoesToTheNext()
    {
        final KvClientSession session = session(3, Consistency.LINEARIZABLE);
        session.start(now, KvOperation.put("k", "v"), TIMEOUT_NS);
        session.onSent(now, 0);
        now = session.nextDeadlineNs();
        session.onTimer(now);
        assertEquals(1, session.targetNode());
        session.onSent(now, 1);
        session.onResponse(now, 1, reply, 0, KvResponseFlyweight.encodeNotLeader(reply, 0, session.clientId(), 1, 0));

        assertEquals(2, session.targetNode(), "node 0 is skipped while it backs off");
    }

    @Test
    void aFullRoundOfNotLeaderWithoutAHintBacksOffBeforeTheNextRound()
    {
        final KvClientSession session = session(3, Consistency.LINEARIZABLE);
        session.start(now, KvOperation.put("k", "v"), TIMEOUT_NS);
        for (int i = 0; i < 3; i++)
        {
            final int node = session.targetNode();
            session.onSent(now, node);
            session.onResponse(now, node, reply, 0,
                KvResponseFlyweight.encodeNotLeader(reply, 0, session.clientId(), 1, 0));
        }
        assertEquals(State.BACKING_OFF, session.state());
        session.onTimer(session.nextDeadlineNs());
        assertEquals(State.READY_TO_SEND, session.state());
        assertEquals(1, session.transitionsInto(State.BACKING_OFF));
    }

    @Test
    void withEveryNodeDownItBacksOffThenTriesTheOneSkippedLongestAgo()
    {
        final KvClientSession session = session(2, Consistency.LINEARIZABLE);
        session.start(now, KvOperation.put("k", "v"), TIMEOUT_NS);
        assertEquals(0, session.targetNode());
        session.onNodeUnavailable(now, 0);
        assertEquals(1, session.targetNode());
        session.onNodeUnavailable(now + 5 * MS, 1);
        assertEquals(State.BACKING_OFF, session.state(), "a whole round failed");
        assertEquals(now + 15 * MS, session.nextDeadlineNs());
        session.onTimer(now + 15 * MS);
        assertEquals(0, session.targetNode(), "both skipped: node 0's skip ends first");
    }

    @Test
    void anEventualReadAnsweredByAFollowerDoesNotMakeItTheLeader()
    {
        final KvClientSession session = session(3, Consistency.EVENTUAL);
        session.start(now, KvOperation.get("k"), TIMEOUT_NS);
        session.onSent(now, 0);
        session.onResponse(now, 0, reply, 0,
            KvResponseFlyweight.encode(reply, 0, session.clientId(), 1, KvStatus.MISSING, 2));
        assertEquals(-1, session.leaderNode());
    }

    @Test
    void anOperationBeyondTheLimitsIsRefusedWithoutUsingASequence()
    {
        final KvClientSession session = session(1, Consistency.LINEARIZABLE);
        final String longKey = "k".repeat(KvConfig.DEFAULT.maxKeyLength() + 1);
        assertEquals(KvCodecError.TOO_LONG, session.start(now, KvOperation.put(longKey, "v"), TIMEOUT_NS));
        assertTrue(session.start(now, KvOperation.put("k", "white space"), TIMEOUT_NS) < 0);
        assertEquals(State.IDLE, session.state());
        assertEquals(0, session.sequence());
        assertTrue(session.start(now, KvOperation.put("k", "v"), TIMEOUT_NS) > 0);
        assertEquals(1, session.sequence());
        assertThrows(IllegalStateException.class, () -> session.start(now, KvOperation.get("k"), TIMEOUT_NS));
    }

    @Test
    void resultLinesMatchTheTextProtocolForEveryFinalStatus()
    {
        final byte[] value = "v1".getBytes(StandardCharsets.US_ASCII);
        final int[] lengths = {
            KvResponseFlyweight.encode(reply, 0, 1, 1, KvStatus.OK, 3),
            KvResponseFlyweight.encode(reply, 100, 1, 1, KvStatus.OK, 3, 3, 0, new byte[0]),
            KvResponseFlyweight.encode(reply, 200, 1, 1, KvStatus.VALUE, 3, 0, 0, value),
            KvResponseFlyweight.encode(reply, 300, 1, 1, KvStatus.MISSING, 3),
            KvResponseFlyweight.encode(reply, 400, 1, 1, KvStatus.FAIL, 3),
            KvResponseFlyweight.encode(reply, 500, 1, 1, KvStatus.HELD, 3, 0, 0, value),
            KvResponseFlyweight.encodeError(reply, 600, 1, 1, 3, "no such thing"),
        };
        final KvResponseFlyweight response = new KvResponseFlyweight();
        for (int i = 0; i < lengths.length; i++)
        {
            response.wrap(reply, i * 100, lengths[i]);
            assertTrue(response.validate(KvConfig.DEFAULT) > 0);
            assertEquals(KvTextProtocol.format(response), KvResult.of(response).line());
        }
        assertEquals("timeout", KvResult.timeout().line());
        assertEquals("error bad\tline", KvResult.error("bad\tline").line().replace('?', '\t'));
    }

    private KvClientSession session(final int nodes, final Consistency consistency)
    {
        return new KvClientSession(nodes, consistency, CONFIG, new SplittableRandom(1));
    }

    private static void identifyAll(final KvClientSession session)
    {
        for (int node = 0; node < session.nodeCount(); node++)
        {
            session.onNodeIdentified(node, node + 1);
        }
    }

    private int ok(final KvClientSession session, final long sequence, final long index)
    {
        return KvResponseFlyweight.encode(reply, 0, session.clientId(), sequence, KvStatus.OK, index);
    }

    private static byte[] requestBytes(final KvClientSession session)
    {
        final byte[] bytes = new byte[session.requestLength()];
        session.requestBuffer().getBytes(0, bytes);
        return bytes;
    }

    private static KvRequestFlyweight request(final KvClientSession session)
    {
        final KvRequestFlyweight request = new KvRequestFlyweight().wrap(session.requestBuffer(), 0,
            session.requestLength());
        assertTrue(request.validate(KvConfig.DEFAULT) > 0);
        return request;
    }
}
