package io.conduit.bench.compare;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.imageio.ImageIO;

/**
 * A small line chart written as PNG with java.awt alone (headless), for benchmark results: latency percentile
 * distributions (x on a {@link Scale#PERCENTILE} axis), goodput against loss rate, and the like. Each axis is
 * linear, logarithmic or "nines"; ticks fall on round values of the axis' scale. Not for interactive use.
 */
public final class LinePlot
{
    /** How values map to positions along an axis. */
    public enum Scale
    {
        LINEAR,
        LOG10,
        /** Percentiles in percent, spaced by their nines: 90, 99, 99.9 are equally far apart (HdrHistogram style). */
        PERCENTILE
    }

    public record Axis(String label, Scale scale)
    {
    }

    public record Series(String name, double[] x, double[] y)
    {
        public Series
        {
            if (x.length != y.length)
            {
                throw new IllegalArgumentException(name + ": " + x.length + " x values but " + y.length + " y values");
            }
        }
    }

    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b)};
    private static final int MARGIN_LEFT = 90;
    private static final int MARGIN_RIGHT = 30;
    private static final int MARGIN_TOP = 50;
    private static final int MARGIN_BOTTOM = 60;
    private static final int TARGET_LINEAR_TICKS = 6;
    private static final int MAX_LOG_TICKS = 12;

    private final String title;
    private final Axis xAxis;
    private final Axis yAxis;
    private final List<Series> series = new ArrayList<>();

    public LinePlot(final String title, final Axis xAxis, final Axis yAxis)
    {
        this.title = title;
        this.xAxis = xAxis;
        this.yAxis = yAxis;
    }

    public LinePlot add(final Series line)
    {
        series.add(line);
        return this;
    }

    public void writePng(final Path file, final int width, final int height) throws IOException
    {
        System.setProperty("java.awt.headless", "true");
        final BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = image.createGraphics();
        try
        {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            draw(g, width, height);
        }
        finally
        {
            g.dispose();
        }
        final Path parent = file.toAbsolutePath().getParent();
        if (parent != null)
        {
            Files.createDirectories(parent);
        }
        ImageIO.write(image, "png", file.toFile());
    }

    private void draw(final Graphics2D g, final int width, final int height)
    {
        final Range xRange = range(xAxis.scale(), true);
        final Range yRange = range(yAxis.scale(), false);
        final Frame frame = new Frame(MARGIN_LEFT, MARGIN_TOP, width - MARGIN_LEFT - MARGIN_RIGHT,
            height - MARGIN_TOP - MARGIN_BOTTOM, xRange, yRange);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        drawXTicks(g, frame);
        drawYTicks(g, frame);
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(frame.left, frame.top, frame.width, frame.height);
        drawSeries(g, frame);
        drawLegend(g, frame);
        drawLabels(g, frame, width, height);
    }

    private void drawXTicks(final Graphics2D g, final Frame frame)
    {
        final FontMetrics metrics = g.getFontMetrics();
        for (final double tick : ticks(xAxis.scale(), frame.x))
        {
            final int px = frame.px(transform(xAxis.scale(), tick));
            gridLine(g, px, frame.top, px, frame.top + frame.height);
            final String label = format(tick);
            g.setColor(Color.BLACK);
            final int baseline = frame.top + frame.height + metrics.getAscent() + 4;
            g.drawString(label, px - metrics.stringWidth(label) / 2, baseline);
        }
    }

    private void drawYTicks(final Graphics2D g, final Frame frame)
    {
        final FontMetrics metrics = g.getFontMetrics();
        for (final double tick : ticks(yAxis.scale(), frame.y))
        {
            final int py = frame.py(transform(yAxis.scale(), tick));
            gridLine(g, frame.left, py, frame.left + frame.width, py);
            final String label = format(tick);
            g.setColor(Color.BLACK);
            g.drawString(label, frame.left - metrics.stringWidth(label) - 6, py + metrics.getAscent() / 2 - 1);
        }
    }

    private static void gridLine(final Graphics2D g, final int x1, final int y1, final int x2, final int y2)
    {
        g.setColor(new Color(0xdddddd));
        g.setStroke(new BasicStroke(1f));
        g.drawLine(x1, y1, x2, y2);
    }

    private void drawSeries(final Graphics2D g, final Frame frame)
    {
        final java.awt.Shape clip = g.getClip();
        g.clipRect(frame.left, frame.top, frame.width + 1, frame.height + 1);
        g.setStroke(new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        for (int s = 0; s < series.size(); s++)
        {
            final Series line = series.get(s);
            final Path2D.Double path = new Path2D.Double();
            boolean started = false;
            for (int i = 0; i < line.x().length; i++)
            {
                final double tx = transform(xAxis.scale(), line.x()[i]);
                final double ty = transform(yAxis.scale(), line.y()[i]);
                if (!Double.isFinite(tx) || !Double.isFinite(ty))
                {
                    continue;
                }
                if (started)
                {
                    path.lineTo(frame.px(tx), frame.py(ty));
                }
                else
                {
                    path.moveTo(frame.px(tx), frame.py(ty));
                    started = true;
                }
            }
            g.setColor(PALETTE[s % PALETTE.length]);
            g.draw(path);
        }
        g.setClip(clip);
    }

    private void drawLegend(final Graphics2D g, final Frame frame)
    {
        final FontMetrics metrics = g.getFontMetrics();
        int widest = 0;
        for (final Series line : series)
        {
            widest = Math.max(widest, metrics.stringWidth(line.name()));
        }
        final int lineHeight = metrics.getHeight() + 2;
        final int boxX = frame.left + 10;
        final int boxY = frame.top + 10;
        g.setColor(new Color(255, 255, 255, 220));
        g.fillRect(boxX, boxY, widest + 44, lineHeight * series.size() + 8);
        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(boxX, boxY, widest + 44, lineHeight * series.size() + 8);
        for (int s = 0; s < series.size(); s++)
        {
            final int baseline = boxY + 4 + lineHeight * s + metrics.getAscent();
            g.setColor(PALETTE[s % PALETTE.length]);
            g.setStroke(new BasicStroke(3f));
            final int middle = baseline - metrics.getAscent() / 2 + 1;
            g.drawLine(boxX + 6, middle, boxX + 30, middle);
            g.setColor(Color.BLACK);
            g.drawString(series.get(s).name(), boxX + 36, baseline);
        }
    }

    private void drawLabels(final Graphics2D g, final Frame frame, final int width, final int height)
    {
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        FontMetrics metrics = g.getFontMetrics();
        g.drawString(title, (width - metrics.stringWidth(title)) / 2, MARGIN_TOP / 2 + metrics.getAscent() / 2);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        metrics = g.getFontMetrics();
        g.drawString(xAxis.label(), frame.left + (frame.width - metrics.stringWidth(xAxis.label())) / 2, height - 14);
        final AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        g.drawString(yAxis.label(), -(frame.top + (frame.height + metrics.stringWidth(yAxis.label())) / 2), 20);
        g.setTransform(saved);
    }

    /** The data's extent along one axis, in transformed units, widened to round values of the scale. */
    private Range range(final Scale scale, final boolean isX)
    {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (final Series line : series)
        {
            for (final double value : isX ? line.x() : line.y())
            {
                final double t = transform(scale, value);
                if (Double.isFinite(t))
                {
                    min = Math.min(min, t);
                    max = Math.max(max, t);
                }
            }
        }
        if (min > max)
        {
            return new Range(0, 1);
        }
        switch (scale)
        {
            case LOG10:
                return new Range(Math.floor(min), Math.max(Math.ceil(max), Math.floor(min) + 1));
            case PERCENTILE:
                return new Range(min, Math.max(max, min + 1));
            default:
                final double low = isX ? min : Math.min(0, min);
                final double step = niceStep(max - low);
                return new Range(Math.floor(low / step) * step, Math.max(Math.ceil(max / step) * step, low + step));
        }
    }

    private static List<Double> ticks(final Scale scale, final Range range)
    {
        final List<Double> ticks = new ArrayList<>();
        switch (scale)
        {
            case LOG10:
                final boolean all = range.max - range.min <= MAX_LOG_TICKS / 3.0;
                for (int exponent = (int)range.min; exponent <= (int)range.max; exponent++)
                {
                    for (final int mantissa : all ? new int[] {1, 2, 5} : new int[] {1})
                    {
                        addIfInside(ticks, mantissa * Math.pow(10, exponent), scale, range);
                    }
                }
                break;
            case PERCENTILE:
                for (int nines = 0; nines <= range.max + 1e-9; nines++)
                {
                    addIfInside(ticks, 100 * (1 - Math.pow(10, -nines)), scale, range);
                }
                addIfInside(ticks, 50, scale, range);
                ticks.sort(Double::compare);
                break;
            default:
                final double step = niceStep(range.max - range.min);
                for (double value = range.min; value <= range.max + step / 1e6; value += step)
                {
                    ticks.add(value);
                }
        }
        return ticks;
    }

    private static void addIfInside(final List<Double> ticks, final double value, final Scale scale, final Range range)
    {
        final double t = transform(scale, value);
        if (t >= range.min - 1e-9 && t <= range.max + 1e-9)
        {
            ticks.add(value);
        }
    }

    /** 1, 2 or 5 times a power of ten, giving about {@link #TARGET_LINEAR_TICKS} intervals over the span. */
    private static double niceStep(final double span)
    {
        final double raw = (span > 0 ? span : 1) / TARGET_LINEAR_TICKS;
        final double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        final double fraction = raw / magnitude;
        return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * magnitude;
    }

    private static double transform(final Scale scale, final double value)
    {
        return switch (scale)
        {
            case LINEAR -> value;
            case LOG10 -> value > 0 ? Math.log10(value) : Double.NaN;
            case PERCENTILE -> value < 100 ? -Math.log10(1 - value / 100) : Double.NaN;
        };
    }

    private static String format(final double value)
    {
        // Short tick labels (10k, 2M) so they never run into the y axis' title.
        if (Math.abs(value) >= 1e6 && value % 1e6 == 0)
        {
            return String.format("%,.0fM", value / 1e6);
        }
        if (Math.abs(value) >= 1e4 && value % 1e3 == 0)
        {
            return String.format("%,.0fk", value / 1e3);
        }
        return new BigDecimal(String.format("%.6g", value)).stripTrailingZeros().toPlainString();
    }

    private record Range(double min, double max)
    {
    }

    /** The plotting area and how transformed values map to its pixels. */
    private record Frame(int left, int top, int width, int height, Range x, Range y)
    {
        int px(final double t)
        {
            return left + (int)Math.round((t - x.min) / (x.max - x.min) * width);
        }

        int py(final double t)
        {
            return top + height - (int)Math.round((t - y.min) / (y.max - y.min) * height);
        }
    }
}
