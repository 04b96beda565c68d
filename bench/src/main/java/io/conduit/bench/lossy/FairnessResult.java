package io.conduit.bench.lossy;

import java.util.Locale;

/**
 * One Conduit flow and one kernel TCP flow of the same congestion-control family sharing the fairness link for the
 * same wall-clock time.
 *
 * @param conduit      the Conduit flow's controller (BulkTransfer's --cc: {@code cubic}, {@code bbr}, {@code bbrv1}).
 * @param tcp          the kernel's controller for the TCP flow ({@code cubic}, {@code bbr}).
 * @param conduitMbit  the Conduit flow's goodput.
 * @param tcpMbit      the TCP flow's goodput.
 */
record FairnessResult(String conduit, String tcp, double conduitMbit, double tcpMbit)
{
    /** Conduit's share of the two flows' combined goodput, 0..1. */
    double conduitShare()
    {
        final double total = conduitMbit + tcpMbit;
        return total == 0 ? 0 : conduitMbit / total;
    }

    String describe()
    {
        return String.format(Locale.ROOT, "fairness Conduit %s %.2f Mbit/s, TCP %s %.2f Mbit/s, Conduit share %.1f%%",
            conduit, conduitMbit, tcp, tcpMbit, 100 * conduitShare());
    }
}
