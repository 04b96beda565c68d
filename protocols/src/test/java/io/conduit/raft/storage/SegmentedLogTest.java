package io.conduit.raft.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SegmentedLogTest
{
    /** Small segments and buffers so a few entries exercise rollover, buffer flushes and the large-record path. */
    static final SegmentedLogConfig SMALL = new SegmentedLogConfig(512, 128, 64);

    @TempDir
    Path dir;

    /** Deterministic payload bytes, so a read can be checked without keeping copies. */
    static byte[] payload(final long index, final long term, final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(index * 31 + term * 7 + i);
        }
        return bytes;
    }

    static void append(final SegmentedLog log, final long index, final long term, final int length)
        throws IOException
    {
        log.append(index, term, new UnsafeBuffer(payload(index, term, length)), 0, length);
    }

    static byte[] read(final SegmentedLog log, final long index) throws IOException
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[log.length(index)]);
        final int length = log.read(index, buffer, 0);
        assertEquals(buffer.capacity(), length);
        return buffer.byteArray();
    }

    static int lengthOf(final long index)
    {
        return (int)(index * 13 % 50);
    }

    static long termOf(final long index)
    {
        return 1 + index / 7;
    }

    static List<Path> segmentFiles(final Path dir) throws IOException
    {
        try (Stream<Path> files = Files.list(dir.resolve(SegmentedLog.LOG_DIRECTORY)))
        {
            return files.filter(p -> p.toString().endsWith(SegmentedLog.SEGMENT_SUFFIX)).sorted().toList();
        }
    }

    @Test
    void newLogIsEmptyWithDocumentedIndexes() throws IOException
    {
        try (SegmentedLog log = SegmentedLog.open(dir, SegmentedLogConfig.defaults()))
        {
            assertEquals(1, log.firstIndex());
            assertEquals(0, log.lastIndex());
            assertEquals(0, log.term(0));
            assertEquals(0, log.lastTerm());
            assertThrows(IllegalArgumentException.class, () -> log.term(1));
            assertFalse(log.recoveryReport().repaired());
        }
    }

    @Test
    void appendSyncReopenRoundTrip() throws IOException
    {
        try (SegmentedLog log = SegmentedLog.open(dir, SegmentedLogConfig.defaults()))
        {
            for (long index = 1; index <= 100; index++)
            {
                append(log, index, termOf(index), lengthOf(index));
            }
            // Buffered entries are readable before the sync.
            assertArrayEquals(payload(100, termOf(100), lengthOf(100)), read(log, 100));
            assertEquals(0, log.lastSyncedIndex());
            assertEquals(100, log.sync());
            assertEquals(100, log.lastSyncedIndex());
        }
        try (SegmentedLog log = SegmentedLog.open(dir, SegmentedLogConfig.defaults()))
        {
            assertEquals(1, log.firstIndex());
            assertEquals(100, log.lastIndex());
            assertEquals(100, log.recoveryReport().entriesRecovered());
            assertEquals(0, log.recoveryReport().truncatedBytes());
            for (long index = 1; index <= 100; index++)
            {
                assertEquals(termOf(index), log.term(index));
                assertArrayEquals(payload(index, termOf(index), lengthOf(index)), read(log, index));
            }
            assertEntries(log, 1, 100);
        }
    }

    @Test
    void segmentsRollOverAndStayReadableAcrossReopen() throws IOException
    {
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL))
        {
            for (long index = 1; index <= 60; index++)
            {
                append(log, index, termOf(index), lengthOf(index));
            }
            log.sync();
        }
        final List<Path> files = segmentFiles(dir);
        assertTrue(files.size() > 3, "expected several segments, got " + files);
        assertEquals("00000000000000000001.seg", files.get(0).getFileName().toString());
        for (final Path file : files)
        {
            assertTrue(Files.size(file) <= SMALL.maxSegmentBytes(), file + " exceeds the segment size");
        }
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL))
        {
            assertEquals(files.size(), log.recoveryReport().segmentsScanned());
            assertEquals(60, log.lastIndex());
            assertEntries(log, 1, 60);
            assertEntries(log, 17, 43);
        }
    }

    @Test
    void recordsLargerThanTheWriteBufferRoundTrip() throws IOException
    {
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL))
        {
            append(log, 1, 1, 10);
            append(log, 2, 1, 450);
            append(log, 3, 1, 0);
            assertArrayEquals(payload(2, 1, 450), read(log, 2));
        }
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL))
        {
            assertEquals(3, log.lastIndex());
            assertArrayEquals(payload(2, 1, 450), read(log, 2));
            assertEquals(0, read(log, 3).length);
            assertThrows(IllegalArgumentException.class, () -> append(log, 4, 1, 500));
        }
    }

    @Test
    void appendsMustBeConsecutiveWithNonDecreasingTerms() throws IOException
    {
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL))
        {
            append(log, 1, 2, 5);
            assertThrows(IllegalArgumentException.class, () -> append(log, 3, 2, 5));
            assertThrows(IllegalArgumentException.class, () -> append(log, 1, 2, 5));
            assertThrows(IllegalArgumentException.class, () -> append(log, 2, 1, 5));
            assertThrows(IllegalArgumentException.class, () -> read(log, 2));
        }
    }

    @Test
    void forEachStopsWhenTheHandlerSaysSo() throws IOException
    {
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL))
        {
            for (long index = 1; index <= 30; index++)
            {
                append(log, index, termOf(index), lengthOf(index));
            }
            final List<Long> seen = new ArrayList<>();
            final long visited = log.forEach(5, 30, (index, term, buffer, offset, length) ->
            {
                seen.add(index);
                return index < 9;
            });
            assertEquals(5, visited);
            assertEquals(List.of(5L, 6L, 7L, 8L, 9L), seen);
        }
    }

    @Test
    void truncateSuffixThenAppendNewTermsSurvivesReopen() throws IOException
    {
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL))
        {
            for (long index = 1; index <= 40; index++)
            {
                append(log, index, 1, lengthOf(index));
            }
            log.sync();
            final int segmentsBefore = segmentFiles(dir).size();
            // Raft §5.3: the follower's entries from 12 on conflict with the leader's.
            log.truncateSuffix(12);
            assertEquals(11, log.lastIndex());
            assertEquals(11, log.lastSyncedIndex());
            assertTrue(segmentFiles(dir).size() < segmentsBefore);
            assertThrows(IllegalArgumentException.class, () -> log.term(12));
            for (long index = 12; index <= 20; index++)
            {
                append(log, index, 3, lengthOf(index) + 1);
            }
            log.sync();
        }
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL))
        {
            assertEquals(20, log.lastIndex());
            assertEquals(1, log.term(11));
            assertEquals(3, log.term(12));
            assertArrayEquals(payload(11, 1, lengthOf(11)), read(log, 11));
            for (long index = 12; index <= 20; index++)
            {
                assertArrayEquals(payload(index, 3, lengthOf(index) + 1), read(log, index));
            }
            assertThrows(IllegalArgumentException.class, () -> log.truncateSuffix(22));
            log.truncateSuffix(21);
            assertEquals(20, log.lastIndex());
        }
    }

    @Test
    void compactPrefixDeletesWholeSegmentsAndKeepsTheSnapshotTerm() throws IOException
    {
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL))
        {
            for (long index = 1; index <= 60; index++)
            {
                append(log, index, termOf(index), lengthOf(index));
            }
            log.sync();
            final int before = segmentFiles(dir).size();
            log.compactPrefix(30);
            assertTrue(segmentFiles(dir).size() < before);
            assertEquals(30, log.snapshotIndex());
            assertEquals(termOf(30), log.snapshotTerm());
            assertEquals(termOf(30), log.term(30));
            assertTrue(log.firstIndex() <= 31 && log.firstIndex() > 1, "first index " + log.firstIndex());
            assertThrows(IllegalArgumentException.class, () -> log.truncateSuffix(30));
            assertThrows(IllegalArgumentException.class, () -> log.compactPrefix(29));
        }
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL))
        {
            assertEquals(30, log.snapshotIndex());
            assertEquals(termOf(30), log.term(30));
            assertEquals(60, log.lastIndex());
            assertEntries(log, log.firstIndex(), 60);
            // Compacting through the last entry leaves an empty log that continues after the snapshot.
            log.compactPrefix(60);
            assertTrue(segmentFiles(dir).isEmpty());
            assertEquals(61, log.firstIndex());
            assertEquals(60, log.lastIndex());
            assertEquals(termOf(60), log.lastTerm());
            append(log, 61, termOf(60), 3);
        }
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL))
        {
            assertEquals(61, log.firstIndex());
            assertEquals(61, log.lastIndex());
            assertEquals(termOf(60), log.term(60));
        }
    }

    @Test
    void resetInstallsASnapshotBeyondTheLog() throws IOException
    {
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL))
        {
            for (long index = 1; index <= 10; index++)
            {
                append(log, index, 1, 20);
            }
            log.reset(500, 4);
            assertEquals(501, log.firstIndex());
            assertEquals(500, log.lastIndex());
            assertEquals(4, log.term(500));
            assertThrows(IllegalArgumentException.class, () -> append(log, 501, 3, 1));
            append(log, 501, 4, 1);
        }
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL))
        {
            assertEquals(501, log.lastIndex());
            assertEquals(4, log.term(501));
            assertEquals(500, log.snapshotIndex());
            assertEquals(List.of("00000000000000000501.seg"),
                segmentFiles(dir).stream().map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void leftoverSegmentsBehindTheSnapshotAreDeletedOnOpen() throws IOException
    {
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL))
        {
            for (long index = 1; index <= 60; index++)
            {
                append(log, index, 1, 30);
            }
        }
        final List<Path> files = segmentFiles(dir);
        // A compaction that wrote the snapshot point, then crashed before deleting: reproduce with the meta file only.
        try (SlotFile meta = SlotFile.open(dir.resolve("log").resolve(SegmentedLog.META_FILE), 16))
        {
            meta.payload().putLong(0, 40, RecordLayout.ORDER);
            meta.payload().putLong(8, 1, RecordLayout.ORDER);
            meta.write();
        }
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL))
        {
            assertTrue(log.recoveryReport().compactedSegmentsDeleted() > 0);
            assertTrue(segmentFiles(dir).size() < files.size());
            assertTrue(log.firstIndex() <= 41);
            assertEquals(60, log.lastIndex());
            assertEntries(log, log.firstIndex(), 60);
        }
    }

    @Test
    void aMissingSegmentIsAGapNotATail() throws IOException
    {
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL))
        {
            for (long index = 1; index <= 60; index++)
            {
                append(log, index, 1, 30);
            }
        }
        Files.delete(segmentFiles(dir).get(1));
        final CorruptLogException thrown =
            assertThrows(CorruptLogException.class, () -> SegmentedLog.open(dir, SMALL));
        assertTrue(thrown.getMessage().contains("gap"), thrown.getMessage());
    }

    @Test
    void aNormalRecordKeepsTheVersionOneLayoutAndAConfChangeCarriesItsKind() throws IOException
    {
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL))
        {
            append(log, 1, 1, 5);
            log.append(2, 1, 1, new UnsafeBuffer(payload(2, 1, 6)), 0, 6);
            log.sync();
        }
        final ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(segmentFiles(dir).get(0)))
            .order(ByteOrder.LITTLE_ENDIAN);
        // Version 1 readers and files: the word after the checksum is the plain length for a normal entry.
        assertEquals(5, file.getInt(RecordLayout.LENGTH_OFFSET));
        assertEquals(1 << RecordLayout.KIND_SHIFT | 6, file.getInt(RecordLayout.HEADER_LENGTH + 5 +
            RecordLayout.LENGTH_OFFSET));
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL))
        {
            final List<Integer> kinds = new ArrayList<>();
            final List<Integer> lengths = new ArrayList<>();
            log.forEach(1, 2, new EntryHandler()
            {
                @Override
                public boolean onEntry(final long index, final long term, final org.agrona.DirectBuffer buffer,
                    final int offset, final int length)
                {
                    throw new AssertionError("the kind-aware callback must be used");
                }

                @Override
                public boolean onEntry(final long index, final long term, final int kind,
                    final org.agrona.DirectBuffer buffer, final int offset, final int length)
                {
                    kinds.add(kind);
                    lengths.add(length);
                    return true;
                }
            });
            assertEquals(List.of(0, 1), kinds);
            assertEquals(List.of(5, 6), lengths);
            assertArrayEquals(payload(2, 1, 6), read(log, 2));
            assertEntries(log, 1, 2);
        }
    }

    @Test
    void aRecordOfAnEntryKindFromANewerVersionIsRefusedOnOpen() throws IOException
    {
        try (SegmentedLog log = SegmentedLog.open(dir, SMALL))
        {
            append(log, 1, 1, 5);
            append(log, 2, 1, 5);
            log.sync();
        }
        // Rewrite record 1 with kind 2 and a valid checksum: intact, but nothing this version can interpret.
        final Path segment = segmentFiles(dir).get(0);
        final byte[] bytes = Files.readAllBytes(segment);
        final ByteBuffer file = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        file.putInt(RecordLayout.LENGTH_OFFSET, 2 << RecordLayout.KIND_SHIFT | 5);
        final CRC32C crc = new CRC32C();
        crc.update(bytes, RecordLayout.CHECKSUMMED_OFFSET, RecordLayout.HEADER_LENGTH + 5 -
            RecordLayout.CHECKSUMMED_OFFSET);
        file.putInt(RecordLayout.CHECKSUM_OFFSET, (int)crc.getValue());
        Files.write(segment, bytes);
        final CorruptLogException thrown =
            assertThrows(CorruptLogException.class, () -> SegmentedLog.open(dir, SMALL));
        assertTrue(thrown.getMessage().contains("kind 2"), thrown.getMessage());
        assertThrows(IllegalArgumentException.class, () ->
        {
            try (SegmentedLog log = SegmentedLog.open(dir.resolve("other"), SMALL))
            {
                log.append(1, 1, 2, new UnsafeBuffer(new byte[1]), 0, 1);
            }
        });
    }

    @Test
    void aStrayFileNameIsRejectedClearly() throws IOException
    {
        Files.createDirectories(dir.resolve("log"));
        Files.write(dir.resolve("log").resolve("junk.seg"), new byte[0]);
        final CorruptLogException thrown =
            assertThrows(CorruptLogException.class, () -> SegmentedLog.open(dir, SMALL));
        assertTrue(thrown.getMessage().contains("junk.seg"), thrown.getMessage());
    }

    static void assertEntries(final SegmentedLog log, final long from, final long to) throws IOException
    {
        final long[] next = {from};
        final long visited = log.forEach(from, to, (index, term, buffer, offset, length) ->
        {
            assertEquals(next[0]++, index);
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            assertEquals(log.term(index), term);
            assertArrayEquals(payload(index, term, length), bytes, "entry " + index);
            return true;
        });
        assertEquals(to - from + 1, visited);
    }
}
