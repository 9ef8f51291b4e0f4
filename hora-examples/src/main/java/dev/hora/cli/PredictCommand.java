package dev.hora.cli;

import dev.hora.io.SafetensorsHeader;
import dev.hora.text.TokenBatcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hora predict}: label texts with a fine-tuned model (the model part is wired in phase 2). */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Predict the labels of texts given as arguments or in a file (one per line).")
public class PredictCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions = new ModelOptions();
    @Option(names = "--adapter-file", paramLabel = "FILE", description = "Trained adapter (.safetensors).")
    Path adapterFile;
    @Option(names = "--input", paramLabel = "FILE", description = "Texts, one per line.")
    Path input;
    @Parameters(paramLabel = "TEXT", arity = "0..*", description = "Texts to label.")
    List<String> texts = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        modelOptions.validate();
        List<String> all = new ArrayList<>(texts);
        if (input != null) {
            Files.readAllLines(input).stream().filter(s -> !s.isBlank()).forEach(all::add);
        }
        if (all.isEmpty()) {
            throw new IllegalArgumentException("nothing to predict: give TEXT arguments or --input FILE");
        }
        if (adapterFile != null) {
            SafetensorsHeader.read(adapterFile);
        }
        ModelSource model = modelOptions.resolve();
        try (TokenBatcher b = model.batcher(modelOptions.maxLength)) {
            b.encode(all.subList(0, Math.min(all.size(), 8)));
        }
        throw new NotWiredException("predict", all.size() + " texts read and tokenised with " + model.description() + ".");
    }
}
