package dev.hora.fit;

import dev.hora.data.TextDataset;
import dev.hora.kernels.Workspaces;
import dev.hora.metrics.ClassificationReport;
import dev.hora.peft.AdapterSet;
import dev.hora.peft.PeftModel;
import dev.hora.text.TokenBatcher;
import dev.hora.train.Trainer;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fine-tunes one named adapter of a {@link PeftModel} on labelled texts, choosing the step on the
 * validation split (the way {@code hora finetune} trains; DJL's {@code EasyTrain.fit}):
 * <pre>
 *   steps = options.steps, or ceil(n_train / batch) x epochs;  AdamW, warmup then linear decay, clipping
 *   per step:   batch (length-bucketed, seeded) -> loss, gradients of the adapter and head -> update
 *   validate:   every evalEvery steps and at each epoch end; keep the parameters of the best accuracy
 *   end:        the adapter holds the chosen step's parameters (the last step without validation data)
 * </pre>
 * A non-finite or exploding loss or gradient norm stops training ({@link TrainingDivergedException})
 * before it reaches a checkpoint. The other adapters of the model stay loaded and untouched. Test
 * data plays no part: score it afterwards with {@link #evaluate}.
 */
public final class Fit {
    private static final Logger LOG = LoggerFactory.getLogger(Fit.class);
    /** Batch of {@link #evaluate(Classifier, TokenBatcher, TextDataset)} (scoring on its own, no training beside it). */
    public static final int EVAL_BATCH = 32;

    private Fit() {
    }

    /**
     * @param validation null: no selection, the last step is kept
     * @throws IOException from the checkpoints (naming the file and the problem)
     */
    public static FitResult fit(PeftModel model, String adapter, TextDataset train, TextDataset validation,
                                FitOptions o) throws IOException {
        AdapterSet set = model.adapter(adapter);
        if (set.numClasses() != train.numClasses()) {
            throw new IllegalArgumentException("adapter '" + adapter + "' has a head of " + set.numClasses()
                    + " classes, the training data " + train.numClasses() + " (" + train.labelNames() + ")");
        }
        long stepsPerEpoch = (train.size() + (long) o.batchSize - 1) / o.batchSize;
        long totalL = o.steps > 0 ? o.steps : stepsPerEpoch * o.epochs;
        if (totalL > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("epochs x steps per epoch = " + totalL + " optimizer steps: too many");
        }
        int total = (int) totalL;
        int epochs = (int) ((total + stepsPerEpoch - 1) / stepsPerEpoch);
        Trainer.Builder tb = Trainer.builder().adam(o.learningRate, o.warmupSteps >= 0 ? o.warmupSteps : total / 10, total)
                .maxGradNorm(o.maxGradNorm);
        TrainingTask task = set.layers().isEmpty()
                ? new ProbeTask(model, adapter, o.tokenizer, train, tb, o.batchSize, o.seed)
                : new AdapterTask(model, adapter, o.tokenizer, train, tb, o.batchSize, o.seed);
        Trainer trainer = task.trainer();
        FitCheckpoints.Position start = new FitCheckpoints.Position(0, 0);
        BestOnValidation best = new BestOnValidation();
        if (o.resume) {
            var r = o.checkpoints.resume(trainer);
            if (r.isPresent()) {
                start = r.get().position();
                best = r.get().best();
                checkPosition(start, task, epochs);
                LOG.info("adapter '{}': resuming at step {} (epoch {}, batch {})", adapter, trainer.iteration(),
                        start.epoch(), start.batch());
                for (FitListener l : o.listeners) {
                    l.onResumed(trainer.iteration(), start.epoch(), start.batch(), epochs);
                }
            }
        }
        DivergenceGuard guard = new DivergenceGuard(train.numClasses());
        for (int epoch = start.epoch(); epoch < epochs && trainer.iteration() < total; epoch++) {
            List<int[]> batches = task.batches(epoch);
            int first = epoch == start.epoch() ? start.batch() : 0;
            int steps = Math.min(batches.size() - first, total - trainer.iteration());
            for (FitListener l : o.listeners) {
                l.onEpochStart(epoch, epochs, steps);
            }
            for (int b = first; b < batches.size() && trainer.iteration() < total; b++) {
                int[] idx = batches.get(b);
                double lr = trainer.learningRate();
                float loss = task.step(idx);
                guard.check(trainer.iteration(), loss, trainer.lastGradNorm(), lr);
                for (FitListener l : o.listeners) {
                    l.onStep(trainer.iteration(), loss, lr, idx.length);
                }
                if (validation != null && o.evalEvery > 0 && trainer.iteration() % o.evalEvery == 0) {
                    validate(task, validation, trainer, best, o);
                }
                if (o.checkpoints != null && o.checkpointEvery > 0 && trainer.iteration() % o.checkpointEvery == 0
                        && b + 1 < batches.size() && trainer.iteration() < total) {
                    save(o, trainer, new FitCheckpoints.Position(epoch, b + 1), best);
                }
            }
            for (FitListener l : o.listeners) {
                l.onEpochTrained(epoch, epochs);
            }
            trainer.endEpoch();
            if (trainer.iteration() >= total) {
                Workspaces.release(Workspaces.TRAIN, Workspaces.LAYER, Workspaces.FACTORS);   // not held beside the last scoring passes
            }
            BestOnValidation.Point v = null;
            if (validation != null) {
                validate(task, validation, trainer, best, o);
                v = best.history().get(best.history().size() - 1);
            }
            for (FitListener l : o.listeners) {
                l.onEpochEnd(epoch, epochs, trainer.iteration(), v);
            }
            if (o.checkpoints != null) {
                save(o, trainer, new FitCheckpoints.Position(epoch + 1, 0), best);
            }
        }
        if (best.params() != null) {
            task.restoreParams(best.params());   // the step chosen on validation
        }
        task.finish();
        return new FitResult(best.report(), best.report() == null ? total : best.step(), total, best.history());
    }

    /** Accuracy, macro-F1 and confusion matrix of a classifier on a dataset (batches of {@link #EVAL_BATCH}). */
    public static ClassificationReport evaluate(Classifier model, TokenBatcher tok, TextDataset data) {
        return evaluate(model, tok, data, EVAL_BATCH);
    }

    /**
     * The same in batches of {@code batchSize} texts. Validation during training uses the training batch: the
     * kernel path's inference workspace then stays within a training step's, next to it (batches of 32 beside a
     * batch-8 training workspace raised the default fine-tune's peak from 0.53 to 0.64 GB).
     */
    public static ClassificationReport evaluate(Classifier model, TokenBatcher tok, TextDataset data, int batchSize) {
        int[] pred = Classifier.argmax(model.probabilities(tok, data.texts(), batchSize));
        return ClassificationReport.of(data.labels(), pred, data.labelNames());
    }

    private static void save(FitOptions o, Trainer trainer, FitCheckpoints.Position next, BestOnValidation best)
            throws IOException {
        for (FitListener l : o.listeners) {
            l.beforeCheckpoint(trainer.iteration());
        }
        o.checkpoints.save(trainer, next, best);
    }

    /** Validates now (once per step) and offers the current parameters to the selection. */
    private static void validate(TrainingTask task, TextDataset val, Trainer trainer, BestOnValidation best,
                                 FitOptions o) {
        if (!best.validatedAt(trainer.iteration())) {
            ClassificationReport r = task.evaluate(val);
            best.offer(trainer.iteration(), r, trainer::params);
            for (FitListener l : o.listeners) {
                l.onValidation(trainer.iteration(), r);
            }
        }
    }

    private static void checkPosition(FitCheckpoints.Position p, TrainingTask task, int epochs) throws IOException {
        if (p.epoch() > epochs || p.epoch() < epochs && p.batch() >= task.batches(p.epoch()).size()
                || p.epoch() == epochs && p.batch() != 0) {
            throw new IOException("checkpoint position epoch " + p.epoch() + ", batch " + p.batch()
                    + " is outside this run of " + epochs + " epochs");
        }
    }
}
