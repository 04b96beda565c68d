package io.conduit.raft.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static io.conduit.raft.storage.RecordLayout.CHECKSUMMED_OFFSET;
import static io.conduit.raft.storage.RecordLayout.CHECKSUM_OFFSET;
import static io.conduit.raft.storage.RecordLayout.HEADER_LENGTH;
import static io.conduit.raft.storage.RecordLayout.INDEX_OFFSET;
import static io.conduit.raft.storage.RecordLayout.LENGTH_OFFSET;
import static io.conduit.raft.storage.RecordLayout.MAX_KIND;
import static io.conduit.raft.storage.RecordLayout.ORDER;
import static io.conduit.raft.storage.RecordLayout.TERM_OFFSET;

/**
 * The durable Raft log: entries {@code (index, term, kind, payload)} at consecutive indexes in append-only segment
 * files {@code DIR/log/<firstIndex, 20 digits>.seg}, each record checksummed ({@link RecordLayout}); the snapshot point
 * {@code (snapshotIndex, snapshotTerm)} in {@code DIR/log/log.meta}. Layout and recovery rules are in the package
 * documentation.
 * <p>
 * Index semantics: the log holds entries {@link #firstIndex()} .. {@link #lastIndex()}; it is empty when
 * {@code firstIndex() == lastIndex() + 1}. A new log has firstIndex 1 and lastIndex 0. After a snapshot, lastIndex is
 * never below {@link #snapshotIndex()}, and firstIndex may be at or below it, because compaction deletes only whole
 * segments: entries behind the snapshot stay readable until their segment goes, which lets a leader feed a slightly
 * lagging follower without sending the snapshot. {@link #term(long)} answers for every held entry and for the
 * snapshot index (0 for index 0).
 * <p>
 * Durability: {@link #append} only buffers; {@link #sync()} writes and fdatasyncs, so one sync commits any number of
 * appends (group commit), and {@link #lastSyncedIndex()} says how far the log is durable. {@link #truncateSuffix},
 * {@link #compactPrefix} and {@link #reset} are durable on return: they are rare, and a truncation that reached disk
 * after the appends that follow it could resurrect the conflicting entries.
 * <p>
 * Not thread safe: one thread (the node's work loop) owns the log. No allocation per append or read, apart from
 * amortised growth of the index arrays and the read buffer. Every segment's channel stays open while the log is.
 */
public final class SegmentedLog implements AutoCloseable
{
    /** Subdirectory of the data directory holding segments and the metadata file. */
    public static final String LOG_DIRECTORY = "log";
    /** Segment file suffix; the name before it is the segment's first index, zero-padded to 20 digits. */
    public static final String SEGMENT_SUFFIX = ".seg";
    /** The snapshot point, a {@link SlotFile} with payload snapshotIndex (int64), snapshotTerm (int64). */
    public static final String META_FILE = "log.meta";
    private static final int META_LENGTH = 16;

    private final Path directory;
    private final SegmentedLogConfig config;
    private final SlotFile metaFile;
    private final List<Segment> segments = new ArrayList<>();
    private final CRC32C crc = new CRC32C();
    private final ByteBuffer writeBuffer;
    private final UnsafeBuffer writeView;
    private final ByteBuffer headerBuffer = ByteBuffer.allocateDirect(HEADER_LENGTH);
    private final UnsafeBuffer headerView = new UnsafeBuffer(headerBuffer);
    private ByteBuffer readBuffer;
    private final UnsafeBuffer readView = new UnsafeBuffer(0, 0);
    /** Bytes at the end of the active segment that are still in the write buffer. */
    private int writeLength;
    /** Term runs over the held entries: entries from runStartIndex[i] up to the next run's start have runTerm[i]. */
    private long[] runStartIndex = new long[16];
    private long[] runTerm = new long[16];
    private int runCount;
    private long snapshotIndex;
    private long snapshotTerm;
    private long lastIndex;
    private long lastSyncedIndex;
    private boolean dirty;
    private boolean closed;
    private RecoveryReport recoveryReport;

