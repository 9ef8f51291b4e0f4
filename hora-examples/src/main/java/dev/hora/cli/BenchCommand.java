package dev.hora.cli;

import dev.hora.util.Checks;
import dev.hora.finetune.ModelSource;
import dev.hora.config.AdapterKind;
import dev.hora.config.AdapterConfig;
import dev.hora.config.ApplyMode;
import dev.hora.finetune.RunFolder;
import dev.hora.finetune.Resources;
import dev.hora.onnx.ImportedBert;
import dev.hora.peft.ClassifierHead;
import dev.hora.peft.Engine;
import dev.hora.kernels.Workspaces;
import dev.hora.onnx.bert.BertEncoder;
import dev.hora.peft.Inputs;
import dev.hora.peft.PeftModel;
import dev.hora.train.Trainer;
import dev.hora.util.Blas;
import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code hora bench}: import time, then median time of a forward pass and of a training step
 * (forward + backward + AdamW) of the adapted encoder at batch x sequence, with examples/second
 * and peak memory. First the BLAS ND4J runs (vendor, OpenBLAS core, threads) and its GEMM rate.
 * Inputs are random token ids (timing does not depend on the text).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Measure forward and training-step time of an adapted encoder.")
public class BenchCommand implements Callable<Integer> {
    @ParentCommand
    Hora hora;
    @Mixin
    ModelOptions modelOptions = new ModelOptions();
    @Option(names = "--adapter", defaultValue = "hora", paramLabel = "KIND", converter = AdapterOption.class,
            completionCandidates = AdapterOption.Names.class, description = "${COMPLETION-CANDIDATES}.")
    AdapterKind adapter;
    @Option(names = "--rank", defaultValue = "8", paramLabel = "R", description = "Rank per head.")
    int rank;
    @Option(names = "--apply", defaultValue = "AUTO", paramLabel = "MODE",
            description = "${COMPLETION-CANDIDATES} (case-insensitive; default: ${DEFAULT-VALUE}).")
    ApplyMode apply;
    @Option(names = "--batch-size", defaultValue = "32", paramLabel = "N", description = "Batch size.")
    int batchSize;
    @Option(names = "--seq", defaultValue = "32", paramLabel = "N", description = "Tokens per sequence.")
    int seq;
    @Option(names = "--iterations", defaultValue = "10", paramLabel = "N", description = "Timed iterations.")
    int iterations;
    @Option(names = "--threads", paramLabel = "N", description = "CPU threads (default: all cores).")
    Integer threads;
    @Option(names = "--random-encoder", paramLabel = "L,D,H,F",
            description = "Bench a random encoder of this shape instead of the model (e.g. 12,768,12,3072 for BERT-base).")
    String randomEncoder;
    @Option(names = "--engine", defaultValue = "KERNELS", paramLabel = "ENGINE",
            description = "kernels (default), kernels_factor_graph (adapter factors through the SameDiff FactorGraph)"
                    + " or samediff (the reference graph). Candidates: ${COMPLETION-CANDIDATES}.")
    Engine engine;

