package io.conduit.failure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DetectorReportTest
{
    private static final long MS = 1_000_000L;

    @Test
    void aSmallRunDetectsEveryCrashWithinASecondOfVirtualTime()
    {
        final DetectorReport.Settings settings = new DetectorReport.Settings().crashesPerCell(3).hoursPerCell(0.01);
        for (final DetectorKind kind : DetectorKind.values())
        {
            final DetectorReport.Cell cell = DetectorReport.run(kind, 10 * MS, 0.01, settings);
            assertEquals(0, cell.undetected, kind.toString());
            assertEquals(12, cell.detections, kind.toString());
            assertTrue(cell.detectMeanMs() > 300 && cell.detectMaxNs < 1_000 * MS, kind + " " + cell.detectMeanMs());
            assertEquals(0.2, cell.pairHours, 1e-9);
        }
    }

    @Test
    void theTableHasOneRowPerDetectorJitterAndLoss()
    {
        final String table = DetectorReport.table(new DetectorReport.Settings().crashesPerCell(1).hoursPerCell(0.001));
        assertEquals(2 + 18, table.lines().filter((line) -> line.startsWith("|")).count(), table);
        assertTrue(table.contains("| PHI | 50 ms | 5% |"), table);
    }

    /** The published table: {@code -Dconduit.report=true}; prints it and writes target/failure-detection-table.md. */
    @Test
    @EnabledIfSystemProperty(named = "conduit.report", matches = "true")
    void printTheFullReport() throws IOException
    {
        final String table = DetectorReport.table(new DetectorReport.Settings());
        System.out.println(table);
        final Path out = Paths.get("target", "failure-detection-table.md");
        Files.writeString(out, table);
        System.out.println("written to " + out.toAbsolutePath());
    }
}
