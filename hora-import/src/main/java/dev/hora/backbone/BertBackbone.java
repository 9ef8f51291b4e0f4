package dev.hora.backbone;

import dev.hora.adapter.FactorSource;
import dev.hora.adapter.FactorSource.Key;
import dev.hora.config.ApplyMode;
import dev.hora.config.Target;
import dev.hora.kernels.Attention;
import dev.hora.kernels.Embedding;
import dev.hora.kernels.Gelu;
import dev.hora.kernels.LayerNorm;
import dev.hora.kernels.Linear;
import dev.hora.kernels.LowRank;
import dev.hora.kernels.StridedGemm;
import dev.hora.kernels.Timer;
import dev.hora.kernels.Workspaces;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import dev.hora.onnx.BertConfig;
import dev.hora.onnx.bert.BertWeightNames;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The BERT family's {@link Backbone}: the frozen, post-LN encoder on the kernels of
 * {@code dev.hora.kernels}, with adapters at any projection and a backward pass that computes only
 * what training needs:
 * <pre>
 *   x0 = LN(word[ids] + type[types] + pos[0..S-1])                                       [T = B S, d]
 *   layer l:  qkv = x [W_q|W_k|W_v] + b (+ adapters)    ctx = MHA(qkv, mask)             [T, 3d], [T, d]
 *             h = LN(x + ctx W_o + b_o)     x' = LN(h + GELU(h W_i + b_i) W_2 + b_2)
 *   adapter at a projection:  DENSE  y = x (W + dW) + b      FACTORISED  y = x W + b + [(x a_g) b_g]
 *   mixed batch (rows of several adapters): y = x W + b once, then y[rows_k] += (x[rows_k] a_g,k) b_g,k
 *   backward: dx through every frozen W (never dW of a frozen tensor), dF (da, db or d(dW)) at each
 *             adapter; layers below the lowest adapted layer run forward only.
 * </pre>
 * Immutable; safe for concurrent calls (arrays are allocated in the calling thread's workspaces,
 * {@code dev.hora.kernels.Workspaces}). Sites are named by BERT's Hugging Face module paths
 * ({@link BertWeightNames}).
 */
public final class BertBackbone implements Backbone {
    private final BertConfig config;
    private final DataType type;
    private final Map<String, INDArray> weights;
    private final INDArray word;
    private final INDArray tokenType;
    private final INDArray position;
    private final INDArray embGamma;
    private final INDArray embBeta;
    private final List<LayerWeights> layers = new ArrayList<>();
    private final List<Site> sites = new ArrayList<>();

    /** The encoder of {@code weights} (HF names, [in, out] dense weights), computing in {@code type}. */
    public BertBackbone(BertConfig config, Map<String, INDArray> weights, DataType type) {
        this.config = config;
        this.type = type;
        this.weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
        this.word = LayerWeights.get(weights, BertWeightNames.WORD_EMBEDDINGS, type);
        this.tokenType = LayerWeights.get(weights, BertWeightNames.TOKEN_TYPE_EMBEDDINGS, type);
        this.position = LayerWeights.get(weights, BertWeightNames.POSITION_EMBEDDINGS, type);
        this.embGamma = LayerWeights.get(weights, BertWeightNames.EMBEDDINGS_LN_WEIGHT, type);
        this.embBeta = LayerWeights.get(weights, BertWeightNames.EMBEDDINGS_LN_BIAS, type);
        for (int l = 0; l < config.numLayers(); l++) {
            layers.add(LayerWeights.of(config, weights, l, type));
        }
        sites.addAll(sitesOf(config, weights));
    }

    /** The adaptable sites of a BERT encoder's weights (nothing allocated): every projection of every layer. */
    public static List<Site> sitesOf(BertConfig config, Map<String, INDArray> weights) {
        List<Site> out = new ArrayList<>();
        for (int l = 0; l < config.numLayers(); l++) {
            for (Target t : Target.values()) {
                INDArray w = weights.get(BertWeightNames.weight(l, t));
                out.add(new Site(l, t, BertWeightNames.module(l, t), (int) w.size(0), (int) w.size(1),
                        config.numHeads()));
            }
        }
        return out;
    }

    /** The float32 backbone of an imported encoder (its arrays shared, not copied, except the fused Q|K|V). */
    public static BertBackbone of(dev.hora.onnx.ImportedBert bert) {
        return new BertBackbone(bert.config(), bert.weights(), DataType.FLOAT);
    }

    public BertConfig config() {
        return config;
    }

