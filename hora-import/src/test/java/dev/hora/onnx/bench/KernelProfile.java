package dev.hora.onnx.bench;

import dev.hora.kernels.Workspaces;
import dev.hora.onnx.ImportedBert;
import dev.hora.onnx.TestModels;
import dev.hora.peft.kernel.KernelEncoder;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Scratch profile of the kernel encoder (not a test): forward time and workspace size. */
public final class KernelProfile {
    public static void main(String[] args) {
        ImportedBert bert = TestModels.miniLm();
        KernelEncoder enc = new KernelEncoder(bert.config(), bert.weights(), DataType.FLOAT);
        int b = Integer.parseInt(args[0]);
        int s = Integer.parseInt(args[1]);
        INDArray ids = Nd4j.createFromArray(new long[b][s]).addi(1000);
        INDArray mask = Nd4j.ones(DataType.INT64, b, s);
        INDArray types = Nd4j.zeros(DataType.INT64, b, s);
        for (int rep = 0; rep < 4; rep++) {
            long t0 = System.nanoTime();
            try (MemoryWorkspace ws = Workspaces.open(Workspaces.INFER)) {
                INDArray x = Nd4j.pullRows(bert.weights().get("embeddings.word_embeddings.weight"), 1,
                        ids.reshape((long) b * s).toIntVector());
                long t1 = System.nanoTime();
                System.out.printf("pullRows %.1f ms ws %d%n", (t1 - t0) / 1e6, ws.getCurrentSize());
                KernelEncoder.Pass p = enc.forward(ids, mask, types, Map.of(), false);
                long t2 = System.nanoTime();
                System.out.printf("forward %.1f ms ws %d%n", (t2 - t1) / 1e6, ws.getCurrentSize());
            }
        }
    }
}
