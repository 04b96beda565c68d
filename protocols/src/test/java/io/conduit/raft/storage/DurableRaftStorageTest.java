package io.conduit.raft.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.conduit.raft.HardState;
import io.conduit.raft.LogEntry;
import io.conduit.raft.SnapshotMetadata;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.conduit.raft.storage.RaftStorageContract.assertSameEntries;
import static io.conduit.raft.storage.RaftStorageContract.assertSameEntry;
import static io.conduit.raft.storage.RaftStorageContract.entries;
import static io.conduit.raft.storage.RaftStorageContract.entry;
import static io.conduit.raft.storage.RaftStorageContract.VOTERS;
import static io.conduit.raft.storage.RaftStorageContract.read;
import static io.conduit.raft.storage.RaftStorageContract.readSnapshotInChunks;
import static io.conduit.raft.storage.RaftStorageContract.snapshotData;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What only the durable storage promises: state survives close and reopen, a crash loses at most what was staged
 * after the last {@code persist()}, truncation is durable at once, and the snapshot point answers for
 * {@code firstIndex() - 1}. Snapshots: created, compacted behind and installed state survives reopen; a snapshot is
 * durable before anything it replaces is deleted, so a crash at any step leaves a log and snapshot that agree.
 */
class DurableRaftStorageTest
{
    private static final SegmentedLogConfig SMALL = SegmentedLogTest.SMALL;

    @TempDir
    Path dir;

    @Test
    void entryKindsSurviveReopenAcrossSegments() throws IOException
    {
        final List<LogEntry> expected = RaftStorageContract.mixedKinds(1, 40, 3);
        try (DurableRaftStorage storage = DurableRaftStorage.open(dir, SMALL))
        {
            storage.append(expected);
            storage.persist();
        }
        try (DurableRaftStorage storage = DurableRaftStorage.open(dir, SMALL))
        {
            assertTrue(storage.recoveryReport().segmentsScanned() > 1, "small segments must have rolled over");
            assertSameEntries(expected, read(storage, 1, 41));
        }
    }

    @Test
    void reopenAfterCloseReturnsTheSameHardStateAndEntries() throws IOException
    {
        final List<LogEntry> expected = new ArrayList<>(entries(1, 30, 1));
        expected.addAll(entries(31, 45, 4));
        final HardState state = new HardState(4, 3, 40);
        try (DurableRaftStorage storage = DurableRaftStorage.open(dir, SMALL))
        {
            storage.append(entries(1, 50, 1));
            storage.persist();
            storage.append(expected.subList(30, 45)); // overwrites 31..50 with a shorter suffix of term 4
            storage.saveHardState(state);
            storage.persist();
        }
        try (DurableRaftStorage storage = DurableRaftStorage.open(dir, SMALL))
        {
            assertEquals(state, storage.hardState());
            assertEquals(state, storage.durableHardState());
            assertEquals(1, storage.firstIndex());
            assertEquals(45, storage.lastIndex());
            assertEquals(4, storage.term(45));
            assertEquals(1, storage.term(30));
            assertSameEntries(expected, read(storage, 1, 46));
            assertTrue(storage.recoveryReport().segmentsScanned() > 1, "small segments must have rolled over");
        }
    }

    @Test
    void closeWithoutPersistStillPersists() throws IOException
    {
        try (DurableRaftStorage storage = DurableRaftStorage.open(dir, SMALL))
        {
            storage.append(entries(1, 5, 2));
            storage.saveHardState(new HardState(2, 1, 5));
        }
        try (DurableRaftStorage storage = DurableRaftStorage.open(dir, SMALL))
        {
            assertEquals(new HardState(2, 1, 5), storage.hardState());
            assertSameEntries(entries(1, 5, 2), read(storage, 1, 6));
        }
    }

