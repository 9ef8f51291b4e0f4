package dev.hora.onnx.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A/B timings of alternative SameDiff formulations of the encoder's building blocks (LayerNorm,
 * GELU, bias add) at MiniLM shapes, forward and forward + backward, variants interleaved in one process
 * so that other load on the machine hits them alike. Also prints the max difference to the first variant.
 * <pre>
 * mvn -pl hora-import -am test-compile exec:java -Dhora.exec.skip.import=false -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.hora.onnx.bench.OpsBench [-Dbench.rows=2048]
 * </pre>
 */
public final class OpsBench {
    private OpsBench() {
    }

    public static void main(String[] args) {
        int n = Integer.getInteger("bench.rows", 2048);
        int rounds = Integer.getInteger("bench.rounds", 7);
        Nd4j.getEnvironment().allowHelpers(Boolean.parseBoolean(System.getProperty("bench.helpers", "true")));
        Nd4j.getRandom().setSeed(3);
        INDArray x384 = Nd4j.randn(DataType.FLOAT, n, 384);
        INDArray x1536 = Nd4j.randn(DataType.FLOAT, n, 1536);
        INDArray g = Nd4j.rand(DataType.FLOAT, 384).addi(0.5);
        INDArray be = Nd4j.randn(DataType.FLOAT, 384);
        INDArray w = Nd4j.randn(DataType.FLOAT, 384, 384).muli(0.05);

        Map<String, BiFunction<SameDiff, SDVariable, SDVariable>> ln = new LinkedHashMap<>();
        ln.put("LN decomposed sqrt/div", (sd, x) -> {
            SDVariable c = x.sub(sd.mean(x, true, 1));
            SDVariable v = sd.mean(sd.math.square(c), true, 1);
            return c.div(sd.math.sqrt(v.add(1e-12))).mul(sd.constant(g)).add(sd.constant(be));
        });
        ln.put("LN decomposed rsqrt/mul", (sd, x) -> {
            SDVariable c = x.sub(sd.mean(x, true, 1));
            SDVariable v = sd.mean(sd.math.square(c), true, 1);
            return c.mul(sd.math.rsqrt(v.add(1e-12))).mul(sd.constant(g)).add(sd.constant(be));
        });
        ln.put("LN fused layer_norm", (sd, x) -> sd.nn.layerNorm(x, sd.constant(g), sd.constant(be), false, 1));
        compare("LayerNorm [n, 384]", ln, x384, rounds);

        Map<String, BiFunction<SameDiff, SDVariable, SDVariable>> gelu = new LinkedHashMap<>();
        gelu.put("GELU z/2 (1 + erf(z/sqrt2))",
                (sd, z) -> z.mul(0.5).mul(sd.math.erf(z.mul(1.0 / Math.sqrt(2.0))).add(1.0)));
        gelu.put("GELU z erfc(-z/sqrt2) / 2", (sd, z) -> z.mul(sd.math.erfc(z.mul(-1.0 / Math.sqrt(2.0)))).mul(0.5));
        gelu.put("GELU tanh approx (inexact)", (sd, z) -> sd.nn.preciseGelu(z));
        compare("GELU [n, 1536]", gelu, x1536, rounds);

        Map<String, BiFunction<SameDiff, SDVariable, SDVariable>> proj = new LinkedHashMap<>();
        proj.put("x.mmul(W).add(b)", (sd, x) -> x.mmul(sd.constant(w)).add(sd.constant(be)));
        proj.put("biasAdd(x.mmul(W), b)", (sd, x) -> sd.nn.biasAdd(x.mmul(sd.constant(w)), sd.constant(be), false));
        proj.put("linear(x, W, b)", (sd, x) -> sd.nn.linear(x, sd.constant(w), sd.constant(be)));
        compare("projection [n, 384] x [384, 384] + b", proj, x384, rounds);
    }

    /** Each variant applied 4 times in a chain; forward ms and forward+backward (grad wrt x) ms, medians. */
    private static void compare(String title, Map<String, BiFunction<SameDiff, SDVariable, SDVariable>> variants,
                                INDArray input, int rounds) {
        List<SameDiff> graphs = new ArrayList<>();
        List<String> outs = new ArrayList<>();
        for (BiFunction<SameDiff, SDVariable, SDVariable> f : variants.values()) {
            SameDiff sd = SameDiff.create();
            SDVariable x = sd.var("x", input.dup());
            SDVariable y = x;
            for (int i = 0; i < 4; i++) {
                y = f.apply(sd, y);
            }
            sd.setLossVariables(sd.sum("loss", y.mul(y)));
            graphs.add(sd);
            outs.add(y.name());
        }
        int k = graphs.size();
        double[][] fwd = new double[k][rounds];
        double[][] bwd = new double[k][rounds];
        INDArray[] results = new INDArray[k];
        for (int r = -2; r < rounds; r++) {
            for (int i = 0; i < k; i++) {
                SameDiff sd = graphs.get(i);
                long t0 = System.nanoTime();
                results[i] = sd.output(Map.of(), outs.get(i)).get(outs.get(i));
                long t1 = System.nanoTime();
                sd.calculateGradients(Map.of(), "x");
                long t2 = System.nanoTime();
                if (r >= 0) {
                    fwd[i][r] = (t1 - t0) / 1e6;
                    bwd[i][r] = (t2 - t1) / 1e6;
                }
            }
        }
        System.out.printf("%s, 4 in a chain (load average %.1f):%n", title,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        int i = 0;
        for (String name : variants.keySet()) {
            System.out.printf("  %-30s forward %7.1f ms   forward+backward %7.1f ms   max |diff| %.2g%n", name,
                    median(fwd[i]), median(bwd[i]), results[i].sub(results[0]).amaxNumber().doubleValue());
            i++;
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
