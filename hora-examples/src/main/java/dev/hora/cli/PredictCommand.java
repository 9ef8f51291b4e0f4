package dev.hora.cli;

import dev.hora.fit.Classifier;
import dev.hora.finetune.TrainedModel;
import dev.hora.text.TokenBatcher;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code hora predict}: labels texts (arguments, {@code --input FILE}, or standard input when
 * neither is given) with a fine-tuned run or merged model. Prints one line per text:
 * {@code LABEL<TAB>PROBABILITY<TAB>TEXT}.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Predict the labels of texts given as arguments, in a file, or on standard input (one per line).")
public class PredictCommand implements Callable<Integer> {
    @ParentCommand
    Hora hora;
    @Option(names = "--model-path", required = true, paramLabel = "PATH",
            description = "Run directory of hora finetune, or merged model file of hora merge.")
    Path modelPath;
    @Option(names = "--input", paramLabel = "FILE", description = "Texts, one per line.")
    Path input;
    @Parameters(paramLabel = "TEXT", arity = "0..*", description = "Texts to label.")
    List<String> texts = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        List<String> all = new ArrayList<>(texts);
        if (input != null) {
            if (!Files.isRegularFile(input)) {
                throw new IOException(input + (Files.isDirectory(input) ? ": is a directory; --input needs a text file"
                        : ": no such file"));
            }
            Files.readAllLines(input).stream().filter(s -> !s.isBlank()).forEach(all::add);
        } else if (texts.isEmpty()) {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            in.lines().filter(s -> !s.isBlank()).forEach(all::add);
        }
        if (all.isEmpty()) {
            throw new IllegalArgumentException("nothing to predict: give TEXT arguments, --input FILE or lines on stdin");
        }
        TrainedModel model = TrainedModel.open(modelPath);
        float[][] p;
        try (TokenBatcher tok = model.tokenizer()) {
            p = model.classifier().probabilities(tok, all, 64);
        }
        int[] pred = Classifier.argmax(p);
        for (int i = 0; i < all.size(); i++) {
            hora.out().printf(Locale.ROOT, "%s\t%.4f\t%s%n", model.labels().get(pred[i]), p[i][pred[i]], all.get(i));
        }
        return 0;
    }
}
