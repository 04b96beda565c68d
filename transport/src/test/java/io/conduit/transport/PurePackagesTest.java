package io.conduit.transport;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps the protocol packages pure: no sockets, files, threads, clocks or unseeded randomness, so the simulator can
 * replay any run from its seed. Time comes in as {@code long nowNs}, I/O goes out through the caller.
 */
class PurePackagesTest
{
    static final List<String> PURE_PACKAGES = List.of(
        "io.conduit.transport.codec",
        "io.conduit.transport.engine",
        "io.conduit.transport.congestion",
        "io.conduit.transport.sim");

    /**
     * Classes inside the pure packages that may use what the rules forbid. Each entry needs a reason here.
     * <ul>
     * <li>{@code SeededRuns}: fans independent seeds out over a thread pool to use every core. Each run it starts
     * is a single-threaded simulation that sees no thread or clock, so every seed still replays alone.</li>
     * </ul>
     */
    static final Set<String> EXEMPT_CLASSES = Set.of(
        "io.conduit.transport.sim.SeededRuns");

    @Test
    void purePackagesUseNoSocketsFilesThreadsClocksOrUnseededRandomness() throws IOException
    {
        // Surefire runs in the module directory; anywhere else the source root would be missing and the scan vacuous.
        final Path modulePom = Paths.get("pom.xml");
        assertTrue(Files.isRegularFile(modulePom) &&
            Files.readString(modulePom).contains("<artifactId>conduit-transport</artifactId>"),
            () -> "run from the transport module directory, not " + Paths.get("").toAbsolutePath());

        final List<PurityScanner.Violation> violations =
            new PurityScanner(EXEMPT_CLASSES).scanPackages(Paths.get("src", "main", "java"), PURE_PACKAGES);

        assertTrue(violations.isEmpty(), () -> PurityScanner.report(violations));
    }
}
