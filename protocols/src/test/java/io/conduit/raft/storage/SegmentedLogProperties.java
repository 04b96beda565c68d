package io.conduit.raft.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import static io.conduit.raft.storage.SegmentedLogTest.append;
import static io.conduit.raft.storage.SegmentedLogTest.payload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random sequences of append, sync, truncateSuffix, compactPrefix, reset, clean reopen and crash-reopen against an
 * in-memory model of the log. Small segments and buffers make rollover, buffer flushes and records larger than the
 * write buffer frequent.
 */
class SegmentedLogProperties
{
    private static final SegmentedLogConfig CONFIG = new SegmentedLogConfig(512, 128, 64);

    enum Kind
    {
        APPEND, SYNC, TRUNCATE, COMPACT, RESET, REOPEN, CRASH
    }

    /** One operation; {@code a} and {@code b} are reduced modulo whatever range the operation needs. */
    record Op(Kind kind, int a, int b)
    {
    }

    /** The model: term and payload length per index, the snapshot point, the durable point. */
    static final class Model
    {
        final Map<Long, long[]> entries = new HashMap<>();
        long lastIndex;
        long snapshotIndex;
        long snapshotTerm;
        long syncedIndex;

        long lastTerm()
        {
            return lastIndex == snapshotIndex ? snapshotTerm : entries.get(lastIndex)[0];
        }
    }

    @Provide
    Arbitrary<List<Op>> ops()
    {
        final Arbitrary<Kind> kinds = Arbitraries.frequencyOf(
            Tuple.of(10, Arbitraries.just(Kind.APPEND)),
            Tuple.of(3, Arbitraries.just(Kind.SYNC)),
            Tuple.of(2, Arbitraries.just(Kind.TRUNCATE)),
            Tuple.of(2, Arbitraries.just(Kind.COMPACT)),
            Tuple.of(1, Arbitraries.just(Kind.RESET)),
            Tuple.of(1, Arbitraries.just(Kind.REOPEN)),
            Tuple.of(2, Arbitraries.just(Kind.CRASH)));
        final Arbitrary<Op> op = Combinators.combine(kinds, Arbitraries.integers().between(0, 1_000_000),
            Arbitraries.integers().between(0, 1_000_000)).as(Op::new);
        return op.list().ofMinSize(1).ofMaxSize(40);
    }

    @Property(tries = 60)
    void logMatchesTheModel(@ForAll("ops") final List<Op> ops) throws IOException
    {
        final Path dir = Files.createTempDirectory("segmented-log-property");
        final Model model = new Model();
        SegmentedLog log = SegmentedLog.open(dir, CONFIG);
        try
        {
            for (final Op op : ops)
            {
                log = apply(log, dir, model, op);
                check(log, model, op);
            }
        }
        finally
        {
            log.close();
            deleteRecursively(dir);
        }
    }

    private static SegmentedLog apply(final SegmentedLog log, final Path dir, final Model model, final Op op)
        throws IOException
    {
        switch (op.kind())
        {
            case APPEND ->
            {
                final long term = model.lastTerm() + (op.b() % 4 == 0 ? 1 : 0);
                for (int i = 0; i <= op.a() % 5; i++)
                {
                    // Mostly small entries, sometimes larger than the 128-byte write buffer.
                    final int length = (op.b() / 4 + i * 37) % 10 == 0 ? 200 + op.a() % 250 : (op.a() + i) % 90;
                    final long index = model.lastIndex + 1;
                    append(log, index, term, length);
                    model.entries.put(index, new long[] {term, length});
                    model.lastIndex = index;
                }
            }
            case SYNC -> model.syncedIndex = log.sync();
            case TRUNCATE ->
            {
                final long choices = model.lastIndex + 1 - model.snapshotIndex;
                final long from = model.snapshotIndex + 1 + op.a() % choices;
                log.truncateSuffix(from);
                if (from <= model.lastIndex)
                {
                    // A real truncation syncs what stays; truncating after the last entry is a no-op.
                    model.lastIndex = from - 1;
                    model.syncedIndex = model.lastIndex;
                }
            }
            case COMPACT ->
            {
                final long upTo = model.snapshotIndex + op.a() % (model.lastIndex - model.snapshotIndex + 1);
                if (upTo > model.snapshotIndex)
                {
                    model.snapshotTerm = model.entries.get(upTo)[0];
                    model.snapshotIndex = upTo;
                }
                log.compactPrefix(upTo);
                model.syncedIndex = Math.max(model.syncedIndex, model.snapshotIndex);
            }
            case RESET ->
            {
                model.snapshotTerm = model.lastTerm() + op.b() % 2;
                model.snapshotIndex = model.lastIndex + op.a() % 5;
                model.lastIndex = model.snapshotIndex;
                model.syncedIndex = model.snapshotIndex;
                model.entries.clear();
                log.reset(model.snapshotIndex, model.snapshotTerm);
            }
            case REOPEN ->
            {
                log.close();
                model.syncedIndex = model.lastIndex;
                return SegmentedLog.open(dir, CONFIG);
            }
            case CRASH ->
            {
                final long durable = Math.max(model.syncedIndex, log.lastSyncedIndex());
                log.abandon();
                final SegmentedLog reopened = SegmentedLog.open(dir, CONFIG);
                // Synced entries survive; unsynced ones may or may not, but only as a prefix.
                assertTrue(reopened.lastIndex() >= durable && reopened.lastIndex() <= model.lastIndex,
                    "after a crash last index " + reopened.lastIndex() + " outside [" + durable + ", " +
                    model.lastIndex + "]");
                model.lastIndex = reopened.lastIndex();
                model.syncedIndex = model.lastIndex;
                return reopened;
            }
            default -> throw new IllegalStateException(op.toString());
        }
        return log;
    }

    private static void check(final SegmentedLog log, final Model model, final Op op) throws IOException
    {
        assertEquals(model.lastIndex, log.lastIndex(), "last index after " + op);
        assertEquals(model.snapshotIndex, log.snapshotIndex(), "snapshot index after " + op);
        assertEquals(model.snapshotTerm, log.term(model.snapshotIndex), "snapshot term after " + op);
        assertEquals(model.lastTerm(), log.lastTerm(), "last term after " + op);
        assertTrue(log.firstIndex() <= model.snapshotIndex + 1, "a gap after the snapshot after " + op);
        assertTrue(log.lastSyncedIndex() >= model.syncedIndex, "synced index went back after " + op);
        final long[] next = {log.firstIndex()};
        log.forEach(log.firstIndex(), log.lastIndex(), (index, term, buffer, offset, length) ->
        {
            assertEquals(next[0]++, index);
            final long[] expected = model.entries.get(index);
            assertEquals(expected[0], term, "term of " + index);
            assertEquals(expected[1], length, "length of " + index);
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            assertArrayEquals(payload(index, term, length), bytes, "payload of " + index);
            assertEquals(term, log.term(index));
            return true;
        });
        assertEquals(log.lastIndex() + 1, next[0], "forEach covered the log after " + op);
    }

    private static void deleteRecursively(final Path dir) throws IOException
    {
        try (Stream<Path> paths = Files.walk(dir))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.delete(path);
            }
        }
    }
}
