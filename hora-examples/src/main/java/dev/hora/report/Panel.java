package dev.hora.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.AffineTransform;
import java.util.List;
import java.util.Locale;

/** One chart panel: frame, axes with ticks, axis labels, title and line series (x = 1-based index). */
final class Panel {
    private static final int LEFT = 58;
    private static final int RIGHT = 14;
    private static final int TOP = 24;
    private static final int BOTTOM = 40;
    private final Graphics2D g;
    private final int x0;
    private final int y0;
    private final int w;
    private final int h;

    Panel(Graphics2D g, int x, int y, int width, int height) {
        this.g = g;
        this.x0 = x;
        this.y0 = y;
        this.w = width;
        this.h = height;
    }

    void draw(String title, String xLabel, String yLabel, List<List<Double>> series, List<Color> colors,
              int xStart, boolean markers) {
        int px = x0 + LEFT;
        int py = y0 + TOP;
        int pw = w - LEFT - RIGHT;
        int ph = h - TOP - BOTTOM;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        int n = 0;
        for (List<Double> s : series) {
            n = Math.max(n, s.size());
            for (double v : s) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (!(lo <= hi)) {
            lo = 0;
            hi = 1;
        }
        if (hi - lo < 1e-9) {
            lo -= 0.5;
            hi += 0.5;
        }
        double pad = (hi - lo) * 0.05;
        lo -= pad;
        hi += pad;
        int xMax = Math.max(xStart + 1, xStart + n - 1);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
        g.setColor(Color.BLACK);
        g.drawString(title, px, y0 + 15);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        FontMetrics fm = g.getFontMetrics();
        for (int i = 0; i <= 4; i++) {
            double v = lo + (hi - lo) * i / 4;
            int yy = py + ph - (int) Math.round(ph * (double) i / 4);
            g.setColor(new Color(0xE5E5E5));
            g.drawLine(px, yy, px + pw, yy);
            g.setColor(Color.BLACK);
            String s = String.format(Locale.ROOT, Math.abs(hi - lo) < 0.1 ? "%.4f" : "%.3f", v);
            g.drawString(s, px - 6 - fm.stringWidth(s), yy + fm.getAscent() / 2 - 1);
            int xv = (int) Math.round(xStart + (xMax - xStart) * (double) i / 4);
            int xx = px + (int) Math.round(pw * (double) (xv - xStart) / (xMax - xStart));
            g.drawLine(xx, py + ph, xx, py + ph + 4);
            String xs = Integer.toString(xv);
            g.drawString(xs, xx - fm.stringWidth(xs) / 2, py + ph + 6 + fm.getAscent());
        }
        g.drawRect(px, py, pw, ph);
        g.drawString(xLabel, px + pw / 2 - fm.stringWidth(xLabel) / 2, py + ph + 32);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2, x0 + 14, py + ph / 2.0);
        g.drawString(yLabel, x0 + 14 - fm.stringWidth(yLabel) / 2, py + ph / 2 + 4);
        g.setTransform(saved);
        for (int s = 0; s < series.size(); s++) {
            g.setColor(colors.get(s));
            g.setStroke(TrainingChart.stroke(1.6f));
            int prevX = -1;
            int prevY = -1;
            List<Double> ys = series.get(s);
            for (int i = 0; i < ys.size(); i++) {
                double v = ys.get(i);
                if (!Double.isFinite(v)) {
                    prevX = -1;
                    continue;
                }
                int xx = px + (int) Math.round(pw * (double) i / (xMax - xStart));
                int yy = py + ph - (int) Math.round(ph * (v - lo) / (hi - lo));
                if (prevX >= 0) {
                    g.drawLine(prevX, prevY, xx, yy);
                }
                if (markers) {
                    g.fillOval(xx - 3, yy - 3, 7, 7);
                }
                prevX = xx;
                prevY = yy;
            }
        }
        g.setStroke(TrainingChart.stroke(1f));
    }
}
