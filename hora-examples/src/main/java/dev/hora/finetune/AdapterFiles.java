package dev.hora.finetune;

import dev.hora.finetune.FinetuneSettings;
import dev.hora.finetune.ModelSource;
import dev.hora.io.peft.AdapterFolder;
import dev.hora.io.peft.ClassifierFile;
import dev.hora.io.peft.SavedClassifier;
import dev.hora.peft.ClassifierHead;
import dev.hora.peft.PeftModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a run's {@code adapter/} folder: the encoder adapter with {@link AdapterFolder} (for LoRA
 * PEFT's layout for a {@code BertModel}, for MH-LoRA and HoRA the same folder shape with hora's own
 * names; {@code base_model_name_or_path} = the hub id of a built-in model, else the model file's
 * name) and the head with its pooling, class names and max length as {@link ClassifierFile}.
 * A linear probe ({@code --adapter none}) has no adapter folder: its head is in {@code model.safetensors}.
 */
final class AdapterFiles {
    private AdapterFiles() {
    }

    static void write(Path dir, FinetuneSettings s, PeftModel model, List<String> labels) throws IOException {
        if (model.adapterConfig() == null) {
            return;
        }
        AdapterFolder.write(dir, model.adapterConfig(), ModelSource.baseModelName(s.model()), model.adapterParams(),
                model.bert().config().numLayers());
        ClassifierFile.write(dir, new SavedClassifier(model.headParams().get(ClassifierHead.WEIGHT),
                model.headParams().get(ClassifierHead.BIAS), model.pooling().name().toLowerCase(java.util.Locale.ROOT),
                labels, s.maxLength()));
    }
}
