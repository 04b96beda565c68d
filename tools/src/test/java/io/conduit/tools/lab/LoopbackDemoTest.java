package io.conduit.tools.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;

import io.conduit.tools.ConduitCli;
import picocli.CommandLine;

/**
 * {@code conduit demo --mode loopback} end to end on a small file: separate sender, receiver and relay processes on
 * loopback, the relay doing loss, duplication, reordering and corruption; the demo verifies SHA-256 and exits 0.
 */
class LoopbackDemoTest
{
    @Test
    void loopbackDemoTransfersAndVerifiesAFile()
    {
        final StringWriter output = new StringWriter();
        final CommandLine commandLine = ConduitCli.commandLine();
        commandLine.setOut(new PrintWriter(output, true));
        final int exit = commandLine.execute("demo", "--mode", "loopback", "--size-mib", "2", "--ping-count", "20");
        final String text = output.toString();
        assertEquals(0, exit, text);
        assertTrue(text.contains("demo: OK, file arrived intact"), text);
        assertTrue(text.contains("| relay             | client->server:"), text);
        assertTrue(text.matches("(?s).*rtt_us p50=.* count=20.*"), text);
    }
}
