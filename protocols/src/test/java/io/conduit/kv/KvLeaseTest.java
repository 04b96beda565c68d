package io.conduit.kv;

import org.junit.jupiter.api.Test;

import static io.conduit.kv.KvOperation.lease;
import static io.conduit.kv.KvOperation.put;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Leases with fencing tokens (design notes §9.2): expiry judged only by the leader times stamped into commands,
 * tokens that strictly increase, and no extension of an old term's grant by a new term.
 */
class KvLeaseTest
{
    private static final long TTL_MS = 10_000;
    private static final long TTL_NS = TTL_MS * 1_000_000L;

    private final KvHarness kv = new KvHarness();
    private long sequence;

    @Test
    void aFreeLeaseIsGrantedWithTheGrantIndexAsToken()
    {
        kv.apply(9, ++sequence, put("unrelated", "1"));
        final KvHarness.Reply grant = acquire("leader", "a");
        assertEquals(KvStatus.OK, grant.status());
        assertEquals(2, grant.token());
        assertEquals("ok 2", grant.line());
    }

    @Test
    void aLiveLeaseIsHeldAgainstAnotherHolder()
    {
        acquire("leader", "a");
        kv.nowNs += TTL_NS - 1;
        assertEquals("held a", acquire("leader", "b").line());
    }

    @Test
    void itExpiresExactlyAfterTheTtlOnTheStampedClockAndTheNextGrantHasAGreaterToken()
    {
        final long first = acquire("leader", "a").token();
        kv.nowNs += TTL_NS;
        final KvHarness.Reply second = acquire("leader", "b");
        assertEquals(KvStatus.OK, second.status());
        assertTrue(second.token() > first, "fencing tokens strictly increase");
    }

    @Test
    void onlyStampedTimeExpiresALeaseNotTheNumberOfEntriesApplied()
    {
        acquire("leader", "a");
        for (int i = 0; i < 1_000; i++)
        {
            kv.apply(9, ++sequence, put("k", "v" + i));
        }
        assertEquals("held a", acquire("leader", "b").line());
    }

    @Test
    void aRenewalBeforeExpiryKeepsTheTokenAndRestartsTheTtl()
    {
        final long token = acquire("leader", "a").token();
        kv.nowNs += TTL_NS - 1;
        assertEquals("ok " + token, acquire("leader", "a").line());
        kv.nowNs += TTL_NS - 1;
        assertEquals("held a", acquire("leader", "b").line(), "measured from the renewal, not the grant");
        kv.nowNs += 1;
        assertEquals(KvStatus.OK, acquire("leader", "b").status());
    }

    @Test
    void reacquiringAfterExpiryIsANewGrantWithANewToken()
    {
        final long token = acquire("leader", "a").token();
        kv.nowNs += TTL_NS;
        final long again = acquire("leader", "a").token();
        assertTrue(again > token);
    }

    @Test
    void tokensStrictlyIncreaseOverManyGrantsAndHolders()
    {
        long previous = 0;
        for (int i = 0; i < 50; i++)
        {
            final KvHarness.Reply grant = acquire("leader", "h" + (i % 3));
            assertEquals(KvStatus.OK, grant.status());
            assertTrue(grant.token() > previous);
            previous = grant.token();
            kv.nowNs += TTL_NS;
            if (i % 10 == 9)
            {
                // A new term: its first stamp starts the count for the old grant, a full ttl before the next.
                kv.term++;
                kv.apply(9, ++sequence, put("k", "v"));
                kv.nowNs += TTL_NS;
            }
        }
    }

    @Test
    void leasesOfDifferentNamesAreIndependentAndApartFromKeys()
    {
        acquire("one", "a");
        assertEquals(KvStatus.OK, acquire("two", "b").status());
        kv.apply(9, ++sequence, put("one", "x"));
        assertEquals("held a", acquire("one", "b").line());
        assertArrayEquals(KvStateMachineTest.bytes("x"), kv.machine.read(KvStateMachineTest.bytes("one")));
    }

    @Test
    void aRetriedLeaseRequestGetsItsOriginalTokenAndGrantsNothingNew()
    {
        final KvHarness.Reply first = kv.apply(1, 1, lease("leader", "a", TTL_MS));
        kv.nowNs += TTL_NS;
        final KvHarness.Reply retry = kv.apply(1, 1, lease("leader", "a", TTL_MS));
        assertArrayEquals(first.raw(), retry.raw());
        assertEquals(KvStatus.OK, acquire("leader", "b").status(), "the retry did not renew a's lease");
    }

    @Test
    void inANewTermAnOldGrantRunsOutAFullTtlAfterTheTermsFirstStampNeverLater()
    {
        acquire("leader", "a");
        // The new leader's clock reads something unrelated: far behind the old leader's.
        kv.term = 2;
        kv.nowNs = 5;
        assertEquals("ok", kv.apply(9, ++sequence, put("k", "first-command-of-term-2")).line());
        final long termStartNs = kv.nowNs;

        kv.nowNs = termStartNs + TTL_NS / 2;
        assertEquals("ok", kv.apply(9, ++sequence, put("k", "later-activity-moves-nothing")).line());
        kv.nowNs = termStartNs + TTL_NS - 1;
        assertEquals("held a", acquire("leader", "b").line());
        kv.nowNs = termStartNs + TTL_NS;
        assertEquals(KvStatus.OK, acquire("leader", "b").status());
    }

    @Test
    void anOldGrantIsNotTakenAsExpiredBecauseTheNewLeadersClockReadsFarAhead()
    {
        acquire("leader", "a");
        kv.term = 2;
        kv.nowNs = Long.MAX_VALUE / 2;
        assertEquals("held a", acquire("leader", "b").line(), "clocks of different leaders cannot be compared");
    }

    @Test
    void theOldHolderCannotCarryItsGrantIntoANewTermItGetsAFreshToken()
    {
        final long oldToken = acquire("leader", "a").token();
        kv.term = 2;
        kv.nowNs = 77;
        final KvHarness.Reply renewed = acquire("leader", "a");
        assertEquals(KvStatus.OK, renewed.status());
        assertNotEquals(oldToken, renewed.token(), "the old grant is not extended");
        assertTrue(renewed.token() > oldToken);

        // And the fresh grant is measured on the new leader's clock from its own stamp.
        kv.nowNs = 77 + TTL_NS - 1;
        assertEquals("held a", acquire("leader", "b").line());
        kv.nowNs = 77 + TTL_NS;
        assertEquals(KvStatus.OK, acquire("leader", "b").status());
    }

    @Test
    void twoReplicasApplyingTheSameLogAgreeOnEveryLeaseAnswer()
    {
        final KvHarness other = new KvHarness();
        for (int i = 0; i < 40; i++)
        {
            final String holder = "h" + (i % 4);
            final KvHarness.Reply here = kv.apply(i + 1, 1, lease("leader", holder, TTL_MS));
            final KvHarness.Reply there = other.apply(i + 1, 1, lease("leader", holder, TTL_MS));
            assertArrayEquals(here.raw(), there.raw());
            kv.nowNs += TTL_NS / 3;
            other.nowNs += TTL_NS / 3;
        }
    }

    private KvHarness.Reply acquire(final String name, final String holder)
    {
        return kv.apply(100, ++sequence, lease(name, holder, TTL_MS));
    }
}
