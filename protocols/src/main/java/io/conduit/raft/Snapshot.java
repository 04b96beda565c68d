package io.conduit.raft;

/**
 * A whole snapshot: its {@link SnapshotMetadata} and the state machine's bytes as of
 * {@link SnapshotMetadata#index()}. The data array is owned by the snapshot once handed over; do not modify it.
 */
public final class Snapshot
{
    private final SnapshotMetadata metadata;
    private final byte[] data;

    /**
     * @param metadata what the snapshot covers; its index must be positive.
     * @param data     the state machine's serialised state, owned by the snapshot from now on.
     */
    public Snapshot(final SnapshotMetadata metadata, final byte[] data)
    {
        if (metadata.index() < 1)
        {
            throw new IllegalArgumentException("a snapshot covers at least index 1: " + metadata);
        }
        this.metadata = metadata;
        this.data = data;
    }

    public SnapshotMetadata metadata()
    {
        return metadata;
    }

    /** The state machine bytes; do not modify. */
    public byte[] data()
    {
        return data;
    }

    @Override
    public String toString()
    {
        return "Snapshot{" + metadata + " bytes=" + data.length + '}';
    }
}
