package io.conduit.transport.engine;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.conduit.transport.codec.PacketLayout;
import io.conduit.transport.codec.PacketType;

/**
 * The receiver's reorder buffer and message reassembly. One preallocated slot per sequence number in
 * {@code [deliverNxt, deliverNxt + capacity)}: segments before {@code rcvNxt} arrived in order and wait for the
 * application; segments after it arrived out of order and wait for the gap to fill. The advertised window is the
 * free slots beyond {@code rcvNxt}, so its right edge ({@code deliverNxt + capacity}) never moves left.
 * Fragments of a message larger than one segment are copied into an assembly buffer as soon as they are in order,
 * freeing their slots, so a message may be far larger than the window. A batch segment
 * ({@link PacketLayout#FLAG_BATCH}) holds several whole messages in one slot, handed over one by one from the slot.
 * A span ({@link PacketLayout#FLAG_SPAN}) ends one message and begins the next: once its first part is handed over,
 * its slot is narrowed to the second part, which is then an ordinary first fragment.
 */
final class ReceiveWindow
{
    static final int ACCEPTED_IN_ORDER = 0;
    static final int ACCEPTED_OUT_OF_ORDER = 1;
    static final int DUPLICATE = 2;
    static final int OUTSIDE_WINDOW = 3;

    /** Result of {@link #deliver}: the peer broke fragmentation rules. */
    static final int PROTOCOL_ERROR = -1;

    private static final int SPAN_END_DELIVERED = 1;
    private static final int SPAN_END_REFUSED = 0;

    private final int capacity;
    private final int mask;
    private final int slotBytes;
    private final int maxMessageBytes;
    private final UnsafeBuffer payloads;
    private final int[] payloadLength;
    private final int[] messageLength;
    private final int[] fragmentOffset;
    private final byte[] type;
    private final boolean[] batch;
    private final boolean[] span;
    /** Where a slot's payload starts in the slot: 0, or past a span's first part once that was handed over. */
    private final int[] payloadStart;
    private final boolean[] present;
    private final ExpandableArrayBuffer assembly;

    private int rcvNxt;
    private int deliverNxt;
    private int lastOutOfOrderSeq;
    /** Segments held beyond rcvNxt (arrived out of order), so the ACK path need not scan the window for them. */
    private int heldCount;
    /** The highest held sequence number; meaningful only while heldCount > 0. */
    private int highestHeldSeq;
    private boolean finInOrder;
    private boolean finDelivered;
    private boolean assembling;
    private boolean assembledPending;
    private int assemblyLength;
    private int assembledBytes;
    /** Offset in the head slot's payload of the next batch frame to deliver; 0 when no batch is part-delivered. */
    private int batchCursor;
    private boolean batchStalled;

    ReceiveWindow(final int capacity, final int slotBytes, final int maxMessageBytes)
    {
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.slotBytes = slotBytes;
        this.maxMessageBytes = maxMessageBytes;
        this.payloads = new UnsafeBuffer(new byte[capacity * slotBytes]);
        this.payloadLength = new int[capacity];
        this.messageLength = new int[capacity];
        this.fragmentOffset = new int[capacity];
        this.type = new byte[capacity];
        this.batch = new boolean[capacity];
        this.span = new boolean[capacity];
        this.payloadStart = new int[capacity];
        this.present = new boolean[capacity];
        // Grows on demand to the largest message seen: most connections never reassemble anything big.
        this.assembly = new ExpandableArrayBuffer(Math.min(maxMessageBytes, 4 * slotBytes));
    }

    void reset(final int firstExpectedSeq)
    {
        rcvNxt = firstExpectedSeq;
        deliverNxt = firstExpectedSeq;
        lastOutOfOrderSeq = firstExpectedSeq;
        heldCount = 0;
        highestHeldSeq = firstExpectedSeq;
        finInOrder = false;
        finDelivered = false;
        assembling = false;
        assembledPending = false;
        assemblyLength = 0;
        assembledBytes = 0;
        batchCursor = 0;
        java.util.Arrays.fill(present, false);
    }

