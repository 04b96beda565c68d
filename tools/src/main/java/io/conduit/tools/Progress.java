package io.conduit.tools;

import java.io.PrintWriter;
import java.util.Locale;

import io.conduit.transport.endpoint.ConduitConnection;

/**
 * Progress of a transfer: on a terminal a bar redrawn in place with {@code \r} a few times a second; otherwise
 * (pipes, logs, tests) one plain line per second, so logs stay readable. Both show goodput, smoothed RTT,
 * congestion window and retransmissions.
 */
final class Progress
{
    private static final long TERMINAL_INTERVAL_NS = 200_000_000L;
    private static final long PLAIN_INTERVAL_NS = 1_000_000_000L;
    private static final int BAR_WIDTH = 24;
    private static final double MIB = 1024.0 * 1024.0;

    private final PrintWriter out;
    private final boolean terminal;
    private final long totalBytes;
    private final long startNs;
    private long nextReportNs;
    private int lastLineLength;

    /**
     * @param out        where to draw.
     * @param terminal   true to redraw a bar in place (stdout is a console), false for periodic lines.
     * @param totalBytes the size of the whole transfer.
     * @param startNs    when the transfer started, {@link System#nanoTime()}.
     */
    Progress(final PrintWriter out, final boolean terminal, final long totalBytes, final long startNs)
    {
        this.out = out;
        this.terminal = terminal;
        this.totalBytes = totalBytes;
        this.startNs = startNs;
        this.nextReportNs = startNs + interval();
    }

    /** Reports if the interval has passed since the last report; cheap to call on every loop. */
    void update(final long nowNs, final long bytesDone, final ConduitConnection connection)
    {
        if (nowNs - nextReportNs >= 0)
        {
            update(nowNs, bytesDone, connection.srttNs(), connection.congestionWindowBytes(),
                connection.retransmits());
        }
    }

    /** As {@link #update(long, long, ConduitConnection)} with the connection's statistics given as values. */
    void update(final long nowNs, final long bytesDone, final long srttNs, final long congestionWindowBytes,
        final long retransmits)
    {
        if (nowNs - nextReportNs < 0)
        {
            return;
        }
        nextReportNs = nowNs + interval();
        final double seconds = Math.max(nowNs - startNs, 1) / 1e9;
        final String stats = String.format(Locale.ROOT,
            "goodput %.1f Mbit/s  srtt %.3f ms  cwnd %d B  retransmits %d", bytesDone * 8 / seconds / 1e6,
            srttNs / 1e6, congestionWindowBytes, retransmits);
        if (terminal)
        {
            final String line = "\r" + bar(bytesDone) + String.format(Locale.ROOT, " %5.1f/%.1f MiB  ",
                bytesDone / MIB, totalBytes / MIB) + stats;
            // Pad over the tail of a longer previous line, since \r does not clear it.
            out.print(line + " ".repeat(Math.max(0, lastLineLength - line.length())));
            lastLineLength = line.length();
        }
        else
        {
            out.println(String.format(Locale.ROOT, "t=%.1fs sent %.1f/%.1f MiB (%d%%) ", seconds, bytesDone / MIB,
                totalBytes / MIB, percent(bytesDone)) + stats);
        }
        out.flush();
    }

    /** Ends the bar's line so the summary starts on a fresh one. */
    void finish()
    {
        if (terminal && lastLineLength > 0)
        {
            out.println();
            out.flush();
        }
    }

    private String bar(final long bytesDone)
    {
        final int filled = (int)(BAR_WIDTH * (long)percent(bytesDone) / 100);
        return "[" + "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled) + "] " +
            String.format(Locale.ROOT, "%3d%%", percent(bytesDone));
    }

    private int percent(final long bytesDone)
    {
        return totalBytes == 0 ? 100 : (int)(bytesDone * 100 / totalBytes);
    }

    private long interval()
    {
        return terminal ? TERMINAL_INTERVAL_NS : PLAIN_INTERVAL_NS;
    }
}