    @Override
    public String family() {
        return "bert";
    }

    @Override
    public int hiddenSize() {
        return config.hiddenSize();
    }

    @Override
    public int numLayers() {
        return config.numLayers();
    }

    @Override
    public int numHeads() {
        return config.numHeads();
    }

    @Override
    public DataType dataType() {
        return type;
    }

    @Override
    public List<Site> sites() {
        return Collections.unmodifiableList(sites);
    }

    /** The weights by HF name (read-only map of shared arrays). */
    public Map<String, INDArray> weights() {
        return weights;
    }

    @Override
    public BertBackbone withDeltas(Map<Key, INDArray> deltaW, double sign) {
        Map<String, INDArray> w = new LinkedHashMap<>(weights);
        deltaW.forEach((k, dw) -> {
            String n = BertWeightNames.weight(k.layer(), k.target());
            INDArray cur = w.get(n);
            if (cur == null || !java.util.Arrays.equals(cur.shape(), dw.shape())) {
                throw new IllegalArgumentException("delta for " + n + ": shape " + java.util.Arrays.toString(dw.shape())
                        + " does not match the weight " + (cur == null ? "(none)" : java.util.Arrays.toString(cur.shape())));
            }
            w.put(n, cur.castTo(DataType.DOUBLE).addi(dw.castTo(DataType.DOUBLE).mul(sign)).castTo(cur.dataType()));
        });
        return new BertBackbone(config, w, type);
    }

    /** What one layer keeps for its backward pass. */
    record Saved(INDArray x, LayerWeights w, INDArray qkvW, INDArray oW, INDArray iW, INDArray outW,
                         INDArray qkv, Attention.Saved att, LayerNorm.Saved ln1, INDArray g, INDArray dydz,
                         LayerNorm.Saved ln2, Map<Target, INDArray> xa) {
    }

    /** One forward pass: hidden [T, d] and, when training, what the backward needs. */
    public final class Pass implements Backbone.Pass {
        final int batch;
        final int seq;
        private final AdapterRows rows;
        final Map<Key, FactorSource.Values> adapters;    // the whole batch's updates; null: mixed rows
        final Map<Integer, Saved> saved = new LinkedHashMap<>();
        private final int from;
        final Dropouts dropout;
        private final boolean train;
        private INDArray hidden;

        private Pass(int batch, int seq, AdapterRows rows, int from, Dropouts dropout, boolean train) {
            this.train = train;
            this.batch = batch;
            this.seq = seq;
            this.rows = rows;
            this.adapters = rows.whole(batch);
            this.from = from;
            this.dropout = dropout;
        }

        @Override
        public INDArray hidden() {
            return hidden;
        }

        @Override
        public int batch() {
            return batch;
        }

        @Override
        public int seq() {
            return seq;
        }
    }

    /**
     * @param ids, mask, types  [B, S] (any integer type; mask 0/1)
     * @param adapters          the updates per adapted site for the whole batch (empty: the base model)
     * @param train             keep activations for {@link #backward} from the lowest adapted layer on
     */
    public Pass forward(INDArray ids, INDArray mask, INDArray types, Map<Key, FactorSource.Values> adapters,
                        boolean train) {
        return forward(ids, mask, types, AdapterRows.all(adapters), train, Dropouts.NONE);
    }

    /** Training forward with adapter dropout on the factorised paths ({@link Dropouts}). */
    public Pass forward(INDArray ids, INDArray mask, INDArray types, Map<Key, FactorSource.Values> adapters,
                        boolean train, Dropouts dropout) {
        return forward(ids, mask, types, AdapterRows.all(adapters), train, dropout);
    }