    int rcvNxt()
    {
        return rcvNxt;
    }

    /** Free slots beyond rcvNxt: what the receiver advertises. */
    int window()
    {
        return capacity - (rcvNxt - deliverNxt);
    }

    int capacity()
    {
        return capacity;
    }

    boolean finInOrder()
    {
        return finInOrder;
    }

    /** True once every message before the peer's FIN has been handed to the application. */
    boolean finDelivered()
    {
        return finDelivered;
    }

    boolean hasOutOfOrder()
    {
        return heldCount > 0;
    }

    /** Segments that arrived out of order and wait beyond the first gap. */
    int heldCount()
    {
        return heldCount;
    }

    /** True when in-order messages wait for the application. */
    boolean hasDeliverable()
    {
        return deliverNxt != rcvNxt || assembledPending;
    }

    /**
     * Stores a DATA or FIN segment. The caller has validated lengths against this window's limits, and a batch's
     * frames ({@link PacketLayout#FLAG_BATCH} in {@code flags}; {@code totalMessageLength} is then the frame count)
     * or a span's parts ({@link PacketLayout#FLAG_SPAN}) with the decoder. A continuation passes
     * {@link PacketLayout#CONTINUES} for both fragment fields; {@link #deliver} derives them.
     * @return one of ACCEPTED_IN_ORDER, ACCEPTED_OUT_OF_ORDER, DUPLICATE, OUTSIDE_WINDOW.
     */
    int onSegment(final int seq, final int segmentType, final int flags, final DirectBuffer src,
        final int srcIndex, final int length, final int totalMessageLength, final int offsetInMessage)
    {
        final int offset = seq - rcvNxt;
        if (offset < 0)
        {
            return DUPLICATE;
        }
        if (offset >= window() || finInOrder)
        {
            return OUTSIDE_WINDOW;
        }
        final int slot = seq & mask;
        if (present[slot])
        {
            return DUPLICATE;
        }
        if (length > 0)
        {
            payloads.putBytes(slot * slotBytes, src, srcIndex, length);
        }
        payloadLength[slot] = length;
        messageLength[slot] = totalMessageLength;
        fragmentOffset[slot] = offsetInMessage;
        type[slot] = (byte)segmentType;
        batch[slot] = (flags & PacketLayout.FLAG_BATCH) != 0;
        span[slot] = (flags & PacketLayout.FLAG_SPAN) != 0;
        payloadStart[slot] = 0;
        present[slot] = true;
        if (offset != 0)
        {
            lastOutOfOrderSeq = seq;
            if (heldCount == 0 || seq - highestHeldSeq > 0)
            {
                highestHeldSeq = seq;
            }
            heldCount++;
            return ACCEPTED_OUT_OF_ORDER;
        }
        advanceInOrder();
        return ACCEPTED_IN_ORDER;
    }

    /** Moves rcvNxt over the segment just stored at it and over every held segment that now follows in order. */
    private void advanceInOrder()
    {
        boolean held = false;
        while (!finInOrder && rcvNxt - (deliverNxt + capacity) < 0 && present[rcvNxt & mask])
        {
            if (held)
            {
                heldCount--;
            }
            held = true;
            if (type[rcvNxt & mask] == PacketType.FIN)
            {
                finInOrder = true;
            }
            rcvNxt++;
        }
        if (finInOrder && heldCount > 0)
        {
            discardBeyondFin();
        }
    }

    /** Nothing follows a FIN: segments held beyond it are junk a broken peer sent, never to be delivered or SACKed. */
    private void discardBeyondFin()
    {
        for (int seq = rcvNxt; seq - highestHeldSeq <= 0; seq++)
        {
            present[seq & mask] = false;
        }
        heldCount = 0;
    }

