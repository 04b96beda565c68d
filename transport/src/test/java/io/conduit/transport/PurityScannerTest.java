package io.conduit.transport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PurityScannerTest
{
    private final PurityScanner scanner = new PurityScanner(Set.of());

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        import java.net.InetSocketAddress;                   | sockets: java.net
        final java.net.DatagramSocket socket = null;         | sockets: java.net
        import java.nio.channels.DatagramChannel;            | channels: java.nio.channels
        import java.io.FileInputStream;                      | files: java.io file classes
        import java.nio.file.Files;                          | files: java.nio.file
        final Object file = new File(name);                  | files: new File
        new Thread(task).start();                            | threads: Thread
        Thread.onSpinWait();                                 | threads: Thread
        final java.lang.Thread current = null;               | threads: Thread
        import java.util.concurrent.atomic.AtomicLong;       | threads: java.util.concurrent
        final ExecutorService pool = null;                   | threads: executors
        final long t = System.nanoTime();                    | clock: System.nanoTime
        import static java.lang.System.nanoTime;             | clock: System.nanoTime
        final long t = System.currentTimeMillis();           | clock: System.currentTimeMillis
        final Object t = Instant.now();                      | clock: java.time now()
        final Object t = LocalDateTime.now();                | clock: java.time now()
        final Object c = Clock.systemUTC();                  | clock: Clock.system*
        final double d = Math.random();                      | randomness: Math.random
        final Random r = new Random();                       | randomness: unseeded new Random()
        final Random r = new java.util.Random( );            | randomness: unseeded new Random()
        final int i = ThreadLocalRandom.current().nextInt(); | randomness: ThreadLocalRandom
        final Object r = new SecureRandom();                 | randomness: SecureRandom
        """)
    void reportsEachForbiddenConstruct(final String line, final String ruleName)
    {
        final String source = "package p;\n\nclass C\n{\n    " + line + "\n}\n";

        final List<PurityScanner.Violation> violations = scanner.scanSource("C.java", source);

        assertEquals(
            List.of(new PurityScanner.Violation("C.java", 5, ruleName, line)),
            violations.stream().filter((v) -> v.ruleName().equals(ruleName)).toList());
    }

    @Test
    void acceptsCleanCode()
    {
        final String source = """
            package io.conduit.transport.engine;

            import java.util.Random;
            import org.agrona.MutableDirectBuffer;

            final class Engine
            {
                private final Random random = new Random(42L);
                private int threadCount;
                private long lastSendNs;

                void onTimer(final long nowNs, final MutableDirectBuffer out)
                {
                    lastSendNs = nowNs + random.nextInt(1000);
                    final long maxOf = Math.max(threadCount, nowNs);
                }
            }
            """;

        assertEquals(List.of(), scanner.scanSource("Engine.java", source));
    }

    @Test
    void ignoresMentionsInCommentsAndLiterals()
    {
        final String source = """
            package p;

            /**
             * Never calls {@link System#nanoTime()} or System.nanoTime(): time comes in as nowNs.
             */
            final class C
            {
                // new Thread(...) would break replay; so would Math.random().
                /* java.net, java.nio.channels and new Random() are the caller's business */
                static final String HINT = "use System.currentTimeMillis() only in the driver";
                static final String ESCAPED = "quote \\" then new Random() \\\\";
                static final String QUOTED = '"' + "System.nanoTime() stays in a string" + '"';
                static final char BACKSLASH = '\\\\';
                static final String BLOCK = \"""
                    Thread.onSpinWait() and Instant.now() in a text block, \\\""" still inside
                    \""";
            }
            """;

        assertEquals(List.of(), scanner.scanSource("C.java", source));
    }

    @Test
    void keepsLineNumbersAfterMultiLineCommentsAndTextBlocks()
    {
        final String source = """
            package p;
            /*
             * two
             * three
             */
            final class C
            {
                static final String BLOCK = \"""
                    nine
                    ten
                    \""";
                final long t = System.nanoTime();
            }
            """;

        final List<PurityScanner.Violation> violations = scanner.scanSource("C.java", source);

        assertEquals(List.of(new PurityScanner.Violation(
            "C.java", 12, "clock: System.nanoTime", "final long t = System.nanoTime();")), violations);
    }

    @Test
    void findsAConstructSplitAcrossLinesAtItsFirstLine()
    {
        final String source = "class C\n{\n    final Object r = new Random(\n    );\n}\n";

        final List<PurityScanner.Violation> violations = scanner.scanSource("C.java", source);

        assertEquals(1, violations.size(), () -> PurityScanner.report(violations));
        assertEquals(3, violations.get(0).lineNumber());
    }

    @Test
    void blankingKeepsLengthAndLineBreaks()
    {
        final String source = "a // b\r\n\"c\" /* d\ne */ 'f' x\n";

        final String blanked = PurityScanner.blankCommentsAndLiterals(source);

        assertEquals("a     \r\n" + "   " + " " + "    \n    " + " " + "   " + " x\n", blanked);
    }

    @Test
    void scansOnlyThePurePackagesAndSkipsExemptClasses(@TempDir final Path root) throws IOException
    {
        write(root, "io/conduit/pure/Clock.java",
            "package io.conduit.pure;\nclass Clock { long t = System.nanoTime(); }\n");
        write(root, "io/conduit/pure/inner/Spinner.java", "package io.conduit.pure.inner;\n\nclass Spinner { }\n" +
            "// fine\nclass Spinning { void s() { Thread.onSpinWait(); } }\n");
        write(root, "io/conduit/pure/Runner.java", "package io.conduit.pure;\nclass Runner { Thread t; }\n");
        write(root, "io/conduit/driver/Driver.java",
            "package io.conduit.driver;\nclass D { long t = System.nanoTime(); }\n");
        final PurityScanner exemptingRunner = new PurityScanner(Set.of("io.conduit.pure.Runner"));

        final List<PurityScanner.Violation> violations =
            exemptingRunner.scanPackages(root, List.of("io.conduit.pure", "io.conduit.absent"));

        assertEquals(
            List.of(
                root.resolve("io/conduit/pure/Clock.java") + ":2: clock: System.nanoTime: " +
                    "class Clock { long t = System.nanoTime(); }",
                root.resolve("io/conduit/pure/inner/Spinner.java") + ":5: threads: Thread: " +
                    "class Spinning { void s() { Thread.onSpinWait(); } }"),
            violations.stream().map(PurityScanner.Violation::toString).toList());
        assertTrue(PurityScanner.report(violations).contains("Clock.java:2: clock: System.nanoTime"));
    }

    @Test
    void passesWhenThePackagesDoNotExistYet(@TempDir final Path root) throws IOException
    {
        assertEquals(List.of(), scanner.scanPackages(root.resolve("src/main/java"), List.of("io.conduit.empty")));
    }

    private static void write(final Path root, final String relativePath, final String content) throws IOException
    {
        final Path file = root.resolve(relativePath);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }
}
