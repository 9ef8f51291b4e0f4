package dev.hora.compare;

import dev.hora.io.AtomicFiles;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * {@code summary.png}: mean test accuracy against the training fraction, one line per variant,
 * 95 % t-interval bars, logarithmic x axis labelled in percent (XChart). Variants are shifted
 * slightly along x (a few percent of a decade) so their bars do not cover each other.
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
        st.setXAxisLogarithmic(true);
        st.setXAxisLogarithmicDecadeOnly(false);
        st.setxAxisTickLabelsFormattingFunction(SummaryChart::tickLabel);
        st.setErrorBarsColorSeriesColor(true);
        st.setYAxisDecimalPattern("0.00");
        st.setLegendPosition(Styler.LegendPosition.InsideSE);
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        st.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        st.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        st.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        List<String> all = s.variants();
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < all.size(); i++) {
            String v = all.get(i);
            if (s.trainable(v) < 0) {
                continue;   // no finished cell yet
            }
            double shift = Math.pow(10, 0.015 * (i - (all.size() - 1) / 2.0));   // 1.5 % of a decade per variant
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            List<Double> e = new ArrayList<>();
            for (double f : s.fractions()) {
                Interval in = s.interval(v, f, CellResult::testAccuracy);
                if (in != null) {
                    x.add(f * shift);
                    y.add(in.mean());
                    e.add(Double.isNaN(in.half()) ? 0.0 : in.half());
                    lo = Math.min(lo, in.mean() - e.get(e.size() - 1));
                    hi = Math.max(hi, in.mean() + e.get(e.size() - 1));
                }
            }
            String name = String.format(java.util.Locale.ROOT, "%s (%,d params)", v, s.trainable(v));
            XYSeries series = c.addSeries(name, x, y, e);
            series.setMarker(SeriesMarkers.CIRCLE);
            series.setLineColor(COLORS[i % COLORS.length]);
            series.setMarkerColor(COLORS[i % COLORS.length]);
        }
        if (lo <= hi) {   // y from the data with a margin (accuracies: within [0, 1])
            double pad = Math.max(0.01, 0.1 * (hi - lo));
            st.setYAxisMin(Math.max(0, lo - pad));
            st.setYAxisMax(Math.min(1, hi + pad));
            st.setXAxisMin(s.fractions().get(0) / 1.5);
            st.setXAxisMax(s.fractions().get(s.fractions().size() - 1) * 1.5);
        }
        return c;
    }

    /** Writes the chart as PNG (atomically). */
    public static void write(Path png, Summary s, String title, int width, int height) throws IOException {
        XYChart c = chart(s, title, width, height);
        byte[] bytes = BitmapEncoder.getBitmapBytes(c, BitmapEncoder.BitmapFormat.PNG);
        AtomicFiles.writeBytes(png, bytes);
    }

    /** Tick labels in percent: 0.05 -> "5 %", 1 -> "100 %"; ticks at 1-9 x 10^k, labels at 1, 2, 5 only. */
    static String tickLabel(double v) {
        double mant = v / Math.pow(10, Math.floor(Math.log10(v) + 1e-9));
        long m = Math.round(mant);
        if (Math.abs(mant - m) > 1e-6 || (m != 1 && m != 2 && m != 5)) {
            return " ";
        }
        return Summary.percent(v);
    }
}
