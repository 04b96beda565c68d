package io.conduit.raft.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * State machine snapshots in {@code DIR/snapshots/<index, 20 digits>-<term, 20 digits>.snap}, written to a
 * {@code .tmp} file, fsynced, atomically renamed and the directory fsynced, so a snapshot either exists whole or not
 * at all; a commit deletes the older ones. File layout, little-endian:
 * <pre>
 *  0               4               8                               16                              24
 *  +---------------+---------------+-------------------------------+-------------------------------+
 *  | header CRC32C | magic 'CDSN'  |             index             |             term              |
 *  +---------------+---------------+-------------------------------+-------------------------------+
 *  |         data length           |  data CRC32C  |   reserved    |  data ...
 *  +-------------------------------+---------------+---------------+------------ - -
 *  24                              32              36              40
 *  header CRC32C over bytes [4, 40); data CRC32C over the data.
 * </pre>
 * The snapshot must be durable before the log is compacted behind it ({@link SegmentedLog#compactPrefix}). Not
 * thread safe.
 */
public final class SnapshotStore
{
    /** Subdirectory of the data directory. */
    public static final String SNAPSHOT_DIRECTORY = "snapshots";
    static final String SUFFIX = ".snap";
    static final String TEMP_SUFFIX = ".tmp";
    static final int MAGIC = 0x4e534443; // "CDSN" read as little-endian bytes
    static final int MAGIC_OFFSET = 4;
    static final int INDEX_OFFSET = 8;
    static final int TERM_OFFSET = 16;
    static final int LENGTH_OFFSET = 24;
    static final int DATA_CRC_OFFSET = 32;
    static final int HEADER_LENGTH = 40;
    private static final int CHUNK_BYTES = 64 * 1024;

    private final Path directory;

    private SnapshotStore(final Path directory)
    {
        this.directory = directory;
    }

    /**
     * Opens or creates {@code dataDirectory/snapshots}, deleting temporary files a crash left behind.
     */
    public static SnapshotStore open(final Path dataDirectory) throws IOException
    {
        final Path directory = dataDirectory.resolve(SNAPSHOT_DIRECTORY);
        Files.createDirectories(directory);
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, "*" + TEMP_SUFFIX))
        {
            for (final Path path : stream)
            {
                Files.delete(path);
            }
        }
        return new SnapshotStore(directory);
    }

    /**
     * Starts a snapshot; its data is appended with {@link SnapshotWriter#write} (e.g. InstallSnapshot chunks) and it
     * becomes visible only on {@link SnapshotWriter#commit()}.
     */
    public SnapshotWriter create(final long index, final long term) throws IOException
    {
        if (index < 1 || term < 1)
        {
            throw new IllegalArgumentException("snapshot index and term must be positive: " + index + ", " + term);
        }
        return new SnapshotWriter(directory, index, term);
    }

    /**
     * Saves a whole snapshot from a stream and commits it.
     */
    public void save(final long index, final long term, final InputStream data) throws IOException
    {
        try (SnapshotWriter writer = create(index, term))
        {
            final byte[] chunk = new byte[CHUNK_BYTES];
            final UnsafeBuffer view = new UnsafeBuffer(chunk);
            int read;
            while ((read = data.read(chunk)) > 0)
            {
                writer.write(view, 0, read);
            }
            writer.commit();
        }
    }

    /**
     * Opens the newest snapshot after verifying its header and data checksums (one pass over the data).
     *
     * @return a reader to close after use, or null if there is no snapshot.
     * @throws CorruptLogException if the newest snapshot does not verify.
     */
    public SnapshotReader openLatest() throws IOException
    {
        Path latest = null;
        long latestIndex = -1;
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, "*" + SUFFIX))
        {
            for (final Path path : stream)
            {
                final long index = indexOf(path);
                if (index > latestIndex)
                {
                    latest = path;
                    latestIndex = index;
                }
            }
        }
        return latest == null ? null : SnapshotReader.open(latest, latestIndex);
    }

    static String fileName(final long index, final long term)
    {
        return String.format("%020d-%020d%s", index, term, SUFFIX);
    }

    static long indexOf(final Path path) throws CorruptLogException
    {
        final String name = path.getFileName().toString();
        if (name.length() != 41 + SUFFIX.length() || name.charAt(20) != '-')
        {
            throw new CorruptLogException("not a snapshot name (index-term" + SUFFIX + "): " + path);
        }
        try
        {
            return Long.parseLong(name.substring(0, 20));
        }
        catch (final NumberFormatException ex)
        {
            throw new CorruptLogException("not a snapshot name (index-term" + SUFFIX + "): " + path);
        }
    }

    /** Deletes committed snapshots older than {@code index}. */
    static void deleteOlder(final Path directory, final long index) throws IOException
    {
        boolean deleted = false;
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, "*" + SUFFIX))
        {
            for (final Path path : stream)
            {
                if (indexOf(path) < index)
                {
                    Files.delete(path);
                    deleted = true;
                }
            }
        }
        if (deleted)
        {
            DirectorySync.sync(directory);
        }
    }

    /**
     * Writes one snapshot; close without commit to abandon it.
     */
    public static final class SnapshotWriter implements AutoCloseable
    {
        private final Path directory;
        private final Path tempPath;
        private final long index;
        private final long term;
        private final FileChannel channel;
        private final ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK_BYTES);
        private final UnsafeBuffer chunkView = new UnsafeBuffer(chunk);
        private final CRC32C dataCrc = new CRC32C();
        private long length;
        private boolean finished;

        SnapshotWriter(final Path directory, final long index, final long term) throws IOException
        {
            this.directory = directory;
            this.index = index;
            this.term = term;
            this.tempPath = directory.resolve(fileName(index, term) + TEMP_SUFFIX);
            this.channel = FileChannel.open(tempPath, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        }

        /**
         * @return bytes of data written so far: the offset the next InstallSnapshot chunk must carry.
         */
        public long position()
        {
            return length;
        }

        /**
         * Appends data.
         */
        public void write(final DirectBuffer src, final int offset, final int len) throws IOException
        {
            if (finished)
            {
                throw new IllegalStateException("snapshot writer already committed or closed");
            }
            int done = 0;
            while (done < len)
            {
                final int size = Math.min(CHUNK_BYTES, len - done);
                chunkView.putBytes(0, src, offset + done, size);
                RecordLayout.update(dataCrc, chunk, 0, size);
                writeFully(chunk, size, HEADER_LENGTH + length);
                length += size;
                done += size;
            }
        }

        /**
         * Writes the header, fsyncs, renames into place, fsyncs the directory and deletes older snapshots.
         */
        public void commit() throws IOException
        {
            if (finished)
            {
                throw new IllegalStateException("snapshot writer already committed or closed");
            }
            chunkView.setMemory(0, HEADER_LENGTH, (byte)0);
            chunkView.putInt(MAGIC_OFFSET, MAGIC, RecordLayout.ORDER);
            chunkView.putLong(INDEX_OFFSET, index, RecordLayout.ORDER);
            chunkView.putLong(TERM_OFFSET, term, RecordLayout.ORDER);
            chunkView.putLong(LENGTH_OFFSET, length, RecordLayout.ORDER);
            chunkView.putInt(DATA_CRC_OFFSET, (int)dataCrc.getValue(), RecordLayout.ORDER);
            final CRC32C headerCrc = new CRC32C();
            RecordLayout.update(headerCrc, chunk, MAGIC_OFFSET, HEADER_LENGTH);
            chunkView.putInt(0, (int)headerCrc.getValue(), RecordLayout.ORDER);
            writeFully(chunk, HEADER_LENGTH, 0);
            channel.force(true);
            channel.close();
            finished = true;
            Files.move(tempPath, directory.resolve(fileName(index, term)), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
            DirectorySync.sync(directory);
            deleteOlder(directory, index);
        }

        private void writeFully(final ByteBuffer buffer, final int size, final long position) throws IOException
        {
            buffer.limit(size).position(0);
            long at = position;
            while (buffer.hasRemaining())
            {
                at += channel.write(buffer, at);
            }
            buffer.clear();
        }

        /**
         * Abandons the snapshot unless committed.
         */
        @Override
        public void close() throws IOException
        {
            if (!finished)
            {
                finished = true;
                channel.close();
                Files.deleteIfExists(tempPath);
            }
        }
    }

    /**
     * Reads a committed snapshot, in chunks for InstallSnapshot or whole for the state machine.
     */
    public static final class SnapshotReader implements AutoCloseable
    {
        private final FileChannel channel;
        private final long index;
        private final long term;
        private final long length;
        private final ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK_BYTES);
        private final UnsafeBuffer chunkView = new UnsafeBuffer(chunk);

        private SnapshotReader(final FileChannel channel, final long index, final long term, final long length)
        {
            this.channel = channel;
            this.index = index;
            this.term = term;
            this.length = length;
        }

        static SnapshotReader open(final Path path, final long expectedIndex) throws IOException
        {
            final FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
            try
            {
                final ByteBuffer header = ByteBuffer.allocateDirect(HEADER_LENGTH);
                final UnsafeBuffer headerView = new UnsafeBuffer(header);
                while (header.hasRemaining() && channel.read(header, header.position()) >= 0)
                {
                    // Read until the header is complete or the file ends.
                }
                if (header.hasRemaining())
                {
                    throw new CorruptLogException("snapshot shorter than its header: " + path);
                }
                final CRC32C crc = new CRC32C();
                RecordLayout.update(crc, header, MAGIC_OFFSET, HEADER_LENGTH);
                final long length = headerView.getLong(LENGTH_OFFSET, RecordLayout.ORDER);
                if (headerView.getInt(MAGIC_OFFSET, RecordLayout.ORDER) != MAGIC ||
                    headerView.getInt(0, RecordLayout.ORDER) != (int)crc.getValue() ||
                    headerView.getLong(INDEX_OFFSET, RecordLayout.ORDER) != expectedIndex ||
                    channel.size() != HEADER_LENGTH + length)
                {
                    throw new CorruptLogException("snapshot header does not verify: " + path);
                }
                final SnapshotReader reader = new SnapshotReader(
                    channel, expectedIndex, headerView.getLong(TERM_OFFSET, RecordLayout.ORDER), length);
                if (reader.dataCrc() != headerView.getInt(DATA_CRC_OFFSET, RecordLayout.ORDER))
                {
                    throw new CorruptLogException("snapshot data does not verify: " + path);
                }
                return reader;
            }
            catch (final IOException | RuntimeException ex)
            {
                channel.close();
                throw ex;
            }
        }

        /**
         * @return the last log index the snapshot covers.
         */
        public long index()
        {
            return index;
        }

        /**
         * @return the term of {@link #index()}.
         */
        public long term()
        {
            return term;
        }

        /**
         * @return the data length in bytes.
         */
        public long length()
        {
            return length;
        }

        /**
         * Copies up to {@code len} data bytes starting at data offset {@code offset} into {@code dst}.
         *
         * @return bytes copied: {@code min(len, length() - offset)}, 0 at the end.
         */
        public int readChunk(final long offset, final MutableDirectBuffer dst, final int dstOffset, final int len)
            throws IOException
        {
            if (offset < 0 || offset > length || len < 0 || len > dst.capacity() - dstOffset)
            {
                throw new IllegalArgumentException("chunk [" + offset + ", +" + len + ") outside the snapshot's " +
                    length + " bytes or the destination's capacity");
            }
            final int total = (int)Math.min(len, length - offset);
            int done = 0;
            while (done < total)
            {
                final int size = Math.min(CHUNK_BYTES, total - done);
                readFully(HEADER_LENGTH + offset + done, size);
                dst.putBytes(dstOffset + done, chunkView, 0, size);
                done += size;
            }
            return total;
        }

        private int dataCrc() throws IOException
        {
            final CRC32C crc = new CRC32C();
            long offset = 0;
            while (offset < length)
            {
                final int size = (int)Math.min(CHUNK_BYTES, length - offset);
                readFully(HEADER_LENGTH + offset, size);
                RecordLayout.update(crc, chunk, 0, size);
                offset += size;
            }
            return (int)crc.getValue();
        }

        private void readFully(final long position, final int size) throws IOException
        {
            chunk.clear().limit(size);
            while (chunk.hasRemaining())
            {
                if (channel.read(chunk, position + chunk.position()) < 0)
                {
                    throw new CorruptLogException("snapshot ends early at byte " + (position + chunk.position()));
                }
            }
        }

        @Override
        public void close() throws IOException
        {
            channel.close();
        }
    }
}