    @Override
    public Pass forward(INDArray ids, INDArray mask, INDArray types, AdapterRows rows, boolean train,
                        Dropouts dropout) {
        int b = (int) ids.size(0);
        int s = (int) ids.size(1);
        if (s > position.size(0)) {
            throw new IllegalArgumentException("sequence length " + s + " exceeds the model's " + position.size(0)
                    + " positions");
        }
        Map<Key, FactorSource.Values> whole = rows.whole(b);
        if (train && whole == null) {
            throw new IllegalArgumentException("a training pass applies one adapter to the whole batch, got "
                    + rows.segments().size() + " row segments");
        }
        int from = train ? whole.keySet().stream().mapToInt(Key::layer).min().orElse(config.numLayers())
                : config.numLayers();
        int[] posIdx = new int[b * s];
        for (int i = 0; i < posIdx.length; i++) {
            posIdx[i] = i % s;
        }
        Timer.start();
        INDArray x = Embedding.gatherSum(new INDArray[]{word, tokenType, position},
                new int[][]{ids.reshape((long) b * s).toIntVector(), types.reshape((long) b * s).toIntVector(), posIdx});
        x = LayerNorm.inferInPlace(x, embGamma, embBeta, config.layerNormEps());
        INDArray additive = mask.castTo(type).rsub(1.0).muli(config.maskValue());           // [B, S]
        Timer.lap("f.embeddings");
        Pass pass = new Pass(b, s, rows, from, train ? dropout : Dropouts.NONE, train);
        MemoryWorkspace outer = Workspaces.current();
        for (int l = 0; l < config.numLayers(); l++) {
            try (MemoryWorkspace inner = Workspaces.open(Workspaces.LAYER)) {
                x = layer(pass, l, x, additive, l >= from, outer);
            }
        }
        pass.hidden = x;
        return pass;
    }

    private INDArray layer(Pass p, int l, INDArray x, INDArray additive, boolean keep, MemoryWorkspace outer) {
        LayerWeights w = layers.get(l);
        int d = config.hiddenSize();
        Map<Target, INDArray> xa = new LinkedHashMap<>();
        INDArray qkvW = w.qkvW();
        for (Target t : new Target[]{Target.Q, Target.K, Target.V}) {
            FactorSource.Values f = p.adapters == null ? null : p.adapters.get(new Key(l, t));
            if (f != null && f.mode() == ApplyMode.DENSE) {
                if (qkvW == w.qkvW()) {
                    qkvW = w.qkvW().dup('c');
                }
                Linear.addColumns(qkvW, (long) t.ordinal() * d, f.deltaW());
            }
        }
        INDArray qkv = LayerWeights.forward(w.qkv(), x, qkvW);
        Timer.lap("f.qkv");
        for (Target t : new Target[]{Target.Q, Target.K, Target.V}) {
            addFactorised(p, l, t, x, qkv, (long) t.ordinal() * d, xa);
        }
        Attention.Saved att = Attention.forward(qkv, additive, p.batch, p.seq, config.numHeads());
        Timer.lap("f.attention");
        INDArray oW = effective(p, l, Target.O, w.oW());
        INDArray a = LayerWeights.forward(w.o(), att.context(), oW);
        addFactorised(p, l, Target.O, att.context(), a, 0, xa);
        Timer.lap("f.o");
        a.addi(x);
        LayerNorm.Saved ln1 = keep ? LayerNorm.forwardInPlace(a, w.ln1G(), w.ln1B(), config.layerNormEps()) : null;
        INDArray h = keep ? ln1.y() : LayerNorm.inferInPlace(a, w.ln1G(), w.ln1B(), config.layerNormEps());
        Timer.lap("f.ln1");
        INDArray iW = effective(p, l, Target.FFN_IN, w.iW());
        INDArray z = LayerWeights.forward(w.ffnIn(), h, iW);
        addFactorised(p, l, Target.FFN_IN, h, z, 0, xa);
        Timer.lap("f.ffn_in");
        INDArray dydz = Gelu.forwardInPlace(z, keep);                                       // z is now g
        Timer.lap("f.gelu");
        INDArray outW = effective(p, l, Target.FFN_OUT, w.outW());
        INDArray o = LayerWeights.forward(w.ffnOut(), z, outW);
        addFactorised(p, l, Target.FFN_OUT, z, o, 0, xa);
        Timer.lap("f.ffn_out");
        o.addi(h);
        if (!keep) {
            return Workspaces.keep(LayerNorm.inferInPlace(o, w.ln2G(), w.ln2B(), config.layerNormEps()), outer);
        }
        LayerNorm.Saved ln2 = LayerNorm.forwardInPlace(o, w.ln2G(), w.ln2B(), config.layerNormEps());
        Timer.lap("f.ln2");
        // keep only what the backward reads (the rest of this layer's scope is reused by the next layer)
        boolean ffnOut = has(p, l, Target.FFN_OUT);
        Map<Target, INDArray> xaKept = new LinkedHashMap<>();
        xa.forEach((t, v) -> xaKept.put(t, Workspaces.keep(v, outer)));
        INDArray y = Workspaces.keep(ln2.y(), outer);
        p.saved.put(l, new Saved(x, w, keepW(qkvW, w.qkvW(), outer), keepW(oW, w.oW(), outer),
                keepW(iW, w.iW(), outer), keepW(outW, w.outW(), outer), Workspaces.keep(qkv, outer),
                new Attention.Saved(has(p, l, Target.O) ? Workspaces.keep(att.context(), outer) : null,
                        Workspaces.keep(att.probs(), outer)),
                new LayerNorm.Saved(has(p, l, Target.FFN_IN) ? Workspaces.keep(ln1.y(), outer) : null,
                        Workspaces.keep(ln1.xhat(), outer), Workspaces.keep(ln1.rstd(), outer)),
                ffnOut ? Workspaces.keep(z, outer) : null, Workspaces.keep(dydz, outer),
                new LayerNorm.Saved(y, Workspaces.keep(ln2.xhat(), outer), Workspaces.keep(ln2.rstd(), outer)), xaKept));
        return y;
    }

