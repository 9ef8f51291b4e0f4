package dev.hora.cli;

import dev.hora.data.PredictionsFile;
import dev.hora.data.Split;
import dev.hora.io.SafetensorsHeader;
import dev.hora.metrics.ClassificationReport;
import dev.hora.metrics.MetricsJson;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code hora evaluate}: accuracy, macro-F1 and confusion matrix on the test split, as JSON.
 * With {@code --predictions FILE} it scores given predictions (works now); otherwise it needs the
 * model (phase 2).
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Evaluate a (fine-tuned) model, or a predictions file, on the test split.")
public class EvaluateCommand implements Callable<Integer> {
    @ParentCommand
    Hora hora;
    @Mixin
    ModelOptions modelOptions = new ModelOptions();
    @Mixin
    DataOptions dataOptions = new DataOptions();

    @Option(names = "--adapter-file", paramLabel = "FILE", description = "Trained adapter (.safetensors).")
    Path adapterFile;
    @Option(names = "--predictions", paramLabel = "FILE",
            description = "Score these predictions (one label or index per line, test-set order) instead of running the model.")
    Path predictions;
    @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Seed of the split (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--output", paramLabel = "FILE", description = "Write the metrics JSON here (default: print it).")
    Path output;

    @Override
    public Integer call() throws IOException {
        modelOptions.validate();
        dataOptions.validate();
        if (adapterFile != null) {
            SafetensorsHeader.read(adapterFile);
        }
        Split split = dataOptions.load(seed);
        if (predictions == null) {
            ModelSource model = modelOptions.resolve();
            throw new NotWiredException("evaluate", "Model " + model.description()
                    + " resolved; use --predictions FILE to score existing predictions.");
        }
        int[] pred = PredictionsFile.read(predictions, split.test().labelNames(), split.test().size());
        ClassificationReport r = ClassificationReport.of(split.test().labels(), pred, split.test().labelNames());
        hora.err().println(String.format(Locale.ROOT, "accuracy %.4f  macro-F1 %.4f  (%d test examples)",
                r.accuracy(), r.macroF1(), r.examples()));
        if (output != null) {
            MetricsJson.write(output, r);
        } else {
            hora.out().println(MetricsJson.toJson(r));
        }
        return 0;
    }
}
