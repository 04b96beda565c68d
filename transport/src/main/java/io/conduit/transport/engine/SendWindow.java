package io.conduit.transport.engine;

import java.nio.ByteBuffer;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.conduit.transport.codec.PacketLayout;
import io.conduit.transport.codec.PacketType;

/**
 * The sender's retransmission queue and SACK scoreboard (RFC 6675): one preallocated slot per sequence number in
 * {@code [una, nxt)}, holding the segment's payload and its state (sacked, lost, in flight). Tracks the "pipe" of
 * RFC 6675 §4 as {@link #bytesInFlight()}: bytes of segments sent and neither acknowledged, SACKed nor deemed lost.
 * A segment's cost is its payload plus the fixed header, so many tiny messages still fill the congestion window.
 * Each slot keeps {@link #HEADROOM} bytes before its payload, off the heap, so a segment's datagram is encoded
 * around its payload and sent from the slot: a 64 KiB segment is not copied again for every (re)transmission.
 */
final class SendWindow
{
    static final int DUP_THRESHOLD = 3;

    private static final byte SACKED = 1;
    private static final byte LOST = 2;
    private static final byte IN_FLIGHT = 4;
    private static final byte SENT = 8;

    /** Room before each payload for the header and an echoed cookie: DATA and FIN carry no SACK blocks. */
    static final int HEADROOM = PacketLayout.HEADER_LENGTH + PacketLayout.COOKIE_LENGTH;

    private final int capacity;
    private final int mask;
    private final int slotBytes;
    /** Distance between slots: headroom plus the largest payload. */
    private final int slotStride;
    private final UnsafeBuffer payloads;
    private final int[] payloadLength;
    private final int[] messageLength;
    private final int[] fragmentOffset;
    private final byte[] type;
    private final byte[] flags;
    private final byte[] state;
    private final int[] transmitCount;
    private final long[] sentTimeNs;

    private int una;
    private int nxt;
    private long bytesInFlight;
    private int lostCount;
    private int sackedCount;
    private long newlyAckedBytes;
    private long newestOriginalAckedSentNs;
    /** RACK (RFC 8985): send time of the most recently sent segment known delivered; Long.MIN_VALUE if none. */
    private long rackSentNs = Long.MIN_VALUE;
    private long ackNowNs;
    private long ambiguityNs;
    private boolean ackedRetransmission;
    private DeliveryRateSampler rateSampler;

    SendWindow(final int capacity, final int slotBytes)
    {
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.slotBytes = slotBytes;
        this.slotStride = HEADROOM + slotBytes;
        // Direct memory: the endpoint hands a slot to the socket as it is, where a heap array would be copied again.
        this.payloads = new UnsafeBuffer(ByteBuffer.allocateDirect(Math.multiplyExact(capacity, slotStride)));
        this.payloadLength = new int[capacity];
        this.messageLength = new int[capacity];
        this.fragmentOffset = new int[capacity];
        this.type = new byte[capacity];
        this.flags = new byte[capacity];
        this.state = new byte[capacity];
        this.transmitCount = new int[capacity];
        this.sentTimeNs = new long[capacity];
    }

    /** Every newly delivered segment is reported to {@code sampler} too. */
    void rateSampler(final DeliveryRateSampler sampler)
    {
        rateSampler = sampler;
    }

    void reset(final int initialSequence)
    {
        una = initialSequence;
        nxt = initialSequence;
        bytesInFlight = 0;
        lostCount = 0;
        sackedCount = 0;
        rackSentNs = Long.MIN_VALUE;
        java.util.Arrays.fill(state, (byte)0);
    }

    int una()
    {
        return una;
    }

    int nxt()
    {
        return nxt;
    }

    int outstanding()
    {
        return nxt - una;
    }

    boolean isEmpty()
    {
        return nxt == una;
    }

    boolean isFull()
    {
        return nxt - una >= capacity;
    }

    long bytesInFlight()
    {
        return bytesInFlight;
    }

    int lostCount()
    {
        return lostCount;
    }

    int capacity()
    {
        return capacity;
    }

    /** Queues a new segment at sequence {@link #nxt()} and returns its sequence number. */
    int append(final int segmentType, final DirectBuffer src, final int srcIndex, final int length,
        final int totalMessageLength, final int offsetInMessage)
    {
        if (isFull())
        {
            throw new IllegalStateException("send window full: una=" + una + " nxt=" + nxt);
        }
        if (length > slotBytes)
        {
            throw new IllegalArgumentException("segment of " + length + " bytes exceeds slot of " + slotBytes);
        }
        if (length > 0)
        {
            payloads.putBytes(nextPayloadIndex(), src, srcIndex, length);
        }
        return commit(segmentType, 0, length, totalMessageLength, offsetInMessage);
    }

