package dev.hora.finetune;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * SameDiff 1.0.0-M2.1 prints one "Added differentiated op ..." line per op to System.out when it
 * builds a gradient graph. This runs such a call with those lines dropped (everything else passes),
 * so the command's standard output stays what it means to print.
 */
final class QuietStdout {
    private QuietStdout() {
    }

    static synchronized void run(Runnable r) {
        PrintStream original = System.out;
        System.setOut(new PrintStream(new LineFilter(original), true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.out.flush();
            System.setOut(original);
        }
    }

    /** Passes lines through unless they start with SameDiff's gradient-building message. */
    private static final class LineFilter extends OutputStream {
        private final PrintStream target;
        private final StringBuilder line = new StringBuilder();

        LineFilter(PrintStream target) {
            this.target = target;
        }

        @Override
        public void write(int b) {
            line.append((char) b);
            if (b == '\n') {
                String s = line.toString();
                if (!s.startsWith("Added differentiated op")) {
                    target.print(s);
                }
                line.setLength(0);
            }
        }

        @Override
        public void flush() {
            if (line.length() > 0 && !line.toString().startsWith("Added differentiated op")) {
                target.print(line);
                line.setLength(0);
            }
            target.flush();
        }
    }
}
