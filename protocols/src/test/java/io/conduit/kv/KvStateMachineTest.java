package io.conduit.kv;

import java.nio.charset.StandardCharsets;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static io.conduit.kv.KvOperation.cas;
import static io.conduit.kv.KvOperation.delete;
import static io.conduit.kv.KvOperation.get;
import static io.conduit.kv.KvOperation.put;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Spec tests for the store's operations, client sessions (exactly once), invariants and local reads. */
class KvStateMachineTest
{
    private final KvHarness kv = new KvHarness();

    @Test
    void putThenGetAnswersTheValueAndEchoesTheSessionAndIndex()
    {
        final KvHarness.Reply ok = kv.apply(7, 1, put("x", "1"));
        assertEquals("ok", ok.line());
        assertEquals(7, ok.clientId());
        assertEquals(1, ok.sequence());
        assertEquals(1, ok.index());

        final KvHarness.Reply value = kv.apply(7, 2, get("x"));
        assertEquals("value 1", value.line());
        assertEquals(2, value.index());
        assertEquals("missing", kv.apply(7, 3, get("y")).line());
    }

    @Test
    void putOverwrites()
    {
        kv.apply(1, 1, put("x", "1"));
        kv.apply(1, 2, put("x", "2"));
        assertArrayEquals(bytes("2"), kv.machine.read(bytes("x")));
    }

    @Test
    void casSucceedsOnlyWhenTheCurrentValueIsExpected()
    {
        kv.apply(1, 1, put("x", "a"));
        assertEquals("fail", kv.apply(1, 2, cas("x", "b", "c")).line());
        assertArrayEquals(bytes("a"), kv.machine.read(bytes("x")));

        assertEquals("ok", kv.apply(1, 3, cas("x", "a", "c")).line());
        assertArrayEquals(bytes("c"), kv.machine.read(bytes("x")));
    }

    @Test
    void casOnAnAbsentKeyFailsAndCreatesNothing()
    {
        assertEquals("fail", kv.apply(1, 1, cas("x", "a", "b")).line());
        assertNull(kv.machine.read(bytes("x")));
        assertEquals(0, kv.machine.entryCount());
    }

    @Test
    void deleteRemovesAndIsOkWhetherOrNotTheKeyExisted()
    {
        kv.apply(1, 1, put("x", "1"));
        assertEquals("ok", kv.apply(1, 2, delete("x")).line());
        assertEquals("missing", kv.apply(1, 3, get("x")).line());
        assertEquals("ok", kv.apply(1, 4, delete("x")).line());
        assertEquals(0, kv.machine.entryCount());
    }

    @Test
    void aRetryAfterALeaderChangeGetsTheCachedResponseAndIsNotAppliedAgain()
    {
        // Raft dissertation §6.3: client 1's put committed at index 1, its reply was lost, client 2 wrote after it,
        // and the new leader re-proposes client 1's retry at index 3.
        final KvHarness.Reply first = kv.apply(1, 1, put("x", "1"));
        kv.apply(2, 1, put("x", "2"));
        kv.term = 2;
        final KvHarness.Reply retry = kv.apply(1, 1, put("x", "1"));

        assertArrayEquals(first.raw(), retry.raw(), "byte-for-byte the first response, index 1 included");
        assertEquals(1, retry.index());
        assertArrayEquals(bytes("2"), kv.machine.read(bytes("x")), "the retry must not overwrite client 2's write");
    }

    @Test
    void aRetriedCasReturnsItsOriginalOkWhereReexecutionWouldFail()
    {
        kv.apply(1, 1, put("x", "a"));
        final KvHarness.Reply first = kv.apply(1, 2, cas("x", "a", "b"));
        final KvHarness.Reply retry = kv.apply(1, 2, cas("x", "a", "b"));
        assertEquals("ok", retry.line());
        assertArrayEquals(first.raw(), retry.raw());
        assertArrayEquals(bytes("b"), kv.machine.read(bytes("x")));
    }

