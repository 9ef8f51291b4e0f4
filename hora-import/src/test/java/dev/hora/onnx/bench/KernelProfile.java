package dev.hora.onnx.bench;

import dev.hora.adapter.FactorGraph;
import dev.hora.adapter.FactorSource;
import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.onnx.ImportedBert;
import dev.hora.onnx.TestModels;
import dev.hora.peft.ClassifierHead;
import dev.hora.peft.PeftModel;
import dev.hora.train.Trainer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Scratch profile of a kernel-path training step on MiniLM (not a test): main-thread CPU time of
 * the step and of the adapters' factor graph, so figures hold on a loaded machine when run with
 * OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 -XX:ActiveProcessorCount=1. Args: kind batch seq.
 */
public final class KernelProfile {
    private static String rss() {
        try {
            return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("VmRSS")).findFirst().orElse("?").replaceAll("\\s+", " ");
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    public static void main(String[] args) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        ImportedBert bert = TestModels.miniLm();
        AdapterKind kind = AdapterKind.valueOf(args[0]);
        int b = Integer.parseInt(args[1]);
        int s = Integer.parseInt(args[2]);
        PeftModel m = PeftModel.builder(bert).adapter(AdapterConfig.builder().kind(kind).build()).build();
        Map<String, INDArray> feed = new HashMap<>();
        feed.put("input_ids", Nd4j.createFromArray(new long[b][s]).addi(1000));
        feed.put("attention_mask", Nd4j.ones(DataType.INT64, b, s));
        feed.put("token_type_ids", Nd4j.zeros(DataType.INT64, b, s));
        INDArray labels = Nd4j.zeros(DataType.FLOAT, b, 2);
        labels.getColumn(0).assign(1);
        feed.put(ClassifierHead.LABELS, labels);
        Trainer t = m.trainer(Trainer.builder().adam(1e-3, 0, 1000)).build();
        int steps = args.length > 4 ? Integer.parseInt(args[4]) : 15;
        for (int rep = 0; rep < steps; rep++) {
            long c0 = mx.getCurrentThreadCpuTime();
            long w0 = System.nanoTime();
            t.step(feed);
            long c1 = mx.getCurrentThreadCpuTime();
            long w1 = System.nanoTime();
            m.predictProba(feed.get("input_ids"), feed.get("attention_mask"), feed.get("token_type_ids"));
            long c2 = mx.getCurrentThreadCpuTime();
            m.objective().lossAndGradients(feed);
            long c3 = mx.getCurrentThreadCpuTime();
            System.out.printf("step cpu %.1f ms wall %.1f | forward cpu %.1f ms | loss+grads cpu %.1f ms | rss %s%n",
                    (c1 - c0) / 1e6, (w1 - w0) / 1e6, (c2 - c1) / 1e6, (c3 - c2) / 1e6, rss());
        }
        dev.hora.kernels.Timer.report();
        for (int rep = 0; rep < 10; rep++) {
            m.objective().lossAndGradients(feed);
        }
        System.out.print("per 10 steps:\n" + dev.hora.kernels.Timer.report());
        FactorGraph fg = new FactorGraph(m.adapters(), m.adapterParams(), PeftModel::varName);
        Map<FactorSource.Key, FactorSource.Values> f = fg.forward();
        fg.backward(f);
        long c0 = mx.getCurrentThreadCpuTime();
        for (int i = 0; i < 10; i++) {
            fg.forward();
        }
        long c1 = mx.getCurrentThreadCpuTime();
        for (int i = 0; i < 10; i++) {
            fg.backward(f);
        }
        long c2 = mx.getCurrentThreadCpuTime();
        System.out.printf("factor graph forward %.1f ms, backward %.1f ms (cpu)%n", (c1 - c0) / 1e7, (c2 - c1) / 1e7);
        if (args.length > 3) {
            for (int i = 0; i < Integer.parseInt(args[3]); i++) {
                fg.backward(f);
            }
        }
    }
}
