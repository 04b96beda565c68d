package io.conduit.raft.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Persists {@link HardState} in {@code DIR/hardstate}: two alternating slots, each with a sequence number and a
 * CRC32C over all its fields ({@link SlotFile}). A save overwrites the older slot and fdatasyncs, so the newer valid
 * slot always holds either the previous state or the new one, whole: a torn write can only invalidate the slot being
 * written, and the checksum covers every field, so fields of two states are never mixed.
 * <p>
 * Why slots rather than write-temp-fsync-rename-fsync-directory: the commit index changes with nearly every batch,
 * and a slot write costs one fdatasync of an already allocated page, no inode or directory update; the rename
 * protocol costs two fsyncs and a directory change per save. Not thread safe.
 * <pre>
 *  slot payload, little-endian, after the 16-byte slot header (checksum, magic, sequence):
 *  0                               8                               16              20
 *  +-------------------------------+-------------------------------+---------------+
 *  |          currentTerm          |          commitIndex          |   votedFor    |
 *  +-------------------------------+-------------------------------+---------------+
 * </pre>
 */
public final class HardStateFile implements AutoCloseable
{
    /** File name inside the data directory. */
    public static final String FILE_NAME = "hardstate";
    private static final int TERM_OFFSET = 0;
    private static final int COMMIT_INDEX_OFFSET = 8;
    private static final int VOTED_FOR_OFFSET = 16;
    private static final int PAYLOAD_LENGTH = 20;

    private final SlotFile slots;

    private HardStateFile(final SlotFile slots)
    {
        this.slots = slots;
    }

    /**
     * Opens or creates {@code dataDirectory/hardstate}.
     *
     * @throws CorruptLogException if both slots hold data and neither verifies.
     */
    public static HardStateFile open(final Path dataDirectory) throws IOException
    {
        Files.createDirectories(dataDirectory);
        return new HardStateFile(SlotFile.open(dataDirectory.resolve(FILE_NAME), PAYLOAD_LENGTH));
    }

    /**
     * Reads the file.
     *
     * @return the last state saved completely, or {@link HardState#INITIAL} if none ever was.
     * @throws CorruptLogException if both slots hold data and neither verifies.
     */
    public HardState load() throws IOException
    {
        final DirectBuffer payload = slots.load();
        if (payload == null)
        {
            return HardState.INITIAL;
        }
        return new HardState(payload.getLong(TERM_OFFSET, RecordLayout.ORDER),
            payload.getInt(VOTED_FOR_OFFSET, RecordLayout.ORDER),
            payload.getLong(COMMIT_INDEX_OFFSET, RecordLayout.ORDER));
    }

    /**
     * Saves durably: on return the state survives a crash, and a crash during the save leaves the previous state.
     */
    public void save(final long currentTerm, final int votedFor, final long commitIndex) throws IOException
    {
        if (currentTerm < 0 || commitIndex < 0 || votedFor < 0)
        {
            throw new IllegalArgumentException("negative hard state: term " + currentTerm + ", votedFor " + votedFor +
                ", commitIndex " + commitIndex);
        }
        final MutableDirectBuffer payload = slots.payload();
        payload.putLong(TERM_OFFSET, currentTerm, RecordLayout.ORDER);
        payload.putLong(COMMIT_INDEX_OFFSET, commitIndex, RecordLayout.ORDER);
        payload.putInt(VOTED_FOR_OFFSET, votedFor, RecordLayout.ORDER);
        slots.write();
    }

    /**
     * Saves durably; see {@link #save(long, int, long)}.
     */
    public void save(final HardState state) throws IOException
    {
        save(state.currentTerm(), state.votedFor(), state.commitIndex());
    }

    @Override
    public void close() throws IOException
    {
        slots.close();
    }
}
