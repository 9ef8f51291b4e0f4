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
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The training chart of a run, drawn with XChart: the run's settings as the title over two panels.
 * <pre>
 *   left   loss per optimizer step: raw (faint) and smoothed, moving mean over w = max(1, n / 25) steps
 *   right  accuracy at every checkpoint (validation, test), x = step, y axis fixed to [0, 1]
 * </pre>
 * Uses java.awt headless; sets {@code java.awt.headless=true} if unset.
 */
public final class TrainingChart {
    static final Color RAW = new Color(0xF1B7B0);
    static final Color LOSS = new Color(0xC0392B);
    static final Color TEST = new Color(0x2471A3);
    static final Color VALIDATION = new Color(0x1E8449);
    private static final int TITLE = 30;

    private TrainingChart() {
    }

    /** Writes the chart of {@code h} to {@code png} (atomically) at the given pixel size. */
    public static void write(Path png, TrainingHistory h, String title, int width, int height) throws IOException {
        BufferedImage img = render(h, title, width, height);
        ImageIO.setUseCache(false);   // encode in memory: no ImageIO cache file (and no cache thread's stack trace on a full disk)
        AtomicFiles.write(png, out -> {
            if (!ImageIO.write(img, "png", out)) {
                throw new IOException("no PNG writer available");
            }
        });
    }

    /** Renders the chart. */
    public static BufferedImage render(TrainingHistory h, String title, int width, int height) {
        if (width < 300 || height < 200) {
            throw new IllegalArgumentException("chart too small: " + width + "x" + height + ", need >= 300x200");
        }
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        int half = width / 2;
        BufferedImage loss = BitmapEncoder.getBufferedImage(lossChart(h.stepLoss(), half, height - TITLE));
        BufferedImage acc = BitmapEncoder.getBufferedImage(accuracyChart(h.checkpoints(), width - half, height - TITLE));
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawString(fit(g, title, width - 20), 10, 20);
            g.drawImage(loss, 0, TITLE, null);
            g.drawImage(acc, half, TITLE, null);
        } finally {
            g.dispose();
        }
        return img;
    }

    /** Moving mean over the last {@code w} values (fewer at the start). */
    static double[] smooth(List<Double> v, int w) {
        double[] out = new double[v.size()];
        double sum = 0;
        for (int i = 0; i < v.size(); i++) {
            sum += v.get(i);
            if (i >= w) {
                sum -= v.get(i - w);
            }
            out[i] = sum / Math.min(i + 1, w);
        }
        return out;
    }

    /** A round number >= n: m 10^k with m in {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}. */
    static double niceCeil(double n) {
        double p = Math.pow(10, Math.floor(Math.log10(Math.max(n, 1))));
        for (double m : new double[]{1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
            if (m * p >= n) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static XYChart lossChart(List<Double> loss, int w, int h) {
        XYChart c = base(w, h, "Training loss", "step", "loss");
        if (loss.isEmpty()) {
            c.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
            addHidden(c);
            return c;
        }
        double[] x = new double[loss.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = i + 1;
        }
        int window = Math.max(1, loss.size() / 25);
        c.getStyler().setXAxisMax(niceCeil(loss.size()));   // ticks at round step counts
        if (window > 1) {
            line(c, "raw", x, loss.stream().mapToDouble(Double::doubleValue).toArray(), RAW, 1f);
        }
        line(c, window > 1 ? "mean of " + window + " steps" : "per step", x, smooth(loss, window), LOSS, 2.5f);
        offGrid(c, loss.get(0));
        return c;
    }

    private static XYChart accuracyChart(List<TrainingHistory.Checkpoint> cps, int w, int h) {
        XYChart c = base(w, h, "Accuracy at each checkpoint", "step", "accuracy");
        c.getStyler().setYAxisMin(0.0).setYAxisMax(1.0).setYAxisDecimalPattern("0.0#");
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);   // accuracies sit high: legend below them
        boolean any = false;
        any |= checkpointSeries(c, "validation", cps, TrainingHistory.Checkpoint::validationAccuracy, VALIDATION);
        any |= checkpointSeries(c, "test", cps, TrainingHistory.Checkpoint::testAccuracy, TEST);
        if (!any) {
            addHidden(c);
        }
        offGrid(c, 0.5031);
        return c;
    }

    private static boolean checkpointSeries(XYChart c, String name, List<TrainingHistory.Checkpoint> cps,
                                            ToDoubleFunction<TrainingHistory.Checkpoint> acc, Color color) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (TrainingHistory.Checkpoint cp : cps) {
            double a = acc.applyAsDouble(cp);
            if (!Double.isNaN(a)) {
                xs.add((double) cp.step());
                ys.add(a);
            }
        }
        if (xs.isEmpty()) {
            return false;
        }
        XYSeries s = c.addSeries(name + (ys.size() == 1 ? String.format(java.util.Locale.ROOT, " %.4f", ys.get(0))
                : String.format(java.util.Locale.ROOT, " (last %.4f)", ys.get(ys.size() - 1))), xs, ys);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setMarkerColor(color);
        s.setLineColor(color);
        s.setLineStyle(new BasicStroke(2.5f));
        return true;
    }

    private static XYChart base(int w, int h, String title, String x, String y) {
        XYChart c = new XYChartBuilder().width(w).height(h).title(title).xAxisTitle(x).yAxisTitle(y).build();
        XYStyler st = c.getStyler();
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setPlotGridLinesColor(new Color(0xDDDDDD));
        st.setLegendPosition(Styler.LegendPosition.InsideNE);
        st.setAntiAlias(true);
        st.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        st.setMarkerSize(8);
        st.setXAxisMin(0.0);
        return c;
    }

    private static void line(XYChart c, String name, double[] x, double[] y, Color color, float width) {
        XYSeries s = c.addSeries(name, x, y);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(color);
        s.setLineStyle(new BasicStroke(width));
    }

    /**
     * XChart puts ticks on the data's own values when they are equally spaced (steps 1, 10, 19, ...;
     * accuracies 0 and 1 only); one invisible point off that grid makes it choose round ticks.
     */
    private static void offGrid(XYChart c, double y) {
        XYSeries s = c.addSeries(" ", new double[]{0.5}, new double[]{y});
        s.setMarker(SeriesMarkers.NONE);
        s.setShowInLegend(false);
    }

    /** XChart needs a series to lay out axes; an empty history gets an invisible one. */
    private static void addHidden(XYChart c) {
        XYSeries s = c.addSeries("no data yet", new double[]{0}, new double[]{0});
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(Color.WHITE);
    }

    private static String fit(Graphics2D g, String s, int px) {
        String t = s;
        while (t.length() > 4 && g.getFontMetrics().stringWidth(t) > px) {
            t = t.substring(0, t.length() - 2);
        }
        return t.equals(s) ? s : t + "…";
    }
}
