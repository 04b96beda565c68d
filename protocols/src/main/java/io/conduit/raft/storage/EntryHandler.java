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

    /**
     * The same with the entry's kind ({@code io.conduit.raft.EntryKind} code), which {@link SegmentedLog#forEach}
     * calls; by default the kind is ignored, for handlers that only read payloads.
     *
     * @param kind the entry kind's code, 0 for a normal entry.
     */
    default boolean onEntry(
        final long index, final long term, final int kind, final DirectBuffer buffer, final int offset,
        final int length)
    {
        return onEntry(index, term, buffer, offset, length);
    }
}
