package dev.hora.cli;

import dev.hora.finetune.RunFolder;
import dev.hora.finetune.TrainedModel;
import dev.hora.peft.MergedModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code hora merge}: folds a run's adapters into the frozen weights (W + dW) and writes a plain
 * SameDiff model file (no adapter left, no inference overhead) plus its sidecar {@code FILE.json};
 * {@code predict} and {@code evaluate} accept the file as {@code --model-path}.
 */
@Command(name = "merge", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Merge a run's adapter into the base weights: W + dW, no adapter left at inference.")
public class MergeCommand implements Callable<Integer> {
    @ParentCommand
    Hora hora;
    @Option(names = "--run", required = true, paramLabel = "DIR", description = "Run directory of hora finetune.")
    Path run;
    @Option(names = "--output", required = true, paramLabel = "FILE", description = "Merged model file to write.")
    Path output;

    @Override
    public Integer call() throws IOException {
        RunFolder.Loaded loaded = RunFolder.load(run);
        MergedModel merged = loaded.model().merge();
        TrainedModel.writeMerged(output, merged, loaded.labels(), loaded.settings(), loaded.base());
        hora.out().println("merged " + run + " -> " + output + " (+ " + TrainedModel.sidecar(output).getFileName()
                + "), " + merged.variableCount() + " trainable variables left");
        return 0;
    }
}
