package io.conduit.transport.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import io.conduit.transport.congestion.CongestionControlKind;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Steady-state goodput of each controller on the links, on virtual time; docs/congestion-control.md has the
 * table these lines print. Capacity is the link's rate; goodput counts application bytes after a 1.5 s warm-up,
 * so the 48-byte header alone caps it at 96.7%, and random loss costs its retransmissions on top. The bottleneck
 * queue holds one bandwidth-delay product. Another seed: -Dgoodput.seed=N.
 */
class GoodputSimTest
{
    private static final long MBIT = 1_000_000 / 8;

    private static BulkTransferSim.Result run(final CongestionControlKind kind, final long mbit, final long rttMs,
        final double loss)
    {
        final BulkTransferSim.Result result = new BulkTransferSim(Long.getLong("goodput.seed", 42))
            .congestion(kind)
            .link(mbit * MBIT, MILLISECONDS.toNanos(rttMs), loss)
            .run();
        System.out.printf("| %-8s | %3d Mbit/s | %2d ms | %3.1f%% | %5.1f%% | %s%n", kind, mbit, rttMs, loss * 100,
            result.utilisation * 100, result);
        return result;
    }

    @Test
    void everyControllerFillsALossFree100MbitPath()
    {
        for (final CongestionControlKind kind : CongestionControlKind.values())
        {
            final BulkTransferSim.Result result = run(kind, 100, 50, 0);
            assertTrue(result.utilisation >= 0.95, kind + ": " + result);
        }
    }

    @Test
    void bbrKeeps90PercentOfA100MbitPathAtOnePercentLossWhereLossBasedControllersCollapse()
    {
        lossyLink(100, 50, 0.01);
    }

    @Test
    void bbrKeeps90PercentOfA10MbitPathAtTwoPercentLossWhereLossBasedControllersCollapse()
    {
        lossyLink(10, 30, 0.02);
    }

    /** The whole table of docs/congestion-control.md: -Dgoodput.table=true (about a minute). */
    @Test
    @EnabledIfSystemProperty(named = "goodput.table", matches = "true")
    void printTheTable()
    {
        final long[][] links = {{100, 50}, {100, 50}, {100, 50}, {100, 10}, {10, 30}};
        final double[] losses = {0, 0.01, 0.05, 0.001, 0.02};
        System.out.println("| controller | link | RTT | loss | goodput / capacity |");
        for (int i = 0; i < links.length; i++)
        {
            for (final CongestionControlKind kind : CongestionControlKind.values())
            {
                run(kind, links[i][0], links[i][1], losses[i]);
            }
        }
    }

    private static void lossyLink(final long mbit, final long rttMs, final double loss)
    {
        final BulkTransferSim.Result bbr = run(CongestionControlKind.BBR, mbit, rttMs, loss);
        final BulkTransferSim.Result newReno = run(CongestionControlKind.NEW_RENO, mbit, rttMs, loss);
        final BulkTransferSim.Result cubic = run(CongestionControlKind.CUBIC, mbit, rttMs, loss);
        assertTrue(bbr.utilisation >= 0.90, bbr.toString());
        assertTrue(bbr.utilisation > newReno.utilisation && bbr.utilisation > cubic.utilisation,
            "BBR " + bbr + "\nNewReno " + newReno + "\nCUBIC " + cubic);
    }
}
