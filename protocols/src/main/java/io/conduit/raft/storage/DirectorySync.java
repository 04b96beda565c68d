package io.conduit.raft.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * fsync of a directory, which makes file creations, renames and deletions in it durable: fsync of a file alone
 * does not persist its directory entry (POSIX; ext4 and XFS lose freshly created or renamed names without it).
 */
final class DirectorySync
{
    private DirectorySync()
    {
    }

    static void sync(final Path directory) throws IOException
    {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ))
        {
            channel.force(true);
        }
        catch (final IOException ex)
        {
            // Windows cannot open or flush a directory, and NTFS journals names itself; elsewhere this is real.
            if (!System.getProperty("os.name", "").startsWith("Windows"))
            {
                throw ex;
            }
        }
    }
}