    /**
     * Hands up to {@code limit} complete messages to the handler, in order.
     * @return messages delivered, or {@link #PROTOCOL_ERROR} when fragments contradict each other.
     */
    int deliver(final MessageHandler handler, final int limit)
    {
        int delivered = 0;
        if (assembledPending)
        {
            if (!handler.onMessage(assembly, 0, assemblyLength))
            {
                return 0;
            }
            assembledPending = false;
            assembling = false;
            delivered++;
        }
        while (delivered < limit && deliverNxt != rcvNxt)
        {
            final int slot = deliverNxt & mask;
            if (type[slot] == PacketType.FIN)
            {
                if (assembling)
                {
                    return PROTOCOL_ERROR;
                }
                present[slot] = false;
                deliverNxt++;
                finDelivered = true;
                break;
            }
            if (batch[slot])
            {
                final int frames = assembling ? PROTOCOL_ERROR : deliverBatch(handler, slot, limit - delivered);
                if (frames < 0)
                {
                    return PROTOCOL_ERROR;
                }
                delivered += frames;
                if (batchStalled)
                {
                    break;
                }
                continue;
            }
            if (span[slot])
            {
                final int result = deliverSpanEnd(handler, slot);
                if (result == PROTOCOL_ERROR)
                {
                    return PROTOCOL_ERROR;
                }
                if (result != SPAN_END_DELIVERED)
                {
                    break; // refused: a whole message waits in the slot, an assembled one is pending
                }
                delivered++;
                continue;
            }
            final int length = payloadLength[slot];
            int total = messageLength[slot];
            int offset = fragmentOffset[slot];
            if (total == PacketLayout.CONTINUES)
            {
                // A continuation extends the message being assembled and never ends it (the sender's rule).
                if (!assembling || length >= assemblyLength - assembledBytes)
                {
                    return PROTOCOL_ERROR;
                }
                total = assemblyLength;
                offset = assembledBytes;
            }
            if (!assembling && offset == 0 && length == total)
            {
                if (!handler.onMessage(payloads, slot * slotBytes + payloadStart[slot], length))
                {
                    break;
                }
                release(slot);
                delivered++;
                continue;
            }
            final int result = assemble(slot, length, total, offset);
            if (result < 0)
            {
                return PROTOCOL_ERROR;
            }
            if (assembledPending)
            {
                if (!handler.onMessage(assembly, 0, assemblyLength))
                {
                    break;
                }
                assembledPending = false;
                assembling = false;
                delivered++;
            }
        }
        return delivered;
    }

    /**
     * Hands the frames of the batch in {@code slot} to the handler, from where the last call stopped, and releases
     * the slot after the last frame. Sets {@link #batchStalled} when frames remain (limit or back-pressure).
     */
    private int deliverBatch(final MessageHandler handler, final int slot, final int limit)
    {
        final int base = slot * slotBytes;
        final int end = payloadLength[slot];
        int cursor = batchCursor;
        int delivered = 0;
        while (delivered < limit && end - cursor > 0)
        {
            final int length = payloads.getShort(base + cursor, PacketLayout.BYTE_ORDER) & 0xFFFF;
            final int message = cursor + PacketLayout.BATCH_FRAME_HEADER_LENGTH;
            // The decoder validated the frames; this guard only keeps a broken invariant from reading other slots.
            if (length == 0 || length > end - message)
            {
                return PROTOCOL_ERROR;
            }
            if (!handler.onMessage(payloads, base + message, length))
            {
                break;
            }
            cursor = message + length;
            delivered++;
        }
        batchStalled = cursor != end;
        if (batchStalled)
        {
            batchCursor = cursor;
        }
        else
        {
            batchCursor = 0;
            release(slot);
        }
        return delivered;
    }