    private SegmentedLog(final Path directory, final SegmentedLogConfig config, final SlotFile metaFile)
    {
        this.directory = directory;
        this.config = config;
        this.metaFile = metaFile;
        this.writeBuffer = ByteBuffer.allocateDirect(config.writeBufferBytes());
        this.writeView = new UnsafeBuffer(writeBuffer);
        this.readBuffer = ByteBuffer.allocateDirect(config.readBufferBytes());
        this.readView.wrap(readBuffer);
    }

    /**
     * Opens (creating if needed) the log under {@code dataDirectory/log} and recovers it: every record of every
     * segment is verified; a torn or corrupt tail of the last segment is truncated and reported in
     * {@link #recoveryReport()}; anything else that fails verification throws.
     *
     * @throws CorruptLogException if verification fails anywhere but the tail of the last segment.
     */
    public static SegmentedLog open(final Path dataDirectory, final SegmentedLogConfig config) throws IOException
    {
        final Path directory = dataDirectory.resolve(LOG_DIRECTORY);
        Files.createDirectories(directory);
        final SlotFile metaFile = SlotFile.open(directory.resolve(META_FILE), META_LENGTH);
        final SegmentedLog log = new SegmentedLog(directory, config, metaFile);
        try
        {
            log.recover();
            return log;
        }
        catch (final IOException | RuntimeException ex)
        {
            log.closeQuietly();
            throw ex;
        }
    }

    /**
     * @return what recovery found when the log was opened.
     */
    public RecoveryReport recoveryReport()
    {
        return recoveryReport;
    }

    /**
     * @return the first entry held, or {@code lastIndex() + 1} when the log holds none.
     */
    public long firstIndex()
    {
        return segments.isEmpty() ? lastIndex + 1 : segments.get(0).firstIndex;
    }

    /**
     * @return the last entry held, or {@link #snapshotIndex()} when the log holds none (0 for a new log).
     */
    public long lastIndex()
    {
        return lastIndex;
    }

    /**
     * @return the term of {@link #lastIndex()}.
     */
    public long lastTerm()
    {
        return runCount > 0 ? runTerm[runCount - 1] : snapshotTerm;
    }

    /**
     * @return the index through which the log is durable: synced entries, or entries covered by the snapshot.
     */
    public long lastSyncedIndex()
    {
        return lastSyncedIndex;
    }

    /**
     * @return the last index covered by the snapshot (0 if none); persisted.
     */
    public long snapshotIndex()
    {
        return snapshotIndex;
    }

    /**
     * @return the term of {@link #snapshotIndex()} (0 if none); persisted, for the AppendEntries consistency check
     * right after the snapshot.
     */
    public long snapshotTerm()
    {
        return snapshotTerm;
    }

    /**
     * @return the term of the entry at {@code index}, of the snapshot index, or 0 for index 0.
     * @throws IllegalArgumentException if the log neither holds the entry nor has it as its snapshot point.
     */
    public long term(final long index)
    {
        return index == snapshotIndex ? snapshotTerm : termOfHeld(index);
    }

    /**
     * Buffers an entry; it is durable only after the next {@link #sync()}.
     *
     * @param index   must be {@code lastIndex() + 1}.
     * @param term    at least {@link #lastTerm()}: terms never decrease along a Raft log.
     * @param payload the entry's bytes.
     * @param offset  of the bytes in {@code payload}.
     * @param length  of the bytes; a record must fit in one segment.
     */
    public void append(final long index, final long term, final DirectBuffer payload, final int offset,
        final int length) throws IOException
    {
        append(index, term, 0, payload, offset, length);
    }

    /**
     * Buffers an entry of a given kind; it is durable only after the next {@link #sync()}.
     *
     * @param kind the entry kind's code ({@code io.conduit.raft.EntryKind}), 0 for a normal entry.
     * @see #append(long, long, DirectBuffer, int, int)
     */
    public void append(final long index, final long term, final int kind, final DirectBuffer payload,
        final int offset, final int length) throws IOException
    {
        ensureOpen();
        if (kind < 0 || kind > MAX_KIND)
        {
            throw new IllegalArgumentException("entry kind " + kind + " outside [0, " + MAX_KIND + "]");
        }
        if (index != lastIndex + 1)
        {
            throw new IllegalArgumentException("append at index " + index + " but the last index is " + lastIndex);
        }
        if (term < lastTerm())
        {
            throw new IllegalArgumentException("append with term " + term + " below the last term " + lastTerm());
        }
        if (length < 0 || length > config.maxSegmentBytes() - HEADER_LENGTH)
        {
            throw new IllegalArgumentException("entry length " + length + " outside [0, " +
                (config.maxSegmentBytes() - HEADER_LENGTH) + "] (maxSegmentBytes less the header)");
        }
        final int recordLength = HEADER_LENGTH + length;
        final Segment segment = segmentForAppend(index, recordLength);
        final long position = segment.sizeBytes;
        if (recordLength <= writeBuffer.capacity())
        {
            appendBuffered(index, term, kind, payload, offset, length);
        }
        else
        {
            appendLarge(segment, position, index, term, kind, payload, offset, length);
        }
        segment.add(position, recordLength);
        addTermRun(index, term);
        lastIndex = index;
        dirty = true;
    }