    @Test
    void persistSyncsEntriesAndSavesTheHardState() throws IOException
    {
        final DurableRaftStorage storage = DurableRaftStorage.open(dir, SMALL);
        storage.append(entries(1, 8, 1));
        storage.saveHardState(new HardState(1, 2, 8));
        assertEquals(HardState.EMPTY, storage.durableHardState(), "staged, not yet durable");
        storage.persist();
        assertEquals(8, storage.lastSyncedIndex());
        assertEquals(new HardState(1, 2, 8), storage.durableHardState());
        storage.abandon();
        try (DurableRaftStorage reopened = DurableRaftStorage.open(dir, SMALL))
        {
            assertEquals(new HardState(1, 2, 8), reopened.hardState());
            assertSameEntries(entries(1, 8, 1), read(reopened, 1, 9));
        }
    }

    @Test
    void crashLosesOnlyWhatWasStagedAfterTheLastPersist() throws IOException
    {
        final DurableRaftStorage storage = DurableRaftStorage.open(dir, SMALL);
        storage.append(entries(1, 10, 1));
        storage.saveHardState(new HardState(1, 1, 10));
        storage.persist();
        storage.append(entries(11, 30, 2)); // more than the 128-byte write buffer: part of it reaches the file
        storage.saveHardState(new HardState(2, 2, 30));
        storage.abandon();
        try (DurableRaftStorage reopened = DurableRaftStorage.open(dir, SMALL))
        {
            assertEquals(new HardState(1, 1, 10), reopened.hardState(), "the unsaved hard state is gone");
            final long last = reopened.lastIndex();
            assertTrue(last >= 10 && last <= 30, "last index " + last);
            final List<LogEntry> expected = new ArrayList<>(entries(1, 10, 1));
            expected.addAll(entries(11, last, 2));
            assertSameEntries(expected, read(reopened, 1, last + 1));
        }
    }

    @Test
    void randomCrashesNeverLoseASyncedEntry() throws IOException
    {
        final SplittableRandom random = new SplittableRandom(42);
        final List<LogEntry> model = new ArrayList<>();
        long syncedIndex = 0;
        long term = 1;
        HardState durable = HardState.EMPTY;
        for (int round = 0; round < 25; round++)
        {
            final DurableRaftStorage storage = DurableRaftStorage.open(dir, SMALL);
            assertEquals(durable, storage.hardState(), "round " + round);
            final long recovered = storage.lastIndex();
            assertTrue(recovered >= syncedIndex && recovered <= model.size(),
                "round " + round + ": recovered " + recovered + ", synced " + syncedIndex + ", staged " + model.size());
            model.subList((int)recovered, model.size()).clear();
            assertSameEntries(model, read(storage, 1, recovered + 1));
            final int batches = 1 + random.nextInt(4);
            for (int batch = 0; batch < batches; batch++)
            {
                if (random.nextInt(4) == 0 && model.size() > syncedIndex + 1)
                {
                    // A new leader overwrites unsynced entries only: a synced one may have been acknowledged.
                    term++;
                    final long from = syncedIndex + 1 + random.nextInt((int)(model.size() - syncedIndex));
                    model.subList((int)(from - 1), model.size()).clear();
                }
                final long from = model.size() + 1;
                final List<LogEntry> appended = entries(from, from + random.nextInt(8), term);
                storage.append(appended);
                model.addAll(appended);
                final HardState staged = new HardState(term, 1, syncedIndex);
                storage.saveHardState(staged);
                if (random.nextBoolean())
                {
                    storage.persist();
                    syncedIndex = model.size();
                    durable = staged;
                }
            }
            storage.abandon();
        }
    }

    @Test
    void truncationIsDurableWithoutPersist() throws IOException
    {
        final DurableRaftStorage storage = DurableRaftStorage.open(dir, SMALL);
        storage.append(entries(1, 10, 1));
        storage.persist();
        storage.truncateSuffix(6);
        storage.abandon();
        try (DurableRaftStorage reopened = DurableRaftStorage.open(dir, SMALL))
        {
            assertEquals(5, reopened.lastIndex());
        }
    }

