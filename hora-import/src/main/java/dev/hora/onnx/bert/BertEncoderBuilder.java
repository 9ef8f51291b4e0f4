package dev.hora.onnx.bert;

import dev.hora.backbone.Site;
import dev.hora.config.Target;
import dev.hora.onnx.BertConfig;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Builds a BERT encoder into a {@link SameDiff} graph from a config and HF-named weights.
 *
 * <pre>
 *   e  = LN(word[input_ids] + type[token_type_ids] + pos[0..s-1])            [b*s, d]
 *   per layer l (x [b*s, d], rows are tokens):
 *     Q, K, V = hook(x W_q + b_q), ...                                        [b*s, d]
 *     A  = softmax(Q_h K_h^T / sqrt(d_h) + (1 - mask) * maskValue) V_h        [b, H, s, d_h]
 *     h  = LN(x + hook(A W_o + b_o))
 *     x' = LN(h + hook(GELU(hook(h W_i + b_i)) W_2 + b_2)),  GELU(z) = z/2 (1 + erf(z / sqrt 2))
 *   last_hidden_state = reshape(x_L)                                          [b, s, d]
 *   pooled = MEAN or CLS of last_hidden_state                                 [b, d]
 * </pre>
 *
 * Embedding tables are always constants (SameDiff 1.0.0-M2.1 cannot backprop through a gather
 * into a trainable table). Dense weights, biases and LayerNorm parameters are constants by default
 * (frozen); {@link #trainable(boolean)} makes them variables (copies). Projections are computed on
 * rank-2 [b*s, d_in] inputs because SameDiff's mmul does not broadcast rank-3 x rank-2.
 */
public final class BertEncoderBuilder {
    private final BertConfig config;
    private final Map<String, INDArray> weights;
    private Pooling pooling = Pooling.NONE;
    private ProjectionHook hook = ProjectionHook.DEFAULT;
    private boolean trainable;

    private BertEncoderBuilder(BertConfig config, Map<String, INDArray> weights) {
        this.config = config;
        this.weights = weights;
    }

    /**
     * @throws IllegalArgumentException if a tensor of {@link BertWeightNames#expected} is missing or misshapen
     */
    public static BertEncoderBuilder of(BertConfig config, Map<String, INDArray> weights) {
        Objects.requireNonNull(config, "config");
        for (Map.Entry<String, long[]> e : BertWeightNames.expected(config).entrySet()) {
            INDArray a = weights.get(e.getKey());
            if (a == null || !Arrays.equals(a.shape(), e.getValue())) {
                throw new IllegalArgumentException("tensor " + e.getKey() + (a == null ? " is missing"
                        : " has shape " + Arrays.toString(a.shape())) + ", expected " + Arrays.toString(e.getValue()));
            }
        }
        return new BertEncoderBuilder(config, weights);
    }

    /** Pooled output {@code pooled} [b, d]; default {@link Pooling#NONE}. */
    public BertEncoderBuilder pooling(Pooling pooling) {
        this.pooling = Objects.requireNonNull(pooling, "pooling");
        return this;
    }

    /** The hook computing every projection; default {@link ProjectionHook#DEFAULT} (x W + b). */
    public BertEncoderBuilder hook(ProjectionHook hook) {
        this.hook = Objects.requireNonNull(hook, "hook");
        return this;
    }

    /** true: dense weights, biases and LayerNorm parameters become SameDiff variables; default false (constants). */
    public BertEncoderBuilder trainable(boolean trainable) {
        this.trainable = trainable;
        return this;
    }

    /** Adds placeholders, weights and ops to {@code sd}; names as in {@link BertEncoder}. */
    public BertEncoder build(SameDiff sd) {
        int d = config.hiddenSize();
        SDVariable ids = sd.placeHolder(BertEncoder.INPUT_IDS, DataType.INT64, -1, -1);
        SDVariable mask = sd.placeHolder(BertEncoder.ATTENTION_MASK, DataType.INT64, -1, -1);
        SDVariable types = sd.placeHolder(BertEncoder.TOKEN_TYPE_IDS, DataType.INT64, -1, -1);
        SDVariable batchSeq = sd.shape(ids);                                      // [2]: b, s
        SDVariable positions = sd.range(sd.constant(0L), sd.sizeAt(ids, 1), sd.constant(1L), DataType.INT64);

        SDVariable word = sd.gather(constant(sd, BertWeightNames.WORD_EMBEDDINGS), ids, 0);        // [b, s, d]
        SDVariable type = sd.gather(constant(sd, BertWeightNames.TOKEN_TYPE_EMBEDDINGS), types, 0); // [b, s, d]
        SDVariable pos = sd.gather(constant(sd, BertWeightNames.POSITION_EMBEDDINGS), positions, 0); // [s, d]
        SDVariable x = sd.reshape(word.add(type).add(pos), -1, d);                 // [b*s, d]
        x = layerNorm(sd, x, "embeddings.LayerNorm");

        SDVariable maskF = mask.castTo(DataType.FLOAT);                             // [b, s]
        SDVariable additive = sd.expandDims(sd.expandDims(maskF.rsub(1.0).mul((double) config.maskValue()), 1), 1);
        Attention attention = new Attention(sd, config, batchSeq, additive);       // additive: [b, 1, 1, s]
        for (int l = 0; l < config.numLayers(); l++) {
            x = layer(sd, l, x, attention);
        }
        SDVariable shape3 = sd.concat(0, batchSeq, sd.constant(Nd4j.createFromArray((long) d)));
        SDVariable hidden = sd.reshape(BertEncoder.LAST_HIDDEN_STATE, x, shape3);   // [b, s, d]
        return new BertEncoder(sd, config, ids, mask, types, hidden, pool(sd, hidden, maskF));
    }

    private SDVariable layer(SameDiff sd, int l, SDVariable x, Attention attention) {
        SDVariable q = project(sd, l, Target.Q, x);
        SDVariable k = project(sd, l, Target.K, x);
        SDVariable v = project(sd, l, Target.V, x);
        SDVariable ctx = attention.apply(q, k, v);                                  // [b*s, d]
        SDVariable h = layerNorm(sd, project(sd, l, Target.O, ctx).add(x),
                BertWeightNames.layer(l, BertWeightNames.ATTENTION_LN));
        SDVariable f = gelu(sd, project(sd, l, Target.FFN_IN, h));        // [b*s, d_ff]
        return layerNorm(sd, project(sd, l, Target.FFN_OUT, f).add(h),
                BertWeightNames.layer(l, BertWeightNames.OUTPUT_LN));
    }

    private SDVariable project(SameDiff sd, int layer, Target target, SDVariable x) {
        INDArray w = weights.get(BertWeightNames.weight(layer, target));
        Site site = new Site(layer, target, BertWeightNames.module(layer, target), (int) w.size(0),
                (int) w.size(1), config.numHeads());
        SDVariable y = hook.project(sd, site, x, param(sd, site.weightName()), param(sd, BertWeightNames.bias(layer, target)));
        return Objects.requireNonNull(y, "ProjectionHook returned null at " + site);
    }

    /** (x - mean) / sqrt(var + eps) * gamma + beta over the last axis of x [n, d]; see {@link LayerNorms}. */
    private SDVariable layerNorm(SameDiff sd, SDVariable x, String module) {
        return LayerNorms.apply(sd, x, param(sd, module + ".weight"), param(sd, module + ".bias"),
                config.layerNormEps());
    }

    private static SDVariable gelu(SameDiff sd, SDVariable z) {
        return z.mul(0.5).mul(sd.math.erf(z.mul(1.0 / Math.sqrt(2.0))).add(1.0));
    }

    private SDVariable pool(SameDiff sd, SDVariable hidden, SDVariable maskF) {
        switch (pooling) {
            case MEAN: {
                SDVariable sum = sd.sum(hidden.mul(sd.expandDims(maskF, 2)), 1);   // [b, d]
                SDVariable count = sd.max(sd.sum(maskF, true, 1), sd.constant(1e-9f)); // [b, 1]
                return sum.div(BertEncoder.POOLED, count);
            }
            case CLS:
                return hidden.get(SDIndex.all(), SDIndex.point(0), SDIndex.all()).rename(BertEncoder.POOLED);
            default:
                return null;
        }
    }

    private SDVariable constant(SameDiff sd, String name) {
        SDVariable existing = sd.getVariable(name);
        return existing != null ? existing : sd.constant(name, weights.get(name));
    }

    private SDVariable param(SameDiff sd, String name) {
        if (!trainable) {
            return constant(sd, name);
        }
        SDVariable existing = sd.getVariable(name);
        return existing != null ? existing : sd.var(name, weights.get(name).dup());
    }
}
