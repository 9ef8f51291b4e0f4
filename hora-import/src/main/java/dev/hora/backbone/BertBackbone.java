package dev.hora.backbone;

import dev.hora.adapter.FactorSource;
import dev.hora.adapter.FactorSource.Key;
import dev.hora.config.Target;
import dev.hora.kernels.Attention;
import dev.hora.kernels.Embedding;
import dev.hora.kernels.LayerNorm;
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
        final AdapterRows rows;
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
                new int[][]{StridedGemm.wholeBuffer(ids).data().asInt(), StridedGemm.wholeBuffer(types).data().asInt(), posIdx});
        x = LayerNorm.inferInPlace(x, embGamma, embBeta, config.layerNormEps());
        INDArray additive = additiveMask(mask, type, config.maskValue());                     // [B, S]
        Timer.lap("f.embeddings");
        Pass pass = new Pass(b, s, rows, from, train ? dropout : Dropouts.NONE, train);
        MemoryWorkspace outer = Workspaces.current();
        for (int l = 0; l < config.numLayers(); l++) {
            try (MemoryWorkspace inner = Workspaces.open(Workspaces.LAYER)) {
                x = BertLayerForward.run(pass, l, layers.get(l), config, x, additive, l >= from, outer);
            }
        }
        pass.hidden = x;
        return pass;
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

    /**
     * (1 - mask) * maskValue [B, S] in {@code type}, computed in Java: ND4J's cast, reverse subtraction and scaling
     * had made ~6 tracked buffers and 3 native ops per pass (a one-request forward made 51 buffers in all).
     */
    private static INDArray additiveMask(INDArray mask, DataType type, double maskValue) {
        double[] m = StridedGemm.wholeBuffer(mask).data().asDouble();
        for (int i = 0; i < m.length; i++) {
            m[i] = (1.0 - m[i]) * maskValue;
        }
        return Nd4j.create(m, mask.shape(), type);
    }
}
