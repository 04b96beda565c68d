package io.conduit.raft;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import io.conduit.transport.PurityScanner;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps the Raft engine pure with the transport's rules. Only the files directly in {@code io.conduit.raft} are
 * scanned: {@code io.conduit.raft.storage} is an edge (files, fsync) and is deliberately left out.
 */
class RaftPurityTest
{
    @Test
    void raftEngineUsesNoSocketsFilesThreadsClocksOrUnseededRandomness() throws IOException
    {
        // Surefire runs in the module directory; anywhere else the source root would be missing and the scan vacuous.
        final Path packageDir = Paths.get("src", "main", "java", "io", "conduit", "raft");
        assertTrue(Files.isRegularFile(packageDir.resolve("RaftNode.java")),
            () -> "run from the protocols module directory, not " + Paths.get("").toAbsolutePath());

        final List<Path> files = new ArrayList<>();
        try (Stream<Path> listing = Files.list(packageDir))
        {
            listing.filter(p -> p.toString().endsWith(".java")).sorted().forEach(files::add);
        }
        final PurityScanner scanner = new PurityScanner(Set.of());
        final List<PurityScanner.Violation> violations = new ArrayList<>();
        for (final Path file : files)
        {
            violations.addAll(scanner.scanSource(file.toString(), Files.readString(file)));
        }

        assertTrue(files.size() >= 10, "expected the engine's sources, found " + files);
        assertTrue(violations.isEmpty(), () -> PurityScanner.report(violations));
    }

    @Test
    void theScanCatchesAClockRead()
    {
        final List<PurityScanner.Violation> violations = new PurityScanner(Set.of())
            .scanSource("Probe.java", "class Probe { long now() { return System.nanoTime(); } }");

        assertTrue(!violations.isEmpty(), "a System.nanoTime read must be reported");
    }
}
