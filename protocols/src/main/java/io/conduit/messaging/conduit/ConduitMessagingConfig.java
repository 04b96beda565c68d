package io.conduit.messaging.conduit;

import java.util.concurrent.TimeUnit;

import io.conduit.transport.engine.EndpointConfig;

/**
 * Settings of a {@link ConduitMessaging} node: the transport's, how a lost link is re-established, and how many
 * client links it accepts.
 */
public final class ConduitMessagingConfig
{
    /** The most client links a node may hold: link ids keep the slot in their low 20 bits. */
    public static final int MAX_CLIENT_LINKS_LIMIT = 1 << 20;

    private EndpointConfig endpointConfig = defaultEndpointConfig();
    private long reconnectMinNs = TimeUnit.MILLISECONDS.toNanos(50);
    private long reconnectMaxNs = TimeUnit.SECONDS.toNanos(1);
    private int datagramBatch = 64;
    private int maxClientLinks;

    /**
     * Transport defaults for a replication group: keepalive after 1 s of silence and a dead link after 1 s + 3 ×
     * 250 ms, so a vanished peer's link goes down in under 2 s; the failure detector above decides liveness itself.
     */
    public static EndpointConfig defaultEndpointConfig()
    {
        final EndpointConfig config = new EndpointConfig();
        config.connection()
            .keepaliveIdleNs(TimeUnit.SECONDS.toNanos(1))
            .keepaliveIntervalNs(TimeUnit.MILLISECONDS.toNanos(250))
            .keepaliveProbes(3)
            .timeWaitNs(TimeUnit.SECONDS.toNanos(10));
        // A cookie must not outlive the TIME-WAIT that remembers closed connection ids.
        config.cookieRotationNs(TimeUnit.SECONDS.toNanos(10)).cookieLifetimeNs(TimeUnit.SECONDS.toNanos(10));
        return config;
    }

    public EndpointConfig endpointConfig() { return endpointConfig; }
    public ConduitMessagingConfig endpointConfig(final EndpointConfig value) { endpointConfig = value; return this; }
    /** First delay before reconnecting a lost link; doubles up to {@link #reconnectMaxNs()}. */
    public long reconnectMinNs() { return reconnectMinNs; }
    public ConduitMessagingConfig reconnectMinNs(final long value) { reconnectMinNs = value; return this; }
    public long reconnectMaxNs() { return reconnectMaxNs; }
    public ConduitMessagingConfig reconnectMaxNs(final long value) { reconnectMaxNs = value; return this; }
    /** Most datagrams read per {@code doWork}. */
    public int datagramBatch() { return datagramBatch; }
    public ConduitMessagingConfig datagramBatch(final int value) { datagramBatch = value; return this; }
    /**
     * Client links accepted at once (connections that open with a CLIENT_HELLO); 0, the default, accepts none and
     * refuses a CLIENT_HELLO like any other bad first message. Slots are allocated up front.
     */
    public int maxClientLinks() { return maxClientLinks; }
    public ConduitMessagingConfig maxClientLinks(final int value) { maxClientLinks = value; return this; }

    public ConduitMessagingConfig validate()
    {
        if (reconnectMinNs <= 0 || reconnectMaxNs < reconnectMinNs || datagramBatch <= 0)
        {
            throw new IllegalArgumentException("need 0 < reconnectMinNs <= reconnectMaxNs and datagramBatch > 0");
        }
        if (maxClientLinks < 0 || maxClientLinks > MAX_CLIENT_LINKS_LIMIT)
        {
            throw new IllegalArgumentException("maxClientLinks must be in [0, " + MAX_CLIENT_LINKS_LIMIT + "], was " +
                maxClientLinks);
        }
        endpointConfig.validate();
        return this;
    }
}
