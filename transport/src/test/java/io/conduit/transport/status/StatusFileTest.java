package io.conduit.transport.status;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StatusFileTest
{
    private static final long OWN_PID = ProcessHandle.current().pid();

    @TempDir
    Path dir;

    @Test
    void countersWrittenInOneMappingReadBackThroughAnother()
    {
        try (StatusFile file = StatusFile.create(dir, "127.0.0.1:9000", 16))
        {
            final int received = file.allocate("endpoint 127.0.0.1:9000 datagrams_received",
                CounterTypes.ENDPOINT_DATAGRAMS_RECEIVED);
            final int srtt = file.allocate("conn 1a2b3c4d->127.0.0.1:9001 srtt_us", CounterTypes.CONNECTION_SRTT_US);
            file.set(received, 42);
            file.set(srtt, 1_234_567_890_123L);
            file.heartbeat(1_700_000_000_000L);

            final List<StatusSnapshot> snapshots = StatusReader.readAll(dir);

            assertEquals(1, snapshots.size());
            final StatusSnapshot snapshot = snapshots.get(0);
            assertEquals(file.path(), snapshot.path());
            assertTrue(snapshot.path().getFileName().toString().matches(OWN_PID + "-\\d+\\.stat"));
            assertEquals(OWN_PID, snapshot.pid());
            assertEquals("127.0.0.1:9000", snapshot.name());
            assertEquals(1_700_000_000_000L, snapshot.heartbeatEpochMs());
            assertTrue(snapshot.startEpochMs() > 0);
            assertTrue(snapshot.alive());
            assertEquals(List.of(
                new CounterValue(received, CounterTypes.ENDPOINT_DATAGRAMS_RECEIVED,
                    "endpoint 127.0.0.1:9000 datagrams_received", 42),
                new CounterValue(srtt, CounterTypes.CONNECTION_SRTT_US, "conn 1a2b3c4d->127.0.0.1:9001 srtt_us",
                    1_234_567_890_123L)), snapshot.counters());

            file.set(received, 43);
            assertEquals(43, StatusReader.readAll(dir).get(0).counters().get(0).value());
        }
    }

    @Test
    void freedCounterDisappearsAndItsIdIsReusedFromZero()
    {
        try (StatusFile file = StatusFile.create(dir, "reuse", 4))
        {
            final int first = file.allocate("first", CounterTypes.ENDPOINT_BYTES_SENT);
            final int second = file.allocate("second", CounterTypes.ENDPOINT_BYTES_RECEIVED);
            file.set(first, 7);
            file.free(first);

            assertEquals(List.of("second"), labels(StatusReader.readAll(dir).get(0)));

            final int third = file.allocate("third", CounterTypes.CONNECTION_RETRANSMITS);
            assertEquals(first, third);
            final List<CounterValue> counters = StatusReader.readAll(dir).get(0).counters();
            assertEquals(List.of(new CounterValue(third, CounterTypes.CONNECTION_RETRANSMITS, "third", 0),
                new CounterValue(second, CounterTypes.ENDPOINT_BYTES_RECEIVED, "second", 0)), counters);
        }
    }

    @Test
    void fullFileRejectsAllocationWithAClearMessage()
    {
        try (StatusFile file = StatusFile.create(dir, "small", 2))
        {
            file.allocate("a", 1);
            file.allocate("b", 2);

            final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> file.allocate("c", 3));
            assertTrue(ex.getMessage().contains("is full: all 2 counters are allocated"), ex.getMessage());
            assertTrue(ex.getMessage().contains("'c'"), ex.getMessage());

            file.free(0);
            assertEquals(0, file.allocate("c", 3));
        }
    }

    @Test
    void badMaxCountersIsRejected()
    {
        assertThrows(IllegalArgumentException.class, () -> StatusFile.create(dir, "none", 0));
        assertThrows(IllegalArgumentException.class,
            () -> StatusFile.create(dir, "huge", StatusFileLayout.MAX_COUNTERS + 1));
    }

    @Test
    void garbageTruncatedAndHalfWrittenFilesAreSkipped() throws IOException
    {
        try (StatusFile file = StatusFile.create(dir, "live", 8))
        {
            file.set(file.allocate("live counter", CounterTypes.ENDPOINT_DUTY_CYCLES), 5);
            final byte[] image = Files.readAllBytes(file.path());

            final byte[] garbage = new byte[4096];
            new SplittableRandom(7).nextBytes(garbage);
            Files.write(dir.resolve("garbage.stat"), garbage);
            Files.write(dir.resolve("empty.stat"), new byte[0]);
            Files.write(dir.resolve("short.stat"), new byte[10]);
            Files.write(dir.resolve("truncated.stat"), Arrays.copyOf(image, image.length - 1));

            final byte[] noMagic = image.clone();
            new UnsafeBuffer(noMagic).putInt(StatusFileLayout.MAGIC_OFFSET, 0);
            Files.write(dir.resolve("creating.stat"), noMagic);

            final byte[] badLengths = image.clone();
            new UnsafeBuffer(badLengths).putInt(StatusFileLayout.VALUES_LENGTH_OFFSET, -128);
            Files.write(dir.resolve("badlengths.stat"), badLengths);

            final List<StatusSnapshot> snapshots = StatusReader.readAll(dir);

            assertEquals(List.of(file.path()), snapshots.stream().map(StatusSnapshot::path).toList());
            assertEquals(List.of("live counter"), labels(snapshots.get(0)));
        }
    }

    @Test
    void tornLabelLengthSkipsOnlyThatCounter() throws IOException
    {
        try (StatusFile file = StatusFile.create(dir, "torn", 4))
        {
            file.allocate("broken", 1);
            file.allocate("fine", 2);
            final byte[] image = Files.readAllBytes(file.path());
            final int labelLengthOffset = StatusFileLayout.HEADER_LENGTH + CountersReader.metaDataOffset(0) +
                CountersReader.LABEL_OFFSET;
            new UnsafeBuffer(image).putInt(labelLengthOffset, Integer.MAX_VALUE);
            final Path copy = dir.resolve("copy.stat");
            Files.write(copy, image);

            final StatusSnapshot snapshot = StatusReader.read(copy);

            assertEquals(List.of("fine"), labels(snapshot));
        }
    }

    @Test
    void fileOfAFinishedProcessReadsAsDeadAndTheNextCreateRemovesIt() throws Exception
    {
        final long deadPid = finishedProcessPid();
        final Path deadFile = dir.resolve(deadPid + "-0.stat");
        try (StatusFile file = StatusFile.create(dir, "template", 4))
        {
            file.allocate("left behind", CounterTypes.ENDPOINT_CONNECTIONS_ACTIVE);
            final byte[] image = Files.readAllBytes(file.path());
            new UnsafeBuffer(image).putLong(StatusFileLayout.PID_OFFSET, deadPid);
            Files.write(deadFile, image);
        }

        final List<StatusSnapshot> snapshots = StatusReader.readAll(dir);
        assertEquals(1, snapshots.size());
        assertEquals(deadPid, snapshots.get(0).pid());
        assertFalse(snapshots.get(0).alive());
        assertEquals(List.of("left behind"), labels(snapshots.get(0)));

        try (StatusFile next = StatusFile.create(dir, "next", 4))
        {
            assertFalse(Files.exists(deadFile));
            assertEquals(List.of(next.path()), StatusReader.readAll(dir).stream().map(StatusSnapshot::path).toList());
        }
    }

    @Test
    void ownPidFileNotCreatedByThisJvmIsStale() throws IOException
    {
        // An earlier process with the same pid (pid 1 in a restarted container) left this file behind.
        final Path leftover = dir.resolve(OWN_PID + "-999999.stat");
        try (StatusFile file = StatusFile.create(dir, "template", 4))
        {
            Files.write(leftover, Files.readAllBytes(file.path()));
        }
        assertFalse(StatusReader.read(leftover).alive());

        try (StatusFile ignored = StatusFile.create(dir, "next", 4))
        {
            assertFalse(Files.exists(leftover));
        }
    }

    @Test
    void closeDeletesTheFileAndLateWritesAreHarmless()
    {
        final StatusFile file = StatusFile.create(dir, "closing", 4);
        final int counter = file.allocate("c", 1);
        final Path path = file.path();
        assertTrue(Files.exists(path));

        file.close();

        assertFalse(Files.exists(path));
        assertEquals(List.of(), StatusReader.readAll(dir));
        file.set(counter, 99);
        file.heartbeat(1);
        file.close();
    }

    @Test
    void eachFileInOneProcessGetsItsOwnName()
    {
        try (StatusFile a = StatusFile.create(dir, "a", 1); StatusFile b = StatusFile.create(dir, "b", 1))
        {
            assertFalse(a.path().equals(b.path()));
            assertEquals(List.of("a", "b"),
                StatusReader.readAll(dir).stream().map(StatusSnapshot::name).sorted().toList());
        }
    }

    @Test
    void longNameIsCutAtACharacterBoundary()
    {
        final String name = "a".repeat(199) + "\u00e9tail";
        try (StatusFile file = StatusFile.create(dir, name, 1))
        {
            assertEquals("a".repeat(199), file.name());
            assertEquals("a".repeat(199), StatusReader.readAll(dir).get(0).name());
        }
    }

    @Test
    void missingDirectoryReadsAsEmpty()
    {
        assertEquals(List.of(), StatusReader.readAll(dir.resolve("absent")));
    }

    private static List<String> labels(final StatusSnapshot snapshot)
    {
        return snapshot.counters().stream().map(CounterValue::label).toList();
    }

    private static long finishedProcessPid() throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder("true").start();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        final long pid = process.pid();
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        return pid;
    }
}
