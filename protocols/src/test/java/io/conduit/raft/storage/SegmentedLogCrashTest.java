package io.conduit.raft.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.conduit.raft.storage.SegmentedLogTest.append;
import static io.conduit.raft.storage.SegmentedLogTest.assertEntries;
import static io.conduit.raft.storage.SegmentedLogTest.payload;
import static io.conduit.raft.storage.SegmentedLogTest.read;
import static io.conduit.raft.storage.SegmentedLogTest.segmentFiles;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Crash images of one segment: cut at every byte of the last records, bytes flipped, zeros appended. Recovery must
 * keep exactly the complete, CRC-valid prefix, and refuse damage that is not at the tail.
 */
class SegmentedLogCrashTest
{
    private static final int ENTRIES = 12;
    private static final SegmentedLogConfig CONFIG = SegmentedLogConfig.defaults();

    @TempDir
    Path dir;

    private byte[] image;
    /** recordStart[i] is where entry i + 1 starts; recordStart[ENTRIES] is the file size. */
    private final long[] recordStart = new long[ENTRIES + 1];
    private int run;

    private static int lengthOf(final long index)
    {
        return (int)(index * 17 % 41);
    }

    @BeforeEach
    void writeOneSegment() throws IOException
    {
        final Path original = dir.resolve("original");
        try (SegmentedLog log = SegmentedLog.open(original, CONFIG))
        {
            for (long index = 1; index <= ENTRIES; index++)
            {
                append(log, index, 1 + index / 4, lengthOf(index));
            }
        }
        image = Files.readAllBytes(segmentFiles(original).get(0));
        for (int i = 0; i < ENTRIES; i++)
        {
            recordStart[i + 1] = recordStart[i] + RecordLayout.HEADER_LENGTH + lengthOf(i + 1);
        }
        assertEquals(image.length, recordStart[ENTRIES]);
    }

    /** Writes {@code bytes} as the only segment of a fresh data directory. */
    private Path crashImage(final byte[] bytes) throws IOException
    {
        final Path data = dir.resolve("run" + run++);
        Files.createDirectories(data.resolve(SegmentedLog.LOG_DIRECTORY));
        Files.write(data.resolve(SegmentedLog.LOG_DIRECTORY).resolve("00000000000000000001.seg"), bytes);
        return data;
    }

    /** Complete records within the first {@code length} bytes. */
    private int completeRecords(final long length)
    {
        int count = 0;
        while (count < ENTRIES && recordStart[count + 1] <= length)
        {
            count++;
        }
        return count;
    }

    private void assertRecoversTo(final Path data, final int expectedLast, final long expectedTruncatedBytes)
        throws IOException
    {
        try (SegmentedLog log = SegmentedLog.open(data, CONFIG))
        {
            assertEquals(expectedLast, log.lastIndex(), "recovered last index");
            assertEquals(expectedTruncatedBytes, log.recoveryReport().truncatedBytes());
            assertEquals(expectedTruncatedBytes > 0 ? 1 : 0, log.recoveryReport().truncatedRecords());
            if (expectedLast > 0)
            {
                assertEntries(log, 1, expectedLast);
            }
        }
        assertEquals(recordStart[expectedLast], Files.size(segmentFiles(data).get(0)), "file truncated on disk");
    }

    @Test
    void aCutAtEveryByteOfTheLastRecordsRecoversTheCompletePrefix() throws IOException
    {
        for (long cut = recordStart[ENTRIES - 2]; cut < image.length; cut++)
        {
            final int complete = completeRecords(cut);
            final Path data = crashImage(Arrays.copyOf(image, (int)cut));
            assertRecoversTo(data, complete, cut - recordStart[complete]);
        }
    }

    @Test
    void aFlipAnywhereInTheLastRecordDropsOnlyThatRecord() throws IOException
    {
        for (long at = recordStart[ENTRIES - 1]; at < image.length; at++)
        {
            final byte[] bytes = image.clone();
            bytes[(int)at] ^= 0x5a;
            assertRecoversTo(crashImage(bytes), ENTRIES - 1, image.length - recordStart[ENTRIES - 1]);
        }
    }

