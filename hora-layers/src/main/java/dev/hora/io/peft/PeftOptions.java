package dev.hora.io.peft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The LoraConfig options of PEFT (0.21) that change what a saved LoRA adapter computes and that
 * this library cannot apply. A folder setting any of them is refused with all of them named,
 * instead of loading and computing something else, and so is an {@code init_lora_weights} that
 * replaced the base weights (pissa, pissa_niter_N, olora, corda, loftq). Options that only shape
 * training or initialisation ({@code lora_dropout}, {@code init_lora_weights} true, false, gaussian,
 * {@code loftq_config}, {@code megatron_*}, {@code runtime_config}, ...) are ignored.
 */
final class PeftOptions {
    private PeftOptions() {
    }

    /** @throws AdapterFolderException naming every unsupported option that is set */
    static void refuseUnsupported(Path cf, ObjectNode json) throws AdapterFolderException {
        List<String> bad = new ArrayList<>();
        String bias = json.path("bias").asText("none");
        if (!json.path("bias").isMissingNode() && !json.path("bias").isNull() && !bias.equals("none")) {
            bad.add("bias = \"" + bias + "\" (trained biases of the base model; allowed \"none\")");
        }
        flag(json, "use_dora", "DoRA, a learned magnitude vector per module", bad);
        flag(json, "lora_bias", "a bias on lora_B", bad);
        flag(json, "fan_in_fan_out", "Conv1D weights stored [in, out]", bad);
        flag(json, "use_qalora", "QALoRA pooled inputs", bad);
        set(json, "layer_replication", "replicated layers", bad);
        set(json, "trainable_token_indices", "trained token embeddings", bad);
        set(json, "target_parameters", "LoRA on nn.Parameter tensors", bad);
        set(json, "alora_invocation_tokens", "activated LoRA", bad);
        set(json, "arrow_config", "Arrow routing", bad);
        initialisation(json, bad);
        JsonNode mts = json.path("modules_to_save");
        if (mts.isArray() && !mts.isEmpty()) {
            bad.add("modules_to_save = " + mts + " (whole trained modules, e.g. a BertForSequenceClassification "
                    + "head on the [CLS] pooler)");
        }
        if (!bad.isEmpty()) {
            throw new AdapterFolderException(cf, "unsupported PEFT LoRA option" + (bad.size() > 1 ? "s: " : ": ")
                    + String.join("; ", bad));
        }
    }

    /**
     * PiSSA, OLoRA and CorDA start LoRA from the principal part of W and replace the base weight by
     * the residual {@code W - s B A}; LoftQ replaces it by a quantised one. Such an adapter applied to
     * the unmodified base computes something else (PEFT converts them to a plain LoRA on save with
     * {@code path_initial_model_for_weight_conversion}, which sets {@code init_lora_weights = true}).
     */
    private static void initialisation(ObjectNode json, List<String> bad) {
        JsonNode n = json.path("init_lora_weights");
        if (!n.isTextual()) {
            return;   // true, false: plain LoRA init, base untouched
        }
        String v = n.asText().toLowerCase(java.util.Locale.ROOT);
        if (v.startsWith("pissa") || v.equals("olora") || v.equals("corda")) {
            bad.add("init_lora_weights = \"" + n.asText() + "\" (the base weights were replaced by a residual; "
                    + "save the adapter with path_initial_model_for_weight_conversion to get a plain LoRA)");
        } else if (v.equals("loftq")) {
            bad.add("init_lora_weights = \"loftq\" (the base weights were replaced by quantised ones)");
        }
    }

    private static void flag(ObjectNode json, String key, String what, List<String> bad) {
        if (json.path(key).asBoolean(false)) {
            bad.add(key + " = true (" + what + ")");
        }
    }

    private static void set(ObjectNode json, String key, String what, List<String> bad) {
        JsonNode n = json.path(key);
        boolean empty = n.isMissingNode() || n.isNull() || n.isBoolean() && !n.asBoolean()
                || (n.isContainerNode() && n.isEmpty());
        if (!empty) {
            bad.add(key + " = " + n + " (" + what + ")");
        }
    }
}
