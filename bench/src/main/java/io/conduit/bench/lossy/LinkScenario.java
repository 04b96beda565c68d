package io.conduit.bench.lossy;

import java.util.List;

import io.conduit.transport.codec.PacketLayout;

/**
 * One emulated link: bottleneck rate, round-trip time and random loss on the data direction (the ACK direction is
 * lossless, like a netem qdisc on the sender's egress). The bottleneck queue holds one bandwidth-delay product.
 *
 * @param name        label in the results table.
 * @param rateMbit    bottleneck rate in Mbit/s, both directions.
 * @param rttMs       round-trip propagation delay, split evenly between the directions.
 * @param lossPercent random loss on the data direction, in percent.
 * @param mtu         the emulated link's MTU in bytes (its rate counts whole IP packets).
 */
record LinkScenario(String name, int rateMbit, int rttMs, double lossPercent, int mtu)
{
    static final int ETHERNET_MTU = 1500;
    static final int JUMBO_MTU = 9000;
    /** IPv4 and UDP headers: what a datagram adds on the wire before Conduit's own header. */
    private static final int IP_UDP_HEADER_BYTES = 28;

    LinkScenario(final String name, final int rateMbit, final int rttMs, final double lossPercent)
    {
        this(name, rateMbit, rttMs, lossPercent, ETHERNET_MTU);
    }

    /** The scenarios issue 7 names, in the order of its list. */
    static final List<LinkScenario> STANDARD = List.of(
        new LinkScenario("10M-30ms-2%", 10, 30, 2.0),
        new LinkScenario("100M-50ms-0%", 100, 50, 0.0),
        new LinkScenario("100M-50ms-1%", 100, 50, 1.0),
        new LinkScenario("100M-50ms-5%", 100, 50, 5.0),
        new LinkScenario("100M-10ms-0.1%", 100, 10, 0.1),
        // Not in the list: the same loss-free link with jumbo frames, where a header's cost is a sixth of
        // what it is at 1,500 bytes (Conduit's 48 bytes of IP, UDP and continuation header cap it at 96.7% there).
        new LinkScenario("100M-50ms-0%-mtu9000", 100, 50, 0.0, JUMBO_MTU));

    /** The link the fairness runs share: 100 Mbit/s, 50 ms, no loss. */
    static final LinkScenario FAIRNESS = new LinkScenario("fair-100M-50ms", 100, 50, 0.0);

    /** One bandwidth-delay product, but at least 32 full-size packets so a slow link still absorbs a burst. */
    long queueBytes()
    {
        return Math.max((long)rateMbit * 1_000_000 / 8 * rttMs / 1000, 32 * 1500);
    }

    /**
     * The largest segment payload whose datagram fits the MTU (segments that echo the handshake cookie shrink to make
     * room for it): what an operator who knows the path configures (TCP derives its MSS from the interface MTU).
     */
    int conduitPayloadBytes()
    {
        return mtu - IP_UDP_HEADER_BYTES - PacketLayout.DATA_OVERHEAD;
    }

    double capacityMbit()
    {
        return rateMbit;
    }
}
