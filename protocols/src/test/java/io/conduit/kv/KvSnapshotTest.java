package io.conduit.kv;

import java.util.Arrays;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static io.conduit.kv.KvOperation.cas;
import static io.conduit.kv.KvOperation.delete;
import static io.conduit.kv.KvOperation.get;
import static io.conduit.kv.KvOperation.lease;
import static io.conduit.kv.KvOperation.put;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Snapshots carry state, sessions and leases byte-exactly, and a restored replica continues identically. */
class KvSnapshotTest
{
    private static final long TTL_MS = 1_000;

    @Test
    void aRestoredReplicaWritesTheSameBytesAndContinuesIdentically()
    {
        final KvHarness original = new KvHarness();
        populate(original);
        final byte[] snapshot = original.snapshot();
        assertEquals(original.machine.snapshotLength(), snapshot.length);

        final KvHarness restored = new KvHarness();
        assertEquals(0, restored.machine.restoreSnapshot(new UnsafeBuffer(snapshot), 0, snapshot.length));
        assertArrayEquals(snapshot, restored.snapshot(), "byte-exact round trip");
        assertEquals(original.machine.appliedIndex(), restored.machine.appliedIndex());
        assertEquals(original.machine.appliedTerm(), restored.machine.appliedTerm());
        assertEquals(original.machine.entryCount(), restored.machine.entryCount());
        assertEquals(original.machine.sessionCount(), restored.machine.sessionCount());
        assertEquals(original.machine.leaseCount(), restored.machine.leaseCount());

        restored.index = original.index;
        restored.term = original.term;
        restored.nowNs = original.nowNs;
        continueBoth(original, restored);
    }

    @Test
    void theSnapshotCarriesSessionsSoARetryAfterRestoreIsNotAppliedTwice()
    {
        final KvHarness original = new KvHarness();
        original.apply(1, 1, put("x", "a"));
        final KvHarness.Reply first = original.apply(1, 2, cas("x", "a", "b"));
        final KvHarness restored = restore(original);

        assertArrayEquals(first.raw(), restored.apply(1, 2, cas("x", "a", "b")).raw());
        assertArrayEquals(KvStateMachineTest.bytes("b"), restored.machine.read(KvStateMachineTest.bytes("x")));
    }

    @Test
    void theSnapshotCarriesLeasesAndTheTermClock()
    {
        final KvHarness original = new KvHarness();
        final long token = original.apply(1, 1, lease("leader", "a", TTL_MS)).token();
        final KvHarness restored = restore(original);

        restored.nowNs += TTL_MS * 1_000_000L - 1;
        assertEquals("held a", restored.apply(2, 1, lease("leader", "b", TTL_MS)).line());
        assertEquals("ok " + token, restored.apply(1, 2, lease("leader", "a", TTL_MS)).line(), "a renewal");
    }

    @Test
    void aSnapshotOlderThanTheAppliedIndexIsRefusedAndChangesNothing()
    {
        final KvHarness old = new KvHarness();
        old.apply(1, 1, put("x", "old"));
        final byte[] snapshot = old.snapshot();

        final KvHarness ahead = new KvHarness();
        ahead.apply(1, 1, put("x", "1"));
        ahead.apply(1, 2, put("x", "2"));
        final byte[] before = ahead.snapshot();
        assertEquals(KvCodecError.SNAPSHOT_BEHIND,
            ahead.machine.restoreSnapshot(new UnsafeBuffer(snapshot), 0, snapshot.length));
        assertArrayEquals(before, ahead.snapshot());
    }

    @Test
    void aDamagedSnapshotIsRefusedAndLeavesTheStateAsItWas()
    {
        final KvHarness original = new KvHarness();
        populate(original);
        final byte[] snapshot = original.snapshot();

        final KvHarness target = new KvHarness();
        target.apply(5, 1, put("mine", "1"));
        final byte[] before = target.snapshot();

        final byte[] truncated = Arrays.copyOf(snapshot, snapshot.length - 1);
        assertTrue(target.machine.restoreSnapshot(new UnsafeBuffer(truncated), 0, truncated.length) < 0);
        final byte[] badMagic = snapshot.clone();
        badMagic[0] ^= 1;
        assertEquals(KvCodecError.BAD_MAGIC,
            target.machine.restoreSnapshot(new UnsafeBuffer(badMagic), 0, badMagic.length));
        assertArrayEquals(before, target.snapshot());
    }

    @Test
    void equalStatesReachedByTheSameLogWriteEqualSnapshots()
    {
        final KvHarness one = new KvHarness();
        final KvHarness two = new KvHarness();
        populate(one);
        populate(two);
        assertArrayEquals(one.snapshot(), two.snapshot());
    }

    private static KvHarness restore(final KvHarness original)
    {
        final byte[] snapshot = original.snapshot();
        final KvHarness restored = new KvHarness();
        assertEquals(0, restored.machine.restoreSnapshot(new UnsafeBuffer(snapshot), 0, snapshot.length));
        restored.index = original.index;
        restored.term = original.term;
        restored.nowNs = original.nowNs;
        return restored;
    }

    private static void populate(final KvHarness kv)
    {
        for (int i = 0; i < 20; i++)
        {
            kv.apply(1 + i % 4, 1 + i / 4, put("key" + (i * 7 % 11), "value" + i));
        }
        kv.apply(1, 6, delete("key3"));
        kv.apply(2, 6, cas("key0", "value0", "swapped"));
        kv.apply(3, 6, lease("alpha", "h1", TTL_MS));
        kv.term = 2;
        kv.nowNs = 42;
        kv.apply(4, 6, lease("beta", "h2", TTL_MS));
        kv.apply(5, 1, get("key1"));
    }

    private static void continueBoth(final KvHarness original, final KvHarness restored)
    {
        final KvOperation[] operations = {
            put("key1", "after"), get("key1"), cas("key1", "after", "again"), delete("key2"),
            lease("alpha", "h9", TTL_MS), lease("beta", "h2", TTL_MS), get("key3"),
        };
        long sequence = 7;
        for (int round = 0; round < 3; round++)
        {
            for (final KvOperation operation : operations)
            {
                final long client = 1 + sequence % 5;
                assertArrayEquals(original.apply(client, sequence, operation).raw(),
                    restored.apply(client, sequence, operation).raw(), operation::toString);
                // A retry of the same command must agree too: it exercises the restored sessions.
                assertArrayEquals(original.apply(client, sequence, operation).raw(),
                    restored.apply(client, sequence, operation).raw());
                sequence++;
                original.nowNs += 400_000_000L;
                restored.nowNs += 400_000_000L;
            }
            original.term++;
            restored.term++;
        }
        assertArrayEquals(original.snapshot(), restored.snapshot());
    }
}
