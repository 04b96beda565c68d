package io.conduit.raft.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One segment file and the in-memory index of its records: entry {@code firstIndex + slot} starts at byte
 * {@code positions[slot]}. Segments never exceed 2^30 bytes, so an int position suffices and halves the index.
 */
final class Segment
{
    final Path path;
    final FileChannel channel;
    final long firstIndex;
    private int[] positions;
    private int count;
    /** Logical size: bytes on disk plus bytes still in the log's write buffer when this is the active segment. */
    long sizeBytes;

    Segment(final Path path, final FileChannel channel, final long firstIndex, final int expectedEntries)
    {
        this.path = path;
        this.channel = channel;
        this.firstIndex = firstIndex;
        this.positions = new int[Math.max(16, expectedEntries)];
    }

    static String fileName(final long firstIndex)
    {
        return String.format("%020d%s", firstIndex, SegmentedLog.SEGMENT_SUFFIX);
    }

    int count()
    {
        return count;
    }

    /** Index of the last entry, or {@code firstIndex - 1} when empty. */
    long lastIndex()
    {
        return firstIndex + count - 1;
    }

    long position(final int slot)
    {
        return positions[slot];
    }

    long endPosition(final int slot)
    {
        return slot + 1 < count ? positions[slot + 1] : sizeBytes;
    }

    void add(final long position, final int recordLength)
    {
        if (count == positions.length)
        {
            positions = Arrays.copyOf(positions, count * 2);
        }
        positions[count++] = (int)position;
        sizeBytes = position + recordLength;
    }

    /** Keeps the first {@code keep} entries, in memory only. */
    void truncateEntries(final int keep)
    {
        sizeBytes = keep < count ? positions[keep] : sizeBytes;
        count = keep;
    }

    void close() throws IOException
    {
        channel.close();
    }
}
