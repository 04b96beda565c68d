package io.conduit.tools;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ConduitCliTest
{
    @Test
    void demoTransfersAFileIntactAndExitsZero()
    {
        assertEquals(0, ConduitCli.execute("demo", "--size-mib", "2", "--seed", "3"));
    }

    @Test
    void wrongArgumentsExitWithTwo()
    {
        assertEquals(2, ConduitCli.execute("demo", "--no-such-flag"));
        assertEquals(2, ConduitCli.execute("no-such-command"));
        assertEquals(2, ConduitCli.execute("demo", "--loss", "1.5"));
    }

    @Test
    void helpExitsZero()
    {
        assertEquals(0, ConduitCli.execute("--help"));
        assertEquals(0, ConduitCli.execute("demo", "--help"));
    }
}
