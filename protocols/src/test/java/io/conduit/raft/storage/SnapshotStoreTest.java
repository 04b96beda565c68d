package io.conduit.raft.storage;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SnapshotStoreTest
{
    @TempDir
    Path dir;

    private static byte[] data(final int length, final int seed)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(i * seed + (i >> 8));
        }
        return bytes;
    }

    private long snapshotFiles() throws IOException
    {
        try (Stream<Path> files = Files.list(dir.resolve(SnapshotStore.SNAPSHOT_DIRECTORY)))
        {
            return files.count();
        }
    }

    @Test
    void noSnapshotYet() throws IOException
    {
        assertNull(SnapshotStore.open(dir).openLatest());
    }

    @Test
    void savedSnapshotReadsBackInChunksAndReplacesOlderOnes() throws IOException
    {
        final SnapshotStore store = SnapshotStore.open(dir);
        store.save(10, 2, new ByteArrayInputStream(data(1000, 3)));
        final byte[] expected = data(200_000, 7);
        store.save(90, 4, new ByteArrayInputStream(expected));
        assertEquals(1, snapshotFiles(), "the older snapshot is deleted");
        try (SnapshotStore.SnapshotReader reader = SnapshotStore.open(dir).openLatest())
        {
            assertEquals(90, reader.index());
            assertEquals(4, reader.term());
            assertEquals(expected.length, reader.length());
            final byte[] actual = new byte[expected.length];
            final UnsafeBuffer chunk = new UnsafeBuffer(new byte[7000]);
            long offset = 0;
            int read;
            while ((read = reader.readChunk(offset, chunk, 0, chunk.capacity())) > 0)
            {
                chunk.getBytes(0, actual, (int)offset, read);
                offset += read;
            }
            assertEquals(expected.length, offset);
            assertArrayEquals(expected, actual);
            assertThrows(IllegalArgumentException.class, () -> reader.readChunk(expected.length + 1, chunk, 0, 1));
        }
    }

    @Test
    void chunksWrittenAsInstallSnapshotArrivesCommitAtomically() throws IOException
    {
        final SnapshotStore store = SnapshotStore.open(dir);
        final byte[] expected = data(5000, 11);
        try (SnapshotStore.SnapshotWriter writer = store.create(7, 3))
        {
            for (int offset = 0; offset < expected.length; offset += 1024)
            {
                assertEquals(offset, writer.position());
                writer.write(new UnsafeBuffer(expected), offset, Math.min(1024, expected.length - offset));
                assertNull(store.openLatest(), "invisible before commit");
            }
            writer.commit();
        }
        try (SnapshotStore.SnapshotReader reader = store.openLatest())
        {
            final UnsafeBuffer all = new UnsafeBuffer(new byte[expected.length]);
            assertEquals(expected.length, reader.readChunk(0, all, 0, expected.length));
            assertArrayEquals(expected, all.byteArray());
        }
    }

    @Test
    void anAbandonedOrCrashedWriteLeavesNothing() throws IOException
    {
        final SnapshotStore store = SnapshotStore.open(dir);
        try (SnapshotStore.SnapshotWriter writer = store.create(5, 1))
        {
            writer.write(new UnsafeBuffer(data(100, 1)), 0, 100);
        }
        assertEquals(0, snapshotFiles());
        // A crash mid-write leaves a temp file: the next open removes it and it never counts as a snapshot.
        store.create(6, 1).write(new UnsafeBuffer(data(100, 1)), 0, 100);
        assertEquals(1, snapshotFiles());
        assertNull(SnapshotStore.open(dir).openLatest());
        assertEquals(0, snapshotFiles());
    }

    @Test
    void aCorruptSnapshotIsRefused() throws IOException
    {
        SnapshotStore.open(dir).save(12, 2, new ByteArrayInputStream(data(3000, 5)));
        final Path file = dir.resolve(SnapshotStore.SNAPSHOT_DIRECTORY).resolve(SnapshotStore.fileName(12, 2));
        final byte[] bytes = Files.readAllBytes(file);
        bytes[SnapshotStore.HEADER_LENGTH + 1500] ^= 0x20;
        Files.write(file, bytes);
        final CorruptLogException thrown =
            assertThrows(CorruptLogException.class, () -> SnapshotStore.open(dir).openLatest());
        assertTrue(thrown.getMessage().contains("data does not verify"), thrown.getMessage());
        Files.write(file, new byte[10]);
        assertThrows(CorruptLogException.class, () -> SnapshotStore.open(dir).openLatest());
    }
}