    @Override
    public Integer call() throws IOException {
        modelOptions.validate();
        AdapterKind kind = adapter;
        Checks.atLeast("--batch-size", batchSize, 1);
        Checks.atLeast("--iterations", iterations, 1);
        Checks.atLeast("--rank", rank, 1);
        Checks.atLeast("--seq", seq, 2);
        if (threads != null) {
            Checks.atLeast("--threads", threads, 1);
        }
        int th = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        hora.out().println(Backend.configure(th, engine.kernels()));
        printBlas();
        ModelSource source = modelOptions.resolve();
        long t0 = System.nanoTime();
        ImportedBert bert = randomEncoder == null ? RunFolder.importModel(source) : random(randomEncoder);
        double importS = (System.nanoTime() - t0) / 1e9;
        AdapterConfig cfg = kind == null ? null : AdapterConfig.builder()
                .kind(kind).rank(rank)
                .applyMode(apply).build();
        PeftModel model = PeftModel.builder(bert).adapter(cfg).engine(engine).build();
        Map<String, INDArray> feed = feed(bert.config().vocabSize());
        Trainer trainer = model.trainer(Trainer.builder().adam(1e-3, 0, 1_000_000)).build();
        double fwd = median(() -> model.predictProba(feed.get(BertEncoder.INPUT_IDS),
                feed.get(BertEncoder.ATTENTION_MASK), feed.get(BertEncoder.TOKEN_TYPE_IDS)));
        double step = median(() -> trainer.step(feed));
        hora.out().printf(Locale.ROOT, "%s on %s (%s, engine %s), batch %d x seq %d%n",
                kind == null ? AdapterOption.NONE : kind.cliName(),
                randomEncoder == null ? source.description() : bert.source(), cfg == null ? "head only" : cfg.getApplyMode(),
                engine.name().toLowerCase(Locale.ROOT), batchSize, seq);
        if (engine.kernels()) {
            long ws = Workspaces.reservedBytes(Workspaces.TRAIN);
            long layer = Workspaces.reservedBytes(Workspaces.LAYER);
            hora.out().printf(Locale.ROOT, "activation memory: saved %.0f MB (%.1f KB per token) + one layer's scratch"
                    + " %.0f MB%n", ws / 1e6, ws / 1e3 / ((double) batchSize * seq), layer / 1e6);
        }
        hora.out().printf(Locale.ROOT, "import %.2f s | forward %.0f ms (%.1f ex/s) | train step %.0f ms (%.1f ex/s)"
                + " | peak memory %.2f GB%n", importS, fwd, batchSize / (fwd / 1e3), step, batchSize / (step / 1e3),
                Resources.peakRssBytes() / 1e9);
        return 0;
    }

    /** One line: BLAS vendor, core, threads and the 2048x384x1536 float GEMM rate as the engine runs it ({@link Blas}). */
    private void printBlas() {
        Blas.Info info = Blas.info();
        hora.out().printf(Locale.ROOT, "%s | GEMM 2048x384x1536 float: %.1f GFLOP/s%n", info.describe(),
                Blas.measureGemmGflops(5, engine.kernels()));
    }

    private static ImportedBert random(String shape) {
        String[] p = shape.split(",");
        if (p.length != 4) {
            throw new IllegalArgumentException("--random-encoder " + shape + ": expected L,D,H,F (e.g. 12,768,12,3072)");
        }
        int[] v = new int[4];
        for (int i = 0; i < 4; i++) {
            try {
                v[i] = Integer.parseInt(p[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--random-encoder " + shape + ": '" + p[i] + "' is not an integer");
            }
        }
        return ImportedBert.random(dev.hora.onnx.BertConfig.builder().numLayers(v[0]).hiddenSize(v[1]).numHeads(v[2])
                .intermediateSize(v[3]).vocabSize(30522).maxPositions(512).typeVocabSize(2).layerNormEps(1e-12)
                .maskValue(-10000f).build(), 1);
    }

    private Map<String, INDArray> feed(int vocab) {
        Random r = new Random(1);
        long[][] ids = new long[batchSize][seq];
        long[][] mask = new long[batchSize][seq];
        float[][] labels = new float[batchSize][2];
        for (int i = 0; i < batchSize; i++) {
            for (int t = 0; t < seq; t++) {
                ids[i][t] = 1000 + r.nextInt(vocab - 1000);
                mask[i][t] = 1;
            }
            labels[i][i % 2] = 1;
        }
        Map<String, INDArray> m = Inputs.feed(Nd4j.createFromArray(ids), Nd4j.createFromArray(mask),
                Nd4j.zeros(DataType.INT64, batchSize, seq));
        m.put(ClassifierHead.LABELS, Nd4j.createFromArray(labels));
        return m;
    }

    private double median(Runnable r) {
        r.run();   // warm-up (builds the session / gradient graph, sizes the workspaces)
        double[] ms = new double[iterations];
        for (int i = 0; i < iterations; i++) {
            long t = System.nanoTime();
            r.run();
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(ms);
        return ms[iterations / 2];
    }
}
