package io.conduit.raft.storage;

import org.agrona.DirectBuffer;

/**
 * Receives log entries from {@link SegmentedLog#forEach}. The buffer is the log's read buffer, valid only during the
 * call: copy what must outlive it.
 */
@FunctionalInterface
public interface EntryHandler
{
    /**
     * @param index  the entry's log index.
     * @param term   the term in which a leader created the entry.
     * @param buffer holds the payload.
     * @param offset of the payload in {@code buffer}.
     * @param length of the payload in bytes.
     * @return {@code true} to continue, {@code false} to stop after this entry (e.g. a batch reached its byte limit).
     */
    boolean onEntry(long index, long term, DirectBuffer buffer, int offset, int length);
}