    /**
     * Writes buffered appends and fdatasyncs the active segment (earlier segments were synced when they filled).
     *
     * @return {@link #lastSyncedIndex()}, now {@link #lastIndex()}.
     */
    public long sync() throws IOException
    {
        ensureOpen();
        if (dirty)
        {
            flushWriteBuffer();
            activeSegment().channel.force(false);
            dirty = false;
        }
        lastSyncedIndex = lastIndex;
        return lastSyncedIndex;
    }

    /**
     * @return the payload length of the entry at {@code index}, to size a buffer for {@link #read}.
     */
    public int length(final long index)
    {
        final Segment segment = segmentOf(index);
        final int slot = (int)(index - segment.firstIndex);
        return (int)(segment.endPosition(slot) - segment.position(slot)) - HEADER_LENGTH;
    }

    /**
     * Copies the payload of the entry at {@code index} into {@code dst} after verifying its checksum.
     *
     * @return the payload length.
     * @throws IllegalArgumentException if the log does not hold the entry or it does not fit in {@code dst}.
     * @throws CorruptLogException      if the record no longer verifies.
     */
    public int read(final long index, final MutableDirectBuffer dst, final int offset) throws IOException
    {
        ensureOpen();
        final Segment segment = segmentOf(index);
        final int slot = (int)(index - segment.firstIndex);
        final long start = segment.position(slot);
        final int recordLength = (int)(segment.endPosition(slot) - start);
        if (recordLength - HEADER_LENGTH > dst.capacity() - offset)
        {
            throw new IllegalArgumentException("entry " + index + " has " + (recordLength - HEADER_LENGTH) +
                " bytes, more than the " + (dst.capacity() - offset) + " available in the destination");
        }
        loadRecords(segment, start, recordLength);
        final int length = verifyLoaded(segment, 0, index, start);
        dst.putBytes(offset, readView, HEADER_LENGTH, length);
        return length;
    }

    /**
     * Hands entries {@code from..to} in order to {@code handler}, reading many records per system call and
     * verifying each checksum. The handler must not call back into the log.
     *
     * @return the number of entries handed over (fewer than the range if the handler stopped).
     */
    public long forEach(final long from, final long to, final EntryHandler handler) throws IOException
    {
        ensureOpen();
        if (from > to)
        {
            return 0;
        }
        checkHeld(from);
        checkHeld(to);
        long index = from;
        long visited = 0;
        while (index <= to)
        {
            final Segment segment = segmentOf(index);
            final int firstSlot = (int)(index - segment.firstIndex);
            final int lastSlot = (int)(Math.min(to, segment.lastIndex()) - segment.firstIndex);
            final long start = segment.position(firstSlot);
            ensureReadCapacity(segment.endPosition(firstSlot) - start);
            int endSlot = firstSlot;
            while (endSlot < lastSlot && segment.endPosition(endSlot + 1) - start <= readBuffer.capacity())
            {
                endSlot++;
            }
            loadRecords(segment, start, (int)(segment.endPosition(endSlot) - start));
            for (int slot = firstSlot; slot <= endSlot; slot++)
            {
                final int at = (int)(segment.position(slot) - start);
                final int length = verifyLoaded(segment, at, index, segment.position(slot));
                visited++;
                final long term = readView.getLong(at + TERM_OFFSET, ORDER);
                final int kind = RecordLayout.kind(readView.getInt(at + LENGTH_OFFSET, ORDER));
                if (!handler.onEntry(index, term, kind, readView, at + HEADER_LENGTH, length))
                {
                    return visited;
                }
                index++;
            }
        }
        return visited;
    }