    @Test
    void aStaleSequenceIsAnErrorAndNotApplied()
    {
        kv.apply(1, 5, put("x", "new"));
        final KvHarness.Reply stale = kv.apply(1, 4, put("x", "old"));
        assertEquals(KvStatus.ERROR, stale.status());
        assertTrue(stale.line().startsWith("error stale sequence"), stale.line());
        assertArrayEquals(bytes("new"), kv.machine.read(bytes("x")));

        // The error replaced nothing: a retry of 5 still gets the stored response.
        assertEquals(KvStatus.OK, kv.apply(1, 5, put("x", "other")).status());
        assertArrayEquals(bytes("new"), kv.machine.read(bytes("x")));
    }

    @Test
    void sessionsAreIndependentPerClient()
    {
        kv.apply(1, 1, put("a", "1"));
        kv.apply(2, 1, put("b", "1"));
        assertEquals(2, kv.machine.sessionCount());
        assertArrayEquals(bytes("1"), kv.machine.read(bytes("b")), "client 2's sequence 1 is not client 1's retry");
    }

    @Test
    void theLeastRecentlyUsedSessionIsForgottenBeyondTheCap()
    {
        final KvHarness capped = new KvHarness(KvConfig.DEFAULT.withSessions(2, 1_000));
        capped.apply(1, 1, put("x", "1"));
        capped.apply(2, 1, put("y", "1"));
        capped.apply(1, 2, get("x"));
        capped.apply(3, 1, put("z", "1"));

        assertFalse(capped.machine.hasSession(2), "client 2 was least recently used");
        assertTrue(capped.machine.hasSession(1));
        assertTrue(capped.machine.hasSession(3));
    }

    @Test
    void aSessionUnusedForTheExpiryWindowIsForgottenAndItsRetryAppliesAgain()
    {
        // The documented limit of the exactly-once window: a retry later than the window is a new request.
        final KvHarness expiring = new KvHarness(KvConfig.DEFAULT.withSessions(100, 3));
        expiring.apply(1, 1, cas("n", "a", "b"));
        expiring.apply(2, 1, put("n", "a"));
        expiring.apply(2, 2, get("n"));
        assertTrue(expiring.machine.hasSession(1), "two entries since its use: still inside the window");
        expiring.apply(2, 3, get("n"));
        assertFalse(expiring.machine.hasSession(1), "three entries since its use: forgotten");

        assertEquals("ok", expiring.apply(1, 1, cas("n", "a", "b")).line(), "re-executed, not the cached fail");
    }

    @Test
    void applyingAnIndexNotAboveTheAppliedIndexIsAnInvariantViolation()
    {
        kv.apply(1, 1, put("x", "1"));
        final UnsafeBuffer again = KvHarness.command(1, 0, 1, 2, put("x", "2"));
        assertThrows(IllegalStateException.class, () -> kv.applyRaw(1, 1, again));
        assertThrows(IllegalStateException.class, () -> kv.applyRaw(0, 1, again));
        assertEquals(1, kv.machine.appliedIndex());
        assertArrayEquals(bytes("1"), kv.machine.read(bytes("x")));
    }

    @Test
    void aDecreasingTermIsAnInvariantViolation()
    {
        kv.term = 3;
        kv.apply(1, 1, put("x", "1"));
        assertThrows(IllegalStateException.class, () -> kv.applyRaw(2, 2, KvHarness.command(2, 0, 1, 2, get("x"))));
    }

    @Test
    void anEmptyEntryIsTheLeadersNoopAndOnlyAdvancesTheIndex()
    {
        final UnsafeBuffer out = new UnsafeBuffer(new byte[kv.machine.responseCapacity()]);
        assertEquals(0, kv.machine.apply(1, 1, new UnsafeBuffer(new byte[0]), 0, 0, out, 0));
        assertEquals(1, kv.machine.appliedIndex());
        assertEquals(1, kv.machine.appliedTerm());
        assertEquals(0, kv.machine.sessionCount());
    }

