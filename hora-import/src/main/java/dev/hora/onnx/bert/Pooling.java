package dev.hora.onnx.bert;

/**
 * How {@code last_hidden_state} h [b, s, d] becomes one vector per sequence, output {@code pooled} [b, d].
 *
 * <ul>
 * <li>{@link #NONE}: no pooled output.</li>
 * <li>{@link #MEAN}: sum_t m_t h_t / max(sum_t m_t, 1e-9), m = attention_mask (sentence-transformers).</li>
 * <li>{@link #CLS}: h_0, the first token's state.</li>
 * </ul>
 */
public enum Pooling {
    NONE, MEAN, CLS
}
