package io.conduit.transport.status;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import static io.conduit.transport.status.StatusFileLayout.FILE_SUFFIX;
import static io.conduit.transport.status.StatusFileLayout.HEADER_LENGTH;
import static io.conduit.transport.status.StatusFileLayout.HEARTBEAT_EPOCH_MS_OFFSET;
import static io.conduit.transport.status.StatusFileLayout.LAYOUT_VERSION;
import static io.conduit.transport.status.StatusFileLayout.LAYOUT_VERSION_OFFSET;
import static io.conduit.transport.status.StatusFileLayout.MAGIC;
import static io.conduit.transport.status.StatusFileLayout.MAGIC_OFFSET;
import static io.conduit.transport.status.StatusFileLayout.MAX_COUNTERS;
import static io.conduit.transport.status.StatusFileLayout.MAX_NAME_LENGTH;
import static io.conduit.transport.status.StatusFileLayout.METADATA_LENGTH_OFFSET;
import static io.conduit.transport.status.StatusFileLayout.NAME_LENGTH_OFFSET;
import static io.conduit.transport.status.StatusFileLayout.NAME_OFFSET;
import static io.conduit.transport.status.StatusFileLayout.PID_OFFSET;
import static io.conduit.transport.status.StatusFileLayout.START_EPOCH_MS_OFFSET;
import static io.conduit.transport.status.StatusFileLayout.VALUES_LENGTH_OFFSET;

/**
 * The writer side of one status file, {@code DIR/<pid>-<n>.stat}: a small header (see {@link StatusFileLayout})
 * followed by an Agrona {@link CountersManager} metadata buffer and values buffer, all in one shared memory mapping
 * that {@link StatusReader} and {@code conduit stat} read from other processes.
 * <p>
 * <b>Threading:</b> owned by one thread, normally the endpoint agent's duty-cycle thread, which alone calls
 * {@link #allocate}, {@link #free}, {@link #set}, {@link #heartbeat} and {@link #close}. Readers in other threads or
 * processes need no coordination: values are published with release stores and counters are published by Agrona's
 * record state.
 * <p>
 * <b>Cost:</b> {@link #set} and {@link #heartbeat} are one ordered store each and allocate nothing; {@link #allocate}
 * encodes its label and may allocate.
 * <p>
 * <b>Lifecycle:</b> {@link #create} first deletes stale {@code *.stat} files in the directory (their process has
 * ended), then creates and maps a new file. {@link #close} deletes the file and unmaps it; after close the counter
 * methods write into a private heap buffer, so a late {@link #set} is harmless rather than a crash.
 */
public final class StatusFile implements AutoCloseable
{
    private static final AtomicInteger FILE_SEQUENCE = new AtomicInteger();
    private static final int CREATE_ATTEMPTS = 16;

    private final Path path;
    private final String name;
    private final MappedByteBuffer mapping;
    private final UnsafeBuffer header;
    private final UnsafeBuffer metadata;
    private final UnsafeBuffer values;
    private final CountersManager counters;
    private final int maxCounters;
    private boolean closed;

    private StatusFile(final Path path, final String name, final MappedByteBuffer mapping, final int maxCounters)
    {
        this.path = path;
        this.name = new String(nameBytes(name), StandardCharsets.UTF_8);
        this.mapping = mapping;
        this.maxCounters = maxCounters;
        final int metadataLength = StatusFileLayout.metadataLength(maxCounters);
        final int valuesLength = StatusFileLayout.valuesLength(maxCounters);
        this.header = new UnsafeBuffer(mapping, 0, HEADER_LENGTH);
        this.metadata = new UnsafeBuffer(mapping, HEADER_LENGTH, metadataLength);
        this.values = new UnsafeBuffer(mapping, HEADER_LENGTH + metadataLength, valuesLength);
        this.counters = new CountersManager(metadata, values, StandardCharsets.UTF_8);
    }

