package io.conduit.transport.status;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Where status files live when the caller does not say. In order: the system property {@value #DIR_PROPERTY}, the
 * environment variable {@value #DIR_ENV}, {@code /dev/shm/conduit} when {@code /dev/shm} is a writable directory
 * (memory-backed, so counter updates never reach a disk), else {@code ${java.io.tmpdir}/conduit}.
 */
public final class StatusDirectory
{
    /** System property naming the status directory; takes precedence over the environment. */
    public static final String DIR_PROPERTY = "conduit.status.dir";

    /** Environment variable naming the status directory. */
    public static final String DIR_ENV = "CONDUIT_STATUS_DIR";

    private static final Path SHM = Paths.get("/dev/shm");

    private StatusDirectory()
    {
    }

    /**
     * Resolves the default status directory and creates it (with parents) if missing.
     *
     * @return the directory, existing on return.
     * @throws UncheckedIOException if the directory cannot be created.
     */
    public static Path defaultDir()
    {
        final Path dir = resolve(System.getProperty(DIR_PROPERTY), System.getenv(DIR_ENV));
        try
        {
            return Files.createDirectories(dir);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create status directory " + dir + ": " + ex.getMessage(), ex);
        }
    }

    static Path resolve(final String property, final String env)
    {
        if (property != null && !property.isBlank())
        {
            return Paths.get(property);
        }
        if (env != null && !env.isBlank())
        {
            return Paths.get(env);
        }
        if (Files.isDirectory(SHM) && Files.isWritable(SHM))
        {
            return SHM.resolve("conduit");
        }
        return Paths.get(System.getProperty("java.io.tmpdir"), "conduit");
    }
}
