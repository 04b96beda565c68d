package io.conduit.raft.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A small fixed-size record overwritten in place in two alternating slots, so one fdatasync per write and no
 * metadata changes, yet a torn write never loses the previous value. Slot {@code sequence & 1} is written; the other
 * slot still holds the previous record. Each slot sits at its own 4 KiB boundary so a torn sector or page cannot
 * span both. Slot layout, little-endian:
 * <pre>
 *  0               4               8                               16
 *  +---------------+---------------+-------------------------------+-------------------- - -
 *  |   checksum    | magic 'CDS1'  |           sequence            | payload (fixed length)
 *  +---------------+---------------+-------------------------------+-------------------- - -
 *  checksum = CRC32C over bytes [4, 16 + payload length)
 * </pre>
 * Loading takes the valid slot with the highest sequence. If neither is valid but one is still all zeros, only one
 * write was ever attempted and it tore before returning, so "never written" is the truth; two non-zero invalid slots
 * mean corruption and throw. Not thread safe.
 */
final class SlotFile implements AutoCloseable
{
    static final int SLOT_SPACING = 4096;
    static final int MAGIC = 0x31534443; // "CDS1" read as little-endian bytes
    static final int MAGIC_OFFSET = 4;
    static final int SEQUENCE_OFFSET = 8;
    static final int PAYLOAD_OFFSET = 16;

    private final Path path;
    private final FileChannel channel;
    private final int slotLength;
    private final ByteBuffer slotBuffer;
    private final UnsafeBuffer slotView;
    private final UnsafeBuffer payloadView;
    private final CRC32C crc = new CRC32C();
    private long sequence;

    private SlotFile(final Path path, final FileChannel channel, final int payloadLength)
    {
        this.path = path;
        this.channel = channel;
        this.slotLength = PAYLOAD_OFFSET + payloadLength;
        this.slotBuffer = ByteBuffer.allocateDirect(slotLength);
        this.slotView = new UnsafeBuffer(slotBuffer);
        this.payloadView = new UnsafeBuffer(slotBuffer, PAYLOAD_OFFSET, payloadLength);
    }

    /**
     * Opens the file, creating it preallocated with two zero slots (durably, directory included) if absent.
     *
     * @throws CorruptLogException if both slots hold data and neither verifies.
     */
    static SlotFile open(final Path path, final int payloadLength) throws IOException
    {
        if (payloadLength <= 0 || PAYLOAD_OFFSET + payloadLength > SLOT_SPACING)
        {
            throw new IllegalArgumentException("payload length out of range: " + payloadLength);
        }
        final boolean created = !Files.exists(path);
        final FileChannel channel = FileChannel.open(
            path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        final SlotFile file = new SlotFile(path, channel, payloadLength);
        final long size = channel.size();
        if (created || size < 2L * SLOT_SPACING)
        {
            // Preallocate so later writes never change the file size and fdatasync has no metadata to flush; a
            // short file (a crash during creation) keeps its bytes, only the missing part is zero-filled.
            file.writeFully(ByteBuffer.allocateDirect((int)(2L * SLOT_SPACING - size)), size);
            channel.force(true);
            DirectorySync.sync(path.toAbsolutePath().getParent());
        }
        try
        {
            // Learn the newest sequence now, so the first write goes to the older slot whatever the caller does.
            file.load();
        }
        catch (final IOException ex)
        {
            channel.close();
            throw ex;
        }
        return file;
    }

    /**
     * Reads both slots from disk.
     *
     * @return the latest valid payload (a view valid until the next call), or null if none was ever written.
     * @throws CorruptLogException if both slots hold data and neither verifies.
     */
    DirectBuffer load() throws IOException
    {
        final long sequence0 = readSlot(0);
        final boolean zero0 = sequence0 < 0 && isZero();
        final long sequence1 = readSlot(1);
        final boolean zero1 = sequence1 < 0 && isZero();
        if (sequence0 < 0 && sequence1 < 0)
        {
            if (!zero0 && !zero1)
            {
                throw new CorruptLogException("both slots of " + path + " fail their checksum");
            }
            sequence = 0;
            return null;
        }
        final int latest = sequence0 > sequence1 ? 0 : 1;
        sequence = Math.max(sequence0, sequence1);
        readSlot(latest);
        return payloadView;
    }

    /**
     * @return the buffer to fill with the next payload before {@link #write()}.
     */
    UnsafeBuffer payload()
    {
        return payloadView;
    }

    /**
     * Writes the payload filled into {@link #payload()} into the older slot and fdatasyncs; durable on return.
     */
    void write() throws IOException
    {
        final long next = sequence + 1;
        slotView.putInt(MAGIC_OFFSET, MAGIC, RecordLayout.ORDER);
        slotView.putLong(SEQUENCE_OFFSET, next, RecordLayout.ORDER);
        crc.reset();
        RecordLayout.update(crc, slotBuffer, MAGIC_OFFSET, slotLength);
        slotView.putInt(0, (int)crc.getValue(), RecordLayout.ORDER);
        slotBuffer.clear();
        writeFully(slotBuffer, (next & 1) * SLOT_SPACING);
        channel.force(false);
        sequence = next;
    }

    /** Reads a slot into the slot buffer; returns its sequence if valid, else -1. */
    private long readSlot(final int slot) throws IOException
    {
        slotView.setMemory(0, slotLength, (byte)0);
        slotBuffer.clear();
        long position = (long)slot * SLOT_SPACING;
        while (slotBuffer.hasRemaining())
        {
            final int read = channel.read(slotBuffer, position);
            if (read < 0)
            {
                break;
            }
            position += read;
        }
        crc.reset();
        RecordLayout.update(crc, slotBuffer, MAGIC_OFFSET, slotLength);
        final boolean valid = slotView.getInt(MAGIC_OFFSET, RecordLayout.ORDER) == MAGIC &&
            slotView.getInt(0, RecordLayout.ORDER) == (int)crc.getValue();
        return valid ? slotView.getLong(SEQUENCE_OFFSET, RecordLayout.ORDER) : -1;
    }

    private boolean isZero()
    {
        for (int i = 0; i < slotLength; i++)
        {
            if (slotView.getByte(i) != 0)
            {
                return false;
            }
        }
        return true;
    }

    private void writeFully(final ByteBuffer buffer, final long position) throws IOException
    {
        long at = position;
        while (buffer.hasRemaining())
        {
            at += channel.write(buffer, at);
        }
    }

    @Override
    public void close() throws IOException
    {
        channel.close();
    }
}