    @Test
    void anOverwrittenSuffixNeverReappearsAfterACrash() throws IOException
    {
        final DurableRaftStorage storage = DurableRaftStorage.open(dir, SMALL);
        storage.append(entries(1, 10, 1));
        storage.persist();
        storage.append(entries(6, 8, 2));
        storage.abandon();
        try (DurableRaftStorage reopened = DurableRaftStorage.open(dir, SMALL))
        {
            assertTrue(reopened.lastIndex() >= 5 && reopened.lastIndex() <= 8, "last " + reopened.lastIndex());
            for (long index = 6; index <= reopened.lastIndex(); index++)
            {
                assertEquals(2, reopened.term(index), "entry " + index + " of the old term came back");
            }
        }
    }

    @Test
    void termOfTheSnapshotPointIsFirstIndexMinusOne() throws IOException
    {
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL))
        {
            for (long index = 1; index <= 40; index++)
            {
                final LogEntry e = entry(index, 1 + index / 10);
                log.append(index, e.term(), new UnsafeBuffer(e.payload()), 0, e.sizeBytes());
            }
            log.sync();
            // The snapshot goes to disk before the log is compacted behind it, as DurableRaftStorage.compact does.
            DurableRaftStorage.writeSnapshotFile(SnapshotStore.open(dir),
                new SnapshotMetadata(30, 4, VOTERS, new int[0]), new byte[3]);
            log.compactPrefix(30);
        }
        try (DurableRaftStorage storage = DurableRaftStorage.open(dir, SMALL))
        {
            assertEquals(31, storage.firstIndex());
            assertEquals(40, storage.lastIndex());
            assertEquals(4, storage.term(30), "term of the snapshot point");
            assertThrows(IllegalArgumentException.class, () -> storage.term(29));
            assertSameEntry(entry(31, 4), read(storage, 31, 32).get(0));
            assertThrows(IllegalArgumentException.class, () -> storage.entries(30, 32, Long.MAX_VALUE,
                new ArrayList<>()));
            assertThrows(IllegalArgumentException.class, () -> storage.truncateSuffix(30));
            assertThrows(IllegalArgumentException.class, () -> storage.append(List.of(entry(30, 4))));
            storage.append(entries(31, 32, 5));
            assertEquals(32, storage.lastIndex());
            assertEquals(4, storage.term(30));
        }
    }

    @Test
    void aCommitIndexBeyondTheLogIsRefusedOnOpen() throws IOException
    {
        try (HardStateFile file = HardStateFile.open(dir))
        {
            file.save(3, 1, 5);
        }
        final CorruptLogException ex = assertThrows(CorruptLogException.class,
            () -> DurableRaftStorage.open(dir, SMALL));
        assertTrue(ex.getMessage().contains("commit index 5"), ex.getMessage());
    }

    @Test
    void aClosedStorageRefusesUse() throws IOException
    {
        final DurableRaftStorage storage = DurableRaftStorage.open(dir, SMALL);
        storage.close();
        assertThrows(IllegalStateException.class, () -> storage.append(entries(1, 1, 1)));
        assertThrows(IllegalStateException.class, storage::persist);
    }

    // ------------------------------------------------------------------------------------------ snapshots

    /** Entries 1..60 (term 1 through 30, term 2 after), committed through 50, persisted. */
    private static DurableRaftStorage openWithSixtyEntries(final Path directory) throws IOException
    {
        final DurableRaftStorage storage = DurableRaftStorage.open(directory, SMALL);
        storage.append(entries(1, 30, 1));
        storage.append(entries(31, 60, 2));
        storage.saveHardState(new HardState(2, 1, 50));
        storage.persist();
        return storage;
    }

    private long segmentFiles() throws IOException
    {
        try (var files = Files.list(dir.resolve(SegmentedLog.LOG_DIRECTORY)))
        {
            return files.filter(p -> p.toString().endsWith(SegmentedLog.SEGMENT_SUFFIX)).count();
        }
    }

    @Test
    void aSnapshotAndTheCompactedLogSurviveReopen() throws IOException
    {
        final byte[] data = snapshotData(300, 11);
        try (DurableRaftStorage storage = openWithSixtyEntries(dir))
        {
            storage.createSnapshot(40, VOTERS, new int[]{7}, data);
            storage.compact(35);
        }
        try (DurableRaftStorage storage = DurableRaftStorage.open(dir, SMALL))
        {
            assertEquals(new SnapshotMetadata(40, 2, VOTERS, new int[]{7}), storage.snapshotMetadata());
            assertArrayEquals(data, readSnapshotInChunks(storage, 64));
            assertEquals(36, storage.firstIndex());
            assertEquals(2, storage.term(35));
            assertEquals(60, storage.lastIndex());
            assertSameEntries(entries(36, 60, 2), read(storage, 36, 61));
            assertEquals(new HardState(2, 1, 50), storage.hardState());
        }
    }

    @Test
    void anInstalledSnapshotAndTheEntriesAfterItSurviveReopen() throws IOException
    {
        final SnapshotMetadata metadata = new SnapshotMetadata(80, 3, VOTERS, new int[0]);
        final byte[] data = snapshotData(1000, 13);
        try (DurableRaftStorage storage = openWithSixtyEntries(dir))
        {
            storage.applySnapshot(metadata, data);
            storage.append(entries(81, 85, 3));
            storage.persist();
        }
        try (DurableRaftStorage storage = DurableRaftStorage.open(dir, SMALL))
        {
            assertEquals(metadata, storage.snapshotMetadata());
            assertArrayEquals(data, storage.snapshot().data());
            assertEquals(81, storage.firstIndex());
            assertEquals(3, storage.term(80));
            assertSameEntries(entries(81, 85, 3), read(storage, 81, 86));
            assertEquals(new HardState(2, 1, 80), storage.hardState(), "commit raised to the snapshot");
        }
    }

    @Test
    void compactionDeletesSegmentsOnlyBehindADurableSnapshot() throws IOException
    {
        try (DurableRaftStorage storage = openWithSixtyEntries(dir))
        {
            final long segments = segmentFiles();
            assertTrue(segments > 3, "small segments must have rolled over: " + segments);
            assertThrows(IllegalArgumentException.class, () -> storage.compact(10), "no snapshot covers 10 yet");
            assertEquals(segments, segmentFiles());

            storage.createSnapshot(45, VOTERS, new int[0], snapshotData(20, 1));
            assertEquals(segments, segmentFiles(), "the snapshot alone deletes nothing");
            assertThrows(IllegalArgumentException.class, () -> storage.compact(46));
            storage.compact(45);
            assertTrue(segmentFiles() < segments, "segments behind the snapshot are deleted");
        }
    }

    @Test
    void aCrashWhileWritingASnapshotLeavesTheOldSnapshotAndTheLog() throws IOException
    {
        final DurableRaftStorage storage = openWithSixtyEntries(dir);
        storage.createSnapshot(20, VOTERS, new int[0], snapshotData(30, 2));
        storage.compact(20);
        // The crash comes while the next snapshot is half written: only its temporary file exists.
        Files.write(dir.resolve(SnapshotStore.SNAPSHOT_DIRECTORY)
            .resolve(SnapshotStore.fileName(50, 2) + SnapshotStore.TEMP_SUFFIX), snapshotData(17, 3));
        storage.abandon();
        try (DurableRaftStorage reopened = DurableRaftStorage.open(dir, SMALL))
        {
            assertEquals(20, reopened.snapshotMetadata().index());
            assertArrayEquals(snapshotData(30, 2), reopened.snapshot().data());
            assertEquals(21, reopened.firstIndex());
            assertSameEntries(entries(31, 60, 2), read(reopened, 31, 61));
        }
    }

    @Test
    void aCrashBetweenSnapshotAndCompactionKeepsTheWholeLog() throws IOException
    {
        final DurableRaftStorage storage = openWithSixtyEntries(dir);
        storage.createSnapshot(50, VOTERS, new int[0], snapshotData(30, 2));
        storage.abandon();
        try (DurableRaftStorage reopened = DurableRaftStorage.open(dir, SMALL))
        {
            assertEquals(50, reopened.snapshotMetadata().index());
            assertEquals(1, reopened.firstIndex(), "nothing was compacted, and nothing is lost");
            assertSameEntries(entries(1, 30, 1), read(reopened, 1, 31));
            reopened.compact(50);
            assertEquals(51, reopened.firstIndex());
        }
    }

    @Test
    void aCrashInsideApplySnapshotIsFinishedOnOpen() throws IOException
    {
        // applySnapshot commits the snapshot file, then resets the log; the crash comes in between, and the log
        // still holds entry 40 of term 2 (not committed here) where the snapshot says term 5.
        final DurableRaftStorage storage = openWithSixtyEntries(dir);
        storage.saveHardState(new HardState(5, 1, 10));
        storage.persist();
        final SnapshotMetadata metadata = new SnapshotMetadata(40, 5, VOTERS, new int[0]);
        DurableRaftStorage.writeSnapshotFile(SnapshotStore.open(dir), metadata, snapshotData(64, 9));
        storage.abandon();
        try (DurableRaftStorage reopened = DurableRaftStorage.open(dir, SMALL))
        {
            assertEquals(metadata, reopened.snapshotMetadata());
            assertEquals(41, reopened.firstIndex());
            assertEquals(40, reopened.lastIndex(), "no entry of the replaced log survives after the snapshot");
            assertEquals(5, reopened.term(40));
            reopened.append(entries(41, 42, 5));
            reopened.persist();
        }
        try (DurableRaftStorage reopened = DurableRaftStorage.open(dir, SMALL))
        {
            assertSameEntries(entries(41, 42, 5), read(reopened, 41, 43));
        }
    }

    @Test
    void aSnapshotBeyondTheLogEndInterruptedByACrashIsFinishedOnOpen() throws IOException
    {
        final DurableRaftStorage storage = openWithSixtyEntries(dir);
        DurableRaftStorage.writeSnapshotFile(SnapshotStore.open(dir),
            new SnapshotMetadata(90, 3, VOTERS, new int[0]), snapshotData(5, 1));
        storage.abandon();
        try (DurableRaftStorage reopened = DurableRaftStorage.open(dir, SMALL))
        {
            assertEquals(91, reopened.firstIndex());
            assertEquals(90, reopened.lastIndex());
        }
    }

    @Test
    void aLogCompactedPastItsSnapshotIsRefused() throws IOException
    {
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL))
        {
            for (long index = 1; index <= 40; index++)
            {
                final LogEntry e = entry(index, 1);
                log.append(index, e.term(), new UnsafeBuffer(e.payload()), 0, e.sizeBytes());
            }
            log.sync();
            log.compactPrefix(30); // no snapshot holds entries 1..30: their state is gone
        }
        final CorruptLogException ex = assertThrows(CorruptLogException.class,
            () -> DurableRaftStorage.open(dir, SMALL));
        assertTrue(ex.getMessage().contains("compacted through 30"), ex.getMessage());
    }

    @Test
    void aSnapshotOperationOnAFailedOrClosedStorageIsRefused() throws IOException
    {
        final DurableRaftStorage storage = openWithSixtyEntries(dir);
        storage.close();
        assertThrows(IllegalStateException.class,
            () -> storage.createSnapshot(10, VOTERS, new int[0], new byte[1]));
        assertThrows(IllegalStateException.class, () -> storage.compact(1));
        assertFalse(Files.exists(dir.resolve(SnapshotStore.SNAPSHOT_DIRECTORY)
            .resolve(SnapshotStore.fileName(10, 1))));
    }
}
