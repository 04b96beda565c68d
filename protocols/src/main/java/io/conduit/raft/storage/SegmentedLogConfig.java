package io.conduit.raft.storage;

/**
 * Tuning for {@link SegmentedLog}.
 *
 * @param maxSegmentBytes  a segment rolls over when the next record would take it past this size; a single record
 *                         larger than this is refused. Segments are the unit of compaction, so smaller segments free
 *                         disk sooner after a snapshot, larger ones mean fewer files and rollover fsyncs.
 * @param writeBufferBytes appends collect here and reach the file in one write per buffer-full or per
 *                         {@link SegmentedLog#sync}; larger records bypass it in chunks.
 * @param readBufferBytes  initial read buffer; it grows to the largest record read, and
 *                         {@link SegmentedLog#forEach} reads this many bytes of consecutive records per system call.
 */
public record SegmentedLogConfig(int maxSegmentBytes, int writeBufferBytes, int readBufferBytes)
{
    /** 64 MiB: compaction granularity of etcd's WAL and Kafka-scale logs, few files for a busy node. */
    public static final int DEFAULT_MAX_SEGMENT_BYTES = 64 * 1024 * 1024;
    /** 256 KiB: many small entries per write system call in one group commit. */
    public static final int DEFAULT_WRITE_BUFFER_BYTES = 256 * 1024;
    /** 64 KiB: enough for an AppendEntries batch of small entries in one read. */
    public static final int DEFAULT_READ_BUFFER_BYTES = 64 * 1024;

    /**
     * Validates the sizes.
     */
    public SegmentedLogConfig
    {
        if (maxSegmentBytes < RecordLayout.HEADER_LENGTH + 1 || maxSegmentBytes > (1 << 30))
        {
            throw new IllegalArgumentException(
                "maxSegmentBytes must be in [" + (RecordLayout.HEADER_LENGTH + 1) + ", 2^30]: " + maxSegmentBytes);
        }
        if (writeBufferBytes < RecordLayout.HEADER_LENGTH * 2)
        {
            throw new IllegalArgumentException("writeBufferBytes too small: " + writeBufferBytes);
        }
        if (readBufferBytes < RecordLayout.HEADER_LENGTH * 2)
        {
            throw new IllegalArgumentException("readBufferBytes too small: " + readBufferBytes);
        }
    }

    /**
     * @return the defaults.
     */
    public static SegmentedLogConfig defaults()
    {
        return new SegmentedLogConfig(DEFAULT_MAX_SEGMENT_BYTES, DEFAULT_WRITE_BUFFER_BYTES, DEFAULT_READ_BUFFER_BYTES);
    }

    /**
     * @param bytes the new segment size limit.
     * @return a copy with it.
     */
    public SegmentedLogConfig withMaxSegmentBytes(final int bytes)
    {
        return new SegmentedLogConfig(bytes, writeBufferBytes, readBufferBytes);
    }

    /**
     * @param bytes the new write buffer size.
     * @return a copy with it.
     */
    public SegmentedLogConfig withWriteBufferBytes(final int bytes)
    {
        return new SegmentedLogConfig(maxSegmentBytes, bytes, readBufferBytes);
    }

    /**
     * @param bytes the new initial read buffer size.
     * @return a copy with it.
     */
    public SegmentedLogConfig withReadBufferBytes(final int bytes)
    {
        return new SegmentedLogConfig(maxSegmentBytes, writeBufferBytes, bytes);
    }
}
