package io.conduit.transport.status;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import org.agrona.IoUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
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
 * Reads every status file in a directory through a read-only mapping and an Agrona {@link CountersReader}, copying
 * what it finds into {@link StatusSnapshot}s and unmapping at once.
 * <p>
 * Files come and go while a reader looks: a file may be deleted between listing and mapping, be half-created (no
 * magic yet), be truncated, or not be a status file at all. Each such file is skipped silently; {@link #readAll}
 * never throws because of a file's contents. Stateless and thread-safe.
 */
public final class StatusReader
{
    private StatusReader()
    {
    }

    /**
     * Reads all status files in {@code dir}, ordered by file name.
     *
     * @param dir the status directory; a missing or unreadable directory reads as empty.
     * @return one snapshot per readable status file, dead writers included (see {@link StatusSnapshot#alive()}).
     */
    public static List<StatusSnapshot> readAll(final Path dir)
    {
        final List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*" + FILE_SUFFIX))
        {
            stream.forEach(files::add);
        }
        catch (final IOException | DirectoryIteratorException ex)
        {
            return List.of();
        }
        files.sort(null);
        final List<StatusSnapshot> snapshots = new ArrayList<>(files.size());
        for (final Path file : files)
        {
            final StatusSnapshot snapshot = read(file);
            if (snapshot != null)
            {
                snapshots.add(snapshot);
            }
        }
        return snapshots;
    }

    /**
     * Reads one status file.
     *
     * @param file the file.
     * @return its snapshot, or null when it is gone, incomplete or not a status file.
     */
    public static StatusSnapshot read(final Path file)
    {
        final MappedByteBuffer mapping;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final long size = channel.size();
            if (size < HEADER_LENGTH || size > Integer.MAX_VALUE)
            {
                return null;
            }
            mapping = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
        }
        catch (final IOException ex)
        {
            return null;
        }
        try
        {
            return decode(file, new UnsafeBuffer(mapping));
        }
        finally
        {
            IoUtil.unmap(mapping);
        }
    }

    private static StatusSnapshot decode(final Path file, final UnsafeBuffer buffer)
    {
        if (buffer.getIntVolatile(MAGIC_OFFSET) != MAGIC || buffer.getInt(LAYOUT_VERSION_OFFSET) != LAYOUT_VERSION)
        {
            return null;
        }
        final int metadataLength = buffer.getInt(METADATA_LENGTH_OFFSET);
        final int valuesLength = buffer.getInt(VALUES_LENGTH_OFFSET);
        final int nameLength = buffer.getInt(NAME_LENGTH_OFFSET);
        if (!validLengths(metadataLength, valuesLength, nameLength, buffer.capacity()))
        {
            return null;
        }
        final long pid = buffer.getLong(PID_OFFSET);
        final String name = buffer.getStringWithoutLengthUtf8(NAME_OFFSET, nameLength);
        final long startEpochMs = buffer.getLong(START_EPOCH_MS_OFFSET);
        final long heartbeatEpochMs = buffer.getLongVolatile(HEARTBEAT_EPOCH_MS_OFFSET);
        final CountersReader reader = new CountersReader(
            new UnsafeBuffer(buffer, HEADER_LENGTH, metadataLength),
            new UnsafeBuffer(buffer, HEADER_LENGTH + metadataLength, valuesLength));
        final List<CounterValue> counters = counters(reader);
        // A writer that closed while we read cleared its magic and deleted its file: report it as gone.
        final boolean present = buffer.getIntVolatile(MAGIC_OFFSET) == MAGIC && Files.exists(file);
        final boolean alive = present && ProcessLiveness.isAlive(pid, file);
        return new StatusSnapshot(file, pid, name, startEpochMs, heartbeatEpochMs, alive, counters);
    }

    private static boolean validLengths(
        final int metadataLength, final int valuesLength, final int nameLength, final int fileLength)
    {
        if (nameLength < 0 || nameLength > MAX_NAME_LENGTH || valuesLength <= 0 ||
            valuesLength % CountersReader.COUNTER_LENGTH != 0)
        {
            return false;
        }
        final int maxCounters = valuesLength / CountersReader.COUNTER_LENGTH;
        return maxCounters <= MAX_COUNTERS && metadataLength == StatusFileLayout.metadataLength(maxCounters) &&
            StatusFileLayout.fileLength(maxCounters) <= fileLength;
    }

    private static List<CounterValue> counters(final CountersReader reader)
    {
        final List<CounterValue> counters = new ArrayList<>();
        final AtomicBuffer metadata = reader.metaDataBuffer();
        for (int id = 0; id <= reader.maxCounterId(); id++)
        {
            final int state = reader.getCounterState(id);
            if (state == CountersReader.RECORD_UNUSED)
            {
                break; // Agrona allocates ids from the bottom up: nothing beyond the first never-used record.
            }
            if (state != CountersReader.RECORD_ALLOCATED)
            {
                continue;
            }
            // Read the label length once and bound it, so a torn or garbage record cannot throw.
            final int labelOffset = CountersReader.metaDataOffset(id) + CountersReader.LABEL_OFFSET;
            final int labelLength = metadata.getIntVolatile(labelOffset);
            if (labelLength < 0 || labelLength > CountersReader.MAX_LABEL_LENGTH)
            {
                continue;
            }
            final String label = metadata.getStringWithoutLengthUtf8(labelOffset + Integer.BYTES, labelLength);
            counters.add(new CounterValue(id, reader.getCounterTypeId(id), label, reader.getCounterValue(id)));
        }
        return counters;
    }
}
