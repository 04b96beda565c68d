package io.conduit.bench.lossy;

import java.util.List;

/**
 * One emulated link: bottleneck rate, round-trip time and random loss on the data direction (the ACK direction is
 * lossless, like a netem qdisc on the sender's egress). The bottleneck queue holds one bandwidth-delay product.
 *
 * @param name        label in the results table.
 * @param rateMbit    bottleneck rate in Mbit/s, both directions.
 * @param rttMs       round-trip propagation delay, split evenly between the directions.
 * @param lossPercent random loss on the data direction, in percent.
 */
record LinkScenario(String name, int rateMbit, int rttMs, double lossPercent)
{
    /** The scenarios issue 7 names, in the order of its list. */
    static final List<LinkScenario> STANDARD = List.of(
        new LinkScenario("10M-30ms-2%", 10, 30, 2.0),
        new LinkScenario("100M-50ms-0%", 100, 50, 0.0),
        new LinkScenario("100M-50ms-1%", 100, 50, 1.0),
        new LinkScenario("100M-50ms-5%", 100, 50, 5.0),
        new LinkScenario("100M-10ms-0.1%", 100, 10, 0.1));

    /** The link the fairness runs share: 100 Mbit/s, 50 ms, no loss. */
    static final LinkScenario FAIRNESS = new LinkScenario("fair-100M-50ms", 100, 50, 0.0);

    /** One bandwidth-delay product, but at least 32 full-size packets so a slow link still absorbs a burst. */
    long queueBytes()
    {
        return Math.max((long)rateMbit * 1_000_000 / 8 * rttMs / 1000, 32 * 1500);
    }

    double capacityMbit()
    {
        return rateMbit;
    }
}
