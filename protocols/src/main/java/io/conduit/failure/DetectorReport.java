package io.conduit.failure;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The measurement behind docs/failure-detection.md: both detectors at their default settings, heartbeats every
 * 100 ms through a {@link VirtualNetwork} of five members with 1 ms delay plus 0, 10 or 50 ms of uniform jitter and
 * 0, 1 or 5% loss, all on virtual time from one seed, so the table is the same on every machine. Per cell:
 * <ul>
 * <li>time to detect: members crash one at a time (round robin) after 10 s plus a random fraction of an interval
 * alive; each of the other four measures from the crash to its DEAD verdict; then the member restarts;</li>
 * <li>false DEAD verdicts: an hour (by default) with nobody crashed; every transition to DEAD is false. The rate is
 * per monitored pair (observer, peer) and hour; five members are twenty pairs.</li>
 * </ul>
 * Run {@link #main} with optional {@code crashes=N hours=H seed=S}.
 */
public final class DetectorReport
{
    private static final long MS = 1_000_000L;
    private static final long SECOND_NS = 1_000 * MS;
    private static final long[] JITTERS_NS = {0, 10 * MS, 50 * MS};
    private static final double[] LOSSES = {0.0, 0.01, 0.05};
    private static final int FLEET_SIZE = 5;
    private static final long DELAY_NS = MS;
    private static final long WARM_UP_NS = 10 * SECOND_NS;
    private static final long CRASH_HORIZON_NS = 3 * SECOND_NS;

    /** What to run; the defaults produce the published table. */
    public static final class Settings
    {
        int crashesPerCell = 50;
        double hoursPerCell = 1.0;
        long seed = 42;

        public Settings crashesPerCell(final int crashes)
        {
            this.crashesPerCell = crashes;
            return this;
        }

        public Settings hoursPerCell(final double hours)
        {
            this.hoursPerCell = hours;
            return this;
        }

        public Settings seed(final long seed)
        {
            this.seed = seed;
            return this;
        }
    }

    /** One cell's results. */
    public static final class Cell
    {
        public final DetectorKind kind;
        public final long jitterNs;
        public final double loss;
        public int detections;
        public int undetected;
        public long detectSumNs;
        public long detectMaxNs;
        public long falseDead;
        public long falseSuspect;
        public double pairHours;

        Cell(final DetectorKind kind, final long jitterNs, final double loss)
        {
            this.kind = kind;
            this.jitterNs = jitterNs;
            this.loss = loss;
        }

        public double detectMeanMs()
        {
            return detections == 0 ? Double.NaN : detectSumNs / (double)detections / MS;
        }

        public double falseDeadPerPairHour()
        {
            return falseDead / pairHours;
        }
    }

    private DetectorReport()
    {
    }

    public static void main(final String[] args)
    {
        final Settings settings = new Settings();
        try
        {
            for (final String arg : args)
            {
                final int equals = arg.indexOf('=');
                final String key = equals < 0 ? arg : arg.substring(0, equals);
                final String value = equals < 0 ? "" : arg.substring(equals + 1);
                switch (key)
                {
                    case "crashes": settings.crashesPerCell(Integer.parseInt(value)); break;
                    case "hours": settings.hoursPerCell(Double.parseDouble(value)); break;
                    case "seed": settings.seed(Long.parseLong(value)); break;
                    default: throw new IllegalArgumentException("unknown argument '" + arg + "'");
                }
            }
            if (settings.crashesPerCell < 1 || !(settings.hoursPerCell > 0))
            {
                throw new IllegalArgumentException("crashes and hours must be positive");
            }
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("DetectorReport: " + ex.getMessage() + " (usage: [crashes=50] [hours=1] [seed=42])");
            System.exit(2);
            return;
        }
        System.out.print(table(settings));
    }

    /** Runs every cell and returns the markdown table. */
    public static String table(final Settings settings)
    {
        final StringBuilder out = new StringBuilder()
            .append("| detector | jitter | loss | detect mean | detect max | undetected | false DEAD | ")
            .append("false DEAD / pair-hour | false SUSPECT |\n")
            .append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (final DetectorKind kind : DetectorKind.values())
        {
            for (final long jitterNs : JITTERS_NS)
            {
                for (final double loss : LOSSES)
                {
                    final Cell cell = run(kind, jitterNs, loss, settings);
                    out.append(String.format(Locale.ROOT,
                        "| %s | %d ms | %.0f%% | %.0f ms | %.0f ms | %d | %d | %.3f | %d |%n", kind, jitterNs / MS,
                        loss * 100, cell.detectMeanMs(), cell.detectMaxNs / (double)MS, cell.undetected, cell.falseDead,
                        cell.falseDeadPerPairHour(), cell.falseSuspect));
                }
            }
        }
        out.append(String.format(Locale.ROOT, "%nSeed %d; %d crashes per cell, %d observers each; %.1f h per cell ",
            settings.seed, settings.crashesPerCell, FLEET_SIZE - 1, settings.hoursPerCell))
            .append(String.format(Locale.ROOT, "for false verdicts (%d monitored pairs).%n",
                FLEET_SIZE * (FLEET_SIZE - 1)));
        return out.toString();
    }

    /** Measures one cell: crashes first, then the quiet period. */
    public static Cell run(final DetectorKind kind, final long jitterNs, final double loss, final Settings settings)
    {
        final Cell cell = new Cell(kind, jitterNs, loss);
        final long cellSeed = settings.seed ^ (kind.ordinal() * 0x9E3779B97F4A7C15L) ^ (jitterNs * 31) ^
            Double.doubleToLongBits(loss);
        final SplittableRandom random = new SplittableRandom(cellSeed);
        final FailureDetectorConfig config = new FailureDetectorConfig().detectorKind(kind);
        measureDetection(cell, config, jitterNs, loss, settings.crashesPerCell, random);
        measureFalseVerdicts(cell, config, jitterNs, loss, settings.hoursPerCell, random.nextLong());
        return cell;
    }

    private static void measureDetection(final Cell cell, final FailureDetectorConfig config, final long jitterNs,
        final double loss, final int crashes, final SplittableRandom random)
    {
        final VirtualFleet fleet = new VirtualFleet(random.nextLong(), FLEET_SIZE, config, loss, DELAY_NS, jitterNs, 0);
        final long[] deadAtNs = new long[FLEET_SIZE + 1];
        final int[] crashed = {0};
        fleet.addObserver((observer, member, from, to, atNs) ->
        {
            if (member == crashed[0] && to == MemberState.DEAD && deadAtNs[observer] == Long.MAX_VALUE)
            {
                deadAtNs[observer] = atNs;
            }
        });
        for (int i = 0; i < crashes; i++)
        {
            final int victim = i % FLEET_SIZE + 1;
            fleet.runUntil(fleet.nowNs() + WARM_UP_NS + random.nextLong(config.intervalNs()));
            Arrays.fill(deadAtNs, Long.MAX_VALUE);
            crashed[0] = victim;
            final long crashNs = fleet.nowNs();
            fleet.crash(victim);
            fleet.runUntil(crashNs + CRASH_HORIZON_NS);
            for (int observer = 1; observer <= FLEET_SIZE; observer++)
            {
                if (observer == victim)
                {
                    continue;
                }
                if (deadAtNs[observer] == Long.MAX_VALUE)
                {
                    cell.undetected++;
                    continue;
                }
                final long detectNs = deadAtNs[observer] - crashNs;
                cell.detections++;
                cell.detectSumNs += detectNs;
                cell.detectMaxNs = Math.max(cell.detectMaxNs, detectNs);
            }
            crashed[0] = 0;
            fleet.restart(victim);
        }
    }

    private static void measureFalseVerdicts(final Cell cell, final FailureDetectorConfig config, final long jitterNs,
        final double loss, final double hours, final long seed)
    {
        final VirtualFleet fleet = new VirtualFleet(seed, FLEET_SIZE, config, loss, DELAY_NS, jitterNs, 0);
        // The first seconds are start-up (the window still holds the first-heartbeat estimate): not counted.
        fleet.runUntil(WARM_UP_NS);
        fleet.addObserver((observer, member, from, to, atNs) ->
        {
            if (to == MemberState.DEAD)
            {
                cell.falseDead++;
            }
            else if (to == MemberState.SUSPECT)
            {
                cell.falseSuspect++;
            }
        });
        final long durationNs = (long)(hours * 3600 * SECOND_NS);
        fleet.runUntil(WARM_UP_NS + durationNs);
        cell.pairHours = hours * FLEET_SIZE * (FLEET_SIZE - 1);
    }
}
