package dev.hora.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.TensorProto;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.protobuf.ByteString;

/**
 * Seeded mutants of the tiny BERT export. Tensor mutants (dims, data types, value counts, raw
 * bytes, duplicates, renames, removals, non-finite values) must give an {@link OnnxImportException}
 * or exactly the original config and weights. Byte mutants of the whole file (bit flips,
 * truncation) may also import other values (ONNX carries no checksum), but only the project's own
 * exception may escape. Mutants per test: {@code -Dhora.mutants} (default 300).
 * Operator mutants inside the encoder layers (another supported operator type) must be rejected
 * ({@link GraphStructure}). Not covered: rewired node inputs and operator edits outside the
 * layers (embeddings, mask), which the structure check does not yet compare.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class OnnxMutationTest {
    private static ModelProto tiny;
    private static ImportedBert want;

    @BeforeAll
    static void build() {
        tiny = new TinyBertOnnx().build();
        want = BertOnnx.fromBytes("tiny.onnx", tiny.toByteArray());
    }

    private static int mutants() {
        return Integer.getInteger("hora.mutants", 300);
    }

    private static boolean same(ImportedBert a, ImportedBert b) {
        if (!a.config().equals(b.config()) || !a.weights().keySet().equals(b.weights().keySet())) {
            return false;
        }
        for (Map.Entry<String, INDArray> e : a.weights().entrySet()) {
            INDArray y = b.weights().get(e.getKey());
            if (!Arrays.equals(e.getValue().shape(), y.shape())
                    || !Arrays.equals(e.getValue().dup().data().asFloat(), y.dup().data().asFloat())) {
                return false;
            }
        }
        return true;
    }

    /** 0 rejected, 1 identical, 2 other content. */
    private static int outcome(byte[] model) {
        try {
            return same(want, BertOnnx.fromBytes("m.onnx", model)) ? 1 : 2;
        } catch (OnnxImportException e) {
            return 0;
        }
    }

    private static TensorProto.Builder mutate(TensorProto t, GraphProto.Builder g, Random r) {
        TensorProto.Builder b = t.toBuilder();
        long[] odd = {-1, 0, 1, 2, 31, 33, 1L << 31, 1L << 40, -(1L << 40)};
        switch (r.nextInt(8)) {
            case 0 -> {
                if (b.getDimsCount() > 0) {
                    b.setDims(r.nextInt(b.getDimsCount()), odd[r.nextInt(odd.length)]);
                } else {
                    b.addDims(odd[r.nextInt(odd.length)]);
                }
            }
            case 1 -> b.addDims(odd[r.nextInt(odd.length)]);
            case 2 -> {
                int[] types = {1, 2, 3, 5, 6, 7, 8, 10, 11, 16};   // FLOAT UINT8 INT8 INT16 INT32 INT64 STRING FLOAT16 DOUBLE BF16
                b.setDataType(types[r.nextInt(types.length)]);
            }
            case 3 -> {
                if (b.getFloatDataCount() > 0) {
                    b.addFloatData(1f);
                } else {
                    b.addInt64Data(1);
                }
            }
            case 4 -> b.setRawData(ByteString.copyFrom(new byte[r.nextInt(64)]));
            case 5 -> {
                if (b.getFloatDataCount() > 0) {
                    b.setFloatData(r.nextInt(b.getFloatDataCount()),
                            new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}[r.nextInt(3)]);
                } else {
                    b.clearInt64Data();
                }
            }
            case 6 -> b.setName(g.getInitializer(r.nextInt(g.getInitializerCount())).getName());
            default -> b.clearDims();
        }
        return b;
    }

    @Test
    void tensorMutantsAreRejectedOrIdentical() {
        Random r = new Random(21);
        int[] counts = new int[2];
        int n = mutants();
        for (int i = 0; i < n; i++) {
            GraphProto.Builder g = tiny.getGraph().toBuilder();
            int at = r.nextInt(g.getInitializerCount());
            String kind;
            switch (r.nextInt(10)) {
                case 0 -> {
                    g.addInitializer(g.getInitializer(at));
                    kind = "duplicate";
                }
                case 1 -> {
                    g.removeInitializer(at);
                    kind = "removal";
                }
                default -> {
                    g.setInitializer(at, mutate(g.getInitializer(at), g, r));
                    kind = "tensor edit";
                }
            }
            int o = outcome(tiny.toBuilder().setGraph(g).build().toByteArray());
            if (o == 2) {
                fail(kind + " of " + tiny.getGraph().getInitializer(at).getName() + " imported as other content");
            }
            counts[o]++;
        }
        System.out.printf("ONNX tensor mutants: %d, rejected %d, identical %d%n", n, counts[0], counts[1]);
        assertEquals(n, counts[0] + counts[1]);
    }

    @Test
    void byteMutantsGiveOnlyTheProjectsOwnErrors() {
        byte[] orig = tiny.toByteArray();
        Random r = new Random(22);
        int[] counts = new int[3];
        int n = mutants();
        for (int i = 0; i < n; i++) {
            byte[] m;
            if (r.nextInt(4) == 0) {
                m = Arrays.copyOf(orig, r.nextInt(orig.length));
            } else {
                m = orig.clone();
                for (int k = 1 + r.nextInt(3); k > 0; k--) {
                    m[r.nextInt(m.length)] ^= (byte) (1 << r.nextInt(8));
                }
            }
            try {
                counts[outcome(m)]++;
            } catch (RuntimeException | Error e) {
                fail("byte mutant " + i + " escaped as " + e, e);
            }
        }
        System.out.printf("ONNX byte mutants: %d, rejected %d, identical %d, other values (no checksum in ONNX) %d%n",
                n, counts[0], counts[1], counts[2]);
    }

    @Test
    void layerOperatorMutantsAreRejected() {
        String[] ops = {"Add", "Sub", "Mul", "Div", "MatMul", "Softmax", "Erf", "Sqrt", "Pow", "Identity", "Reshape"};
        Random r = new Random(23);
        int n = mutants() / 3;
        int rejected = 0;
        for (int i = 0; i < n; i++) {
            GraphProto.Builder g = tiny.getGraph().toBuilder();
            int at;
            do {
                at = r.nextInt(g.getNodeCount());
            } while (!g.getNode(at).getName().startsWith("/encoder/layer."));
            String op = ops[r.nextInt(ops.length)];
            if (op.equals(g.getNode(at).getOpType())) {
                op = "Neg".equals(op) ? "Abs" : "Neg";
            }
            g.setNode(at, g.getNode(at).toBuilder().setOpType(op));
            int o;
            try {
                o = outcome(tiny.toBuilder().setGraph(g).build().toByteArray());
            } catch (RuntimeException e) {
                fail("operator mutant escaped as " + e, e);
                return;
            }
            if (o != 0) {
                fail(g.getNode(at).getName() + " as " + op + " imported");
            }
            rejected++;
        }
        System.out.printf("ONNX layer operator mutants: %d, rejected %d%n", n, rejected);
        assertEquals(n, rejected);
    }
}
