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
        h.epoch(0.71, 0.74);
        h.epoch(0.80, 0.86);
        h.epoch(0.83, 0.91);
        return h;
    }

    @Test
    void writesAValidPngOfTheRequestedSizeWithBothPanels() throws Exception {
        Path png = dir.resolve("training.png");
        TrainingChart.write(png, history(), "hora finetune: uci-sentiment, HoRA r=8", 900, 360);
        byte[] bytes = Files.readAllBytes(png);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'},
                java.util.Arrays.copyOf(bytes, 8));
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(900, img.getWidth());
        assertEquals(360, img.getHeight());
        assertTrue(count(img, 0, 450, TrainingChart.LOSS) > 100, "loss curve in the left panel");
        assertEquals(0, count(img, 450, 900, TrainingChart.LOSS));
        assertTrue(count(img, 450, 900, TrainingChart.TEST) > 50, "test accuracy in the right panel");
        assertTrue(count(img, 450, 900, TrainingChart.TRAIN) > 50, "train accuracy in the right panel");
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
        h.epoch(0.9, Double.NaN);
        BufferedImage img = TrainingChart.render(h, "one", 400, 300);
        assertTrue(count(img, 200, 400, TrainingChart.TEST) > 10, "single epoch drawn as a marker");
        assertEquals(0, count(img, 200, 400, TrainingChart.TRAIN), "no train series when not measured");
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
