package io.conduit.chain;

/**
 * How a replica runs: read mode and the bounds on everything it buffers.
 *
 * @param craqReads          CRAQ reads: any member answers a get for a key with no unacknowledged update locally and
 *                           asks the tail about a dirty one; off, only the tail answers gets (others redirect).
 * @param windowLength       most updates the head keeps unacknowledged; beyond it writes are answered RETRY. It
 *                           also bounds every member's unacknowledged updates, since they all came from a head.
 * @param maxBatchUpdates    most updates in one FORWARD message.
 * @param maxBatchBytes      most command bytes in one FORWARD message (a single larger update still goes alone).
 * @param snapshotChunkBytes the bytes of snapshot per SNAPSHOT_CHUNK message during a state transfer.
 * @param maxSnapshotBytes   the largest snapshot a joining member accepts.
 * @param maxPendingReads    most CRAQ reads waiting for the tail's answer; beyond it reads are answered RETRY.
 */
public record ChainOptions(
    boolean craqReads,
    int windowLength,
    int maxBatchUpdates,
    int maxBatchBytes,
    int snapshotChunkBytes,
    int maxSnapshotBytes,
    int maxPendingReads)
{
    /** Tail reads, 1,024 updates in flight, batches of 64 updates or 64 KiB, 64 KiB snapshot chunks, 1 GiB max. */
    public static final ChainOptions DEFAULT = new ChainOptions(false, 1024, 64, 64 * 1024, 64 * 1024, 1 << 30, 1024);

    public ChainOptions
    {
        requirePositive("windowLength", windowLength);
        requirePositive("maxBatchUpdates", maxBatchUpdates);
        requirePositive("maxBatchBytes", maxBatchBytes);
        requirePositive("snapshotChunkBytes", snapshotChunkBytes);
        requirePositive("maxSnapshotBytes", maxSnapshotBytes);
        requirePositive("maxPendingReads", maxPendingReads);
    }

    public ChainOptions withCraqReads(final boolean enabled)
    {
        return new ChainOptions(enabled, windowLength, maxBatchUpdates, maxBatchBytes, snapshotChunkBytes,
            maxSnapshotBytes, maxPendingReads);
    }

    public ChainOptions withWindowLength(final int length)
    {
        return new ChainOptions(craqReads, length, maxBatchUpdates, maxBatchBytes, snapshotChunkBytes,
            maxSnapshotBytes, maxPendingReads);
    }

    public ChainOptions withBatching(final int updates, final int bytes)
    {
        return new ChainOptions(craqReads, windowLength, updates, bytes, snapshotChunkBytes, maxSnapshotBytes,
            maxPendingReads);
    }

    public ChainOptions withSnapshotChunkBytes(final int bytes)
    {
        return new ChainOptions(craqReads, windowLength, maxBatchUpdates, maxBatchBytes, bytes, maxSnapshotBytes,
            maxPendingReads);
    }

    private static void requirePositive(final String name, final long value)
    {
        if (value < 1)
        {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
