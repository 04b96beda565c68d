package io.conduit.clock;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Set;

import io.conduit.transport.PurityScanner;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps {@code io.conduit.clock} pure with the transport's rules. The scan walks subpackages, so the one edge class
 * in {@code io.conduit.clock.system} is exempt by name: it exists to read {@code System.nanoTime}.
 */
class ClockPurityTest
{
    private static final String EXEMPT_CLASS = "io.conduit.clock.system.SystemMonotonicClock";

    @Test
    void clockPackageUsesNoSocketsFilesThreadsClocksOrUnseededRandomness() throws IOException
    {
        // Surefire runs in the module directory; anywhere else the source root would be missing and the scan vacuous.
        final Path sourceRoot = Paths.get("src", "main", "java");
        assertTrue(Files.isRegularFile(sourceRoot.resolve("io/conduit/clock/VectorClock.java")),
            () -> "run from the protocols module directory, not " + Paths.get("").toAbsolutePath());

        final List<PurityScanner.Violation> violations =
            new PurityScanner(Set.of(EXEMPT_CLASS)).scanPackages(sourceRoot, List.of("io.conduit.clock"));

        assertTrue(violations.isEmpty(), () -> PurityScanner.report(violations));
    }

    @Test
    void theExemptionIsNeededSoTheScanIsNotVacuous() throws IOException
    {
        final List<PurityScanner.Violation> violations = new PurityScanner(Set.of())
            .scanPackages(Paths.get("src", "main", "java"), List.of("io.conduit.clock"));

        assertFalse(violations.isEmpty(), "SystemMonotonicClock reads System.nanoTime and should be caught");
    }
}
