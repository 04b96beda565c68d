package io.conduit.raft.storage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Layout of one log record in a segment file (layout version 2); every field little-endian.
 * <pre>
 *  0               4               8                               16                              24
 *  +---------------+---------------+-------------------------------+-------------------------------+----------- -
 *  |   checksum    |kind+length    |             term              |             index             | payload ...
 *  +---------------+---------------+-------------------------------+-------------------------------+----------- -
 *  checksum = CRC32C over bytes [4, 24 + payload length): the three header fields after it, then the payload.
 *  kind+length: bits 0-29 payload length (a record never exceeds a segment, at most 2^30 bytes),
 *               bits 30-31 the entry kind (io.conduit.raft.EntryKind code: 0 NORMAL, 1 CONF_CHANGE).
 * </pre>
 * The checksum covers the length and index too, so a torn or zero-filled header cannot pass for a record, and the
 * index makes a record that landed in the wrong place (or a stale one after a truncation) detectable.
 * <p>
 * Version 1 had the plain length in that word, and its top two bits were always 0 (segments are at most 2^30
 * bytes): every version 1 record reads as a version 2 NORMAL record, so old logs open unchanged, and a NORMAL record
 * is written byte for byte as before. A version 1 reader refuses a CONF_CHANGE record (its length word is then
 * beyond any segment): downgrading a log that holds one is not supported.
 */
final class RecordLayout
{
    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    static final int CHECKSUM_OFFSET = 0;
    static final int LENGTH_OFFSET = 4;
    static final int TERM_OFFSET = 8;
    static final int INDEX_OFFSET = 16;
    static final int HEADER_LENGTH = 24;
    /** The kind+length word: the kind's shift, and the mask of the length below it. */
    static final int KIND_SHIFT = 30;
    static final int LENGTH_MASK = (1 << KIND_SHIFT) - 1;
    /** Highest entry kind code this version writes and reads; a higher one is from a newer version. */
    static final int MAX_KIND = 1;
    /** First byte the checksum covers. */
    static final int CHECKSUMMED_OFFSET = LENGTH_OFFSET;

    private RecordLayout()
    {
    }

    static int lengthWord(final int kind, final int length)
    {
        return kind << KIND_SHIFT | length;
    }

    static int length(final int lengthWord)
    {
        return lengthWord & LENGTH_MASK;
    }

    static int kind(final int lengthWord)
    {
        return lengthWord >>> KIND_SHIFT;
    }

    /**
     * Feeds bytes [from, to) of a direct or heap ByteBuffer to the CRC without allocating, restoring position/limit.
     */
    static void update(final CRC32C crc, final ByteBuffer buffer, final int from, final int to)
    {
        final int position = buffer.position();
        final int limit = buffer.limit();
        buffer.limit(to).position(from);
        crc.update(buffer);
        buffer.limit(limit).position(position);
    }
}
