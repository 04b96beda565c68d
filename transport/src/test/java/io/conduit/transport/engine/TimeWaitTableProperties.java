package io.conduit.transport.engine;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

import static io.conduit.transport.engine.TimeWaitTable.NOT_FOUND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compares {@link TimeWaitTable} against an obviously correct model, an insertion-ordered {@link LinkedHashMap},
 * over random add/expire/find sequences driven by a virtual clock.
 */
class TimeWaitTableProperties
{
    private static final long DURATION_NS = 100;
    // A small id pool makes refreshes of present, expired and evicted ids common.
    private static final int ID_POOL = 12;

    private enum Kind
    {
        ADD, EXPIRE, FIND
    }

    private record Operation(Kind kind, int localConnectionId, long advanceNs, int payload)
    {
    }

    private record Entry(int remoteConnectionId, long remoteKey, int sendSequence, int receiveSequence,
        long expiresAtNs)
    {
    }

    @Property(tries = 300)
    void behavesLikeTheReferenceModel(
        @ForAll @IntRange(min = 1, max = 8) final int capacity,
        @ForAll("operations") final List<Operation> operations)
    {
        final TimeWaitTable table = new TimeWaitTable(capacity, DURATION_NS);
        final Model model = new Model(capacity);
        long nowNs = -1_000;

        for (final Operation operation : operations)
        {
            nowNs += operation.advanceNs();
            switch (operation.kind())
            {
                case ADD:
                    final int payload = operation.payload();
                    table.add(nowNs, operation.localConnectionId(), payload, payload * 7L, payload + 1, payload - 1);
                    model.add(nowNs, operation.localConnectionId(), payload, payload * 7L, payload + 1, payload - 1);
                    break;

                case EXPIRE:
                    assertEquals(model.expire(nowNs), table.expire(nowNs), "expired count");
                    break;

                case FIND:
                    assertSameEntry(table, model, nowNs, operation.localConnectionId());
                    break;
            }

            assertTrue(table.size() <= capacity);
            assertEquals(model.entries.size(), table.size(), "size");
            assertEquals(model.evictions, table.evictions(), "evictions");
            assertEquals(model.nextExpiryNs(), table.nextExpiryNs(), "next expiry");
            for (int id = 0; id < ID_POOL; id++)
            {
                assertSameEntry(table, model, nowNs, id);
            }
        }
    }

    @Provide
    Arbitrary<List<Operation>> operations()
    {
        final Arbitrary<Operation> operation = Combinators.combine(
            Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.just(Kind.ADD)),
                Tuple.of(2, Arbitraries.just(Kind.EXPIRE)),
                Tuple.of(2, Arbitraries.just(Kind.FIND))),
            Arbitraries.integers().between(0, ID_POOL - 1),
            Arbitraries.longs().between(0, DURATION_NS / 3),
            Arbitraries.integers()).as(Operation::new);

        return operation.list().ofMaxSize(200);
    }

    private static void assertSameEntry(final TimeWaitTable table, final Model model, final long nowNs, final int id)
    {
        final Entry expected = model.find(nowNs, id);
        final int slot = table.find(nowNs, id);
        if (null == expected)
        {
            assertEquals(NOT_FOUND, slot, "id " + id + " should be absent");
            return;
        }

        assertNotEquals(NOT_FOUND, slot, "id " + id + " should be present");
        assertEquals(expected.remoteConnectionId(), table.remoteConnectionId(slot));
        assertEquals(expected.remoteKey(), table.remoteKey(slot));
        assertEquals(expected.sendSequence(), table.sendSequence(slot));
        assertEquals(expected.receiveSequence(), table.receiveSequence(slot));
        assertEquals(expected.expiresAtNs(), table.expiresAtNs(slot));
    }

    private static final class Model
    {
        private final int capacity;
        private final LinkedHashMap<Integer, Entry> entries = new LinkedHashMap<>();
        private long evictions;

        Model(final int capacity)
        {
            this.capacity = capacity;
        }

        void add(
            final long nowNs,
            final int localConnectionId,
            final int remoteConnectionId,
            final long remoteKey,
            final int sendSequence,
            final int receiveSequence)
        {
            expire(nowNs);
            if (null == entries.remove(localConnectionId) && entries.size() == capacity)
            {
                final Iterator<Integer> oldest = entries.keySet().iterator();
                oldest.next();
                oldest.remove();
                evictions++;
            }
            entries.put(localConnectionId,
                new Entry(remoteConnectionId, remoteKey, sendSequence, receiveSequence, nowNs + DURATION_NS));
        }

        int expire(final long nowNs)
        {
            int expired = 0;
            final Iterator<Map.Entry<Integer, Entry>> iterator = entries.entrySet().iterator();
            while (iterator.hasNext())
            {
                if (iterator.next().getValue().expiresAtNs() <= nowNs)
                {
                    iterator.remove();
                    expired++;
                }
            }

            return expired;
        }

        Entry find(final long nowNs, final int localConnectionId)
        {
            final Entry entry = entries.get(localConnectionId);
            return null == entry || entry.expiresAtNs() <= nowNs ? null : entry;
        }

        long nextExpiryNs()
        {
            long nextNs = Long.MAX_VALUE;
            for (final Entry entry : entries.values())
            {
                nextNs = Math.min(nextNs, entry.expiresAtNs());
            }

            return nextNs;
        }
    }
}
