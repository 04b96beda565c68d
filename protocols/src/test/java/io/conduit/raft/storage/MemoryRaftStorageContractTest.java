package io.conduit.raft.storage;

import java.nio.file.Path;

import io.conduit.raft.MemoryRaftStorage;
import io.conduit.raft.RaftStorage;

/**
 * The contract against the in-memory reference implementation.
 */
class MemoryRaftStorageContractTest extends RaftStorageContract
{
    @Override
    RaftStorage create(final Path directory)
    {
        return new MemoryRaftStorage();
    }
}
