package io.conduit.transport.engine;

import org.junit.jupiter.api.Test;

import static io.conduit.transport.engine.TimeWaitTable.NOT_FOUND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TimeWaitTableTest
{
    private static final long DURATION_NS = 1_000;
    private static final long START_NS = 5_000;

    @Test
    void addedEntryIsFoundWithItsFields()
    {
        final TimeWaitTable table = new TimeWaitTable(4, DURATION_NS);

        table.add(START_NS, 11, 22, 0x0A00_0001_1F90L, 33, 44);

        final int slot = table.find(START_NS, 11);
        assertNotEquals(NOT_FOUND, slot);
        assertEquals(22, table.remoteConnectionId(slot));
        assertEquals(0x0A00_0001_1F90L, table.remoteKey(slot));
        assertEquals(33, table.sendSequence(slot));
        assertEquals(44, table.receiveSequence(slot));
        assertEquals(START_NS + DURATION_NS, table.expiresAtNs(slot));
        assertTrue(table.contains(START_NS, 11));
        assertEquals(1, table.size());
        assertEquals(4, table.capacity());
    }

    @Test
    void unknownAndExpiredIdsAreNotFound()
    {
        final TimeWaitTable table = new TimeWaitTable(4, DURATION_NS);
        table.add(START_NS, 11, 22, 1, 2, 3);

        assertEquals(NOT_FOUND, table.find(START_NS, 12));
        assertTrue(table.contains(START_NS + DURATION_NS - 1, 11), "last nanosecond of TIME-WAIT");
        assertEquals(NOT_FOUND, table.find(START_NS + DURATION_NS, 11), "due entry is not found before a sweep");
        assertFalse(table.contains(START_NS + DURATION_NS, 11));
        assertEquals(1, table.size(), "not removed until expire");
    }

    @Test
    void expireRemovesDueEntriesInInsertionOrder()
    {
        final TimeWaitTable table = new TimeWaitTable(8, DURATION_NS);
        assertEquals(Long.MAX_VALUE, table.nextExpiryNs());
        for (int i = 0; i < 5; i++)
        {
            table.add(START_NS + 10 * i, 100 + i, 0, 0, 0, 0);
        }

        assertEquals(START_NS + DURATION_NS, table.nextExpiryNs());
        assertEquals(0, table.expire(START_NS + DURATION_NS - 1));
        assertEquals(1, table.expire(START_NS + DURATION_NS));
        assertFalse(table.contains(START_NS + DURATION_NS, 100));
        assertEquals(START_NS + DURATION_NS + 10, table.nextExpiryNs());

        assertEquals(3, table.expire(START_NS + DURATION_NS + 35));
        assertEquals(1, table.size());
        assertTrue(table.contains(START_NS + DURATION_NS + 35, 104));
        assertEquals(START_NS + DURATION_NS + 40, table.nextExpiryNs());

        assertEquals(1, table.expire(Long.MAX_VALUE));
        assertEquals(0, table.size());
        assertEquals(Long.MAX_VALUE, table.nextExpiryNs());
        assertEquals(0, table.expire(Long.MAX_VALUE));
    }

    @Test
    void fullTableEvictsOldestFirstAndCountsEvictions()
    {
        final TimeWaitTable table = new TimeWaitTable(3, DURATION_NS);
        table.add(START_NS, 1, 0, 0, 0, 0);
        table.add(START_NS + 1, 2, 0, 0, 0, 0);
        table.add(START_NS + 2, 3, 0, 0, 0, 0);
        assertEquals(0, table.evictions());

        table.add(START_NS + 3, 4, 0, 0, 0, 0);
        assertEquals(1, table.evictions());
        assertEquals(3, table.size());
        assertFalse(table.contains(START_NS + 3, 1), "oldest evicted");
        assertTrue(table.contains(START_NS + 3, 2));
        assertTrue(table.contains(START_NS + 3, 4));

        table.add(START_NS + 4, 5, 0, 0, 0, 0);
        assertEquals(2, table.evictions());
        assertFalse(table.contains(START_NS + 4, 2), "next oldest evicted");
        assertTrue(table.contains(START_NS + 4, 3));
        assertEquals(START_NS + 2 + DURATION_NS, table.nextExpiryNs());
    }

    @Test
    void addExpiresDueEntriesInsteadOfEvictingThem()
    {
        final TimeWaitTable table = new TimeWaitTable(2, DURATION_NS);
        table.add(START_NS, 1, 0, 0, 0, 0);
        table.add(START_NS + 1, 2, 0, 0, 0, 0);

        table.add(START_NS + DURATION_NS, 3, 0, 0, 0, 0);

        assertEquals(0, table.evictions(), "entry 1 was due, so dropping it is expiry");
        assertEquals(2, table.size());
        assertTrue(table.contains(START_NS + DURATION_NS, 2));
        assertTrue(table.contains(START_NS + DURATION_NS, 3));
    }

    @Test
    void refreshingAnIdReplacesItsValuesAndMovesItToTheBack()
    {
        final TimeWaitTable table = new TimeWaitTable(3, DURATION_NS);
        table.add(START_NS, 1, 10, 100, 1_000, 10_000);
        table.add(START_NS + 1, 2, 20, 200, 2_000, 20_000);
        table.add(START_NS + 2, 3, 30, 300, 3_000, 30_000);

        table.add(START_NS + 3, 1, 11, 101, 1_001, 10_001);

        assertEquals(3, table.size());
        assertEquals(0, table.evictions(), "a refresh is not an eviction");
        final int slot = table.find(START_NS + 3, 1);
        assertEquals(11, table.remoteConnectionId(slot));
        assertEquals(101, table.remoteKey(slot));
        assertEquals(1_001, table.sendSequence(slot));
        assertEquals(10_001, table.receiveSequence(slot));
        assertEquals(START_NS + 3 + DURATION_NS, table.expiresAtNs(slot));
        assertEquals(START_NS + 1 + DURATION_NS, table.nextExpiryNs(), "entry 2 is now the oldest");

        table.add(START_NS + 4, 4, 40, 400, 4_000, 40_000);
        assertEquals(1, table.evictions());
        assertFalse(table.contains(START_NS + 4, 2), "oldest after the refresh is evicted");
        assertTrue(table.contains(START_NS + 4, 1));
        assertTrue(table.contains(START_NS + 4, 3));
        assertEquals(30, table.remoteConnectionId(table.find(START_NS + 4, 3)));
    }

    @Test
    void refreshNearEitherEndKeepsEveryOtherEntryAndTheExpiryOrder()
    {
        // The gap left by a refresh is closed from the shorter side; exercise both sides across the wrap point.
        final int capacity = 8;
        final TimeWaitTable table = new TimeWaitTable(capacity, DURATION_NS);
        long nowNs = START_NS;
        for (int id = 0; id < 11; id++)
        {
            table.add(nowNs++, id, id * 10, id * 100L, id * 1_000, id * 10_000);
        }
        // Holds ids 3..10, wrapped around the arrays. Refresh one near the head, then one near the tail.
        table.add(nowNs++, 4, 40, 400, 4_000, 40_000);
        table.add(nowNs++, 9, 90, 900, 9_000, 90_000);

        final int[] expectedExpiryOrder = {3, 5, 6, 7, 8, 10, 4, 9};
        assertEquals(capacity, table.size());
        for (final int id : expectedExpiryOrder)
        {
            final int slot = table.find(nowNs, id);
            assertNotEquals(NOT_FOUND, slot, "id " + id);
            assertEquals(id * 10, table.remoteConnectionId(slot));
            assertEquals(id * 100L, table.remoteKey(slot));
            assertEquals(id * 1_000, table.sendSequence(slot));
            assertEquals(id * 10_000, table.receiveSequence(slot));
        }
        for (final int id : expectedExpiryOrder)
        {
            final long expiresAtNs = table.nextExpiryNs();
            assertEquals(expiresAtNs, table.expiresAtNs(table.find(nowNs, id)), "id " + id + " expires next");
            assertEquals(1, table.expire(expiresAtNs));
            assertFalse(table.contains(expiresAtNs, id));
        }
        assertEquals(0, table.size());
    }

    @Test
    void millionAddsStayWithinCapacityAndAnswerForTheLatestIds()
    {
        final int capacity = 4_096;
        final int adds = 1_000_000;
        final TimeWaitTable table = new TimeWaitTable(capacity, Long.MAX_VALUE / 2);

        for (int i = 0; i < adds; i++)
        {
            table.add(i, connectionId(i), ~i, i * 3L, i, -i);
            if (table.size() > capacity)
            {
                throw new AssertionError("size " + table.size() + " after add " + i);
            }
        }

        assertEquals(capacity, table.size());
        assertEquals(adds - capacity, table.evictions());
        for (int i = adds - capacity; i < adds; i++)
        {
            final int slot = table.find(adds, connectionId(i));
            assertNotEquals(NOT_FOUND, slot, "add " + i);
            assertEquals(~i, table.remoteConnectionId(slot));
            assertEquals(i * 3L, table.remoteKey(slot));
            assertEquals(i, table.sendSequence(slot));
            assertEquals(-i, table.receiveSequence(slot));
        }
        for (int i = adds - 2 * capacity; i < adds - capacity; i++)
        {
            assertFalse(table.contains(adds, connectionId(i)), "evicted add " + i);
        }
    }

    @Test
    void addFindAndExpireDoNotAllocate()
    {
        final TimeWaitTable table = new TimeWaitTable(512, DURATION_NS);
        final long[] clock = {START_NS};
        final int[] idSequence = {0};
        final long[] foundCount = new long[1];

        final long allocatedBytes = Allocations.bytesAllocatedBy(() ->
        {
            for (int i = 0; i < 50_000; i++)
            {
                final long nowNs = clock[0]++;
                final int id = connectionId(idSequence[0]++);
                table.add(nowNs, id, i, i, i, i);
                if (table.contains(nowNs, id))
                {
                    foundCount[0]++;
                }
                // Re-add an id that may sit anywhere in the ring (or be gone), exercising the gap-closing moves.
                table.add(nowNs, connectionId(idSequence[0] - 1 - (i % 700)), i, i, i, i);
                table.expire(nowNs);
            }
        });

        assertEquals(0, allocatedBytes);
        assertEquals(100_000, foundCount[0]);
        assertTrue(table.evictions() > 0, "the run reached capacity");
    }

    @Test
    void slotAccessorsRejectSlotsWithoutEntries()
    {
        final TimeWaitTable table = new TimeWaitTable(4, DURATION_NS);
        table.add(START_NS, 1, 0, 0, 0, 0);
        final int slot = table.find(START_NS, 1);

        assertThrows(IllegalArgumentException.class, () -> table.remoteConnectionId(NOT_FOUND));
        assertThrows(IllegalArgumentException.class, () -> table.remoteKey(4));
        assertThrows(IllegalArgumentException.class, () -> table.sendSequence((slot + 1) % 4));
        table.expire(START_NS + DURATION_NS);
        assertThrows(IllegalArgumentException.class, () -> table.receiveSequence(slot));
        assertThrows(IllegalArgumentException.class, () -> table.expiresAtNs(slot));
    }

    @Test
    void addRejectsTimeMovingBackwards()
    {
        final TimeWaitTable table = new TimeWaitTable(4, DURATION_NS);
        table.add(START_NS, 1, 0, 0, 0, 0);
        table.add(START_NS, 2, 0, 0, 0, 0);

        assertThrows(IllegalArgumentException.class, () -> table.add(START_NS - 1, 3, 0, 0, 0, 0));
        assertFalse(table.contains(START_NS, 3));
    }

    @Test
    void constructorRejectsInvalidParameters()
    {
        assertThrows(IllegalArgumentException.class, () -> new TimeWaitTable(0, DURATION_NS));
        assertThrows(IllegalArgumentException.class, () -> new TimeWaitTable(TimeWaitTable.MAX_CAPACITY + 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new TimeWaitTable(4, 0));
    }

    /** A bijection of the int range, so ids never repeat but do not arrive in numeric order. */
    private static int connectionId(final int sequence)
    {
        return sequence * 0x9E37_79B9;
    }
}