    /**
     * Hands over the message a span's first part ends (whole, or the end of the one in assembly), then narrows the
     * slot to the next message's first fragment (or all of it), which stays for the delivery loop. When the handler
     * refuses a whole message nothing changes; an assembled one is left pending, the slot already narrowed.
     * @return {@link #SPAN_END_DELIVERED}, {@link #SPAN_END_REFUSED}, or {@link #PROTOCOL_ERROR}.
     */
    private int deliverSpanEnd(final MessageHandler handler, final int slot)
    {
        final int base = slot * slotBytes;
        final int total = messageLength[slot];
        final int offset = fragmentOffset[slot];
        final int end = total - offset;
        final int head = payloadLength[slot] - end - PacketLayout.SPAN_LENGTH_FIELD_LENGTH;
        // The decoder validated the parts; these guards only keep a broken invariant from reading other slots.
        if (end <= 0 || head <= 0)
        {
            return PROTOCOL_ERROR;
        }
        final int next = payloads.getInt(base + end, PacketLayout.BYTE_ORDER);
        if (next < head)
        {
            return PROTOCOL_ERROR;
        }
        if (!assembling && offset == 0)
        {
            if (!handler.onMessage(payloads, base, end))
            {
                return SPAN_END_REFUSED;
            }
        }
        else
        {
            if (!assembling || total != assemblyLength || offset != assembledBytes)
            {
                return PROTOCOL_ERROR;
            }
            assembly.putBytes(offset, payloads, base, end);
            assembledBytes = assemblyLength;
            assembledPending = true;
        }
        span[slot] = false;
        payloadStart[slot] = end + PacketLayout.SPAN_LENGTH_FIELD_LENGTH;
        payloadLength[slot] = head;
        messageLength[slot] = next;
        fragmentOffset[slot] = 0;
        if (assembledPending)
        {
            if (!handler.onMessage(assembly, 0, assemblyLength))
            {
                return SPAN_END_REFUSED;
            }
            assembledPending = false;
            assembling = false;
        }
        return SPAN_END_DELIVERED;
    }

    private int assemble(final int slot, final int length, final int total, final int offset)
    {
        if (!assembling)
        {
            if (offset != 0 || total > maxMessageBytes)
            {
                return PROTOCOL_ERROR;
            }
            assembling = true;
            assemblyLength = total;
            assembledBytes = 0;
        }
        else if (total != assemblyLength || offset != assembledBytes)
        {
            return PROTOCOL_ERROR;
        }
        assembly.putBytes(offset, payloads, slot * slotBytes + payloadStart[slot], length);
        assembledBytes += length;
        release(slot);
        if (assembledBytes == assemblyLength)
        {
            assembledPending = true;
        }
        return 0;
    }

    private void release(final int slot)
    {
        present[slot] = false;
        deliverNxt++;
    }

    /**
     * Writes up to {@code maxBlocks} SACK blocks of out-of-order data into {@code starts}/{@code ends}: first the
     * block holding the most recently received segment (RFC 2018 §4), then the lowest other blocks.
     * @return the number of blocks written.
     */
    int sackBlocks(final int[] starts, final int[] ends, final int maxBlocks)
    {
        if (heldCount == 0 || maxBlocks <= 0)
        {
            return 0;
        }
        int count = 0;
        // Every held segment lies in (rcvNxt, highestHeldSeq], so no block extends past highestHeldSeq + 1.
        final int limit = highestHeldSeq + 1;
        if (lastOutOfOrderSeq - rcvNxt > 0 && lastOutOfOrderSeq - limit < 0 && present[lastOutOfOrderSeq & mask])
        {
            int start = lastOutOfOrderSeq;
            while (start - 1 - rcvNxt > 0 && present[(start - 1) & mask])
            {
                start--;
            }
            int end = lastOutOfOrderSeq + 1;
            while (end - limit < 0 && present[end & mask])
            {
                end++;
            }
            starts[0] = start;
            ends[0] = end;
            count = 1;
        }
        int seq = rcvNxt + 1;
        int seen = 0;
        while (count < maxBlocks && seen < heldCount && seq - limit < 0)
        {
            if (!present[seq & mask])
            {
                seq++;
                continue;
            }
            final int start = seq;
            while (seq - limit < 0 && present[seq & mask])
            {
                seq++;
            }
            seen += seq - start;
            if (count == 0 || start != starts[0])
            {
                starts[count] = start;
                ends[count] = seq;
                count++;
            }
        }
        return count;
    }
}