    /**
     * The buffer holding every slot, for building the next segment in place and for encoding a segment's datagram
     * around its payload; its {@link UnsafeBuffer#byteBuffer()} is direct.
     */
    MutableDirectBuffer payloadBuffer()
    {
        return payloads;
    }

    /** Index in {@link #payloadBuffer()} where the payload of the next new segment (sequence {@link #nxt()}) goes. */
    int nextPayloadIndex()
    {
        return payloadIndex(nxt);
    }

    /** Index in {@link #payloadBuffer()} of {@code seq}'s payload, with {@link #HEADROOM} bytes free before it. */
    int payloadIndex(final int seq)
    {
        return (seq & mask) * slotStride + HEADROOM;
    }

    /** Slot size: the largest payload one segment carries. */
    int slotBytes()
    {
        return slotBytes;
    }

    /**
     * Queues the batch of {@code frameCount} messages already framed at {@link #nextPayloadIndex()} as one DATA
     * segment with {@link PacketLayout#FLAG_BATCH}, and returns its sequence number.
     */
    int appendBatch(final int length, final int frameCount)
    {
        if (isFull())
        {
            throw new IllegalStateException("send window full: una=" + una + " nxt=" + nxt);
        }
        if (length > slotBytes || length <= 0)
        {
            throw new IllegalArgumentException("batch of " + length + " bytes for a slot of " + slotBytes);
        }
        return commit(PacketType.DATA, PacketLayout.FLAG_BATCH, length, frameCount, 0);
    }

    /**
     * Queues a DATA segment with {@link PacketLayout#FLAG_SPAN}: the last {@code endLength} bytes of one message
     * (whose fragment fields it keeps), the next message's length, then that message's first {@code headLength}
     * bytes (all of it at most). Returns its sequence number.
     */
    int appendSpan(final DirectBuffer endSrc, final int endIndex, final int endLength, final int totalMessageLength,
        final int offsetInMessage, final DirectBuffer nextSrc, final int nextIndex, final int nextMessageLength,
        final int headLength)
    {
        if (isFull())
        {
            throw new IllegalStateException("send window full: una=" + una + " nxt=" + nxt);
        }
        final int length = endLength + PacketLayout.SPAN_LENGTH_FIELD_LENGTH + headLength;
        if (length > slotBytes || endLength <= 0 || headLength <= 0 || headLength > nextMessageLength ||
            offsetInMessage + endLength != totalMessageLength)
        {
            throw new IllegalArgumentException("span of " + endLength + " + " + headLength + " of " +
                nextMessageLength + " bytes for a slot of " + slotBytes);
        }
        final int index = nextPayloadIndex();
        payloads.putBytes(index, endSrc, endIndex, endLength);
        payloads.putInt(index + endLength, nextMessageLength, PacketLayout.BYTE_ORDER);
        payloads.putBytes(index + endLength + PacketLayout.SPAN_LENGTH_FIELD_LENGTH, nextSrc, nextIndex, headLength);
        return commit(PacketType.DATA, PacketLayout.FLAG_SPAN, length, totalMessageLength, offsetInMessage);
    }

    private int commit(final int segmentType, final int segmentFlags, final int length, final int totalMessageLength,
        final int offsetInMessage)
    {
        final int seq = nxt;
        final int slot = seq & mask;
        payloadLength[slot] = length;
        messageLength[slot] = totalMessageLength;
        fragmentOffset[slot] = offsetInMessage;
        type[slot] = (byte)segmentType;
        flags[slot] = (byte)segmentFlags;
        state[slot] = 0;
        transmitCount[slot] = 0;
        nxt = seq + 1;
        return seq;
    }

    int type(final int seq)
    {
        return type[seq & mask];
    }

    /** Header flags the segment always carries, e.g. {@link PacketLayout#FLAG_BATCH}. */
    int flags(final int seq)
    {
        return flags[seq & mask];
    }

    int payloadLength(final int seq)
    {
        return payloadLength[seq & mask];
    }

    int messageLength(final int seq)
    {
        return messageLength[seq & mask];
    }

    int fragmentOffset(final int seq)
    {
        return fragmentOffset[seq & mask];
    }

    int transmitCount(final int seq)
    {
        return transmitCount[seq & mask];
    }

    long sentTimeNs(final int seq)
    {
        return sentTimeNs[seq & mask];
    }

    boolean isSacked(final int seq)
    {
        return (state[seq & mask] & SACKED) != 0;
    }

    boolean wasSent(final int seq)
    {
        return (state[seq & mask] & SENT) != 0;
    }

    static int cost(final int payload)
    {
        return payload + PacketLayout.HEADER_LENGTH;
    }

