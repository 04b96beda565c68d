package io.conduit.raft.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.conduit.raft.HardState;
import io.conduit.raft.LogEntry;
import io.conduit.raft.RaftNode;
import io.conduit.raft.RaftStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@link RaftStorage} contract as {@link io.conduit.raft.MemoryRaftStorage} defines it, run against every
 * implementation (one subclass each) so the durable storage behaves exactly like the one the simulator trusts.
 */
abstract class RaftStorageContract
{
    @TempDir
    Path dir;

    private RaftStorage storage;

    /** A fresh, empty storage; a durable one lives under {@code directory}. */
    abstract RaftStorage create(Path directory) throws IOException;

    RaftStorage storage() throws IOException
    {
        if (storage == null)
        {
            storage = create(dir);
        }
        return storage;
    }

    @AfterEach
    void closeStorage() throws Exception
    {
        if (storage instanceof AutoCloseable closeable)
        {
            closeable.close();
        }
    }

    /** Entries {@code from..to} of one term, payloads derived from index and term so reads can be checked. */
    static List<LogEntry> entries(final long from, final long to, final long term)
    {
        final List<LogEntry> out = new ArrayList<>();
        for (long index = from; index <= to; index++)
        {
            out.add(entry(index, term));
        }
        return out;
    }

    static LogEntry entry(final long index, final long term)
    {
        return new LogEntry(term, index, SegmentedLogTest.payload(index, term, (int)(index * 7 % 23)));
    }

    static List<LogEntry> read(final RaftStorage storage, final long from, final long toExclusive)
    {
        final List<LogEntry> out = new ArrayList<>();
        storage.entries(from, toExclusive, Long.MAX_VALUE, out);
        return out;
    }

    static void assertSameEntry(final LogEntry expected, final LogEntry actual)
    {
        assertEquals(expected.index(), actual.index(), "index");
        assertEquals(expected.term(), actual.term(), "term of " + expected);
        assertArrayEquals(expected.payload(), actual.payload(), "payload of " + expected);
    }

    static void assertSameEntries(final List<LogEntry> expected, final List<LogEntry> actual)
    {
        assertEquals(expected.size(), actual.size(), "entry count");
        for (int i = 0; i < expected.size(); i++)
        {
            assertSameEntry(expected.get(i), actual.get(i));
        }
    }

    @Test
    void freshStorageIsEmpty() throws IOException
    {
        final RaftStorage s = storage();
        assertEquals(HardState.EMPTY, s.hardState());
        assertEquals(1, s.firstIndex());
        assertEquals(0, s.lastIndex());
        assertEquals(0, s.term(0));
        assertThrows(IllegalArgumentException.class, () -> s.term(1));
        final List<LogEntry> out = new ArrayList<>();
        s.entries(1, 1, Long.MAX_VALUE, out);
        assertTrue(out.isEmpty());
    }

    @Test
    void appendedEntriesAreReadBackWithTheirTerms() throws IOException
    {
        final RaftStorage s = storage();
        final List<LogEntry> written = new ArrayList<>(entries(1, 5, 1));
        written.addAll(entries(6, 9, 3));
        s.append(written.subList(0, 5));
        s.append(written.subList(5, 9));
        assertEquals(9, s.lastIndex());
        assertEquals(1, s.term(5));
        assertEquals(3, s.term(6));
        assertEquals(3, s.term(9));
        assertThrows(IllegalArgumentException.class, () -> s.term(10));
        assertSameEntries(written, read(s, 1, 10));
        assertSameEntries(written.subList(3, 7), read(s, 4, 8));
    }

    @Test
    void appendOverwritingAnIndexReplacesTheWholeSuffix() throws IOException
    {
        // Raft §5.3: a new leader's log wins; everything after the first overwritten index goes.
        final RaftStorage s = storage();
        s.append(entries(1, 10, 1));
        s.append(entries(6, 7, 2));
        assertEquals(7, s.lastIndex());
        assertEquals(1, s.term(5));
        assertEquals(2, s.term(6));
        final List<LogEntry> expected = new ArrayList<>(entries(1, 5, 1));
        expected.addAll(entries(6, 7, 2));
        assertSameEntries(expected, read(s, 1, 8));
    }

    @Test
    void appendRefusesGapsAndNonConsecutiveEntries() throws IOException
    {
        final RaftStorage s = storage();
        s.append(entries(1, 3, 1));
        assertThrows(IllegalArgumentException.class, () -> s.append(entries(5, 6, 1)));
        assertThrows(IllegalArgumentException.class, () -> s.append(List.of(entry(4, 1), entry(6, 1))));
        s.append(List.of());
        assertEquals(1, s.term(3));
    }

    @Test
    void truncateSuffixRemovesFromTheIndexOn() throws IOException
    {
        final RaftStorage s = storage();
        s.append(entries(1, 8, 2));
        s.truncateSuffix(9);
        assertEquals(8, s.lastIndex());
        s.truncateSuffix(5);
        assertEquals(4, s.lastIndex());
        assertThrows(IllegalArgumentException.class, () -> s.term(5));
        s.append(entries(5, 6, 3));
        assertEquals(3, s.term(5));
        assertSameEntries(entries(1, 4, 2), read(s, 1, 5));
    }

    @Test
    void entriesStopBeforeTheByteLimitButReturnAtLeastOne() throws IOException
    {
        final RaftStorage s = storage();
        final List<LogEntry> written = new ArrayList<>();
        for (long index = 1; index <= 6; index++)
        {
            written.add(new LogEntry(1, index, new byte[10]));
        }
        s.append(written);
        final List<LogEntry> out = new ArrayList<>();
        s.entries(1, 7, 25, out);
        assertEquals(2, out.size(), "10 + 10 fit in 25, a third would not");
        out.clear();
        s.entries(3, 7, 30, out);
        assertEquals(3, out.size(), "exactly at the limit is allowed");
        assertEquals(3, out.get(0).index());
        out.clear();
        s.entries(2, 7, 1, out);
        assertEquals(1, out.size(), "one entry even over the limit");
        assertEquals(2, out.get(0).index());
    }

    @Test
    void entriesAppendToWhatTheListAlreadyHolds() throws IOException
    {
        final RaftStorage s = storage();
        s.append(entries(1, 3, 1));
        final List<LogEntry> out = new ArrayList<>(List.of(entry(9, 9)));
        s.entries(2, 4, Long.MAX_VALUE, out);
        assertEquals(3, out.size());
        assertSameEntry(entry(2, 1), out.get(1));
    }

    @Test
    void entriesOutsideTheLogAreRefused() throws IOException
    {
        final RaftStorage s = storage();
        s.append(entries(1, 3, 1));
        assertThrows(IllegalArgumentException.class, () -> s.entries(2, 5, Long.MAX_VALUE, new ArrayList<>()));
    }

    @Test
    void savedHardStateIsReturned() throws IOException
    {
        final RaftStorage s = storage();
        final HardState state = new HardState(7, 2, 0);
        s.saveHardState(state);
        assertEquals(state, s.hardState());
        s.saveHardState(new HardState(8, RaftNode.NONE, 0));
        assertEquals(new HardState(8, RaftNode.NONE, 0), s.hardState());
    }
}
