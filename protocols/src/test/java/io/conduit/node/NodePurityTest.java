package io.conduit.node;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Set;

import io.conduit.transport.PurityScanner;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keeps the replica and the Raft codec pure with the transport's rules: no sockets, files, threads or clocks. */
class NodePurityTest
{
    @Test
    void replicaAndRaftCodecUseNoSocketsFilesThreadsClocksOrUnseededRandomness() throws IOException
    {
        // Surefire runs in the module directory; anywhere else the source root would be missing and the scan vacuous.
        final Path sourceRoot = Paths.get("src", "main", "java");
        assertTrue(Files.isRegularFile(sourceRoot.resolve(Path.of("io", "conduit", "node", "RaftKvReplica.java"))),
            () -> "run from the protocols module directory, not " + Paths.get("").toAbsolutePath());
        assertTrue(Files.isRegularFile(sourceRoot.resolve(Path.of("io", "conduit", "raft", "codec",
            "RaftMessageCodec.java"))));

        final List<PurityScanner.Violation> violations = new PurityScanner(Set.of())
            .scanPackages(sourceRoot, List.of("io.conduit.node", "io.conduit.raft.codec"));

        assertTrue(violations.isEmpty(), () -> PurityScanner.report(violations));
    }
}
