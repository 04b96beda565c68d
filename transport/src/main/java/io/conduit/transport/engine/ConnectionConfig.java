package io.conduit.transport.engine;

import io.conduit.transport.codec.PacketLayout;
import io.conduit.transport.congestion.CongestionConfig;
import io.conduit.transport.congestion.CongestionControlKind;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;

/**
 * Tunables of one connection. Defaults suit a LAN/WAN service; tests shorten the timers. Fluent setters, plain
 * getters; {@link #validate()} rejects inconsistent values with a message naming the field.
 */
public final class ConnectionConfig
{
    private int maxPayloadBytes = 1400;
    private int maxMessageBytes = 16 * 1024 * 1024;
    private int sendWindowSegments = 256;
    private int receiveWindowSegments = 256;
    private int sendBufferBytes = 4 * 1024 * 1024;
    private long initialRtoNs = SECONDS.toNanos(1);
    private long minRtoNs = MILLISECONDS.toNanos(200);
    private long maxRtoNs = SECONDS.toNanos(60);
    private long clockGranularityNs = MILLISECONDS.toNanos(1);
    private int maxRetransmits = 15;
    private int maxSynRetransmits = 6;
    private long delayedAckNs = MILLISECONDS.toNanos(5);
    private int ackEverySegments = 2;
    private boolean batchMessages = true;
    private boolean spanMessages = true;
    private boolean compactDataHeader = true;
    private long keepaliveIdleNs = SECONDS.toNanos(10);
    private long keepaliveIntervalNs = SECONDS.toNanos(2);
    private int keepaliveProbes = 5;
    private long timeWaitNs = SECONDS.toNanos(60);
    private long maxPersistIntervalNs = SECONDS.toNanos(5);
    private CongestionControlKind congestionControl = CongestionControlKind.NEW_RENO;
    private CongestionConfig congestionConfig = new CongestionConfig();
    private boolean pathMtuDiscovery;
    private long pathMtuProbeTimeoutNs = SECONDS.toNanos(1);
    private long pathMtuRaiseIntervalNs = SECONDS.toNanos(600);

    public ConnectionConfig validate()
    {
        require(maxPayloadBytes >= 1 && maxPayloadBytes <= PacketLayout.MAX_DATA_PAYLOAD_LENGTH,
            "maxPayloadBytes must be in [1, " + PacketLayout.MAX_DATA_PAYLOAD_LENGTH + "]");
        require(maxMessageBytes >= 1, "maxMessageBytes must be >= 1");
        require(isPowerOfTwo(sendWindowSegments) && sendWindowSegments >= 4 && sendWindowSegments <= 1 << 20,
            "sendWindowSegments must be a power of two in [4, 2^20]");
        require(isPowerOfTwo(receiveWindowSegments) && receiveWindowSegments >= 4 && receiveWindowSegments <= 1 << 20,
            "receiveWindowSegments must be a power of two in [4, 2^20]");
        require(sendBufferBytes >= 1024, "sendBufferBytes must be >= 1024");
        require(minRtoNs > 0 && minRtoNs <= initialRtoNs && initialRtoNs <= maxRtoNs,
            "need 0 < minRtoNs <= initialRtoNs <= maxRtoNs");
        require(maxRetransmits >= 1 && maxSynRetransmits >= 1, "retransmit limits must be >= 1");
        require(delayedAckNs >= 0 && ackEverySegments >= 1, "delayedAckNs >= 0 and ackEverySegments >= 1");
        require(keepaliveIdleNs > 0 && keepaliveIntervalNs > 0 && keepaliveProbes >= 1, "keepalive values must be > 0");
        require(timeWaitNs >= 0, "timeWaitNs must be >= 0");
        require(maxPersistIntervalNs > 0, "maxPersistIntervalNs must be > 0");
        require(pathMtuProbeTimeoutNs > 0 && pathMtuRaiseIntervalNs > 0, "path MTU timers must be > 0");
        return this;
    }

    private static boolean isPowerOfTwo(final int value)
    {
        return value > 0 && (value & (value - 1)) == 0;
    }

