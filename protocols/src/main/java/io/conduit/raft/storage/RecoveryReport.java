package io.conduit.raft.storage;

/**
 * What {@link SegmentedLog#open} found and repaired.
 *
 * @param segmentsScanned         segment files verified record by record.
 * @param entriesRecovered        entries kept in those segments.
 * @param truncatedBytes          bytes cut from the tail of the last segment (a torn or corrupt final write).
 * @param truncatedRecords        records cut: 1 if the tail held an incomplete or CRC-invalid record, else 0 (by
 *                                the recovery rule nothing valid may follow it, so there is never more than one).
 * @param compactedSegmentsDeleted segments deleted because they lay wholly behind the snapshot, finishing a
 *                                {@link SegmentedLog#compactPrefix} that a crash interrupted.
 */
public record RecoveryReport(
    int segmentsScanned,
    long entriesRecovered,
    long truncatedBytes,
    int truncatedRecords,
    int compactedSegmentsDeleted)
{
    /**
     * @return whether recovery changed anything on disk.
     */
    public boolean repaired()
    {
        return truncatedBytes > 0 || compactedSegmentsDeleted > 0;
    }
}