    /** Records a (re)transmission of {@code seq}: it is in flight again and no longer lost. */
    void onTransmit(final int seq, final long nowNs)
    {
        final int slot = seq & mask;
        checkOutstanding(seq);
        final byte s = state[slot];
        if ((s & LOST) != 0)
        {
            lostCount--;
        }
        if ((s & IN_FLIGHT) == 0)
        {
            bytesInFlight += cost(payloadLength[slot]);
        }
        state[slot] = (byte)((s & ~LOST) | IN_FLIGHT | SENT);
        transmitCount[slot]++;
        sentTimeNs[slot] = nowNs;
    }

    /**
     * Starts accounting for one ACK; read the results with {@link #newlyAckedBytes()} and friends. A retransmitted
     * segment acknowledged sooner than {@code ambiguityNs} after its retransmission may be acknowledging the original,
     * so it does not advance the RACK clock (RFC 8985 §6.2 step 2).
     */
    void beginAck(final long nowNs, final long ambiguityNs)
    {
        this.ackNowNs = nowNs;
        this.ambiguityNs = ambiguityNs;
        newlyAckedBytes = 0;
        newestOriginalAckedSentNs = Long.MIN_VALUE;
        ackedRetransmission = false;
    }

    /** Cumulative acknowledgement of everything before {@code ack}. Returns segments released. */
    int acknowledgeUpTo(final int ack)
    {
        if (ack - nxt > 0)
        {
            throw new IllegalStateException("ack " + ack + " beyond nxt " + nxt);
        }
        int released = 0;
        while (una - ack < 0)
        {
            final int slot = una & mask;
            final byte s = state[slot];
            if ((s & SACKED) == 0)
            {
                noteAcked(slot);
            }
            else
            {
                sackedCount--;
            }
            if ((s & IN_FLIGHT) != 0)
            {
                bytesInFlight -= cost(payloadLength[slot]);
            }
            if ((s & LOST) != 0)
            {
                lostCount--;
            }
            state[slot] = 0;
            una++;
            released++;
        }
        return released;
    }

    /** Marks {@code [start, end)} as SACKed (clipped to the outstanding range). */
    void sack(final int start, final int end)
    {
        int from = start - una < 0 ? una : start;
        final int to = end - nxt > 0 ? nxt : end;
        for (int seq = from; seq - to < 0; seq++)
        {
            final int slot = seq & mask;
            final byte s = state[slot];
            if ((s & SACKED) != 0 || (s & SENT) == 0)
            {
                continue;
            }
            noteAcked(slot);
            if ((s & IN_FLIGHT) != 0)
            {
                bytesInFlight -= cost(payloadLength[slot]);
            }
            if ((s & LOST) != 0)
            {
                lostCount--;
            }
            state[slot] = (byte)((s & SENT) | SACKED);
            sackedCount++;
        }
    }

    private void noteAcked(final int slot)
    {
        newlyAckedBytes += cost(payloadLength[slot]);
        final long sentNs = sentTimeNs[slot];
        if (rateSampler != null)
        {
            rateSampler.onDelivered(slot, cost(payloadLength[slot]), sentNs, ackNowNs);
        }
        if ((transmitCount[slot] == 1 || ackNowNs - sentNs >= ambiguityNs) &&
            (rackSentNs == Long.MIN_VALUE || sentNs - rackSentNs > 0))
        {
            rackSentNs = sentNs;
        }
        if (transmitCount[slot] == 1)
        {
            // Karn's rule (RFC 6298 §3): only segments sent exactly once give unambiguous RTT samples.
            newestOriginalAckedSentNs = Math.max(newestOriginalAckedSentNs, sentTimeNs[slot]);
        }
        else
        {
            ackedRetransmission = true;
        }
    }

    long newlyAckedBytes()
    {
        return newlyAckedBytes;
    }

    /** Send time of the newest segment this ACK covered that was transmitted once, or Long.MIN_VALUE. */
    long rttSampleSentNs()
    {
        return newestOriginalAckedSentNs;
    }

    boolean ackedRetransmission()
    {
        return ackedRetransmission;
    }

    /**
     * Marks lost segments and returns how many were newly marked. Two rules: RFC 6675 §4 IsLost() for segments
     * sent once (at least DupThresh SACKed segments above), and RACK's time rule (RFC 8985 §6.2) for everything,
     * which is what catches a lost retransmission without waiting for the RTO: a segment is lost when a segment
     * sent more than {@code reorderWindowNs} after it has been delivered.
     */
    int detectLosses(final long nowNs, final long rttNs, final long reorderWindowNs)
    {
        if (sackedCount == 0)
        {
            return 0;
        }
        final boolean rack = rackSentNs != Long.MIN_VALUE;
        int sackedAbove = 0;
        int newlyLost = 0;
        for (int seq = nxt - 1; seq - una >= 0; seq--)
        {
            final int slot = seq & mask;
            final byte s = state[slot];
            if ((s & SACKED) != 0)
            {
                sackedAbove++;
            }
            else if ((s & SENT) != 0 && (s & LOST) == 0 && (s & IN_FLIGHT) != 0 &&
                ((sackedAbove >= DUP_THRESHOLD && transmitCount[slot] == 1) ||
                (rack && sentTimeNs[slot] + reorderWindowNs - rackSentNs < 0) ||
                (rack && sentTimeNs[slot] - rackSentNs <= 0 && nowNs - sentTimeNs[slot] >= rttNs + reorderWindowNs)))
            {
                state[slot] = (byte)((s & ~IN_FLIGHT) | LOST);
                bytesInFlight -= cost(payloadLength[slot]);
                lostCount++;
                newlyLost++;
            }
        }
        return newlyLost;
    }

