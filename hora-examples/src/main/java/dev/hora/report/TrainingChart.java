package dev.hora.report;

import dev.hora.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Draws a PNG with two panels: training loss per step (left) and accuracy per epoch (right: validation
 * in blue, train in orange when measured), with axes, ticks, labels and titles. Uses java.awt
 * headless; sets {@code java.awt.headless=true} if unset.
 */
public final class TrainingChart {
    static final Color LOSS = new Color(0xC0392B);
    static final Color TEST = new Color(0x2471A3);
    static final Color TRAIN = new Color(0xE67E22);

    private TrainingChart() {
    }

    /** Writes the chart of {@code h} to {@code png} (atomically) at the given pixel size. */
    public static void write(Path png, TrainingHistory h, String title, int width, int height) throws IOException {
        BufferedImage img = render(h, title, width, height);
        AtomicFiles.write(png, out -> {
            if (!ImageIO.write(img, "png", out)) {
                throw new IOException("no PNG writer available");
            }
        });
    }

    /** Renders the chart. */
    public static BufferedImage render(TrainingHistory h, String title, int width, int height) {
        if (width < 200 || height < 120) {
            throw new IllegalArgumentException("chart too small: " + width + "x" + height);
        }
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.drawString(title, 10, 18);
            int top = 28;
            int half = width / 2;
            Panel loss = new Panel(g, 0, top, half, height - top);
            loss.draw("Training loss per step", "step", "loss", List.of(h.stepLoss()), List.of(LOSS), 1, false);
            Panel acc = new Panel(g, half, top, width - half, height - top);
            List<Double> train = h.epochTrainAccuracy();
            boolean hasTrain = train.stream().anyMatch(v -> !v.isNaN());
            acc.draw("Accuracy per epoch" + (hasTrain ? " (validation blue, train orange)" : " (validation)"), "epoch",
                    "accuracy", hasTrain ? List.of(h.epochValidationAccuracy(), train) : List.of(h.epochValidationAccuracy()),
                    List.of(TEST, TRAIN), 1, true);
        } finally {
            g.dispose();
        }
        return img;
    }

    static BasicStroke stroke(float w) {
        return new BasicStroke(w, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
    }
}
