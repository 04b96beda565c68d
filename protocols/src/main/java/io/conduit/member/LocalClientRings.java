package io.conduit.member;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * The lock-free path between in-process clients and the node's agent: every client writes requests into one shared
 * many-to-one ring (the record type is the client's slot), and reads its responses from a one-to-one ring of its
 * own. Slots are claimed and released with a compare-and-set, so registering never blocks the agent.
 * <p>
 * Link ids of local clients have the sign bit set, so they never collide with network client links, and count slots
 * from 1, so no id equals {@code Long.MIN_VALUE} (which the replica reserves for "no link").
 */
public final class LocalClientRings
{
    static final long LOCAL_LINK_BIT = Long.MIN_VALUE;

    private static final int FREE = 0;
    private static final int IN_USE = 1;
    private static final int CLOSING = 2;

    private final ManyToOneRingBuffer requests;
    private final OneToOneRingBuffer[] responses;
    private final AtomicIntegerArray slotStates;
    private final LocalRequestHandler handler;
    private final MessageHandler requestReader = this::onRequest;
    private final MessageHandler discard = (typeId, buffer, index, length) -> { };

    LocalClientRings(final int clients, final int ringBytes, final LocalRequestHandler handler)
    {
        this.handler = handler;
        final int capacity = BitUtil.findNextPositivePowerOfTwo(ringBytes);
        requests = new ManyToOneRingBuffer(ring(capacity));
        responses = new OneToOneRingBuffer[clients];
        for (int slot = 0; slot < clients; slot++)
        {
            responses[slot] = new OneToOneRingBuffer(ring(capacity));
        }
        slotStates = new AtomicIntegerArray(clients);
    }

    private static UnsafeBuffer ring(final int capacity)
    {
        return new UnsafeBuffer(ByteBuffer.allocateDirect(capacity + RingBufferDescriptor.TRAILER_LENGTH));
    }

    private static long linkIdOf(final int slot)
    {
        return LOCAL_LINK_BIT | (slot + 1L);
    }

    /** Whether a link id names an in-process client. */
    public static boolean isLocal(final long linkId)
    {
        return (linkId & LOCAL_LINK_BIT) != 0;
    }

    /** Claims a free slot; any thread. */
    LocalKvClient register()
    {
        for (int slot = 0; slot < responses.length; slot++)
        {
            if (slotStates.compareAndSet(slot, FREE, IN_USE))
            {
                return new LocalKvClient(this, slot);
            }
        }
        throw new IllegalStateException("all " + responses.length + " local client slots are in use");
    }

    boolean offer(final int slot, final DirectBuffer buffer, final int offset, final int length)
    {
        return requests.write(slot + 1, buffer, offset, length);
    }

    int pollResponses(final int slot, final MessageHandler handler, final int limit)
    {
        return responses[slot].read(handler, limit);
    }

    int maxRequestLength()
    {
        return requests.maxMsgLength();
    }

    void release(final int slot)
    {
        slotStates.set(slot, CLOSING);
    }

    /**
     * Agent thread: hands waiting requests to the handler with their link ids, and finishes the release of slots
     * whose clients closed (the handler hears the link closed; leftover responses are discarded).
     */
    int drain(final int limit)
    {
        int work = requests.read(requestReader, limit);
        for (int slot = 0; slot < responses.length; slot++)
        {
            if (slotStates.get(slot) == CLOSING)
            {
                handler.onLocalClientClosed(linkIdOf(slot));
                // The client no longer reads its ring, so the agent may act as its consumer until reuse.
                responses[slot].read(discard, Integer.MAX_VALUE);
                slotStates.set(slot, FREE);
                work++;
            }
        }
        return work;
    }

    private void onRequest(final int typeId, final DirectBuffer buffer, final int index, final int length)
    {
        final int slot = typeId - 1;
        if (slotStates.get(slot) == IN_USE)
        {
            handler.onLocalRequest(linkIdOf(slot), buffer, index, length);
        }
    }

    /** Agent thread: queues a response for a local client; false when its ring is full or it has gone. */
    boolean respond(final long linkId, final DirectBuffer buffer, final int offset, final int length)
    {
        final long slotNumber = (linkId & ~LOCAL_LINK_BIT) - 1;
        final int slot = slotNumber < responses.length ? (int)slotNumber : -1;
        if (slot < 0 || slot >= responses.length || slotStates.get(slot) != IN_USE)
        {
            return false;
        }
        return responses[slot].write(1, buffer, offset, length);
    }

    /** What the agent does with local traffic. */
    interface LocalRequestHandler
    {
        void onLocalRequest(long linkId, DirectBuffer buffer, int offset, int length);

        void onLocalClientClosed(long linkId);
    }
}