    private static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new IllegalArgumentException(message);
        }
    }

    /** Time after which a silent peer is declared dead: idle time plus every unanswered probe. */
    public long deadPeerTimeoutNs()
    {
        return keepaliveIdleNs + keepaliveIntervalNs * keepaliveProbes;
    }

    public int maxPayloadBytes() { return maxPayloadBytes; }
    public ConnectionConfig maxPayloadBytes(final int value) { maxPayloadBytes = value; return this; }
    public int maxMessageBytes() { return maxMessageBytes; }
    public ConnectionConfig maxMessageBytes(final int value) { maxMessageBytes = value; return this; }
    public int sendWindowSegments() { return sendWindowSegments; }
    public ConnectionConfig sendWindowSegments(final int value) { sendWindowSegments = value; return this; }
    public int receiveWindowSegments() { return receiveWindowSegments; }
    public ConnectionConfig receiveWindowSegments(final int value) { receiveWindowSegments = value; return this; }
    public int sendBufferBytes() { return sendBufferBytes; }
    public ConnectionConfig sendBufferBytes(final int value) { sendBufferBytes = value; return this; }
    public long initialRtoNs() { return initialRtoNs; }
    public ConnectionConfig initialRtoNs(final long value) { initialRtoNs = value; return this; }
    public long minRtoNs() { return minRtoNs; }
    public ConnectionConfig minRtoNs(final long value) { minRtoNs = value; return this; }
    public long maxRtoNs() { return maxRtoNs; }
    public ConnectionConfig maxRtoNs(final long value) { maxRtoNs = value; return this; }
    public long clockGranularityNs() { return clockGranularityNs; }
    public ConnectionConfig clockGranularityNs(final long value) { clockGranularityNs = value; return this; }
    public int maxRetransmits() { return maxRetransmits; }
    public ConnectionConfig maxRetransmits(final int value) { maxRetransmits = value; return this; }
    public int maxSynRetransmits() { return maxSynRetransmits; }
    public ConnectionConfig maxSynRetransmits(final int value) { maxSynRetransmits = value; return this; }
    public long delayedAckNs() { return delayedAckNs; }
    public ConnectionConfig delayedAckNs(final long value) { delayedAckNs = value; return this; }
    public int ackEverySegments() { return ackEverySegments; }
    public ConnectionConfig ackEverySegments(final int value) { ackEverySegments = value; return this; }
    /** Whether small messages already queued together share one DATA segment (FLAG_BATCH); none waits for more. */
    public boolean batchMessages() { return batchMessages; }
    public ConnectionConfig batchMessages(final boolean value) { batchMessages = value; return this; }
    /**
     * Whether the room a message's last fragment leaves in its segment carries the next queued message, whole or its
     * start (FLAG_SPAN), and the room a whole message leaves the start of a next one too long for it; two whole
     * messages share a segment only as a batch. None waits for more. Receivers always accept spans.
     */
    public boolean spanMessages() { return spanMessages; }
    public ConnectionConfig spanMessages(final boolean value) { spanMessages = value; return this; }
    /**
     * Whether a DATA segment with no acknowledgement news for the peer goes out with the 28-byte compact header
     * instead of the 48-byte full one, and a middle fragment of a large message with the 20-byte continuation
     * (docs/wire-format.md). Receivers always accept all three.
     */
    public boolean compactDataHeader() { return compactDataHeader; }
    public ConnectionConfig compactDataHeader(final boolean value) { compactDataHeader = value; return this; }
    public long keepaliveIdleNs() { return keepaliveIdleNs; }
    public ConnectionConfig keepaliveIdleNs(final long value) { keepaliveIdleNs = value; return this; }
    public long keepaliveIntervalNs() { return keepaliveIntervalNs; }
    public ConnectionConfig keepaliveIntervalNs(final long value) { keepaliveIntervalNs = value; return this; }
    public int keepaliveProbes() { return keepaliveProbes; }
    public ConnectionConfig keepaliveProbes(final int value) { keepaliveProbes = value; return this; }
    public long timeWaitNs() { return timeWaitNs; }
    public ConnectionConfig timeWaitNs(final long value) { timeWaitNs = value; return this; }
    public long maxPersistIntervalNs() { return maxPersistIntervalNs; }
    public ConnectionConfig maxPersistIntervalNs(final long value) { maxPersistIntervalNs = value; return this; }
    public CongestionControlKind congestionControl() { return congestionControl; }
    public ConnectionConfig congestionControl(final CongestionControlKind value) { congestionControl = value; return this; }
    public CongestionConfig congestionConfig() { return congestionConfig; }
    public ConnectionConfig congestionConfig(final CongestionConfig value) { congestionConfig = value; return this; }

    /**
     * Datagram PLPMTUD (RFC 8899): segments start at 1,200-byte datagrams and grow, as probes confirm the path, up to
     * {@link #maxPayloadBytes()} plus headers. Off by default: then every segment may use {@code maxPayloadBytes}
     * and the operator vouches that the path carries it. Both ends must still agree on {@code maxPayloadBytes}.
     */
    public boolean pathMtuDiscovery() { return pathMtuDiscovery; }
    public ConnectionConfig pathMtuDiscovery(final boolean value) { pathMtuDiscovery = value; return this; }
    /** Floor of the PROBE_TIMER (RFC 8899 §5.1.1); the retransmission timeout is used when it is longer. */
    public long pathMtuProbeTimeoutNs() { return pathMtuProbeTimeoutNs; }
    public ConnectionConfig pathMtuProbeTimeoutNs(final long value) { pathMtuProbeTimeoutNs = value; return this; }
    /** PMTU_RAISE_TIMER (RFC 8899 §5.1.1, recommended 600 s): how long a finished search waits to look again. */
    public long pathMtuRaiseIntervalNs() { return pathMtuRaiseIntervalNs; }
    public ConnectionConfig pathMtuRaiseIntervalNs(final long value) { pathMtuRaiseIntervalNs = value; return this; }
}