    /**
     * Removes entries {@code fromIndex..lastIndex()}, as a follower does when its log conflicts with the leader's
     * (Raft §5.3). Durable on return, and everything before {@code fromIndex} is synced too.
     *
     * @param fromIndex above {@link #snapshotIndex()} (snapshotted entries are committed) and at most
     *                  {@code lastIndex() + 1} (a no-op).
     */
    public void truncateSuffix(final long fromIndex) throws IOException
    {
        ensureOpen();
        if (fromIndex <= snapshotIndex || fromIndex > lastIndex + 1)
        {
            throw new IllegalArgumentException("truncate from " + fromIndex + " outside (" + snapshotIndex + ", " +
                (lastIndex + 1) + "]: entries up to the snapshot are committed");
        }
        if (fromIndex == lastIndex + 1)
        {
            return;
        }
        flushWriteBuffer();
        boolean deleted = false;
        while (!segments.isEmpty() && activeSegment().firstIndex >= fromIndex)
        {
            deleteSegment(segments.remove(segments.size() - 1));
            deleted = true;
        }
        if (deleted)
        {
            DirectorySync.sync(directory);
        }
        if (!segments.isEmpty())
        {
            final Segment segment = activeSegment();
            segment.truncateEntries((int)(fromIndex - segment.firstIndex));
            segment.channel.truncate(segment.sizeBytes);
            segment.channel.force(true);
        }
        while (runCount > 0 && runStartIndex[runCount - 1] >= fromIndex)
        {
            runCount--;
        }
        lastIndex = fromIndex - 1;
        lastSyncedIndex = lastIndex;
        dirty = false;
    }

    /**
     * Records {@code upToIndex} as the snapshot point (durably, with its term) and deletes every segment whose
     * entries all lie at or below it. Call after the snapshot itself is durable ({@link SnapshotStore}).
     *
     * @param upToIndex in {@code [snapshotIndex(), lastIndex()]}; to install a snapshot beyond the log use
     *                  {@link #reset}.
     */
    public void compactPrefix(final long upToIndex) throws IOException
    {
        ensureOpen();
        if (upToIndex < snapshotIndex || upToIndex > lastIndex)
        {
            throw new IllegalArgumentException("compact up to " + upToIndex + " outside [" + snapshotIndex + ", " +
                lastIndex + "]; use reset to install a snapshot beyond the log");
        }
        if (upToIndex > snapshotIndex)
        {
            // The snapshot point goes to disk first: a crash before the deletions leaves redundant segments, which
            // open() deletes, never a gap between the snapshot and the first segment.
            writeMeta(upToIndex, term(upToIndex));
        }
        if (deleteSegmentsThrough(upToIndex) > 0)
        {
            DirectorySync.sync(directory);
        }
        lastSyncedIndex = Math.max(lastSyncedIndex, snapshotIndex);
    }

    /**
     * Discards the whole log and restarts it after a snapshot, as a follower does on InstallSnapshot (Raft §7).
     * The next append is {@code snapshotIndex + 1}. Durable on return. Segments are deleted before the snapshot point
     * is written, so a crash in between leaves an empty log at the old snapshot point, never old entries after the new
     * one; the caller, seeing a newer snapshot in the {@link SnapshotStore} on restart, calls reset again.
     */
    public void reset(final long newSnapshotIndex, final long newSnapshotTerm) throws IOException
    {
        ensureOpen();
        if (newSnapshotIndex < snapshotIndex || newSnapshotTerm < snapshotTerm)
        {
            throw new IllegalArgumentException("reset to (" + newSnapshotIndex + ", " + newSnapshotTerm +
                ") behind the snapshot (" + snapshotIndex + ", " + snapshotTerm + ")");
        }
        writeLength = 0;
        final boolean deleted = !segments.isEmpty();
        while (!segments.isEmpty())
        {
            deleteSegment(segments.remove(segments.size() - 1));
        }
        if (deleted)
        {
            DirectorySync.sync(directory);
        }
        runCount = 0;
        writeMeta(newSnapshotIndex, newSnapshotTerm);
        lastIndex = newSnapshotIndex;
        lastSyncedIndex = newSnapshotIndex;
        dirty = false;
    }

