package dev.hora.finetune;

import dev.hora.cli.FinetuneSettings;
import dev.hora.io.peft.AdapterFolder;
import dev.hora.peft.ClassifierHead;
import dev.hora.peft.PeftModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes a run's {@code adapter/} folder with {@link AdapterFolder}: for LoRA PEFT's layout
 * ({@code adapter_model.safetensors} + {@code adapter_config.json}, head as modules_to_save),
 * for MH-LoRA and HoRA the same folder shape with hora's own names. A linear probe
 * ({@code --adapter none}) has no adapter folder: its head is in {@code model.safetensors}.
 */
final class AdapterFiles {
    private AdapterFiles() {
    }

    static void write(Path dir, FinetuneSettings s, PeftModel model) throws IOException {
        if (model.adapterConfig() == null) {
            return;
        }
        Map<String, INDArray> head = new LinkedHashMap<>();
        head.put("weight", model.headParams().get(ClassifierHead.WEIGHT));   // [hidden, C]
        head.put("bias", model.headParams().get(ClassifierHead.BIAS));       // [1, C]
        AdapterFolder.write(dir, model.adapterConfig(), s.model(), model.adapterParams(), head,
                model.bert().config().numLayers());
    }
}
