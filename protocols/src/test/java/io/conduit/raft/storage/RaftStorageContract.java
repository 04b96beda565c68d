package io.conduit.raft.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.conduit.raft.ConfChange;
import io.conduit.raft.EntryKind;
import io.conduit.raft.HardState;
import io.conduit.raft.LogEntry;
import io.conduit.raft.RaftNode;
import io.conduit.raft.RaftStorage;
import io.conduit.raft.Snapshot;
import io.conduit.raft.SnapshotMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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
        assertEquals(expected.kind(), actual.kind(), "kind of " + expected);
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

    /** Entries {@code from..to} of one term where every third is a membership change. */
    static List<LogEntry> mixedKinds(final long from, final long to, final long term)
    {
        final List<LogEntry> out = new ArrayList<>();
        for (long index = from; index <= to; index++)
        {
            out.add(index % 3 == 0 ?
                new LogEntry(term, index, EntryKind.CONF_CHANGE, ConfChange.addLearner((int)index).encode()) :
                entry(index, term));
        }
        return out;
    }

    @Test
    void entryKindsAreReadBack() throws IOException
    {
        // A configuration change must come back as one, or a restarted node would apply it to its state machine.
        final RaftStorage s = storage();
        final List<LogEntry> written = mixedKinds(1, 12, 2);
        s.append(written);
        final List<LogEntry> back = read(s, 1, 13);
        assertSameEntries(written, back);
        assertEquals(EntryKind.CONF_CHANGE, back.get(2).kind());
        assertEquals(ConfChange.addLearner(3), ConfChange.decode(back.get(2).payload()));
        assertEquals(EntryKind.NORMAL, back.get(3).kind());
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

    // ------------------------------------------------------------------------------------------ snapshots

    static final int[] VOTERS = {1, 2, 3};

    static byte[] snapshotData(final int length, final int seed)
    {
        final byte[] data = new byte[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = (byte)(i * seed + 7);
        }
        return data;
    }

    /** Reads the snapshot's data back in chunks of {@code chunkBytes}. */
    static byte[] readSnapshotInChunks(final RaftStorage storage, final int chunkBytes)
    {
        final byte[] data = new byte[(int)storage.snapshotSizeBytes()];
        int at = 0;
        while (at < data.length)
        {
            final byte[] chunk = storage.snapshotChunk(at, chunkBytes);
            assertTrue(chunk.length > 0 && chunk.length <= chunkBytes, "chunk of " + chunk.length + " bytes");
            System.arraycopy(chunk, 0, data, at, chunk.length);
            at += chunk.length;
        }
        assertEquals(0, storage.snapshotChunk(data.length, chunkBytes).length, "nothing after the end");
        return data;
    }

    /** Entries 1..20 (term 1 up to 10, term 2 after), committed through 15. */
    static void storeTwentyCommittedFifteen(final RaftStorage storage)
    {
        storage.append(entries(1, 10, 1));
        storage.append(entries(11, 20, 2));
        storage.saveHardState(new HardState(2, 1, 15));
    }

    @Test
    void freshStorageHasNoSnapshot() throws IOException
    {
        final RaftStorage s = storage();
        assertEquals(SnapshotMetadata.EMPTY, s.snapshotMetadata());
        assertEquals(0, s.snapshotSizeBytes());
        assertNull(s.snapshot());
    }

    @Test
    void aSnapshotKeepsTheLogUntilCompactedAndReadsBackInChunks() throws IOException
    {
        final RaftStorage s = storage();
        storeTwentyCommittedFifteen(s);
        final byte[] data = snapshotData(100, 3);
        s.createSnapshot(12, VOTERS, new int[0], data);
        assertEquals(new SnapshotMetadata(12, 2, VOTERS, new int[0]), s.snapshotMetadata());
        assertEquals(100, s.snapshotSizeBytes());
        assertArrayEquals(data, readSnapshotInChunks(s, 7));
        assertArrayEquals(data, s.snapshot().data());
        assertEquals(1, s.firstIndex(), "creating a snapshot discards nothing");
        assertThrows(IllegalArgumentException.class, () -> s.snapshotChunk(101, 7));

        s.compact(10);
        assertEquals(11, s.firstIndex());
        assertEquals(20, s.lastIndex());
        assertEquals(1, s.term(10), "the compaction point's term is kept");
        assertThrows(IllegalArgumentException.class, () -> s.term(9));
        assertThrows(IllegalArgumentException.class, () -> s.entries(10, 12, Long.MAX_VALUE, new ArrayList<>()));
        assertSameEntries(entries(11, 20, 2), read(s, 11, 21));

        s.compact(5);
        assertEquals(11, s.firstIndex(), "compacting behind the compaction point changes nothing");
        s.compact(12);
        assertEquals(13, s.firstIndex());
        assertEquals(2, s.term(12));
        assertThrows(IllegalArgumentException.class, () -> s.compact(13), "13 is not in the snapshot");
        assertEquals(13, s.firstIndex());
    }

    @Test
    void aSnapshotCoversOnlyCommittedIndexesHeldInTheLogAndNeverGoesBack() throws IOException
    {
        final RaftStorage s = storage();
        storeTwentyCommittedFifteen(s);
        assertThrows(IllegalArgumentException.class, () -> s.createSnapshot(16, VOTERS, new int[0], new byte[1]),
            "16 is not committed");
        s.createSnapshot(12, VOTERS, new int[0], new byte[]{1});
        assertThrows(IllegalArgumentException.class, () -> s.createSnapshot(12, VOTERS, new int[0], new byte[2]));
        assertThrows(IllegalArgumentException.class, () -> s.createSnapshot(11, VOTERS, new int[0], new byte[2]));
        s.createSnapshot(15, VOTERS, new int[0], new byte[]{2});
        assertEquals(15, s.snapshotMetadata().index());
        assertArrayEquals(new byte[]{2}, s.snapshot().data());
    }

    @Test
    void truncationAndOverwritesNeverReachIntoTheSnapshot() throws IOException
    {
        final RaftStorage s = storage();
        storeTwentyCommittedFifteen(s);
        s.createSnapshot(12, VOTERS, new int[0], new byte[0]);
        assertThrows(IllegalArgumentException.class, () -> s.truncateSuffix(12));
        assertThrows(IllegalArgumentException.class, () -> s.append(entries(12, 13, 3)));
        assertEquals(20, s.lastIndex());
        s.truncateSuffix(13);
        assertEquals(12, s.lastIndex());
        s.append(entries(13, 14, 3));
        assertEquals(3, s.term(14));
    }

    @Test
    void anInstalledSnapshotReplacesTheWholeLogAndRaisesTheCommitIndex() throws IOException
    {
        // Raft §7 as etcd does it: the follower's log is discarded even where it matches.
        final RaftStorage s = storage();
        storeTwentyCommittedFifteen(s);
        final SnapshotMetadata metadata = new SnapshotMetadata(30, 4, VOTERS, new int[0]);
        final byte[] data = snapshotData(50, 5);
        s.applySnapshot(metadata, data);
        assertEquals(metadata, s.snapshotMetadata());
        assertArrayEquals(data, readSnapshotInChunks(s, 16));
        assertEquals(31, s.firstIndex());
        assertEquals(30, s.lastIndex());
        assertEquals(4, s.term(30));
        assertEquals(new HardState(2, 1, 30), s.hardState());
        assertThrows(IllegalArgumentException.class, () -> s.applySnapshot(metadata, data), "not newer");
        s.append(entries(31, 32, 5));
        assertSameEntries(entries(31, 32, 5), read(s, 31, 33));
    }

    @Test
    void aSnapshotInstalledBehindTheLogEndStillEmptiesTheLog() throws IOException
    {
        final RaftStorage s = storage();
        s.append(entries(1, 20, 1));
        s.saveHardState(new HardState(5, RaftNode.NONE, 3));
        s.applySnapshot(new SnapshotMetadata(8, 4, VOTERS, new int[0]), snapshotData(10, 1));
        assertEquals(9, s.firstIndex());
        assertEquals(8, s.lastIndex());
        assertEquals(4, s.term(8));
        assertEquals(8, s.hardState().commit());
        final Snapshot whole = s.snapshot();
        assertEquals(8, whole.metadata().index());
        assertArrayEquals(snapshotData(10, 1), whole.data());
    }
}
