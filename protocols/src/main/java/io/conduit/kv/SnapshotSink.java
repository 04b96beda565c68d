package io.conduit.kv;

import org.agrona.DirectBuffer;

/**
 * Where a state machine streams its snapshot, in order, one piece at a time: a file writer at the storage edge, an
 * in-memory buffer in tests. The bytes are only valid during the call; copy them if they must outlive it.
 */
@FunctionalInterface
public interface SnapshotSink
{
    void write(DirectBuffer buffer, int offset, int length);
}
