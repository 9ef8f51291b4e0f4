package dev.hora.cli;

import dev.hora.io.SafetensorsHeader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code hora merge}: fold a trained adapter into the frozen weights (wired in phase 2). */
@Command(name = "merge", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Merge an adapter into the base weights: W + dW, no adapter left at inference.")
public class MergeCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions = new ModelOptions();
    @Option(names = "--adapter-file", required = true, paramLabel = "FILE", description = "Trained adapter (.safetensors).")
    Path adapterFile;
    @Option(names = "--output", required = true, paramLabel = "FILE", description = "Merged model file to write.")
    Path output;

    @Override
    public Integer call() throws IOException {
        modelOptions.validate();
        SafetensorsHeader h = SafetensorsHeader.read(adapterFile);
        ModelSource model = modelOptions.resolve();
        throw new NotWiredException("merge", "Adapter " + adapterFile + " (" + h.entries().size()
                + " tensors) and model " + model.description() + " resolved.");
    }
}
