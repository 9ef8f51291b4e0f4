package dev.hora.backbone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.adapter.FactorSource;
import dev.hora.adapter.FactorSource.Key;
import dev.hora.config.ApplyMode;
import dev.hora.config.Target;
import dev.hora.onnx.ImportedBert;
import dev.hora.onnx.TestModels;
import dev.hora.onnx.bert.BertEncoder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The whole kernel encoder's backward in double precision against central finite differences of
 * L = sum(hidden * R): every adapter array at every target, dense and factorised, per-head and one
 * group, with a ragged padded batch (the gradient of padded positions flows only through the mask).
 */
class BertBackboneGradientTest {
    private static final double H = 1e-6;

    @Test
    void backwardEqualsFiniteDifferences() {
        ImportedBert bert = TestModels.tiny();
        BertBackbone enc = new BertBackbone(bert.config(), bert.weights(), DataType.DOUBLE);
        Map<String, INDArray> feeds = TestModels.tinyFeeds(7, 6, 3, 5);
        int d = bert.config().hiddenSize();
        int f = bert.config().intermediateSize();
        int heads = bert.config().numHeads();
        Map<Key, FactorSource.Values> adapters = new LinkedHashMap<>();
        long seed = 1;
        for (Target t : Target.values()) {
            int in = t == Target.FFN_OUT ? f : d;
            int out = t == Target.FFN_IN ? f : d;
            // layer 1: factorised (per-head for attention targets, one group for the feed-forward), layer 0: dense
            adapters.put(new Key(0, t), new FactorSource.Values(ApplyMode.DENSE, null, null,
                    Nd4j.randn(seed++, new long[]{in, out}).castTo(DataType.DOUBLE).muli(0.05)));
            int g = t.ordinal() < 4 ? heads : 1;
            adapters.put(new Key(1, t), new FactorSource.Values(ApplyMode.FACTORISED,
                    Nd4j.randn(seed++, new long[]{g, in, 2}).castTo(DataType.DOUBLE).muli(0.3),
                    Nd4j.randn(seed++, new long[]{g, 2, out / g}).castTo(DataType.DOUBLE).muli(0.3), null));
        }
        INDArray ids = feeds.get(BertEncoder.INPUT_IDS);
        INDArray mask = feeds.get(BertEncoder.ATTENTION_MASK);
        INDArray types = feeds.get(BertEncoder.TOKEN_TYPE_IDS);
        INDArray r = Nd4j.randn(99, new long[]{ids.length(), d}).castTo(DataType.DOUBLE);
        BertBackbone.Pass pass = enc.forward(ids, mask, types, adapters, true);
        Map<Key, FactorSource.Values> grads = enc.backward(pass, r.dup());
        double inference = enc.forward(ids, mask, types, adapters, false).hidden().mul(r).sumNumber().doubleValue();
        double training = pass.hidden().mul(r).sumNumber().doubleValue();
        assertTrue(Math.abs(inference - training) <= 1e-12 * Math.abs(training),
                "the inference forward equals the training forward: " + inference + " vs " + training);
        Random pick = new Random(3);
        double worst = 0;
        String worstAt = "none";
        double smallest = Double.POSITIVE_INFINITY;
        int checked = 0;
        for (Map.Entry<Key, FactorSource.Values> e : adapters.entrySet()) {
            FactorSource.Values v = e.getValue();
            FactorSource.Values g = grads.get(e.getKey());
            INDArray[][] pairs = v.mode() == ApplyMode.DENSE ? new INDArray[][]{{v.deltaW(), g.deltaW()}}
                    : new INDArray[][]{{v.a(), g.a()}, {v.b(), g.b()}};
            for (INDArray[] pr : pairs) {
                INDArray flat = pr[0].reshape(pr[0].length());
                INDArray gFlat = pr[1].reshape(pr[1].length());
                for (int trial = 0; trial < 3; trial++) {
                    long i = pick.nextInt((int) flat.length());
                    double x0 = flat.getDouble(i);
                    flat.putScalar(i, x0 + H);
                    double lp = loss(enc, ids, mask, types, adapters, r);
                    flat.putScalar(i, x0 - H);
                    double lm = loss(enc, ids, mask, types, adapters, r);
                    flat.putScalar(i, x0);
                    double fd = (lp - lm) / (2 * H);
                    double an = gFlat.getDouble(i);
                    double err = Math.abs(fd - an) / Math.max(Math.abs(fd) + Math.abs(an), 1e-8);
                    if (err > worst) {
                        worst = err;
                        worstAt = e.getKey() + " element " + i + ": analytic " + an + " vs numeric " + fd;
                    }
                    smallest = Math.min(smallest, Math.abs(fd));
                    checked++;
                }
            }
        }
        // 6 targets x (one dense dW in layer 0 + A and B in layer 1) x 3 sampled entries
        assertEquals(Target.values().length * 3 * 3, checked);
        // the relative error means something only where the gradient does not vanish (smallest seen: ~0.014)
        assertTrue(smallest > 1e-3, "a sampled gradient vanishes (" + smallest + "): the check would pass on zeros");
        // central differences with h = 1e-6 in double: the worst seen is ~3e-7
        assertTrue(worst < 1e-6, "worst relative error " + worst + " at " + worstAt);
    }

