package io.conduit.bench.lossy;

import java.util.Locale;

/**
 * One Conduit flow and one kernel TCP flow of the same congestion-control family sharing the fairness link for the
 * same wall-clock time.
 *
 * @param family       {@code cubic} or {@code bbr}.
 * @param conduitMbit  the Conduit flow's goodput.
 * @param tcpMbit      the TCP flow's goodput.
 */
record FairnessResult(String family, double conduitMbit, double tcpMbit)
{
    /** Conduit's share of the two flows' combined goodput, 0..1. */
    double conduitShare()
    {
        final double total = conduitMbit + tcpMbit;
        return total == 0 ? 0 : conduitMbit / total;
    }

    String describe()
    {
        return String.format(Locale.ROOT, "fairness %-5s Conduit %.2f Mbit/s, TCP %.2f Mbit/s, Conduit share %.1f%%",
            family, conduitMbit, tcpMbit, 100 * conduitShare());
    }
}