    @Test
    void randomCutsWithRandomFlipsInTheTornRecordRecoverTheRecordsBeforeIt() throws IOException
    {
        final Random random = new Random(42);
        for (int trial = 0; trial < 50; trial++)
        {
            final int cut = (int)recordStart[ENTRIES - 4] + 1 +
                random.nextInt(image.length - (int)recordStart[ENTRIES - 4]);
            // The record holding the last byte kept is the torn one; damage inside it, never before it.
            final int torn = completeRecords(cut - 1);
            final byte[] bytes = Arrays.copyOf(image, cut);
            final int flips = 1 + random.nextInt(3);
            for (int i = 0; i < flips; i++)
            {
                // A later flip may land on an earlier one's byte; XOR against the original keeps it changed.
                final int at = (int)recordStart[torn] + random.nextInt(cut - (int)recordStart[torn]);
                bytes[at] = (byte)(image[at] ^ (1 + random.nextInt(255)));
            }
            assertRecoversTo(crashImage(bytes), torn, cut - recordStart[torn]);
        }
    }

    @Test
    void zerosAfterTheLastRecordAreATornTail() throws IOException
    {
        final byte[] bytes = Arrays.copyOf(image, image.length + 4096);
        assertRecoversTo(crashImage(bytes), ENTRIES, 4096);
    }

    @Test
    void aFlipInAMiddleRecordIsCorruptionNotATail() throws IOException
    {
        for (final int entry : List.of(1, 5, ENTRIES - 1))
        {
            for (long at = recordStart[entry - 1]; at < recordStart[entry]; at++)
            {
                final byte[] bytes = image.clone();
                bytes[(int)at] ^= 0x01;
                final Path data = crashImage(bytes);
                final CorruptLogException thrown =
                    assertThrows(CorruptLogException.class, () -> SegmentedLog.open(data, CONFIG), "byte " + at);
                assertTrue(thrown.getMessage().contains("index " + entry), thrown.getMessage());
                // Refusing must not have repaired anything.
                assertArrayEquals(bytes, Files.readAllBytes(segmentFiles(data).get(0)));
            }
        }
    }

    @Test
    void damageAtTheEndOfAnEarlierSegmentIsCorruption() throws IOException
    {
        final Path data = dir.resolve("segments");
        try (SegmentedLog log = SegmentedLog.open(data, SegmentedLogTest.SMALL))
        {
            for (long index = 1; index <= 40; index++)
            {
                append(log, index, 1, 30);
            }
        }
        final Path first = segmentFiles(data).get(0);
        final byte[] bytes = Files.readAllBytes(first);
        bytes[bytes.length - 1] ^= 0x10;
        Files.write(first, bytes);
        final CorruptLogException thrown =
            assertThrows(CorruptLogException.class, () -> SegmentedLog.open(data, SegmentedLogTest.SMALL));
        assertTrue(thrown.getMessage().contains("not the last segment"), thrown.getMessage());
    }

    @Test
    void appendingAfterRecoveryContinuesFromTheRecoveredIndex() throws IOException
    {
        final long cut = recordStart[ENTRIES - 1] + 7;
        final Path data = crashImage(Arrays.copyOf(image, (int)cut));
        try (SegmentedLog log = SegmentedLog.open(data, CONFIG))
        {
            assertEquals(ENTRIES - 1, log.lastIndex());
            append(log, ENTRIES, 9, 33);
            append(log, ENTRIES + 1, 9, 2);
            log.sync();
        }
        try (SegmentedLog log = SegmentedLog.open(data, CONFIG))
        {
            assertEquals(ENTRIES + 1, log.lastIndex());
            assertEquals(0, log.recoveryReport().truncatedBytes());
            assertArrayEquals(payload(ENTRIES, 9, 33), read(log, ENTRIES));
        }
    }

    @Test
    void anAbandonedLogKeepsEverythingSyncedAndAPrefixOfTheRest() throws IOException
    {
        final Path data = dir.resolve("abandoned");
        final SegmentedLog log = SegmentedLog.open(data, SegmentedLogTest.SMALL);
        for (long index = 1; index <= 30; index++)
        {
            append(log, index, 1, 20);
        }
        log.sync();
        for (long index = 31; index <= 33; index++)
        {
            append(log, index, 2, 20);
        }
        log.abandon();
        try (SegmentedLog reopened = SegmentedLog.open(data, SegmentedLogTest.SMALL))
        {
            assertTrue(reopened.lastIndex() >= 30 && reopened.lastIndex() <= 33, "last " + reopened.lastIndex());
            assertEntries(reopened, 1, reopened.lastIndex());
        }
    }
}
