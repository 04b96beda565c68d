package io.conduit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** docs/api.md shows HelloConduit verbatim, and HelloConduit runs and does what the page says. */
class HelloConduitTest
{
    @Test
    void theDocumentedExampleIsTheSourceAndItRuns() throws Exception
    {
        final String source = Files.readString(Path.of("src/main/java/io/conduit/examples/HelloConduit.java"));
        final String doc = Files.readString(Path.of("../docs/api.md"));
        final int start = doc.indexOf("```java\n", doc.indexOf("<!-- example:HelloConduit -->")) + "```java\n".length();
        final int end = doc.indexOf("```\n<!-- /example -->");
        assertEquals(source, doc.substring(start, end), "docs/api.md must show HelloConduit.java unchanged");

        System.setProperty("conduit.status.dir", Files.createTempDirectory("hello-status").toString());
        final PrintStream original = System.out;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try
        {
            HelloConduit.main(new String[0]);
        }
        finally
        {
            System.setOut(original);
            System.clearProperty("conduit.status.dir");
        }
        final String output = captured.toString(StandardCharsets.UTF_8);
        assertTrue(output.contains("server got: hello\nserver got: from\nserver got: conduit\n"), output);
        assertTrue(output.contains("client got: HELLO\nclient got: FROM\nclient got: CONDUIT\n"), output);
        assertTrue(output.contains("server: client finished (GRACEFUL)"), output);
        assertTrue(output.contains("messages sent 3"), output);
        assertTrue(output.endsWith("done\n"), output);
    }
}