    /**
     * RFC 8985 §6.3: when a segment sent before the newest delivered one is not yet overdue, the time at which it
     * will be (its send time + RTT + reorder window); {@link TimerKind#NONE} when there is no such segment.
     */
    long reorderDeadlineNs(final long rttNs, final long reorderWindowNs)
    {
        if (sackedCount == 0 || rackSentNs == Long.MIN_VALUE)
        {
            return TimerKind.NONE;
        }
        long earliest = TimerKind.NONE;
        for (int seq = una; seq - nxt < 0; seq++)
        {
            final int slot = seq & mask;
            final byte s = state[slot];
            if ((s & IN_FLIGHT) != 0 && (s & SACKED) == 0 && sentTimeNs[slot] - rackSentNs <= 0)
            {
                earliest = Math.min(earliest, sentTimeNs[slot] + rttNs + reorderWindowNs);
            }
        }
        return earliest;
    }

    /** RTO (RFC 6298 §5.4, RFC 6675 §5.1): every sent, un-SACKed segment is presumed lost. */
    void markAllLost()
    {
        for (int seq = una; seq - nxt < 0; seq++)
        {
            final int slot = seq & mask;
            final byte s = state[slot];
            if ((s & SENT) != 0 && (s & SACKED) == 0 && (s & LOST) == 0)
            {
                state[slot] = (byte)((s & ~IN_FLIGHT) | LOST);
                lostCount++;
            }
        }
        bytesInFlight = 0;
    }

    /**
     * RFC 4015: the timeout that marked everything lost was spurious, so segments still waiting to be resent are in
     * flight after all. Genuinely lost ones among them are found again by SACK and RACK.
     */
    void restoreLost()
    {
        for (int seq = una; seq - nxt < 0 && lostCount > 0; seq++)
        {
            final int slot = seq & mask;
            final byte s = state[slot];
            if ((s & LOST) != 0)
            {
                state[slot] = (byte)((s & ~LOST) | IN_FLIGHT);
                bytesInFlight += cost(payloadLength[slot]);
                lostCount--;
            }
        }
    }

    /** The lowest lost segment, or {@code nxt()} when none is lost. */
    int firstLost()
    {
        if (lostCount == 0)
        {
            return nxt;
        }
        for (int seq = una; seq - nxt < 0; seq++)
        {
            if ((state[seq & mask] & LOST) != 0)
            {
                return seq;
            }
        }
        throw new IllegalStateException("lostCount=" + lostCount + " but no lost segment in [" + una + "," + nxt + ")");
    }

    /** The highest sent, un-SACKed segment (the tail probe's choice), or {@code nxt()} when every one is SACKed. */
    int lastUnsacked()
    {
        for (int seq = nxt - 1; seq - una >= 0; seq--)
        {
            final byte s = state[seq & mask];
            if ((s & SACKED) == 0 && (s & SENT) != 0)
            {
                return seq;
            }
        }
        return nxt;
    }

    /** The lowest sent, un-SACKed segment: the RTO retransmits it first. */
    int firstUnsacked()
    {
        for (int seq = una; seq - nxt < 0; seq++)
        {
            if ((state[seq & mask] & SACKED) == 0)
            {
                return seq;
            }
        }
        return nxt;
    }

    /** Earliest send time among segments in flight, for the retransmission timer; Long.MAX_VALUE if none. */
    long oldestInFlightSentNs()
    {
        for (int seq = una; seq - nxt < 0; seq++)
        {
            final int slot = seq & mask;
            if ((state[slot] & IN_FLIGHT) != 0)
            {
                return sentTimeNs[slot];
            }
        }
        return Long.MAX_VALUE;
    }

    private void checkOutstanding(final int seq)
    {
        if (seq - una < 0 || seq - nxt >= 0)
        {
            throw new IllegalStateException("seq " + seq + " outside [" + una + "," + nxt + ")");
        }
    }

    static boolean isDataOrFin(final int segmentType)
    {
        return segmentType == PacketType.DATA || segmentType == PacketType.FIN;
    }
}
