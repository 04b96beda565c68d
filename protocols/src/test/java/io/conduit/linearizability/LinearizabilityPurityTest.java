package io.conduit.linearizability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Set;

import io.conduit.transport.PurityScanner;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keeps {@code io.conduit.linearizability} pure with the transport's rules: a time limit uses an injected clock. */
class LinearizabilityPurityTest
{
    @Test
    void linearizabilityPackageUsesNoSocketsFilesThreadsClocksOrUnseededRandomness() throws IOException
    {
        // Surefire runs in the module directory; anywhere else the source root would be missing and the scan vacuous.
        final Path sourceRoot = Paths.get("src", "main", "java");
        assertTrue(Files.isRegularFile(sourceRoot.resolve("io/conduit/linearizability/LinearizabilityChecker.java")),
            () -> "run from the protocols module directory, not " + Paths.get("").toAbsolutePath());

        final List<PurityScanner.Violation> violations =
            new PurityScanner(Set.of()).scanPackages(sourceRoot, List.of("io.conduit.linearizability"));

        assertTrue(violations.isEmpty(), () -> PurityScanner.report(violations));
    }
}