    /**
     * Syncs and closes every file.
     */
    @Override
    public void close() throws IOException
    {
        if (closed)
        {
            return;
        }
        try
        {
            sync();
        }
        finally
        {
            closeQuietly();
        }
    }

    /**
     * Closes every file without writing the buffered appends, as a crash would lose them: for crash tests.
     */
    void abandon()
    {
        writeLength = 0;
        closeQuietly();
    }

    private void recover() throws IOException
    {
        final DirectBuffer meta = metaFile.load();
        if (meta != null)
        {
            snapshotIndex = meta.getLong(0, ORDER);
            snapshotTerm = meta.getLong(8, ORDER);
        }
        final List<Path> paths = listSegments();
        int deletedBehindSnapshot = 0;
        // Segments wholly behind the snapshot are leftovers of a compaction cut short by a crash: finish it.
        while (paths.size() > 1 && firstIndexOf(paths.get(1)) <= snapshotIndex + 1)
        {
            Files.delete(paths.remove(0));
            deletedBehindSnapshot++;
        }
        if (!paths.isEmpty() && firstIndexOf(paths.get(0)) > snapshotIndex + 1)
        {
            throw new CorruptLogException("gap: the first segment " + paths.get(0) + " starts after index " +
                (snapshotIndex + 1) + ", the one after the snapshot");
        }
        long entries = 0;
        long truncatedBytes = 0;
        for (int i = 0; i < paths.size(); i++)
        {
            final Path path = paths.get(i);
            final long firstIndex = firstIndexOf(path);
            if (!segments.isEmpty() && firstIndex != activeSegment().lastIndex() + 1)
            {
                throw new CorruptLogException("gap: segment " + path + " does not follow index " +
                    activeSegment().lastIndex());
            }
            final FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            final Segment segment = new Segment(path, channel, firstIndex, 1024);
            segments.add(segment);
            truncatedBytes += scan(segment, i == paths.size() - 1);
            entries += segment.count();
        }
        if (!segments.isEmpty() && activeSegment().lastIndex() <= snapshotIndex)
        {
            deleteSegmentsThrough(snapshotIndex);
            deletedBehindSnapshot++;
        }
        if (deletedBehindSnapshot > 0)
        {
            DirectorySync.sync(directory);
        }
        lastIndex = segments.isEmpty() ? snapshotIndex : Math.max(snapshotIndex, activeSegment().lastIndex());
        if (snapshotIndex >= firstIndex() && snapshotIndex <= lastIndex && termOfHeld(snapshotIndex) != snapshotTerm)
        {
            throw new CorruptLogException("entry " + snapshotIndex + " has term " + termOfHeld(snapshotIndex) +
                " but the snapshot says " + snapshotTerm);
        }
        lastSyncedIndex = lastIndex;
        recoveryReport = new RecoveryReport(
            paths.size(), entries, truncatedBytes, truncatedBytes > 0 ? 1 : 0, deletedBehindSnapshot);
    }

