package io.conduit.raft.storage;

import java.io.IOException;

/**
 * Durable state failed verification somewhere recovery may not repair it: a bad record before the tail of the last
 * segment, a gap between segments, a segment that disagrees with the snapshot. Dropping such data could lose
 * committed entries, so the node must stop and an operator decide; the message names the file and byte position.
 */
public final class CorruptLogException extends IOException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed and where, in one line.
     */
    public CorruptLogException(final String message)
    {
        super(message);
    }
}
