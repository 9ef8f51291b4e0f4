package dev.hora.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingChartTest {
    @TempDir
    Path dir;

    static TrainingHistory history() {
        TrainingHistory h = new TrainingHistory();
        for (int i = 0; i < 120; i++) {
            h.step(0.7 * Math.exp(-i / 40.0) + 0.05 * Math.sin(i));
        }
        h.checkpoint(40, 0.74, 0.71);
        h.checkpoint(80, 0.86, 0.80);
        h.checkpoint(120, Double.NaN, 0.83);
        return h;
    }

    @Test
    void writesAValidPngOfTheRequestedSizeWithBothPanels() throws Exception {
        Path png = dir.resolve("training.png");
        TrainingChart.write(png, history(), "hora r 8 alpha 16 on query,value | uci-sentiment", 900, 360);
        byte[] bytes = Files.readAllBytes(png);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'},
                java.util.Arrays.copyOf(bytes, 8));
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(900, img.getWidth());
        assertEquals(360, img.getHeight());
        assertTrue(count(img, 0, 450, TrainingChart.LOSS) > 100, "smoothed loss in the left panel");
        assertTrue(count(img, 0, 450, TrainingChart.RAW) > 50, "raw loss under it");
        assertEquals(0, count(img, 450, 900, TrainingChart.LOSS));
        assertTrue(count(img, 450, 900, TrainingChart.TEST) > 50, "test accuracy in the right panel");
        assertTrue(count(img, 450, 900, TrainingChart.VALIDATION) > 50, "validation accuracy in the right panel");
        if (System.getenv("HORA_CHART_SAMPLE") != null) {
            Files.copy(png, Path.of(System.getenv("HORA_CHART_SAMPLE")),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Test
    void emptyAndSinglePointHistoriesStillRender() {
        TrainingHistory h = new TrainingHistory();
        assertEquals(300, TrainingChart.render(h, "empty", 400, 300).getHeight());
        h.step(0.5);
        h.checkpoint(1, Double.NaN, 0.9);
        BufferedImage img = TrainingChart.render(h, "one", 400, 300);
        assertTrue(count(img, 200, 400, TrainingChart.TEST) > 10, "single checkpoint drawn as a marker");
        assertEquals(0, count(img, 200, 400, TrainingChart.VALIDATION), "no validation series when not measured");
    }

    @Test
    void smoothingIsAMovingMean() {
        double[] s = TrainingChart.smooth(java.util.List.of(1.0, 3.0, 5.0, 7.0), 2);
        assertArrayEquals(new double[]{1, 2, 4, 6}, s, 1e-12);
    }

    private static int count(BufferedImage img, int x0, int x1, java.awt.Color c) {
        int n = 0;
        for (int x = x0; x < x1; x++) {
            for (int y = 0; y < img.getHeight(); y++) {
                if ((img.getRGB(x, y) & 0xFFFFFF) == (c.getRGB() & 0xFFFFFF)) {
                    n++;
                }
            }
        }
        return n;
    }
}
