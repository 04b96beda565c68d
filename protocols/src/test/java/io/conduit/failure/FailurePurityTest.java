package io.conduit.failure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps io.conduit.failure pure, as transport's PurePackagesTest does for its packages (whose scanner lives in
 * transport's test sources, out of reach here): no clocks, threads, sockets, files or unseeded randomness.
 */
class FailurePurityTest
{
    private static final Pattern[] FORBIDDEN = {
        Pattern.compile("\\bSystem\\s*\\.\\s*(?:nanoTime|currentTimeMillis)\\b"),
        Pattern.compile("\\b(?:Instant|LocalDateTime|ZonedDateTime|Clock)\\s*\\.\\s*(?:now|system\\w*)\\b"),
        Pattern.compile("\\bThread\\b|\\bjava\\.util\\.concurrent\\b|\\bExecutors?\\w*\\b"),
        Pattern.compile("\\bjava\\.net\\b|\\bjava\\.nio\\.channels\\b|\\bjava\\.nio\\.file\\b|\\bjava\\.io\\.File"),
        Pattern.compile("\\bnew\\s+(?:java\\.util\\.)?(?:Random|SplittableRandom)\\s*\\(\\s*\\)"),
        Pattern.compile("\\bMath\\s*\\.\\s*random\\b|\\bThreadLocalRandom\\b|\\bSecureRandom\\b"),
    };

    @Test
    void failurePackageUsesNoClocksThreadsIoOrUnseededRandomness() throws IOException
    {
        final Path source = Paths.get("src", "main", "java", "io", "conduit", "failure");
        assertTrue(Files.isDirectory(source), () -> "run from the protocols module, not " + Paths.get("").toAbsolutePath());
        final List<String> violations = new ArrayList<>();
        int files = 0;
        try (Stream<Path> walk = Files.list(source))
        {
            for (final Path file : (Iterable<Path>)walk.filter((p) -> p.toString().endsWith(".java"))::iterator)
            {
                files++;
                final List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size(); i++)
                {
                    final String code = lines.get(i).replaceAll("//.*$", "");
                    for (final Pattern pattern : FORBIDDEN)
                    {
                        if (pattern.matcher(code).find() && !code.trim().startsWith("*"))
                        {
                            violations.add(file.getFileName() + ":" + (i + 1) + ": " + lines.get(i).trim());
                        }
                    }
                }
            }
        }
        assertTrue(files >= 10, "scanned only " + files + " files");
        assertTrue(FORBIDDEN[0].matcher("final long t = System.nanoTime();").find(), "the scanner itself is broken");
        assertEquals(List.of(), violations);
    }
}
