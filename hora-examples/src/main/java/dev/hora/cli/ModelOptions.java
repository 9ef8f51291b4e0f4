package dev.hora.cli;

import dev.hora.finetune.ModelSource;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Model options shared by the commands. */
public class ModelOptions {
    @Option(names = "--model", defaultValue = ModelSource.BUILTIN, paramLabel = "MODEL",
            description = "'all-minilm-l6-v2' (built in), an .onnx file, a model .jar or group:artifact:version "
                    + "(default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--tokenizer", paramLabel = "FILE",
            description = "tokenizer.json (default: the model's own).")
    Path tokenizer;

    @Option(names = "--max-length", defaultValue = "64", paramLabel = "N",
            description = "Truncate sequences to N tokens including [CLS]/[SEP] (default: ${DEFAULT-VALUE}).")
    int maxLength;

    void validate() {
        dev.hora.util.Checks.between("--max-length", maxLength, 8, dev.hora.text.TokenBatcher.MAX_POSITIONS);
    }

    /** The --model value to record in settings: a file path absolute ({@link ModelSource#recorded}). */
    String recordedModel() {
        return ModelSource.recorded(model);
    }

    ModelSource resolve() throws IOException {
        return ModelSource.resolve(model, tokenizer);
    }
}
