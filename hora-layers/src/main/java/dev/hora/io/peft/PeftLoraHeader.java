package dev.hora.io.peft;

import dev.hora.io.HeaderCheck;
import dev.hora.io.TensorEntry;
import java.util.Arrays;
import java.util.regex.Matcher;

/** The header check of a PEFT LoRA {@code adapter_model.safetensors}, made before any tensor is read. */
final class PeftLoraHeader {
    private PeftLoraHeader() {
    }

    /**
     * What the header must show before any tensor is read: only lora_A / lora_B matrices of BERT
     * projections, all under one encoder path, each with the rank {@code r} on its rank axis ({@code r < 0}:
     * per-module ranks, checked after reading).
     */
    static HeaderCheck check(int r) {
        return (mf, h) -> {
            String prefix = null;
            for (TensorEntry e : h.entries()) {
                String k = e.name();
                Matcher m = PeftLoraFormat.KEY.matcher(k);
                if (!m.matches() || PeftLoraFormat.target(m.group(3)) == null) {
                    throw new AdapterFolderException(mf, "unexpected tensor '" + k + "': not the lora_A/lora_B weight "
                            + "of a BERT projection (base_model.model.encoder.layer.{i}.{attention.self.query|"
                            + "attention.self.key|attention.self.value|attention.output.dense|intermediate.dense|"
                            + "output.dense}.lora_{A|B}.weight)");
                }
                if (prefix != null && !prefix.equals(m.group(1))) {
                    throw new AdapterFolderException(mf, "tensor '" + k + "': keys mix 'base_model.model.bert.' and "
                            + "'base_model.model.' encoder paths");
                }
                prefix = m.group(1);
                Json.index(mf, "layer index of tensor " + k, m.group(2));
                long[] s = e.shape();
                if (s.length != 2) {
                    throw new AdapterFolderException(mf, "tensor '" + k + "' has shape " + Arrays.toString(s)
                            + ", expected a matrix (rank 2)");
                }
                boolean isA = m.group(4).equals("A");
                if (r >= 0 && s[isA ? 0 : 1] != r) {
                    throw new AdapterFolderException(mf, "tensor '" + k + "' has shape " + Arrays.toString(s)
                            + ", expected " + Arrays.toString(isA ? new long[]{r, s[1]} : new long[]{s[0], r}));
                }
            }
        };
    }

}
