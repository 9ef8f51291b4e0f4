package dev.hora.cli;

import dev.hora.finetune.RunFolder;
import dev.hora.finetune.TrainedModel;
import dev.hora.onnx.OnnxMerge;
import dev.hora.peft.MergedModel;
import dev.hora.peft.PeftModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code hora merge}: folds a run's adapters into the frozen weights (W + dW) and writes a plain
 * SameDiff model file (no adapter left, no inference overhead) plus its sidecar {@code FILE.json};
 * {@code predict} and {@code evaluate} accept the file as {@code --model-path}. {@code --format onnx} writes
 * the base ONNX file with W + dW in its initializers instead ({@link OnnxMerge}).
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
    @Option(names = "--format", defaultValue = "sd", paramLabel = "sd|onnx",
            description = "sd: a SameDiff model with its sidecar (predict, evaluate); onnx: the base ONNX file with "
                    + "W + dW in its initializers, for any ONNX runtime (the head stays in RUN/adapter/) (default: ${DEFAULT-VALUE}).")
    String format;

    @Override
    public Integer call() throws IOException {
        if (!format.equals("sd") && !format.equals("onnx")) {
            throw new IllegalArgumentException("--format '" + format + "' is not supported: allowed sd, onnx");
        }
        RunFolder.Loaded loaded = RunFolder.load(run);
        if (format.equals("onnx")) {
            return onnx(loaded);
        }
        MergedModel merged = loaded.model().merge();
        TrainedModel.writeMerged(output, merged, loaded.labels(), loaded.settings(), loaded.base());
        hora.out().println("merged " + run + " -> " + output + " (+ " + TrainedModel.sidecar(output).getFileName()
                + "), " + merged.variableCount() + " trainable variables left");
        return 0;
    }

    private Integer onnx(RunFolder.Loaded loaded) throws IOException {
        var delta = loaded.model().adapter(PeftModel.DEFAULT).deltaW();
        if (delta.isEmpty()) {
            throw new IllegalArgumentException(run + " is a linear probe (--adapter none): the base ONNX file is its encoder");
        }
        byte[] base;
        try (java.io.InputStream in = loaded.source().openModel()) {
            base = in.readAllBytes();
        }
        byte[] merged = OnnxMerge.merge(loaded.source().description(), base, delta);
        java.nio.file.Files.write(output, merged);
        hora.out().println("merged " + run + " -> " + output + " (ONNX, " + delta.size() + " weights W + dW; the head is "
                + run.resolve("adapter/classifier.safetensors") + ")");
        return 0;
    }
}
