package dev.hora.compare;

import dev.hora.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * {@code summary.png}: mean test accuracy against the training fraction, one line per variant,
 * 95 % t-interval bars, logarithmic x axis (XChart). The x axis is drawn in log10 units with one
 * labelled grid line per fraction of the sweep ("5 %", "10 %", ...): XChart's own log axis labels
 * every 1-9 x 10^k (unreadable) and ignores a label formatter. Variants are shifted slightly along x
 * (1.5 % of a decade each) so their bars do not cover each other.
 */
public final class SummaryChart {
    private static final Color[] COLORS = {new Color(0x7F8C8D), new Color(0x2471A3), new Color(0xE67E22),
        new Color(0xC0392B), new Color(0x27AE60), new Color(0x8E44AD), new Color(0x16A085), new Color(0xD4AC0D)};

    private SummaryChart() {
    }

    /** Builds the chart (series for variants with at least one finished cell). */
    public static XYChart chart(Summary s, String title, int width, int height) {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        XYChart c = new XYChartBuilder().width(width).height(height).title(title)
                .xAxisTitle("training fraction (log scale)").yAxisTitle("test accuracy (mean, 95 % t interval)").build();
        XYStyler st = c.getStyler();
        st.setErrorBarsColorSeriesColor(true);
        st.setYAxisDecimalPattern("0.00");
        st.setLegendPosition(Styler.LegendPosition.OutsideS);
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        st.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        st.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        st.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        st.setXAxisTicksVisible(false);
        st.setPlotGridVerticalLinesVisible(false);
        List<String> all = s.variants();
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < all.size(); i++) {
            String v = all.get(i);
            if (s.trainable(v) < 0) {
                continue;   // no finished cell yet
            }
            double shift = 0.015 * (i - (all.size() - 1) / 2.0);
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            List<Double> e = new ArrayList<>();
            for (double f : s.fractions()) {
                Interval in = s.interval(v, f, CellResult::testAccuracy);
                if (in != null) {
                    double half = Double.isNaN(in.half()) ? 0.0 : in.half();
                    x.add(Math.log10(f) + shift);
                    y.add(in.mean());
                    e.add(half);
                    lo = Math.min(lo, in.mean() - half);
                    hi = Math.max(hi, in.mean() + half);
                }
            }
            XYSeries series = c.addSeries(String.format(Locale.ROOT, "%s (%,d params)", v, s.trainable(v)), x, y, e);
            series.setMarker(SeriesMarkers.CIRCLE);
            series.setLineColor(COLORS[i % COLORS.length]);
            series.setMarkerColor(COLORS[i % COLORS.length]);
        }
        if (lo <= hi) {
            axes(c, s.fractions(), Math.max(0, lo - Math.max(0.01, 0.1 * (hi - lo))),
                    Math.min(1, hi + Math.max(0.01, 0.1 * (hi - lo))));
        }
        return c;
    }

    /** Axis ranges, and a labelled vertical grid line at every fraction. */
    private static void axes(XYChart c, List<Double> fractions, double yMin, double yMax) {
        XYStyler st = c.getStyler();
        double xMin = Math.log10(fractions.get(0));
        double xMax = Math.log10(fractions.get(fractions.size() - 1));
        double pad = Math.max(0.15, 0.08 * (xMax - xMin));
        st.setXAxisMin(xMin - pad);
        st.setXAxisMax(xMax + pad);
        st.setYAxisMin(yMin);
        st.setYAxisMax(yMax);
        st.setAnnotationLineColor(new Color(0xC8C8C8));
        st.setAnnotationLineStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_BEVEL, 10f,
                new float[]{3f, 3f}, 0f));
        st.setAnnotationTextFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        st.setAnnotationTextFontColor(Color.DARK_GRAY);
        for (double f : fractions) {
            c.addAnnotation(new AnnotationLine(Math.log10(f), true, false));
            c.addAnnotation(new AnnotationText(Summary.percent(f), Math.log10(f), yMin + 0.03 * (yMax - yMin), false));
        }
    }

    /** Writes the chart as PNG (atomically). */
    public static void write(Path png, Summary s, String title, int width, int height) throws IOException {
        byte[] bytes = BitmapEncoder.getBitmapBytes(chart(s, title, width, height), BitmapEncoder.BitmapFormat.PNG);
        AtomicFiles.writeBytes(png, bytes);
    }
}
