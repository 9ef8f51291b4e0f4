package dev.hora.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
    @Test
    void plainLinesArePeriodicAndShowLossAndRate() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        AtomicLong now = new AtomicLong(0);
        ProgressBar bar = new ProgressBar(new PrintStream(buf, true, StandardCharsets.UTF_8), "epoch 1/2", 10,
                false, 10, now::get);
        for (int i = 0; i < 10; i++) {
            now.addAndGet(2_000_000_000L); // 2 s per step of 32 examples
            bar.step(32, 1.0);
        }
        bar.finish();
        String[] lines = buf.toString(StandardCharsets.UTF_8).split("\n");
        // first step, then every >= 10 s (steps 6), and the last step
        assertEquals(3, lines.length, String.join("|", lines));
        assertEquals("epoch 1/2   10% 1/10  loss 1.0000  16.0 ex/s", lines[0]);
        assertEquals("epoch 1/2   60% 6/10  loss 1.0000  16.0 ex/s", lines[1]);
        assertEquals("epoch 1/2  100% 10/10  loss 1.0000  16.0 ex/s", lines[2]);
        assertTrue(!buf.toString(StandardCharsets.UTF_8).contains("\r"));
    }

    @Test
    void interactiveBarRedrawsInPlaceWithAMovingAverage() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        AtomicLong now = new AtomicLong(0);
        ProgressBar bar = new ProgressBar(new PrintStream(buf, true, StandardCharsets.UTF_8), "train", 4,
                true, 10, now::get);
        double[] losses = {1.0, 0.0, 0.0, 0.0};
        for (double l : losses) {
            now.addAndGet(200_000_000L);
            bar.step(8, l);
        }
        bar.finish();
        String s = buf.toString(StandardCharsets.UTF_8);
        assertEquals(4, s.chars().filter(c -> c == '\r').count());
        assertTrue(s.endsWith("\rtrain [########################] 100% 4/4  loss 0.7290  40.0 ex/s\n"), s);
        assertTrue(s.contains("\rtrain [######..................]  25% 1/4  loss 1.0000"), s);
    }
}
