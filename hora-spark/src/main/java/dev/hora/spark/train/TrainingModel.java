package dev.hora.spark.train;

import dev.hora.io.Checkpoint;
import dev.hora.io.CheckpointStore;
import dev.hora.io.TensorSpec;
import dev.hora.kernels.Parallel;
import dev.hora.onnx.bert.BertEncoder;
import dev.hora.peft.ClassifierHead;
import dev.hora.peft.PeftModel;
import dev.hora.text.Batch;
import dev.hora.text.TokenBatcher;
import dev.hora.train.Objective;
import dev.hora.train.Trainer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The model and optimizer of a {@link TrainSpec}, built the same way on the driver (the initial checkpoint),
 * on every worker and in a single process (the reference): one adapter named {@link PeftModel#DEFAULT} on the
 * kernel engine, Adam with warm-up ({@link Trainer.Builder#adam}), the objective optionally wrapped
 * ({@link AllReduceObjective} on a worker).
 */
public record TrainingModel(PeftModel model, Trainer trainer) {

    /** Builds the model (head and adapter drawn from {@code spec.seed()}) and its trainer. */
    public static TrainingModel build(TrainSpec spec, UnaryOperator<Objective> wrap) {
        Parallel.threads(spec.threadsPerTask());
        Nd4j.getRandom().setSeed(spec.seed());
        PeftModel m = PeftModel.builder(dev.hora.spark.Backbones.load(spec.model(), spec.tokenizer())).adapter(spec.adapter())
                .pooling(spec.pooling()).numClasses(spec.numClasses()).seed(spec.seed()).build();
        Trainer t = Trainer.builder().adam(spec.lr(), spec.warmupSteps(), spec.steps())
                .objective(wrap.apply(m.objective())).build();
        return new TrainingModel(m, t);
    }

    /** The checkpoint store of the run. */
    public static CheckpointStore store(TrainSpec spec) {
        return new CheckpointStore(Path.of(spec.checkpointDir()));
    }

    /** Restores the trainer from the run's checkpoint; false when there is none. Errors name the file. */
    public boolean resume(TrainSpec spec) throws IOException {
        Optional<Checkpoint> c = store(spec).load(TensorSpec.like(trainer.state()));
        if (c.isEmpty()) {
            return false;
        }
        trainer.restore(c.get().tensors());
        return true;
    }

    /** Atomically saves the trainer's state as the run's checkpoint. */
    public void save(TrainSpec spec) throws IOException {
        store(spec).save(new Checkpoint(trainer.iteration(), trainer.state(), Map.of("hora.spark", "data-parallel")));
    }

    /** The objective's feed of labelled texts: token arrays [b, s] and one-hot labels [b, n]. */
    public static Map<String, INDArray> feed(TokenBatcher tok, List<String> texts, int[] labels, int numClasses) {
        Batch b = tok.encode(texts);
        INDArray y = Nd4j.zeros(DataType.FLOAT, texts.size(), numClasses);
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException("label " + labels[i] + " of text '" + texts.get(i)
                        + "' is out of range: allowed 0.." + (numClasses - 1));
            }
            y.putScalar(i, labels[i], 1f);
        }
        Map<String, INDArray> f = new HashMap<>();
        f.put(BertEncoder.INPUT_IDS, b.inputIdsArray());
        f.put(BertEncoder.ATTENTION_MASK, b.attentionMaskArray());
        f.put(BertEncoder.TOKEN_TYPE_IDS, b.tokenTypeIdsArray());
        f.put(ClassifierHead.LABELS, y);
        return f;
    }

    /** The trainable values flattened in trainer order. */
    public float[] flatParams() {
        Map<String, INDArray> p = trainer.params();
        int len = 0;
        for (INDArray a : p.values()) {
            len += Math.toIntExact(a.length());
        }
        float[] out = new float[len];
        int at = 0;
        for (INDArray a : p.values()) {
            float[] v = a.dup('c').data().asFloat();
            System.arraycopy(v, 0, out, at, v.length);
            at += v.length;
        }
        return out;
    }
}
