package dev.hora.io.peft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The LoraConfig options of PEFT (0.21) that change what a saved LoRA adapter computes and that
 * this library cannot apply. A folder setting any of them is refused with all of them named,
 * instead of loading and computing something else. Options that only shape training or
 * initialisation ({@code lora_dropout}, {@code init_lora_weights}, {@code loftq_config},
 * {@code megatron_*}, {@code runtime_config}, ...) are ignored.
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
