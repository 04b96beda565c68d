package io.conduit.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code conduit node}'s usage errors: one line on stderr, exit 2, nothing started. */
class NodeCommandTest
{
    private static final String MEMBERS = "1=127.0.0.1:21001,2=127.0.0.1:21002,3=127.0.0.1:21003";

    @Test
    void refusesAnIdOutsideTheMembers(@TempDir final Path data)
    {
        assertUsage("--id 4 is not one of the --members [1, 2, 3]",
            "node", "--id", "4", "--members", MEMBERS, "--data", data.toString());
    }

    @Test
    void refusesMalformedMembers(@TempDir final Path data)
    {
        assertUsage("expected ID=HOST:PORT, got '127.0.0.1:21001'",
            "node", "--id", "1", "--members", "127.0.0.1:21001", "--data", data.toString());
        assertUsage("member 1 is listed twice",
            "node", "--id", "1", "--members", "1=127.0.0.1:21001,1=127.0.0.1:21002", "--data", data.toString());
        assertUsage("member ids must be positive: '0=127.0.0.1:21001'",
            "node", "--id", "1", "--members", "0=127.0.0.1:21001", "--data", data.toString());
    }

    @Test
    void refusesUnknownEngineAndTransport(@TempDir final Path data)
    {
        assertUsage("--engine must be raft or chain, was 'paxos'",
            "node", "--id", "1", "--members", MEMBERS, "--data", data.toString(), "--engine", "paxos");
        assertUsage("--transport must be conduit or aeron, was 'tcp'",
            "node", "--id", "1", "--members", MEMBERS, "--data", data.toString(), "--transport", "tcp");
    }

    @Test
    void requiresTheDataDirectory()
    {
        final CliRun run = CliRun.run("node", "--id", "1", "--members", MEMBERS);
        assertEquals(2, run.exitCode);
        assertTrue(run.err.contains("--data"), run.err);
    }

    private static void assertUsage(final String expected, final String... args)
    {
        final CliRun run = CliRun.run(args);
        assertEquals(2, run.exitCode, run.err);
        assertTrue(run.err.contains(expected), () -> "stderr was: " + run.err);
        assertEquals("", run.out);
    }
}
