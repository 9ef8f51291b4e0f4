package dev.hora.spark;

import dev.hora.finetune.ModelSource;
import dev.hora.onnx.BertOnnx;
import dev.hora.onnx.ImportedBert;
import dev.hora.text.TokenBatcher;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The backbone and tokenizer of a job's {@code model} value, resolved where it runs (driver or executor) as the
 * command line's {@code --model} is ({@link ModelSource}): the built-in {@code all-minilm-l6-v2}, an {@code .onnx}
 * file, a model {@code .jar} or Maven coordinates {@code group:artifact:version} (a jar in the node's local Maven
 * repository, {@code ~/.m2} or {@code -Dmaven.repo.local}; put it there first, e.g. {@code mvn dependency:get}). {@code tokenizer} null: the model's own (beside the .onnx file, or in the
 * jar); else that tokenizer.json. Errors name the model.
 */
public final class Backbones {
    private Backbones() {
    }

    /** The encoder with its pretrained weights. */
    public static ImportedBert load(String model, String tokenizer) {
        ModelSource src = source(model, tokenizer);
        try (InputStream in = src.openModel()) {
            return BertOnnx.fromStream(src.description(), in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the model " + model + ": " + e.getMessage(), e);
        }
    }

    /** A batcher of the model's tokenizer (or of {@code tokenizer} when given); the caller closes it. */
    public static TokenBatcher tokenizer(String model, String tokenizer, int maxLength) {
        try {
            if (model == null) {   // a merged model: its tokenizer file is required
                return TokenBatcher.fromTokenizerJson(Path.of(tokenizer), maxLength);
            }
            return source(model, tokenizer).batcher(maxLength);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    private static ModelSource source(String model, String tokenizer) {
        try {
            return ModelSource.resolve(model, tokenizer == null ? null : Path.of(tokenizer));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resolve the model " + model + ": " + e.getMessage(), e);
        }
    }
}
