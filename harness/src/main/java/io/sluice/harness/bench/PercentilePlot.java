package io.sluice.harness.bench;

import com.fasterxml.jackson.databind.JsonNode;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A latency-by-percentile plot as a PNG, drawn with the JDK alone (headless AWT): the x axis is the percentile on
 * the usual "nines" scale (0%, 90%, 99%, 99.9%, ...), the y axis the round trip in microseconds. Several runs can be
 * overlaid, each read from the {@code percentiles_us} curve its JSON report carries.
 */
public final class PercentilePlot
{
    /** Points per halving of the distance to 100%, as HdrHistogram's percentile output uses. */
    static final int TICKS_PER_HALF_DISTANCE = 5;
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 600;
    private static final int LEFT = 90;
    private static final int RIGHT = 30;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;
    /** Highest percentile the x axis can show: 99.9999%. */
    private static final double MAX_NINES = 6;
    private static final Color[] COLORS = {
        new Color(31, 119, 180), new Color(214, 39, 40), new Color(44, 160, 44), new Color(255, 127, 14),
        new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194), new Color(127, 127, 127) };

    private PercentilePlot()
    {
    }

    /**
     * One curve: latency in microseconds at increasing percentiles.
     */
    public static final class Series
    {
        private final String label;
        private final double[] percentiles;
        private final double[] valuesUs;
        /** The exact percentiles for the legend; the curve's points need not fall on 99% or 99.9%. */
        private final LatencySummary summary;

        Series(final String label, final double[] percentiles, final double[] valuesUs, final LatencySummary summary)
        {
            if (percentiles.length != valuesUs.length)
            {
                throw new IllegalArgumentException("percentiles and values differ in length");
            }
            this.label = label;
            this.percentiles = percentiles;
            this.valuesUs = valuesUs;
            this.summary = summary;
        }

        /**
         * @param label       shown in the legend.
         * @param histogramNs recorded in nanoseconds.
         * @return its percentile curve.
         */
        public static Series of(final String label, final Histogram histogramNs)
        {
            final List<double[]> points = curve(histogramNs);
            final double[] percentiles = new double[points.size()];
            final double[] values = new double[points.size()];
            for (int i = 0; i < points.size(); i++)
            {
                percentiles[i] = points.get(i)[0];
                values[i] = points.get(i)[1];
            }
            return new Series(label, percentiles, values, LatencySummary.ofNanos(histogramNs));
        }

        /**
         * Read the curve of a bench JSON report.
         *
         * @param file written by {@code --json}.
         * @return its curve, labelled with the file name.
         * @throws IOException              if it cannot be read.
         * @throws IllegalArgumentException in one line naming the file, if it is not a bench report with a
         *                                  {@code percentiles_us} curve.
         */
        public static Series read(final Path file) throws IOException
        {
            final JsonNode report;
            try
            {
                report = BenchReport.parse(Files.readString(file, StandardCharsets.UTF_8));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException(file + ": " + ex.getMessage(), ex);
            }
            final JsonNode curve = report.get("percentiles_us");
            if (curve == null || !curve.isArray())
            {
                throw new IllegalArgumentException(file + " has no percentiles_us curve (not a bench report?)");
            }
            final double[] percentiles = new double[curve.size()];
            final double[] values = new double[curve.size()];
            for (int i = 0; i < curve.size(); i++)
            {
                final JsonNode point = curve.get(i);
                if (!point.isArray() || point.size() < 2 || !point.get(0).isNumber() || !point.get(1).isNumber())
                {
                    throw new IllegalArgumentException(file + ": percentiles_us[" + i + "] is not a [percentile, " +
                        "microseconds] pair: " + point);
                }
                percentiles[i] = point.get(0).doubleValue();
                values[i] = point.get(1).doubleValue();
            }
            final JsonNode latency = report.get("latency_us");
            if (latency == null || !latency.isObject())
            {
                throw new IllegalArgumentException(file + " has no latency_us (not a bench report?)");
            }
            final LatencySummary summary = new LatencySummary(
                (long)number(latency, "count"), number(latency, "mean"), number(latency, "p50"), number(latency, "p90"),
                number(latency, "p99"), number(latency, "p99_9"), number(latency, "p99_99"), number(latency, "max"));
            return new Series(file.getFileName().toString(), percentiles, values, summary);
        }

        /**
         * @return the number, or 0 when it is missing or not a number (null for a percentile of no samples).
         */
        private static double number(final JsonNode object, final String key)
        {
            final JsonNode value = object.get(key);
            return value != null && value.isNumber() ? value.doubleValue() : 0;
        }

        public String label()
        {
            return label;
        }

        int size()
        {
            return percentiles.length;
        }
    }

    /**
     * @return [percentile, value in microseconds] pairs of a histogram recorded in nanoseconds, from 0% to 100%.
     */
    static List<double[]> curve(final Histogram histogramNs)
    {
        final List<double[]> points = new ArrayList<>();
        if (histogramNs.getTotalCount() == 0)
        {
            return points;
        }
        for (final HistogramIterationValue value : histogramNs.percentiles(TICKS_PER_HALF_DISTANCE))
        {
            points.add(new double[]{ value.getPercentileLevelIteratedTo(), value.getValueIteratedTo() / 1_000.0 });
        }
        return points;
    }

    /**
     * Draw the curves into a PNG.
     *
     * @param series curves to overlay, in legend order.
     * @param title  above the plot.
     * @param file   PNG to write.
     * @throws IOException if it cannot be written.
     */
    public static void write(final List<Series> series, final String title, final Path file) throws IOException
    {
        if (System.getProperty("java.awt.headless") == null)
        {
            // Drawing into an image needs no display; without this a JVM on a desktop would try to reach one.
            System.setProperty("java.awt.headless", "true");
        }
        double maxUs = 1;
        double maxNines = 2;
        for (final Series s : series)
        {
            for (int i = 0; i < s.size(); i++)
            {
                maxUs = Math.max(maxUs, s.valuesUs[i]);
                if (s.percentiles[i] < 100)
                {
                    // 100% is drawn at the right edge; the axis goes as far as the samples resolve.
                    maxNines = Math.max(maxNines, nines(s.percentiles[i]));
                }
            }
        }
        maxNines = Math.min(MAX_NINES, Math.ceil(maxNines));
        final double stepUs = niceStep(maxUs / 8);
        final double topUs = Math.ceil(maxUs * 1.05 / stepUs) * stepUs;

        final BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = image.createGraphics();
        try
        {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            final FontMetrics metrics = g.getFontMetrics();
            final int plotWidth = WIDTH - LEFT - RIGHT;
            final int plotHeight = HEIGHT - TOP - BOTTOM;

            for (int nines = 0; nines <= (int)maxNines; nines++)
            {
                final int x = LEFT + (int)Math.round(plotWidth * nines / maxNines);
                g.setColor(new Color(225, 225, 225));
                g.drawLine(x, TOP, x, TOP + plotHeight);
                g.setColor(Color.DARK_GRAY);
                final String label = percentileLabel(nines);
                g.drawString(label, x - metrics.stringWidth(label) / 2, TOP + plotHeight + 18);
            }
            for (double us = 0; us <= topUs + stepUs / 2; us += stepUs)
            {
                final int y = TOP + plotHeight - (int)Math.round(plotHeight * us / topUs);
                g.setColor(new Color(225, 225, 225));
                g.drawLine(LEFT, y, LEFT + plotWidth, y);
                g.setColor(Color.DARK_GRAY);
                final String label = String.format(Locale.ROOT, "%,.0f", us);
                g.drawString(label, LEFT - 8 - metrics.stringWidth(label), y + metrics.getAscent() / 2 - 1);
            }
            g.setColor(Color.BLACK);
            g.drawRect(LEFT, TOP, plotWidth, plotHeight);
            g.drawString("percentile", LEFT + plotWidth / 2 - metrics.stringWidth("percentile") / 2, HEIGHT - 18);
            g.rotate(-Math.PI / 2);
            g.drawString("round trip (us)", -(TOP + plotHeight / 2) - metrics.stringWidth("round trip (us)") / 2, 22);
            g.rotate(Math.PI / 2);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            g.drawString(title, LEFT, TOP - 18);

            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            for (int i = 0; i < series.size(); i++)
            {
                final Series s = series.get(i);
                g.setColor(COLORS[i % COLORS.length]);
                g.setStroke(new BasicStroke(2f));
                final Path2D.Double line = new Path2D.Double();
                for (int point = 0; point < s.size(); point++)
                {
                    final double x = LEFT + plotWidth * Math.min(nines(s.percentiles[point]), maxNines) / maxNines;
                    final double y = TOP + plotHeight - plotHeight * s.valuesUs[point] / topUs;
                    if (point == 0)
                    {
                        line.moveTo(x, y);
                    }
                    else
                    {
                        line.lineTo(x, y);
                    }
                }
                g.draw(line);
                final int legendY = TOP + 20 + i * 18;
                g.fillRect(LEFT + 12, legendY - 8, 14, 4);
                g.setColor(Color.BLACK);
                g.drawString(String.format(Locale.ROOT, "%s   p50 %,.0f  p99 %,.0f  p99.9 %,.0f  max %,.0f us",
                    s.label(), s.summary.p50Us(), s.summary.p99Us(), s.summary.p99_9Us(), s.summary.maxUs()),
                    LEFT + 32, legendY);
            }
        }
        finally
        {
            g.dispose();
        }
        if (!ImageIO.write(image, "png", file.toFile()))
        {
            throw new IOException("no PNG writer in this JVM");
        }
    }

    /**
     * @return the percentile on the "nines" scale: 0% is 0, 90% is 1, 99% is 2, 99.9% is 3; 100% is capped.
     */
    static double nines(final double percentile)
    {
        final double rest = 1 - Math.min(percentile, 99.9999) / 100;
        return Math.max(0, -Math.log10(rest));
    }

    private static String percentileLabel(final int nines)
    {
        if (nines == 0)
        {
            return "0%";
        }
        if (nines == 1)
        {
            return "90%";
        }
        return "99" + (nines > 2 ? "." + "9".repeat(nines - 2) : "") + "%";
    }

    private static double niceStep(final double rough)
    {
        final double magnitude = Math.pow(10, Math.floor(Math.log10(Math.max(rough, 1e-9))));
        final double fraction = rough / magnitude;
        final double nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
        return nice * magnitude;
    }
}
