package io.conduit.transport.status;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides whether the process behind a status file still runs. Besides asking the OS about the pid, it remembers
 * the files this JVM created: a file carrying this JVM's own pid that this JVM did not create was left by an earlier
 * process that had the same pid (common for pid 1 in restarted containers), so it is stale.
 */
final class ProcessLiveness
{
    private static final long OWN_PID = ProcessHandle.current().pid();
    private static final Set<Path> OWN_FILES = ConcurrentHashMap.newKeySet();

    private ProcessLiveness()
    {
    }

    static long ownPid()
    {
        return OWN_PID;
    }

    /** Registers a file before it is created, so a concurrent stale sweep in this JVM never deletes it. */
    static void registerOwnFile(final Path file)
    {
        OWN_FILES.add(file.toAbsolutePath().normalize());
    }

    static void unregisterOwnFile(final Path file)
    {
        OWN_FILES.remove(file.toAbsolutePath().normalize());
    }

    /**
     * @param pid  the pid the file claims.
     * @param file the status file.
     * @return true when that process runs and, if it is this JVM, this JVM wrote the file.
     */
    static boolean isAlive(final long pid, final Path file)
    {
        if (pid == OWN_PID)
        {
            return OWN_FILES.contains(file.toAbsolutePath().normalize());
        }
        if (pid <= 0)
        {
            return false;
        }
        final Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        return handle.isPresent() && handle.get().isAlive();
    }
}
