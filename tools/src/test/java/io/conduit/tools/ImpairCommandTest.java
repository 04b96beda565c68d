package io.conduit.tools;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImpairCommandTest
{
    private static final String LISTEN = "127.0.0.1:0";
    private static final String FORWARD = "127.0.0.1:9";

    @Test
    void wrongArgumentsExitWithTwo()
    {
        assertEquals(2, ConduitCli.execute("impair", "--listen", LISTEN));
        assertEquals(2, ConduitCli.execute("impair", "--listen", "nonsense", "--forward", FORWARD));
        assertEquals(2, ConduitCli.execute("impair", "--listen", "127.0.0.1:70000", "--forward", FORWARD));
        assertEquals(2, ConduitCli.execute("impair", "--listen", LISTEN, "--forward", "127.0.0.1:0"));
        assertEquals(2, ConduitCli.execute("impair", "--listen", LISTEN, "--forward", FORWARD, "--loss", "1.5"));
        assertEquals(2, ConduitCli.execute("impair", "--listen", LISTEN, "--forward", FORWARD, "--dup", "-0.1"));
        assertEquals(2, ConduitCli.execute("impair", "--listen", LISTEN, "--forward", FORWARD, "--rate", "0"));
        assertEquals(2, ConduitCli.execute("impair", "--listen", LISTEN, "--forward", FORWARD, "--delay", "-1"));
        assertEquals(2, ConduitCli.execute("impair", "--listen", LISTEN, "--forward", FORWARD, "--seconds", "0"));
    }

    @Test
    void runsForTheGivenSecondsAndPrintsTheStartupLineAndSummary()
    {
        final PrintStream original = System.out;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        final int exitCode;
        try
        {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            exitCode = ConduitCli.execute("impair", "--listen", LISTEN, "--forward", FORWARD, "--loss", "0.5",
                "--rate", "10", "--seconds", "1");
        }
        finally
        {
            System.setOut(original);
        }
        final String output = captured.toString(StandardCharsets.UTF_8);
        assertEquals(0, exitCode, output);
        assertTrue(output.matches("(?s)impair listening on 127\\.0\\.0\\.1:[1-9][0-9]* forwarding to " +
            "127\\.0\\.0\\.1:9\\n.*"), output);
        assertTrue(output.contains("client->server: received=0 forwarded=0 dropped=0"), output);
        assertTrue(output.contains("server->client: received=0"), output);
    }
}