    /**
     * Verifies a segment record by record, filling its index and the term runs.
     *
     * @return bytes truncated from the tail.
     */
    private long scan(final Segment segment, final boolean last) throws IOException
    {
        final long size = segment.channel.size();
        if (size == 0)
        {
            return 0;
        }
        if (size > Integer.MAX_VALUE)
        {
            throw new CorruptLogException("segment " + segment.path + " is larger than 2 GiB: " + size);
        }
        final MappedByteBuffer mapped = segment.channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
        final UnsafeBuffer view = new UnsafeBuffer(mapped);
        long truncateAt = -1;
        try
        {
            int position = 0;
            long index = segment.firstIndex;
            while (position < size)
            {
                // Terms never decrease along the log, and the entry after the snapshot is no older than it.
                final long previousTerm = runCount > 0 ? runTerm[runCount - 1] : 0;
                final long minTerm = index == snapshotIndex + 1 ? Math.max(previousTerm, snapshotTerm) : previousTerm;
                final int recordLength = validRecordLength(mapped, view, position, index, minTerm);
                if (recordLength < 0)
                {
                    final int next = last ? findValidRecord(mapped, view, position + 1, index) : position;
                    if (next >= 0)
                    {
                        throw new CorruptLogException("record for index " + index + " at byte " + position +
                            " of " + segment.path + " is corrupt" + (last ? " and a valid record follows at byte " +
                            next : " and it is not the last segment") + ": committed data may be damaged");
                    }
                    truncateAt = position;
                    break;
                }
                final int kind = RecordLayout.kind(view.getInt(position + LENGTH_OFFSET, ORDER));
                if (kind > MAX_KIND)
                {
                    throw new CorruptLogException("record for index " + index + " in " + segment.path +
                        " has entry kind " + kind + ", unknown to this version: written by a newer one?");
                }
                segment.add(position, recordLength);
                addTermRun(index, view.getLong(position + TERM_OFFSET, ORDER));
                position += recordLength;
                index++;
            }
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
        if (truncateAt < 0)
        {
            return 0;
        }
        segment.channel.truncate(truncateAt);
        segment.channel.force(true);
        return size - truncateAt;
    }

    /** Length of the valid record for {@code index} at {@code position}, or -1. */
    private int validRecordLength(
        final ByteBuffer mapped, final UnsafeBuffer view, final int position, final long index, final long minTerm)
    {
        final int remaining = view.capacity() - position;
        if (remaining < HEADER_LENGTH)
        {
            return -1;
        }
        final int length = RecordLayout.length(view.getInt(position + LENGTH_OFFSET, ORDER));
        if (length > remaining - HEADER_LENGTH || view.getLong(position + INDEX_OFFSET, ORDER) != index ||
            view.getLong(position + TERM_OFFSET, ORDER) < minTerm)
        {
            return -1;
        }
        crc.reset();
        RecordLayout.update(crc, mapped, position + CHECKSUMMED_OFFSET, position + HEADER_LENGTH + length);
        return view.getInt(position + CHECKSUM_OFFSET, ORDER) == (int)crc.getValue() ? HEADER_LENGTH + length : -1;
    }

    /**
     * Looks for any checksum-valid record of index {@code index} or later at or after {@code from}. Finding one
     * means the damage is not a torn tail: something valid was written after it.
     *
     * @return its byte position, or -1.
     */
    private int findValidRecord(final ByteBuffer mapped, final UnsafeBuffer view, final int from, final long index)
    {
        final long maxIndex = index + view.capacity() / HEADER_LENGTH;
        for (int position = from; position <= view.capacity() - HEADER_LENGTH; position++)
        {
            final long candidate = view.getLong(position + INDEX_OFFSET, ORDER);
            if (candidate >= index && candidate <= maxIndex &&
                validRecordLength(mapped, view, position, candidate, Long.MIN_VALUE) > 0)
            {
                return position;
            }
        }
        return -1;
    }

    private List<Path> listSegments() throws IOException
    {
        final List<Path> paths = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, "*" + SEGMENT_SUFFIX))
        {
            for (final Path path : stream)
            {
                firstIndexOf(path);
                paths.add(path);
            }
        }
        paths.sort((a, b) -> Long.compare(firstIndexOfUnchecked(a), firstIndexOfUnchecked(b)));
        return paths;
    }

    private static long firstIndexOf(final Path path) throws CorruptLogException
    {
        final String name = path.getFileName().toString();
        final String digits = name.substring(0, name.length() - SEGMENT_SUFFIX.length());
        if (digits.length() != 20 || !digits.chars().allMatch(Character::isDigit))
        {
            throw new CorruptLogException("not a segment name (20 digits + " + SEGMENT_SUFFIX + "): " + path);
        }
        final long firstIndex = Long.parseLong(digits);
        if (firstIndex < 1)
        {
            throw new CorruptLogException("segment starts at index 0: " + path);
        }
        return firstIndex;
    }

    private static long firstIndexOfUnchecked(final Path path)
    {
        return Long.parseLong(path.getFileName().toString().substring(0, 20));
    }

    private Segment segmentForAppend(final long index, final int recordLength) throws IOException
    {
        if (!segments.isEmpty())
        {
            final Segment active = activeSegment();
            if (active.count() == 0 || active.sizeBytes + recordLength <= config.maxSegmentBytes())
            {
                return active;
            }
            // Sealing the full segment durably first means only the last segment can ever have a torn tail, so
            // recovery may treat damage anywhere else as corruption.
            flushWriteBuffer();
            active.channel.force(false);
            lastSyncedIndex = lastIndex;
        }
        final Path path = directory.resolve(Segment.fileName(index));
        final FileChannel channel = FileChannel.open(
            path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
        final Segment segment = new Segment(path, channel, index, 1024);
        segments.add(segment);
        DirectorySync.sync(directory);
        return segment;
    }

    private void appendBuffered(
        final long index, final long term, final int kind, final DirectBuffer payload, final int offset,
        final int length) throws IOException
    {
        final int recordLength = HEADER_LENGTH + length;
        if (writeLength + recordLength > writeBuffer.capacity())
        {
            flushWriteBuffer();
        }
        final int at = writeLength;
        writeView.putBytes(at + HEADER_LENGTH, payload, offset, length);
        writeView.putInt(at + LENGTH_OFFSET, RecordLayout.lengthWord(kind, length), ORDER);
        writeView.putLong(at + TERM_OFFSET, term, ORDER);
        writeView.putLong(at + INDEX_OFFSET, index, ORDER);
        crc.reset();
        RecordLayout.update(crc, writeBuffer, at + CHECKSUMMED_OFFSET, at + recordLength);
        writeView.putInt(at + CHECKSUM_OFFSET, (int)crc.getValue(), ORDER);
        writeLength += recordLength;
    }

    /** A record larger than the write buffer: payload streamed in chunks, header written last at its position. */
    private void appendLarge(final Segment segment, final long position, final long index, final long term,
        final int kind, final DirectBuffer payload, final int offset, final int length) throws IOException
    {
        flushWriteBuffer();
        headerView.putInt(LENGTH_OFFSET, RecordLayout.lengthWord(kind, length), ORDER);
        headerView.putLong(TERM_OFFSET, term, ORDER);
        headerView.putLong(INDEX_OFFSET, index, ORDER);
        crc.reset();
        RecordLayout.update(crc, headerBuffer, CHECKSUMMED_OFFSET, HEADER_LENGTH);
        int done = 0;
        while (done < length)
        {
            final int chunk = Math.min(writeBuffer.capacity(), length - done);
            writeView.putBytes(0, payload, offset + done, chunk);
            RecordLayout.update(crc, writeBuffer, 0, chunk);
            writeFully(segment.channel, writeBuffer, chunk, position + HEADER_LENGTH + done);
            done += chunk;
        }
        headerView.putInt(CHECKSUM_OFFSET, (int)crc.getValue(), ORDER);
        writeFully(segment.channel, headerBuffer, HEADER_LENGTH, position);
    }

    private void flushWriteBuffer() throws IOException
    {
        if (writeLength == 0)
        {
            return;
        }
        final Segment active = activeSegment();
        writeFully(active.channel, writeBuffer, writeLength, active.sizeBytes - writeLength);
        writeLength = 0;
    }

    private static void writeFully(final FileChannel channel, final ByteBuffer buffer, final int length,
        final long position) throws IOException
    {
        buffer.limit(length).position(0);
        long at = position;
        while (buffer.hasRemaining())
        {
            at += channel.write(buffer, at);
        }
        buffer.clear();
    }

    private void loadRecords(final Segment segment, final long start, final int length) throws IOException
    {
        if (segment == activeSegment() && start + length > segment.sizeBytes - writeLength)
        {
            flushWriteBuffer();
        }
        ensureReadCapacity(length);
        readBuffer.clear().limit(length);
        while (readBuffer.hasRemaining())
        {
            if (segment.channel.read(readBuffer, start + readBuffer.position()) < 0)
            {
                throw new CorruptLogException("segment " + segment.path + " ends before byte " + (start + length));
            }
        }
    }

    /** Verifies the loaded record at {@code at} in the read buffer; returns its payload length. */
    private int verifyLoaded(final Segment segment, final int at, final long index, final long filePosition)
        throws CorruptLogException
    {
        final int length = RecordLayout.length(readView.getInt(at + LENGTH_OFFSET, ORDER));
        boolean valid = at + HEADER_LENGTH + length <= readBuffer.limit() &&
            readView.getLong(at + INDEX_OFFSET, ORDER) == index;
        if (valid)
        {
            crc.reset();
            RecordLayout.update(crc, readBuffer, at + CHECKSUMMED_OFFSET, at + HEADER_LENGTH + length);
            valid = readView.getInt(at + CHECKSUM_OFFSET, ORDER) == (int)crc.getValue();
        }
        if (!valid)
        {
            throw new CorruptLogException("record for index " + index + " at byte " + filePosition + " of " +
                segment.path + " no longer verifies");
        }
        return length;
    }

    private void ensureReadCapacity(final long length)
    {
        if (length > readBuffer.capacity())
        {
            readBuffer = ByteBuffer.allocateDirect((int)Math.max(length, 2L * readBuffer.capacity()));
            readView.wrap(readBuffer);
        }
    }

    private void addTermRun(final long index, final long term)
    {
        if (runCount > 0 && runTerm[runCount - 1] == term)
        {
            return;
        }
        if (runCount == runTerm.length)
        {
            runStartIndex = Arrays.copyOf(runStartIndex, runCount * 2);
            runTerm = Arrays.copyOf(runTerm, runCount * 2);
        }
        runStartIndex[runCount] = index;
        runTerm[runCount] = term;
        runCount++;
    }

    /** Deletes leading segments whose entries all lie at or below {@code upToIndex}; returns how many. */
    private int deleteSegmentsThrough(final long upToIndex) throws IOException
    {
        int deleted = 0;
        while (!segments.isEmpty() && segments.get(0).lastIndex() <= upToIndex)
        {
            final Segment segment = segments.remove(0);
            if (segments.isEmpty())
            {
                // The active segment's buffered entries are behind the snapshot too.
                writeLength = 0;
                dirty = false;
            }
            deleteSegment(segment);
            deleted++;
        }
        final long newFirstIndex = firstIndex();
        int dropRuns = 0;
        while (dropRuns < runCount && (dropRuns + 1 < runCount ? runStartIndex[dropRuns + 1] <= newFirstIndex :
            segments.isEmpty()))
        {
            dropRuns++;
        }
        if (dropRuns > 0)
        {
            System.arraycopy(runStartIndex, dropRuns, runStartIndex, 0, runCount - dropRuns);
            System.arraycopy(runTerm, dropRuns, runTerm, 0, runCount - dropRuns);
            runCount -= dropRuns;
        }
        return deleted;
    }

    private static void deleteSegment(final Segment segment) throws IOException
    {
        segment.close();
        Files.delete(segment.path);
    }

    private void writeMeta(final long index, final long term) throws IOException
    {
        metaFile.payload().putLong(0, index, ORDER);
        metaFile.payload().putLong(8, term, ORDER);
        metaFile.write();
        snapshotIndex = index;
        snapshotTerm = term;
    }

    /** The term the segments record for a held entry: a binary search over the term runs. */
    private long termOfHeld(final long index)
    {
        checkHeld(index);
        int low = 0;
        int high = runCount - 1;
        while (low < high)
        {
            final int middle = (low + high + 1) >>> 1;
            if (runStartIndex[middle] <= index)
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }
        return runTerm[low];
    }

    private Segment activeSegment()
    {
        return segments.get(segments.size() - 1);
    }

    private Segment segmentOf(final long index)
    {
        checkHeld(index);
        int low = 0;
        int high = segments.size() - 1;
        while (low < high)
        {
            final int middle = (low + high + 1) >>> 1;
            if (segments.get(middle).firstIndex <= index)
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }
        return segments.get(low);
    }

    private void checkHeld(final long index)
    {
        if (index < firstIndex() || index > lastIndex || segments.isEmpty())
        {
            throw new IllegalArgumentException("index " + index + " is not in the log [" + firstIndex() + ", " +
                lastIndex + "] (snapshot index " + snapshotIndex + ")");
        }
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("log is closed: " + directory);
        }
    }

    private void closeQuietly()
    {
        closed = true;
        for (final Segment segment : segments)
        {
            try
            {
                segment.close();
            }
            catch (final IOException ignored)
            {
                // Closing after a failure or after sync: nothing left to lose, keep closing the rest.
            }
        }
        try
        {
            metaFile.close();
        }
        catch (final IOException ignored)
        {
            // As above.
        }
    }
}
