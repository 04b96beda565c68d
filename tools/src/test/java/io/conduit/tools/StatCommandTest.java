package io.conduit.tools;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.conduit.transport.status.CounterTypes;
import io.conduit.transport.status.StatusFile;
import io.conduit.transport.status.StatusFileLayout;
import io.conduit.transport.status.StatusReader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StatCommandTest
{
    private static final long OWN_PID = ProcessHandle.current().pid();

    @TempDir
    Path dir;

    @Test
    void oncePrintsEveryLiveEndpointWithAlignedCounters()
    {
        try (StatusFile first = StatusFile.create(dir, "127.0.0.1:9000", 8);
            StatusFile second = StatusFile.create(dir, "127.0.0.1:9001", 8))
        {
            first.set(first.allocate("endpoint 127.0.0.1:9000 datagrams_received",
                CounterTypes.ENDPOINT_DATAGRAMS_RECEIVED), 42);
            first.set(first.allocate("conn 1a2b3c4d->127.0.0.1:9001 srtt_us", CounterTypes.CONNECTION_SRTT_US), 1250);
            second.set(second.allocate("endpoint 127.0.0.1:9001 duty_cycles", CounterTypes.ENDPOINT_DUTY_CYCLES), 7);

            final Output output = run("stat", "--dir", dir.toString(), "--once");

            assertEquals(0, output.exitCode);
            assertEquals(String.join("\n",
                "endpoint 127.0.0.1:9000 pid " + OWN_PID,
                "endpoint 127.0.0.1:9000 datagrams_received    42",
                "conn 1a2b3c4d->127.0.0.1:9001 srtt_us       1250",
                "",
                "endpoint 127.0.0.1:9001 pid " + OWN_PID,
                "endpoint 127.0.0.1:9001 duty_cycles            7",
                "",
                ""), output.stdout);
        }
    }

    @Test
    void withoutEndpointsSaysSoAndExitsZero()
    {
        final Output output = run("stat", "--dir", dir.toString(), "--once");

        assertEquals(0, output.exitCode);
        assertEquals("no conduit endpoints in " + dir + "\n", output.stdout);
    }

    @Test
    void filesOfEndedProcessesAreLeftOut() throws IOException, InterruptedException
    {
        final Process ended = new ProcessBuilder("true").start();
        assertTrue(ended.waitFor(30, TimeUnit.SECONDS));
        try (StatusFile file = StatusFile.create(dir, "gone", 4))
        {
            file.allocate("endpoint gone duty_cycles", CounterTypes.ENDPOINT_DUTY_CYCLES);
            final byte[] image = Files.readAllBytes(file.path());
            new UnsafeBuffer(image).putLong(StatusFileLayout.PID_OFFSET, ended.pid());
            Files.write(dir.resolve(ended.pid() + "-0.stat"), image);
        }
        assertEquals(1, StatusReader.readAll(dir).size());

        final StringWriter text = new StringWriter();
        StatCommand.print(new PrintWriter(text), dir, StatusReader.readAll(dir));

        assertEquals("no conduit endpoints in " + dir + System.lineSeparator(), text.toString());
    }

    @Test
    void controlCharactersInLabelsAreNotPrinted()
    {
        try (StatusFile file = StatusFile.create(dir, "ep\u001b[2J", 2))
        {
            file.allocate("bell\u0007", 1);

            final Output output = run("stat", "--dir", dir.toString(), "--once");

            assertEquals("endpoint ep?[2J pid " + OWN_PID + "\nbell?  0\n\n", output.stdout);
        }
    }

    @Test
    void intervalBelowOneHundredMsIsAUsageError()
    {
        final Output output = run("stat", "--dir", dir.toString(), "--interval-ms", "99");

        assertEquals(2, output.exitCode);
        assertEquals("", output.stdout);
        assertTrue(output.stderr.startsWith("conduit: "), output.stderr);
        assertEquals(1, output.stderr.lines().count(), output.stderr);
        assertTrue(output.stderr.contains("--interval-ms must be at least 100, was 99"), output.stderr);
        assertEquals(2, run("stat", "--interval-ms", "soon").exitCode);
        assertEquals(0, run("stat", "--dir", dir.toString(), "--interval-ms", "100", "--once").exitCode);
    }

    @Test
    void helpExitsZero()
    {
        assertEquals(0, run("stat", "--help").exitCode);
    }

    private record Output(int exitCode, String stdout, String stderr)
    {
    }

    /** Runs the real command line with System.out and System.err captured; picocli resolves them lazily. */
    private static Output run(final String... args)
    {
        final PrintStream previousOut = System.out;
        final PrintStream previousErr = System.err;
        final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        try
        {
            System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
            final int exitCode = ConduitCli.execute(args);
            System.out.flush();
            System.err.flush();
            return new Output(exitCode, normalise(stdout), normalise(stderr));
        }
        finally
        {
            System.setOut(previousOut);
            System.setErr(previousErr);
        }
    }

    private static String normalise(final ByteArrayOutputStream bytes)
    {
        return bytes.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
    }
}
