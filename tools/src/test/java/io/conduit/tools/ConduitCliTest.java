package io.conduit.tools;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ConduitCliTest
{
    @Test
    void wrongArgumentsExitWithTwo()
    {
        assertEquals(2, ConduitCli.execute("demo", "--no-such-flag"));
        assertEquals(2, ConduitCli.execute("no-such-command"));
        assertEquals(2, ConduitCli.execute("demo", "--loss", "1.5"));
        assertEquals(2, ConduitCli.execute("demo", "--mode", "sideways"));
        assertEquals(2, ConduitCli.execute("demo", "--cc", "vegas"));
    }

    @Test
    void helpExitsZero()
    {
        assertEquals(0, ConduitCli.execute("--help"));
        assertEquals(0, ConduitCli.execute("demo", "--help"));
    }
}
