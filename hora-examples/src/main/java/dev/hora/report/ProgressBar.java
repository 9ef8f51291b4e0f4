package dev.hora.report;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A progress display for training and evaluation, written to a given stream (never System.out).
 *
 * <pre>
 * interactive:  epoch 1/3 [#########.........]  52% 640/1224  loss 0.4312  318.2 ex/s   (redrawn with \r)
 * otherwise:    epoch 1/3  52% 640/1224  loss 0.4312  318.2 ex/s                        (a line every N s)
 * </pre>
 * Interactive when a console is attached ({@code System.console() != null}); redraws at most
 * every 100 ms, plain lines at most every {@code lineIntervalSeconds}. The loss shown is an
 * exponential moving average (0.9) of the per-step losses.
 */
public final class ProgressBar {
    private static final int WIDTH = 24;
    private final PrintStream out;
    private final String label;
    private final long total;
    private final boolean interactive;
    private final long minIntervalNanos;
    private final LongSupplier clock;
    private final long start;
    private long lastPrint = Long.MIN_VALUE;
    private long done;
    private long examples;
    private double loss = Double.NaN;

    /** A bar for {@code total} steps; {@code clock} returns nanoseconds. */
    public ProgressBar(PrintStream out, String label, long total, boolean interactive, double lineIntervalSeconds,
                       LongSupplier clock) {
        this.out = out;
        this.label = label;
        this.total = total;
        this.interactive = interactive;
        this.minIntervalNanos = interactive ? 100_000_000L : (long) (lineIntervalSeconds * 1e9);
        this.clock = clock;
        this.start = clock.getAsLong();
    }

    /** A bar on {@code out}, interactive iff a console is attached, plain lines every 10 s otherwise. */
    public static ProgressBar forConsole(PrintStream out, String label, long total) {
        return new ProgressBar(out, label, total, System.console() != null, 10, System::nanoTime);
    }

    /** Records one finished step of {@code batchExamples} examples with its loss (NaN if none). */
    public void step(int batchExamples, double stepLoss) {
        done++;
        examples += batchExamples;
        if (!Double.isNaN(stepLoss)) {
            loss = Double.isNaN(loss) ? stepLoss : 0.9 * loss + 0.1 * stepLoss;
        }
        long now = clock.getAsLong();
        if (done == total || lastPrint == Long.MIN_VALUE || now - lastPrint >= minIntervalNanos) {
            print(now);
        }
    }

    /** Ends the display (a final newline for the interactive bar). */
    public void finish() {
        if (interactive && lastPrint != Long.MIN_VALUE) {
            out.println();
        }
        out.flush();
    }

    private double rate(long now) {
        double sec = (now - start) / 1e9;
        return sec <= 0 ? 0 : examples / sec;
    }

    private void print(long now) {
        lastPrint = now;
        double frac = total <= 0 ? 0 : Math.min(1, (double) done / total);
        String stats = String.format(Locale.ROOT, "%3d%% %d/%d%s  %.1f ex/s", Math.round(frac * 100), done, total,
                Double.isNaN(loss) ? "" : String.format(Locale.ROOT, "  loss %.4f", loss), rate(now));
        if (interactive) {
            int filled = (int) Math.round(frac * WIDTH);
            out.print("\r" + label + " [" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] " + stats);
        } else {
            out.println(label + "  " + stats);
        }
        out.flush();
    }
}
