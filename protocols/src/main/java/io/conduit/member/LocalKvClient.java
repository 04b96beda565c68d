package io.conduit.member;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.MessageHandler;

/**
 * An in-process client of a running node: one application thread offers encoded
 * {@link io.conduit.kv.KvRequestFlyweight} requests and polls {@link io.conduit.kv.KvResponseFlyweight} responses,
 * without locks and without the network. Protocol rules are those of a network client: one session (client id),
 * sequence numbers, retries with the same sequence on RETRY or NOT_LEADER (a local client of a follower is told
 * who leads, and may send its writes to that member over the network instead).
 * <p>
 * Not thread-safe: one thread per instance. Obtain one with {@link KvNode#newLocalClient()}.
 */
public final class LocalKvClient implements AutoCloseable
{
    private final LocalClientRings rings;
    private final int slot;
    private boolean closed;

    LocalKvClient(final LocalClientRings rings, final int slot)
    {
        this.rings = rings;
        this.slot = slot;
    }

    /** Queues one request for the node's agent; false when the shared ring is full (back-pressure: try again). */
    public boolean offer(final DirectBuffer request, final int offset, final int length)
    {
        if (closed)
        {
            throw new IllegalStateException("local client closed");
        }
        return rings.offer(slot, request, offset, length);
    }

    /** Hands up to {@code limit} responses to the handler (type id 1); returns how many. */
    public int poll(final MessageHandler handler, final int limit)
    {
        return closed ? 0 : rings.pollResponses(slot, handler, limit);
    }

    /** The longest request {@link #offer} accepts. */
    public int maxRequestLength()
    {
        return rings.maxRequestLength();
    }

    /** Releases the slot; the node drops whatever was still pending for this client. */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            rings.release(slot);
        }
    }
}