    @Test
    void dropoutBackwardEqualsFiniteDifferencesWithTheSameMasks() {
        ImportedBert bert = TestModels.tiny();
        BertBackbone enc = new BertBackbone(bert.config(), bert.weights(), DataType.DOUBLE);
        Map<String, INDArray> feeds = TestModels.tinyFeeds(8, 5, 3);
        int d = bert.config().hiddenSize();
        Map<Key, FactorSource.Values> adapters = new LinkedHashMap<>();
        for (Target t : new Target[]{Target.Q, Target.V, Target.FFN_IN}) {
            int out = t == Target.FFN_IN ? bert.config().intermediateSize() : d;
            adapters.put(new Key(1, t), new FactorSource.Values(ApplyMode.FACTORISED,
                    Nd4j.randn(20 + t.ordinal(), new long[]{1, d, 2}).castTo(DataType.DOUBLE).muli(0.3),
                    Nd4j.randn(30 + t.ordinal(), new long[]{1, 2, out}).castTo(DataType.DOUBLE).muli(0.3), null));
        }
        adapters.put(new Key(0, Target.K), new FactorSource.Values(ApplyMode.FACTORISED,   // its gradient flows
                Nd4j.randn(40, new long[]{1, d, 2}).castTo(DataType.DOUBLE).muli(0.3),          // through layer 1's
                Nd4j.randn(41, new long[]{1, 2, d}).castTo(DataType.DOUBLE).muli(0.3), null)); // dropped paths
        INDArray ids = feeds.get(BertEncoder.INPUT_IDS);
        INDArray mask = feeds.get(BertEncoder.ATTENTION_MASK);
        INDArray types = feeds.get(BertEncoder.TOKEN_TYPE_IDS);
        INDArray r = Nd4j.randn(98, new long[]{ids.length(), d}).castTo(DataType.DOUBLE);
        Dropouts drop = new Dropouts(0.4, 7, 3);
        BertBackbone.Pass pass = enc.forward(ids, mask, types, adapters, true, drop);
        Map<Key, FactorSource.Values> grads = enc.backward(pass, r.dup());
        double plain = enc.forward(ids, mask, types, adapters, true).hidden().mul(r).sumNumber().doubleValue();
        double dropped = pass.hidden().mul(r).sumNumber().doubleValue();
        assertTrue(Math.abs(plain - dropped) > 1e-6, "dropout changes the training forward");
        double again = enc.forward(ids, mask, types, adapters, true, drop).hidden().mul(r).sumNumber().doubleValue();
        assertTrue(again == dropped, "same (seed, step): same masks");
        double other = enc.forward(ids, mask, types, adapters, true, new Dropouts(0.4, 7, 4)).hidden().mul(r)
                .sumNumber().doubleValue();
        assertTrue(other != dropped, "another step: other masks");
        for (Map.Entry<Key, FactorSource.Values> e : adapters.entrySet()) {
            INDArray a = e.getValue().a();
            INDArray flat = a.reshape(a.length());
            INDArray g = grads.get(e.getKey()).a().reshape(a.length());
            for (long i = 0; i < 4; i++) {
                double x0 = flat.getDouble(i * 7);
                flat.putScalar(i * 7, x0 + H);
                double lp = enc.forward(ids, mask, types, adapters, true, drop).hidden().mul(r).sumNumber().doubleValue();
                flat.putScalar(i * 7, x0 - H);
                double lm = enc.forward(ids, mask, types, adapters, true, drop).hidden().mul(r).sumNumber().doubleValue();
                flat.putScalar(i * 7, x0);
                double fd = (lp - lm) / (2 * H);
                double an = g.getDouble(i * 7);
                assertTrue(Math.abs(fd - an) / Math.max(Math.abs(fd) + Math.abs(an), 1e-8) < 1e-6,
                        e.getKey() + ": analytic " + an + " vs numeric " + fd);
            }
        }
    }

    /**
     * The training forward's loss (the function the backward differentiates). The inference forward computes the same
     * values in another order (each group's x a_g apart), equal to ~1e-15 here, but central differences with h = 1e-6
     * magnify that rounding by 5e5.
     */
    private static double loss(BertBackbone enc, INDArray ids, INDArray mask, INDArray types,
                               Map<Key, FactorSource.Values> adapters, INDArray r) {
        return enc.forward(ids, mask, types, adapters, true).hidden().mul(r).sumNumber().doubleValue();
    }
}
