package dev.hora.examples.dl4j;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.Target;
import dev.hora.data.CacheDirs;
import dev.hora.data.DataLoader;
import dev.hora.data.NpmDatasetCache;
import dev.hora.data.NpmPackFetcher;
import dev.hora.data.Split;
import dev.hora.data.StratifiedSplitter;
import dev.hora.dl4j.EncoderMerge;
import dev.hora.dl4j.PretrainedEncoder;
import dev.hora.dl4j.TextDataSetIterator;
import dev.hora.text.TokenBatcher;
import dev.hora.train.LinearWarmupSchedule;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.earlystopping.EarlyStoppingConfiguration;
import org.deeplearning4j.earlystopping.EarlyStoppingResult;
import org.deeplearning4j.earlystopping.saver.InMemoryModelSaver;
import org.deeplearning4j.earlystopping.scorecalc.ClassificationScoreCalculator;
import org.deeplearning4j.earlystopping.termination.MaxEpochsTerminationCondition;
import org.deeplearning4j.earlystopping.trainer.EarlyStoppingGraphTrainer;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.listeners.CheckpointListener;
import org.deeplearning4j.optimize.listeners.ScoreIterationListener;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * all-MiniLM-L6-v2 with a LoRA adapter as a layer of a DL4J {@code ComputationGraph}, trained with
 * DL4J's own loop: {@code fit} under early stopping on the validation split (accuracy after each epoch,
 * the way {@code hora finetune} chooses), listeners, {@code evaluate} on the test split,
 * {@code ModelSerializer}, then merged into a plain inference model. The data and its split are
 * {@code hora finetune}'s (built-in {@code uci-sentiment} or {@code train=FILE}; 20 % test, 10 % of the
 * rest validation, stratified, seeded), as are the optimizer settings (Adam, 10 % warmup then linear
 * decay; clipping here per layer at L2 norm 1).
 *
 * <pre>
 *   mvn -q -pl hora-examples -am compile exec:java -Dexec.mainClass=dev.hora.examples.dl4j.EncoderFitExample \
 *       -Dexec.args="epochs=1 adapter=lora seed=42 out=target/dl4j-example"
 * </pre>
 * Arguments ({@code key=value}): data, train, epochs (1), lr (1e-3), batch (8), seed (42), adapter
 * (lora | mh-lora | hora), trainFraction (1.0), maxLength (64), out (target/dl4j-encoder-example).
 */
public final class EncoderFitExample {
    private EncoderFitExample() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("argument '" + arg + "': expected key=value");
            }
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        int epochs = Integer.parseInt(a.getOrDefault("epochs", "1"));
        double lr = Double.parseDouble(a.getOrDefault("lr", "1e-3"));
        int batch = Integer.parseInt(a.getOrDefault("batch", "8"));
        long seed = Long.parseLong(a.getOrDefault("seed", "42"));
        Path out = Path.of(a.getOrDefault("out", "target/dl4j-encoder-example"));
        Files.createDirectories(out);

        // the data, split as hora finetune splits it
        Path trainFile = a.containsKey("train") ? Path.of(a.get("train")) : null;
        Split split = StratifiedSplitter.withValidation(DataLoader.load(trainFile == null
                        ? a.getOrDefault("data", "uci-sentiment") : null, trainFile, null, 0.2,
                Double.parseDouble(a.getOrDefault("trainFraction", "1.0")), seed,
                new NpmDatasetCache(CacheDirs.datasets(null), NpmPackFetcher.fromEnvironment())), 0.1, seed);
        TokenBatcher tok = TokenBatcher.fromResource("all-minilm-l6-v2-tokenizer.json",
                Integer.parseInt(a.getOrDefault("maxLength", "64")));
        TextDataSetIterator train = new TextDataSetIterator(tok, split.train(), batch, seed, true);
        TextDataSetIterator val = new TextDataSetIterator(tok, split.validation(), 32, seed, false);
        TextDataSetIterator test = new TextDataSetIterator(tok, split.test(), 32, seed, false);
        System.out.printf("train %d, validation %d, test %d examples%n", split.train().size(),
                split.validation().size(), split.test().size());

        // the network: encoder + adapter as one layer, a softmax head
        int total = (split.train().size() + batch - 1) / batch * epochs;
        AdapterConfig adapter = AdapterConfig.builder().kind(AdapterKind.parse(a.getOrDefault("adapter", "lora")))
                .rank(8).alpha(16).targets(Target.Q, Target.V).seed(seed).build();
        ComputationGraph net = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(seed)
                .updater(new Adam(new LinearWarmupSchedule(lr, total / 10, total)))
                .gradientNormalization(GradientNormalization.ClipL2PerLayer).gradientNormalizationThreshold(1.0)
                .graphBuilder()
                .addInputs("ids")
                .addLayer("encoder", PretrainedEncoder.builder().encoder("all-minilm-l6-v2").adapter(adapter)
                        .output(PretrainedEncoder.Output.MEAN).build(), "ids")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(384).nOut(split.train().numClasses()).build(), "encoder")
                .setOutputs("out").build());
        net.init();
        System.out.printf("trainable parameters: %,d (the adapter's %,d, the head's %,d); the encoder's weights are"
                + " not parameters%n", net.numParams(), net.getLayer("encoder").numParams(), net.getLayer("out").numParams());

        // DL4J's loop: listeners, early stopping on validation accuracy
        File checkpoints = out.resolve("checkpoints").toFile();
        checkpoints.mkdirs();
        net.setListeners(new ScoreIterationListener(50),
                new CheckpointListener.Builder(checkpoints).saveEveryEpoch().keepLast(1).build());
        EarlyStoppingResult<ComputationGraph> r = new EarlyStoppingGraphTrainer(
                new EarlyStoppingConfiguration.Builder<ComputationGraph>()
                        .epochTerminationConditions(new MaxEpochsTerminationCondition(epochs))
                        .scoreCalculator(new ClassificationScoreCalculator(Evaluation.Metric.ACCURACY, val))
                        .modelSaver(new InMemoryModelSaver<>()).evaluateEveryNEpochs(1).build(), net, train).fit();
        ComputationGraph best = r.getBestModel();
        System.out.printf(Locale.ROOT, "epoch chosen on validation: %d of %d; validation accuracy by epoch %s%n",
                r.getBestModelEpoch() + 1, r.getTotalEpochs(), r.getScoreVsEpoch());
        Evaluation e = best.evaluate(test);
        System.out.printf(Locale.ROOT, "test accuracy %.4f  macro-F1 %.4f%n", e.accuracy(),
                e.f1(org.nd4j.evaluation.EvaluationAveraging.Macro));

        // the model file (configuration naming the encoder + its SHA-256, adapter and head, updater state)
        File file = out.resolve("network.zip").toFile();
        ModelSerializer.writeModel(best, file, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);
        System.out.printf(Locale.ROOT, "%s: %d bytes; restored test accuracy %.4f%n", file, file.length(),
                restored.evaluate(test).accuracy());

        // merged: the adapter folded into the frozen weights, a plain inference model
        EncoderMerge.merge(best, "encoder", "out").save(out.resolve("merged.fb"));
        System.out.println("merged model: " + out.resolve("merged.fb"));
        tok.close();
    }
}
