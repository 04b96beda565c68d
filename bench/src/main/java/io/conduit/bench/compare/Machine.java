package io.conduit.bench.compare;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the results' header says about the machine: cores, CPU, JVM, kernel, and the load average. */
final class Machine
{
    private static final Path LOAD_AVERAGE = Path.of("/proc/loadavg");
    private static final Path CPU_INFO = Path.of("/proc/cpuinfo");

    private Machine()
    {
    }

    /** The 1, 5 and 15-minute load averages, from /proc when there is one: other processes' load skews every number. */
    static String loadAverage()
    {
        try
        {
            final String[] fields = Files.readString(LOAD_AVERAGE).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        }
        catch (final IOException | RuntimeException ex)
        {
            return String.format("%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    static String describe()
    {
        return Runtime.getRuntime().availableProcessors() + " cores" + cpuModel() + ", Java " +
            System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + "), " +
            System.getProperty("os.name") + " " + System.getProperty("os.version");
    }

    private static String cpuModel()
    {
        try
        {
            final List<String> lines = Files.readAllLines(CPU_INFO);
            for (final String line : lines)
            {
                if (line.startsWith("model name"))
                {
                    return " (" + line.substring(line.indexOf(':') + 1).trim() + ")";
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // Not Linux: the core count alone will do.
        }
        return "";
    }
}
