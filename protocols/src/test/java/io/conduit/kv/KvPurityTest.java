package io.conduit.kv;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Set;

import io.conduit.transport.PurityScanner;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keeps {@code io.conduit.kv} pure: lease expiry must depend on stamped times only, never a local clock. */
class KvPurityTest
{
    @Test
    void kvPackageUsesNoSocketsFilesThreadsClocksOrUnseededRandomness() throws IOException
    {
        final Path sourceRoot = Paths.get("src", "main", "java");
        assertTrue(Files.isRegularFile(sourceRoot.resolve("io/conduit/kv/KvStateMachine.java")),
            () -> "run from the protocols module directory, not " + Paths.get("").toAbsolutePath());

        final List<PurityScanner.Violation> violations =
            new PurityScanner(Set.of()).scanPackages(sourceRoot, List.of("io.conduit.kv"));

        assertTrue(violations.isEmpty(), () -> PurityScanner.report(violations));
    }
}