    private static boolean has(Pass p, int l, Target t) {
        return p.adapters.containsKey(new Key(l, t));
    }

    /** An effective weight: the frozen one itself, or this step's W + dW moved to the pass's scope. */
    private static INDArray keepW(INDArray effective, INDArray frozen, MemoryWorkspace outer) {
        return effective == frozen ? frozen : Workspaces.keep(effective, outer);
    }

    private static INDArray effective(Pass p, int l, Target t, INDArray w) {
        FactorSource.Values f = p.adapters == null ? null : p.adapters.get(new Key(l, t));
        return f != null && f.mode() == ApplyMode.DENSE ? w.add(f.deltaW()) : w;
    }

    private static void addFactorised(Pass p, int l, Target t, INDArray x, INDArray y, long offset,
                                      Map<Target, INDArray> xa) {
        if (p.adapters == null) {
            addRows(p, new Key(l, t), x, y, offset);
            return;
        }
        FactorSource.Values f = p.adapters.get(new Key(l, t));
        if (f != null && f.mode() == ApplyMode.FACTORISED) {
            INDArray m = p.dropout.mask(x, l, t);
            xa.put(t, LowRank.forwardAdd(m == null ? x : x.mul(m), f.a(), f.b(), y, offset));
        }
    }

    /** A mixed batch: each segment's factorised update on its own rows of y. */
    private static void addRows(Pass p, Key key, INDArray x, INDArray y, long offset) {
        List<AdapterRows.Segment> segs = p.rows.segments();
        int k = 0;
        int[] from = new int[segs.size()];
        int[] to = new int[segs.size()];
        INDArray[] a = new INDArray[segs.size()];
        INDArray[] b = new INDArray[segs.size()];
        for (AdapterRows.Segment seg : segs) {
            FactorSource.Values f = seg.factors().get(key);
            if (f != null) {
                from[k] = seg.from() * p.seq;
                to[k] = Math.min(seg.to(), p.batch) * p.seq;
                a[k] = StridedGemm.contiguous(f.a());
                b[k] = StridedGemm.contiguous(f.b());
                k++;
            }
        }
        if (k > 0) {
            LowRank.forwardAddSegments(x, java.util.Arrays.copyOf(from, k), java.util.Arrays.copyOf(to, k),
                    java.util.Arrays.copyOf(a, k), java.util.Arrays.copyOf(b, k), y, offset);
        }
    }

    /**
     * Backward from dL/dhidden [T, d] (overwritten) to the gradient of every adapter's arrays
     * (same {@link FactorSource.Values} form, gradients in place of values).
     */
    @Override
    public Map<Key, FactorSource.Values> backward(Backbone.Pass pass, INDArray dHidden) {
        Pass p = (Pass) pass;
        if (p.adapters == null || !p.train) {
            throw new IllegalArgumentException("backward needs a training pass of one adapter over the whole batch");
        }
        StridedGemm.check(dHidden, "dHidden");
        Map<Key, FactorSource.Values> grads = new LinkedHashMap<>();
        INDArray dy = dHidden;
        MemoryWorkspace outer = Workspaces.current();
        for (int l = config.numLayers() - 1; l >= p.from; l--) {
            try (MemoryWorkspace inner = Workspaces.open(Workspaces.LAYER)) {
                Map<Key, FactorSource.Values> layerGrads = new LinkedHashMap<>();
                dy = Workspaces.keep(BertLayerBackward.run(p, l, dy, layerGrads, config.hiddenSize(), config.numHeads()), outer);
                layerGrads.forEach((k, g) -> grads.put(k, new FactorSource.Values(g.mode(), Workspaces.keep(g.a(), outer),
                        Workspaces.keep(g.b(), outer), Workspaces.keep(g.deltaW(), outer))));
            }
        }
        return grads;
    }
}
