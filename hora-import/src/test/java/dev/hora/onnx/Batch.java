package dev.hora.onnx;

import dev.hora.onnx.bert.BertEncoder;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A padded batch of token ids [b, s], its attention mask and token types. */
record Batch(long[][] ids, long[][] mask, long[][] types) {

    /** Right-pads sequences of different lengths with id 0 and mask 0. */
    static Batch padded(List<long[]> sequences) {
        int s = sequences.stream().mapToInt(a -> a.length).max().orElse(0);
        int b = sequences.size();
        long[][] ids = new long[b][s];
        long[][] mask = new long[b][s];
        long[][] types = new long[b][s];
        for (int i = 0; i < b; i++) {
            long[] seq = sequences.get(i);
            System.arraycopy(seq, 0, ids[i], 0, seq.length);
            for (int t = 0; t < seq.length; t++) {
                mask[i][t] = 1;
            }
        }
        return new Batch(ids, mask, types);
    }

    /** Random ids in [1, vocab), lengths from {@code lengths}, random token types in [0, typeVocab) on the second half. */
    static Batch random(long seed, int vocab, int typeVocab, int... lengths) {
        Random r = new Random(seed);
        List<long[]> seqs = new java.util.ArrayList<>();
        for (int len : lengths) {
            long[] a = new long[len];
            for (int t = 0; t < len; t++) {
                a[t] = 1 + r.nextInt(vocab - 1);
            }
            seqs.add(a);
        }
        Batch p = padded(seqs);
        for (int i = 0; i < lengths.length; i++) {
            for (int t = lengths[i] / 2; t < lengths[i]; t++) {
                p.types()[i][t] = r.nextInt(typeVocab);
            }
        }
        return p;
    }

    Map<String, INDArray> feeds() {
        return Map.of(BertEncoder.INPUT_IDS, Nd4j.createFromArray(ids),
                BertEncoder.ATTENTION_MASK, Nd4j.createFromArray(mask),
                BertEncoder.TOKEN_TYPE_IDS, Nd4j.createFromArray(types));
    }

    /** max |a - b| over unmasked positions of [b, s, d] tensors. */
    double maxAbsDiffUnmasked(INDArray a, INDArray b) {
        double max = 0;
        for (int i = 0; i < mask.length; i++) {
            for (int t = 0; t < mask[i].length; t++) {
                for (long j = 0; mask[i][t] == 1 && j < a.size(2); j++) {
                    max = Math.max(max, Math.abs(a.getDouble(i, t, j) - b.getDouble(i, t, j)));
                }
            }
        }
        return max;
    }

    /** Mean over unmasked tokens of [b, s, d] -> [b, d], in double. */
    INDArray meanPool(INDArray h) {
        int b = mask.length;
        long d = h.size(2);
        double[][] out = new double[b][(int) d];
        for (int i = 0; i < b; i++) {
            int n = 0;
            for (int t = 0; t < mask[i].length; t++) {
                if (mask[i][t] == 1) {
                    n++;
                    for (int j = 0; j < d; j++) {
                        out[i][j] += h.getDouble(i, t, j);
                    }
                }
            }
            for (int j = 0; j < d; j++) {
                out[i][j] /= Math.max(n, 1e-9);
            }
        }
        return Nd4j.createFromArray(out).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
    }
}
