package io.conduit.chain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Set;

import io.conduit.transport.PurityScanner;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keeps {@code io.conduit.chain} pure: time comes in as {@code nowNs}, never from a clock; no I/O, no threads. */
class ChainPurityTest
{
    @Test
    void chainPackageUsesNoSocketsFilesThreadsClocksOrUnseededRandomness() throws IOException
    {
        final Path sourceRoot = Paths.get("src", "main", "java");
        assertTrue(Files.isRegularFile(sourceRoot.resolve("io/conduit/chain/ChainReplica.java")),
            () -> "run from the protocols module directory, not " + Paths.get("").toAbsolutePath());

        final List<PurityScanner.Violation> violations =
            new PurityScanner(Set.of()).scanPackages(sourceRoot, List.of("io.conduit.chain"));

        assertTrue(violations.isEmpty(), () -> PurityScanner.report(violations));
    }
}