    /**
     * Deletes stale status files in {@code dir}, then creates, maps and publishes a new one.
     *
     * @param dir         the status directory, created if missing (see {@link StatusDirectory#defaultDir()}).
     * @param name        what the file describes, e.g. {@code "127.0.0.1:9000"}; cut to 200 UTF-8 bytes.
     * @param maxCounters how many counters can be allocated at once, 1 to {@link StatusFileLayout#MAX_COUNTERS}.
     * @return the open status file.
     * @throws IllegalArgumentException if {@code maxCounters} is out of range.
     * @throws UncheckedIOException     if the directory or file cannot be created or mapped.
     */
    public static StatusFile create(final Path dir, final String name, final int maxCounters)
    {
        if (maxCounters < 1 || maxCounters > MAX_COUNTERS)
        {
            throw new IllegalArgumentException("maxCounters must be 1.." + MAX_COUNTERS + ": " + maxCounters);
        }
        try
        {
            Files.createDirectories(dir);
            deleteStaleFiles(dir);
            for (int attempt = 0; attempt < CREATE_ATTEMPTS; attempt++)
            {
                final Path file = dir.resolve(ProcessLiveness.ownPid() + "-" + FILE_SEQUENCE.getAndIncrement() +
                    FILE_SUFFIX);
                ProcessLiveness.registerOwnFile(file);
                try
                {
                    final MappedByteBuffer mapping = map(file, StatusFileLayout.fileLength(maxCounters));
                    final StatusFile statusFile = new StatusFile(file, name, mapping, maxCounters);
                    statusFile.publishHeader(System.currentTimeMillis());
                    return statusFile;
                }
                catch (final FileAlreadyExistsException ex)
                {
                    // Left by an earlier process with our pid and not yet swept: take the next number.
                    ProcessLiveness.unregisterOwnFile(file);
                }
            }
            throw new IOException("no free status file name after " + CREATE_ATTEMPTS + " attempts");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create status file in " + dir + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Allocates a counter, initially 0.
     *
     * @param label  what the counter counts, e.g. {@code "endpoint 127.0.0.1:9000 datagrams_received"}; Agrona cuts
     *               it to {@link CountersReader#MAX_LABEL_LENGTH} bytes.
     * @param typeId one of {@link CounterTypes}.
     * @return the counter id, to pass to {@link #set} and {@link #free}.
     * @throws IllegalStateException if all {@code maxCounters} counters are allocated.
     */
    public int allocate(final String label, final int typeId)
    {
        try
        {
            return counters.allocate(label, typeId);
        }
        catch (final IllegalStateException ex)
        {
            throw new IllegalStateException("status file " + path.getFileName() + " (" + name + ") is full: all " +
                maxCounters + " counters are allocated; cannot add '" + label + "'", ex);
        }
    }

    /**
     * Frees a counter; readers stop listing it and its id may be handed out again.
     *
     * @param counterId an id returned by {@link #allocate} and not yet freed.
     * @throws IllegalStateException if the counter is not allocated.
     */
    public void free(final int counterId)
    {
        counters.free(counterId);
    }

    /**
     * Stores a counter value with release semantics; no allocation, no check beyond the buffer's bounds check.
     *
     * @param counterId an allocated counter id.
     * @param value     the new value.
     */
    public void set(final int counterId, final long value)
    {
        values.putLongRelease(CountersReader.counterOffset(counterId), value);
    }

    /**
     * Stores the writer's latest sign of life, so readers can tell a live endpoint from a hung one.
     *
     * @param epochMs wall-clock time in ms since the epoch.
     */
    public void heartbeat(final long epochMs)
    {
        header.putLongRelease(HEARTBEAT_EPOCH_MS_OFFSET, epochMs);
    }

    /** @return the file's path. */
    public Path path()
    {
        return path;
    }

    /** @return the name as stored in the header (possibly cut to 200 UTF-8 bytes). */
    public String name()
    {
        return name;
    }

    /** @return how many counters the file holds at most. */
    public int maxCounters()
    {
        return maxCounters;
    }

    /**
     * Withdraws the file: clears the magic so open readers drop it, deletes it, and unmaps it best-effort. Idempotent.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        header.putIntRelease(MAGIC_OFFSET, 0);
        // Best effort: if the delete fails, the next create() in any process sweeps the file once this pid is gone.
        deleteQuietly(path);
        ProcessLiveness.unregisterOwnFile(path);
        // Point the buffers at heap memory before unmapping, so a late set() cannot touch unmapped memory.
        header.wrap(new byte[header.capacity()]);
        metadata.wrap(new byte[metadata.capacity()]);
        values.wrap(new byte[values.capacity()]);
        IoUtil.unmap(mapping);
    }

    @Override
    public String toString()
    {
        return "StatusFile{" + path + ", " + name + ", maxCounters=" + maxCounters + "}";
    }

    private void publishHeader(final long nowEpochMs)
    {
        final byte[] nameBytes = nameBytes(name);
        header.putInt(LAYOUT_VERSION_OFFSET, LAYOUT_VERSION);
        header.putLong(PID_OFFSET, ProcessLiveness.ownPid());
        header.putLong(START_EPOCH_MS_OFFSET, nowEpochMs);
        header.putLong(HEARTBEAT_EPOCH_MS_OFFSET, nowEpochMs);
        header.putInt(METADATA_LENGTH_OFFSET, metadata.capacity());
        header.putInt(VALUES_LENGTH_OFFSET, values.capacity());
        header.putInt(NAME_LENGTH_OFFSET, nameBytes.length);
        header.putBytes(NAME_OFFSET, nameBytes);
        // Last, with release: a reader that sees the magic sees every field above.
        header.putIntRelease(MAGIC_OFFSET, MAGIC);
    }

    private static MappedByteBuffer map(final Path file, final int length) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
            StandardOpenOption.WRITE))
        {
            // Mapping past the end grows the file; the new bytes read as zero, so no counter looks allocated.
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, length);
        }
    }

    /** Encodes the name as UTF-8, cut to {@link StatusFileLayout#MAX_NAME_LENGTH} without splitting a character. */
    static byte[] nameBytes(final String name)
    {
        final byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_NAME_LENGTH)
        {
            return bytes;
        }
        int length = MAX_NAME_LENGTH;
        while (length > 0 && (bytes[length] & 0xC0) == 0x80)
        {
            length--;
        }
        return Arrays.copyOf(bytes, length);
    }

    private static void deleteQuietly(final Path file)
    {
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException ignore)
        {
            // Another user's file in a shared directory, or a concurrent sweep won: not ours to fail on.
        }
    }

    private static void deleteStaleFiles(final Path dir) throws IOException
    {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + FILE_SUFFIX))
        {
            for (final Path file : files)
            {
                final long pid = StatusFileLayout.pidFromFileName(file.getFileName().toString());
                if (pid > 0 && !ProcessLiveness.isAlive(pid, file))
                {
                    deleteQuietly(file);
                }
            }
        }
    }
}
