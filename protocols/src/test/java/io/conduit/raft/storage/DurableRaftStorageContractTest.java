package io.conduit.raft.storage;

import java.io.IOException;
import java.nio.file.Path;

import io.conduit.raft.RaftStorage;

/**
 * The contract against the durable storage, with small segments and buffers so the cases cross segment rollovers
 * and buffer flushes.
 */
class DurableRaftStorageContractTest extends RaftStorageContract
{
    @Override
    RaftStorage create(final Path directory) throws IOException
    {
        return DurableRaftStorage.open(directory, SegmentedLogTest.SMALL);
    }
}
