package io.conduit.raft.storage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Layout of one log record in a segment file; every field little-endian.
 * <pre>
 *  0               4               8                               16                              24
 *  +---------------+---------------+-------------------------------+-------------------------------+----------- -
 *  |   checksum    | payload length|             term              |             index             | payload ...
 *  +---------------+---------------+-------------------------------+-------------------------------+----------- -
 *  checksum = CRC32C over bytes [4, 24 + payload length): the three header fields after it, then the payload.
 * </pre>
 * The checksum covers the length and index too, so a torn or zero-filled header cannot pass for a record, and the
 * index makes a record that landed in the wrong place (or a stale one after a truncation) detectable.
 */
final class RecordLayout
{
    static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;
    static final int CHECKSUM_OFFSET = 0;
    static final int LENGTH_OFFSET = 4;
    static final int TERM_OFFSET = 8;
    static final int INDEX_OFFSET = 16;
    static final int HEADER_LENGTH = 24;
    /** First byte the checksum covers. */
    static final int CHECKSUMMED_OFFSET = LENGTH_OFFSET;

    private RecordLayout()
    {
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
