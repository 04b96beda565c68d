package io.conduit.transport.status;

import org.agrona.BitUtil;
import org.agrona.concurrent.status.CountersReader;

/**
 * Byte layout of a status file {@code <pid>-<n>.stat}. All fields are in native byte order: the file is shared
 * memory between processes on one host and never travels.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 magic (written last, release)                 |  0
 *  +---------------------------------------------------------------+
 *  |                        layout version                         |  4
 *  +---------------------------------------------------------------+
 *  |                          pid (long)                           |  8
 *  +---------------------------------------------------------------+
 *  |                    start epoch ms (long)                      | 16
 *  +---------------------------------------------------------------+
 *  |              heartbeat epoch ms (long, release)               | 24
 *  +---------------------------------------------------------------+
 *  |                     metadata length (bytes)                   | 32
 *  +---------------------------------------------------------------+
 *  |                      values length (bytes)                    | 36
 *  +---------------------------------------------------------------+
 *  |                     name length (bytes)                       | 40
 *  +---------------------------------------------------------------+
 *  |            name, UTF-8, up to 200 bytes, zero padded         ... 44
 *  +---------------------------------------------------------------+
 *  |   Agrona counters metadata: maxCounters x METADATA_LENGTH    ... 256
 *  +---------------------------------------------------------------+
 *  |   Agrona counter values:    maxCounters x COUNTER_LENGTH     ... 256 + metadata length
 *  +---------------------------------------------------------------+
 * </pre>
 * The magic is stored last with release semantics, so a reader that sees it also sees a complete header; a reader
 * that does not (a file being created, truncated or foreign) skips the file.
 */
public final class StatusFileLayout
{
    /** "CDST" read as a little-endian int: Conduit status. */
    public static final int MAGIC = 0x54534443;
    /** Bumped on any incompatible change; readers skip files with another version. */
    public static final int LAYOUT_VERSION = 1;

    public static final int MAGIC_OFFSET = 0;
    public static final int LAYOUT_VERSION_OFFSET = 4;
    public static final int PID_OFFSET = 8;
    public static final int START_EPOCH_MS_OFFSET = 16;
    public static final int HEARTBEAT_EPOCH_MS_OFFSET = 24;
    public static final int METADATA_LENGTH_OFFSET = 32;
    public static final int VALUES_LENGTH_OFFSET = 36;
    public static final int NAME_LENGTH_OFFSET = 40;
    public static final int NAME_OFFSET = 44;
    /** Longer names are cut at a UTF-8 character boundary. */
    public static final int MAX_NAME_LENGTH = 200;
    /** Two cache lines' worth more than the fields need; keeps the metadata and values buffers 128-byte aligned. */
    public static final int HEADER_LENGTH = 256;

    /** Upper bound on counters per file, so every length and offset stays well inside an int. */
    public static final int MAX_COUNTERS = 1 << 20;

    public static final String FILE_SUFFIX = ".stat";

    static
    {
        if (NAME_OFFSET + MAX_NAME_LENGTH > HEADER_LENGTH || !BitUtil.isAligned(HEADER_LENGTH,
            CountersReader.COUNTER_LENGTH))
        {
            throw new AssertionError("status file header fields overflow the header or misalign the counters");
        }
    }

    private StatusFileLayout()
    {
    }

    /**
     * @param maxCounters how many counters the file holds.
     * @return the metadata buffer length for that many counters.
     */
    public static int metadataLength(final int maxCounters)
    {
        return maxCounters * CountersReader.METADATA_LENGTH;
    }

    /**
     * @param maxCounters how many counters the file holds.
     * @return the values buffer length for that many counters.
     */
    public static int valuesLength(final int maxCounters)
    {
        return maxCounters * CountersReader.COUNTER_LENGTH;
    }

    /**
     * @param maxCounters how many counters the file holds.
     * @return the whole file length.
     */
    public static int fileLength(final int maxCounters)
    {
        return HEADER_LENGTH + metadataLength(maxCounters) + valuesLength(maxCounters);
    }

    /**
     * Extracts the pid from a status file name, {@code <pid>-<n>.stat}.
     *
     * @param fileName the file name without directory.
     * @return the pid, or -1 when the name is not a status file name.
     */
    public static long pidFromFileName(final String fileName)
    {
        final int dash = fileName.indexOf('-');
        if (dash <= 0 || !fileName.endsWith(FILE_SUFFIX) || dash > 18)
        {
            return -1;
        }
        long pid = 0;
        for (int i = 0; i < dash; i++)
        {
            final char c = fileName.charAt(i);
            if (c < '0' || c > '9')
            {
                return -1;
            }
            pid = pid * 10 + (c - '0');
        }
        return pid;
    }
}
