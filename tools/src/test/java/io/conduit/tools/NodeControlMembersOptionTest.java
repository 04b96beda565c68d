package io.conduit.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code conduit node --control-members}: every malformed or inconsistent list is a usage error (exit 2). */
class NodeControlMembersOptionTest
{
    private static final String MEMBERS = "1=127.0.0.1:21001,2=127.0.0.1:21002,3=127.0.0.1:21003," +
        "4=127.0.0.1:21004";

    @Test
    void refusesIdsThatAreNotNumbers(@TempDir final Path data)
    {
        assertUsage("--control-members takes member ids separated by commas, got '3,x'", data, "chain", "3,x");
        assertUsage("--control-members takes member ids separated by commas, got '3,'", data, "chain", "3,");
        assertUsage("--control-members takes member ids separated by commas, got ''", data, "chain", "");
    }

    @Test
    void refusesIdsOutsideTheMembers(@TempDir final Path data)
    {
        assertUsage("--control-members: 5 is not one of the --members [1, 2, 3, 4]", data, "chain", "4,5");
        assertUsage("--control-members: 0 is not one of the --members [1, 2, 3, 4]", data, "chain", "0");
    }

    @Test
    void refusesDuplicatesAndLeavingNoChain(@TempDir final Path data)
    {
        assertUsage("--control-members lists 4 twice", data, "chain", "4,4");
        assertUsage("--control-members names every member: none is left for the chain", data, "chain", "1,2,3,4");
    }

    @Test
    void refusesTheRaftEngine(@TempDir final Path data)
    {
        assertUsage("--control-members applies to --engine chain only", data, "raft", "4");
    }

    private static void assertUsage(final String expected, final Path data, final String engine,
        final String controlMembers)
    {
        final CliRun run = CliRun.run("node", "--id", "1", "--members", MEMBERS, "--data", data.toString(),
            "--engine", engine, "--control-members", controlMembers);
        assertEquals(2, run.exitCode, run.err);
        assertTrue(run.err.contains(expected), () -> "stderr was: " + run.err);
        assertEquals("", run.out);
    }
}
