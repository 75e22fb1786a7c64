package io.sluice.harness.bench;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PercentilePlotTest
{
    @TempDir
    Path dir;

    private static Histogram latencies(final long baseNs)
    {
        final Histogram histogram = BenchRecorder.newHistogram();
        for (int i = 1; i <= 10_000; i++)
        {
            histogram.recordValue(baseNs + i * 100L);
        }
        return histogram;
    }

    @Test
    void shouldCarryTheCurveThroughJsonFromTheMedianToTheMaximum()
    {
        final List<double[]> curve = PercentilePlot.curve(latencies(0));

        assertEquals(100.0, curve.get(curve.size() - 1)[0], "ends at 100%");
        assertEquals(1_000.0, curve.get(curve.size() - 1)[1], 1.0, "at the maximum, 1,000 us");
        for (int i = 1; i < curve.size(); i++)
        {
            assertTrue(curve.get(i)[0] >= curve.get(i - 1)[0] && curve.get(i)[1] >= curve.get(i - 1)[1],
                "percentiles and values never go down");
        }
    }

    @Test
    void shouldOverlayARunOnAnEarlierReport() throws Exception
    {
        final Path earlier = dir.resolve("earlier.json");
        final String report = "{\"latency_us\":{\"p50\":600.0,\"p90\":900.0,\"p99\":990.0,\"p99_9\":999.0," +
            "\"p99_99\":1000.0,\"max\":1000.0,\"mean\":550.0,\"count\":10000},\"percentiles_us\":" +
            "[[0.0,10.0],[50.0,600.0],[99.0,990.0],[100.0,1000.0]]}";
        Files.writeString(earlier, report, StandardCharsets.UTF_8);
        final Path png = dir.resolve("plot.png");

        PercentilePlot.write(List.of(PercentilePlot.Series.of("now", latencies(1_000_000)),
            PercentilePlot.Series.read(earlier)), "test", png);

        final BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(1000, image.getWidth());
        assertEquals(600, image.getHeight());
    }

    @Test
    void shouldRefuseAFileThatIsNotABenchReport() throws Exception
    {
        final Path other = dir.resolve("other.json");
        Files.writeString(other, "{\"sent\":1}", StandardCharsets.UTF_8);

        assertThrows(IllegalArgumentException.class, () -> PercentilePlot.Series.read(other));
    }

    @Test
    void shouldPlaceNinesOnALogScale()
    {
        assertEquals(0.0, PercentilePlot.nines(0), 1e-9);
        assertEquals(1.0, PercentilePlot.nines(90), 1e-9);
        assertEquals(3.0, PercentilePlot.nines(99.9), 1e-9);
        assertEquals(6.0, PercentilePlot.nines(100), 1e-9, "100% is capped at six nines");
    }
}
