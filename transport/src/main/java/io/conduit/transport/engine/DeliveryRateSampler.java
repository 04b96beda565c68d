package io.conduit.transport.engine;

import io.conduit.transport.congestion.RateSample;

/**
 * Delivery-rate estimation (draft-cheng-iccrg-delivery-rate-estimation, as in Linux's {@code tcp_rate.c}): each
 * packet remembers, when sent, how much the connection had delivered by then and when; the ACK that delivers it
 * turns the difference into a rate over max(send interval, ACK interval). Per-packet state lives in arrays indexed
 * like {@link SendWindow}'s slots, so nothing allocates. BBRv3's loss accounting rides along: each packet also
 * remembers the bytes lost so far and the bytes in flight when it left.
 */
final class DeliveryRateSampler
{
    private final int mask;
    private final long[] deliveredAtSend;
    private final long[] deliveredTimeAtSend;
    private final long[] firstSentAtSend;
    private final long[] lostAtSend;
    private final long[] inFlightAtSend;
    private final boolean[] appLimitedAtSend;
    private final RateSample sample = new RateSample();

    private long delivered;
    private long deliveredTimeNs;
    private long firstSentTimeNs;
    private long lost;
    /** C.app_limited: delivered-byte mark until which samples are application-limited; 0 when not limited. */
    private long appLimitedUntil;

    private boolean hasPrior;
    private long priorDelivered;
    private long priorTimeNs;
    private long sendElapsedNs;
    private long ackElapsedNs;
    private boolean sampleAppLimited;
    private long sampleLostAtSend;
    private long sampleInFlightAtSend;
    private long ackedThisAck;
    private long newestSentNs;

    DeliveryRateSampler(final int capacity)
    {
        this.mask = capacity - 1;
        this.deliveredAtSend = new long[capacity];
        this.deliveredTimeAtSend = new long[capacity];
        this.firstSentAtSend = new long[capacity];
        this.lostAtSend = new long[capacity];
        this.inFlightAtSend = new long[capacity];
        this.appLimitedAtSend = new boolean[capacity];
    }

    /** Draft §3.2: snapshot the connection's delivery state into the packet being (re)sent. */
    void onSent(final int seq, final long nowNs, final long inFlightBeforeBytes, final long inFlightAfterBytes)
    {
        if (inFlightBeforeBytes == 0)
        {
            // Restart both clocks after an idle period, so the idle time does not dilute the next sample.
            firstSentTimeNs = nowNs;
            deliveredTimeNs = nowNs;
        }
        final int slot = seq & mask;
        deliveredAtSend[slot] = delivered;
        deliveredTimeAtSend[slot] = deliveredTimeNs;
        firstSentAtSend[slot] = firstSentTimeNs;
        lostAtSend[slot] = lost;
        inFlightAtSend[slot] = inFlightAfterBytes;
        appLimitedAtSend[slot] = appLimitedUntil != 0;
    }

    void beginAck()
    {
        hasPrior = false;
        ackedThisAck = 0;
    }

    /** Draft §3.3 UpdateRateSample: called by {@link SendWindow} for each packet this ACK newly delivers. */
    void onDelivered(final int slot, final int bytes, final long sentNs, final long nowNs)
    {
        delivered += bytes;
        deliveredTimeNs = nowNs;
        ackedThisAck += bytes;
        final long packetDelivered = deliveredAtSend[slot];
        // The most recently sent packet defines the sample (draft §3.3 IsNewestPacket, Linux tcp_skb_sent_after).
        if (!hasPrior || sentNs - newestSentNs > 0 || (sentNs == newestSentNs && packetDelivered > priorDelivered))
        {
            hasPrior = true;
            priorDelivered = packetDelivered;
            priorTimeNs = deliveredTimeAtSend[slot];
            sampleAppLimited = appLimitedAtSend[slot];
            sendElapsedNs = sentNs - firstSentAtSend[slot];
            ackElapsedNs = nowNs - priorTimeNs;
            sampleLostAtSend = lostAtSend[slot];
            sampleInFlightAtSend = inFlightAtSend[slot];
            newestSentNs = sentNs;
            firstSentTimeNs = sentNs;
        }
    }

    /** Bytes just marked lost (RACK, SACK or a timeout). */
    void onLost(final long bytes)
    {
        lost += bytes;
    }

    /**
     * Draft §3.4: nothing more to send and room in the window, so the rate of packets sent from now on reflects the
     * application, not the network, until the data now in flight has been delivered.
     */
    void onAppLimited(final long bytesInFlight)
    {
        appLimitedUntil = Math.max(delivered + bytesInFlight, 1);
    }

    /**
     * Draft §3.3 GenerateRateSample, after the ACK's deliveries and loss marking.
     *
     * @return the sample, valid until the next call.
     */
    RateSample finish(final long minRttNs, final long newlyLostBytes, final long bytesInFlight, final long rttNs)
    {
        if (appLimitedUntil != 0 && delivered > appLimitedUntil)
        {
            appLimitedUntil = 0;
        }
        if (!hasPrior)
        {
            return sample.set(0, 0, false, delivered, delivered, 0, newlyLostBytes, 0, 0, bytesInFlight, rttNs);
        }
        final long intervalNs = Math.max(sendElapsedNs, ackElapsedNs);
        // An interval shorter than the path's minimum RTT comes from ACK compression and would overstate the rate.
        final boolean valid = intervalNs > 0 && intervalNs >= minRttNs;
        return sample.set(valid ? delivered - priorDelivered : 0, valid ? intervalNs : 0, sampleAppLimited,
            delivered, priorDelivered, ackedThisAck, newlyLostBytes, lost - sampleLostAtSend, sampleInFlightAtSend,
            bytesInFlight, rttNs);
    }

    long delivered()
    {
        return delivered;
    }

    void reset()
    {
        delivered = 0;
        deliveredTimeNs = 0;
        firstSentTimeNs = 0;
        lost = 0;
        appLimitedUntil = 0;
        hasPrior = false;
    }
}