    @Test
    void aMalformedCommandIsAnErrorEverywhereAndChangesNothingButTheIndex()
    {
        final UnsafeBuffer command = KvHarness.command(1, 0, 9, 1, put("x", "1"));
        command.putByte(KvCommandFlyweight.HEADER_LENGTH + KvRequestFlyweight.OP_OFFSET, (byte)99);
        final KvHarness.Reply reply = kv.applyRaw(1, 1, command);

        assertEquals("error malformed command: unknown operation", reply.line());
        assertEquals(9, reply.clientId(), "the client can still be told");
        assertEquals(1, kv.machine.appliedIndex());
        assertEquals(0, kv.machine.entryCount());
        assertFalse(kv.machine.hasSession(9));
    }

    @Test
    void aCommandStampedWithAnotherTermIsRefused()
    {
        final KvHarness.Reply reply = kv.applyRaw(1, 2, KvHarness.command(1, 0, 9, 1, put("x", "1")));
        assertEquals("error stamped term 1 does not match entry term 2", reply.line());
        assertEquals(0, kv.machine.entryCount());
        assertFalse(kv.machine.hasSession(9));
    }

    @Test
    void aSequentialReadOnAReplicaBehindTheClientsIndexIsRetriedNeverServedStale()
    {
        kv.apply(1, 1, put("x", "1"));
        kv.apply(1, 2, put("x", "2"));

        final KvHarness.Reply behind = localRead(Consistency.SEQUENTIAL, 3, 0);
        assertEquals(KvStatus.RETRY, behind.status());
        assertEquals(2, behind.index(), "tells the client how far this replica is");

        final KvHarness.Reply served = localRead(Consistency.SEQUENTIAL, 2, 0);
        assertEquals("value 2", served.line());
        assertEquals(2, served.index());
    }

    @Test
    void anEventualReadIgnoresTheClientsIndex()
    {
        kv.apply(1, 1, put("x", "1"));
        assertEquals("value 1", localRead(Consistency.EVENTUAL, 50, 0).line());
    }

    @Test
    void aLinearizableReadWaitsForTheReadIndex()
    {
        kv.apply(1, 1, put("x", "1"));
        assertEquals(KvStatus.RETRY, localRead(Consistency.LINEARIZABLE, 0, 2).status());
        kv.apply(1, 2, put("x", "2"));
        assertEquals("value 2", localRead(Consistency.LINEARIZABLE, 0, 2).line());
    }

    @Test
    void onlyGetIsServedOutsideTheLog()
    {
        final UnsafeBuffer request = new UnsafeBuffer(new byte[64]);
        final int length = KvRequestFlyweight.encode(request, 0, 1, 1, Consistency.EVENTUAL, 0, put("x", "1"));
        final KvRequestFlyweight flyweight = new KvRequestFlyweight().wrap(request, 0, length);
        final UnsafeBuffer out = new UnsafeBuffer(new byte[kv.machine.responseCapacity()]);
        assertEquals(KvStatus.ERROR, KvHarness.decode(out, kv.machine.read(flyweight, 0, out, 0)).status());
        assertEquals(0, kv.machine.entryCount());
    }

    @Test
    void localReadReturnsACopy()
    {
        kv.apply(1, 1, put("x", "1"));
        kv.machine.read(bytes("x"))[0] = 'z';
        assertArrayEquals(bytes("1"), kv.machine.read(bytes("x")));
    }

    private KvHarness.Reply localRead(final Consistency consistency, final long minIndex, final long readIndex)
    {
        final UnsafeBuffer request = new UnsafeBuffer(new byte[64]);
        final int length = KvRequestFlyweight.encode(request, 0, 5, 1, consistency, minIndex, get("x"));
        final KvRequestFlyweight flyweight = new KvRequestFlyweight().wrap(request, 0, length);
        assertEquals(length, flyweight.validate(KvConfig.DEFAULT));
        final UnsafeBuffer out = new UnsafeBuffer(new byte[kv.machine.responseCapacity()]);
        return KvHarness.decode(out, kv.machine.read(flyweight, readIndex, out, 0));
    }

    static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
