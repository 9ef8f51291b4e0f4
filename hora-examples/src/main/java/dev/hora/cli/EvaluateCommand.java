package dev.hora.cli;

import dev.hora.data.PredictionsFile;
import dev.hora.data.Split;
import dev.hora.fit.Fit;
import dev.hora.finetune.TrainedModel;
import dev.hora.metrics.ClassificationReport;
import dev.hora.metrics.MetricsJson;
import dev.hora.text.TokenBatcher;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code hora evaluate}: accuracy, macro-F1 and confusion matrix on a test split, as JSON, of a
 * fine-tuned run directory or a merged model file ({@code --model-path}), or of a predictions file.
 * Without data options it uses the run's own data and seed, so it scores the run's test split.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Evaluate a fine-tuned run or merged model (or a predictions file) on the test split.")
public class EvaluateCommand implements Callable<Integer> {
    @ParentCommand
    Hora hora;
    @Mixin
    DataOptions dataOptions = new DataOptions();

    @Option(names = "--model-path", paramLabel = "PATH",
            description = "Run directory of hora finetune, or merged model file of hora merge.")
    Path modelPath;
    @Option(names = "--predictions", paramLabel = "FILE",
            description = "Score these predictions (one label or index per line, test-set order) instead of a model.")
    Path predictions;
    @Option(names = "--seed", paramLabel = "N", description = "Seed of the test split (default: the run's, for a hora compare cell the sweep's --split-seed; else 42).")
    Long seed;
    @Option(names = "--output", paramLabel = "FILE", description = "Write the metrics JSON here (default: print it).")
    Path output;

    @Override
    public Integer call() throws IOException {
        if ((modelPath == null) == (predictions == null)) {
            throw new IllegalArgumentException("give exactly one of --model-path PATH or --predictions FILE");
        }
        TrainedModel model = modelPath == null ? null : TrainedModel.open(modelPath);
        boolean ownData = dataOptions.data == null && dataOptions.train == null;
        if (model != null && ownData) {
            dataOptions.useRunData(model.settings());
        }
        dataOptions.validate();
        long splitSeed = seed != null ? seed : model != null ? model.settings().testSplitSeed() : 42;
        Split split = dataOptions.load(splitSeed);
        ClassificationReport r;
        if (model == null) {
            int[] pred = PredictionsFile.read(predictions, split.test().labelNames(), split.test().size());
            r = ClassificationReport.of(split.test().labels(), pred, split.test().labelNames());
        } else {
            if (!model.labels().equals(split.test().labelNames())) {
                throw new IllegalArgumentException("the model's labels " + model.labels()
                        + " differ from the data's " + split.test().labelNames());
            }
            try (TokenBatcher tok = model.tokenizer()) {
                r = Fit.evaluate(model.classifier(), tok, split.test());
            }
        }
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
