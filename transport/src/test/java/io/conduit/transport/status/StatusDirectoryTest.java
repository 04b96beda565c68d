package io.conduit.transport.status;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StatusDirectoryTest
{
    @TempDir
    Path dir;

    @Test
    void propertyWinsOverEnvironmentWhichWinsOverDefaults()
    {
        assertEquals(Paths.get("/from/property"), StatusDirectory.resolve("/from/property", "/from/env"));
        assertEquals(Paths.get("/from/env"), StatusDirectory.resolve(null, "/from/env"));
        assertEquals(Paths.get("/from/env"), StatusDirectory.resolve(" ", "/from/env"));
    }

    @Test
    void fallsBackToShmOrTmpdir()
    {
        final Path shm = Paths.get("/dev/shm");
        final Path expected = Files.isDirectory(shm) && Files.isWritable(shm) ? shm.resolve("conduit") :
            Paths.get(System.getProperty("java.io.tmpdir"), "conduit");
        assertEquals(expected, StatusDirectory.resolve(null, null));
    }

    @Test
    void defaultDirCreatesTheDirectory()
    {
        final Path wanted = dir.resolve("a").resolve("b");
        final String previous = System.getProperty(StatusDirectory.DIR_PROPERTY);
        System.setProperty(StatusDirectory.DIR_PROPERTY, wanted.toString());
        try
        {
            assertEquals(wanted, StatusDirectory.defaultDir());
            assertTrue(Files.isDirectory(wanted));
        }
        finally
        {
            if (previous == null)
            {
                System.clearProperty(StatusDirectory.DIR_PROPERTY);
            }
            else
            {
                System.setProperty(StatusDirectory.DIR_PROPERTY, previous);
            }
        }
    }
}
