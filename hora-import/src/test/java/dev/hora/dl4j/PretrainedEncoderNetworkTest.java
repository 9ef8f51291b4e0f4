package dev.hora.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.Target;
import dev.hora.data.TextDataset;
import dev.hora.onnx.TestModels;
import dev.hora.text.TokenBatcher;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.earlystopping.EarlyStoppingConfiguration;
import org.deeplearning4j.earlystopping.EarlyStoppingResult;
import org.deeplearning4j.earlystopping.saver.InMemoryModelSaver;
import org.deeplearning4j.earlystopping.scorecalc.DataSetLossCalculator;
import org.deeplearning4j.earlystopping.termination.MaxEpochsTerminationCondition;
import org.deeplearning4j.earlystopping.trainer.EarlyStoppingGraphTrainer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.InvocationType;
import org.deeplearning4j.optimize.listeners.CheckpointListener;
import org.deeplearning4j.optimize.listeners.EvaluativeListener;
import org.deeplearning4j.optimize.listeners.ScoreIterationListener;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's own training API, unchanged, on a network {@code ids -> PretrainedEncoder -> OutputLayer}
 * over the tiny BERT: {@code fit} with its listeners, {@code evaluate}, early stopping on a validation
 * iterator; the encoder's arrays stay bit-identical.
 */
class PretrainedEncoderNetworkTest {
    static TokenBatcher tok;
    static TextDataset train;
    static TextDataset val;

    @BeforeAll
    static void data() {
        tok = TinyEncoderNets.tokenizer();
        train = TinyEncoderNets.texts("train", 1, 24);
        val = TinyEncoderNets.texts("val", 2, 16);
    }

    @AfterAll
    static void close() {
        tok.close();
    }

    static AdapterConfig lora() {
        return AdapterConfig.builder().kind(AdapterKind.LORA).rank(4).alpha(8).targets(Target.Q, Target.V).seed(3).build();
    }

    static TextDataSetIterator trainIter() {
        return new TextDataSetIterator(tok, train, 4, 7, true);
    }

    static TextDataSetIterator valIter() {
        return new TextDataSetIterator(tok, val, 8, 0, false);
    }

    /** The encoder's weights equal a fresh import of the same bytes, bit for bit. */
    static void assertEncoderUntouched(ComputationGraph g) {
        PretrainedEncoder c = (PretrainedEncoder) g.getLayer("encoder").conf().getLayer();
        Map<String, INDArray> now = Encoders.bert(c.getEncoder(), c.getEncoderSha256()).weights();
        Map<String, INDArray> fresh = TestModels.tiny().weights();
        assertEquals(fresh.keySet(), now.keySet());
        fresh.forEach((n, w) -> assertEquals(w, now.get(n), "encoder weight " + n));
    }

    @Test
    void fitWithListenersTrainsOnlyTheAdapter(@TempDir Path dir) throws Exception {
        ComputationGraph g = TinyEncoderNets.textClassifier(lora(), 2, 1e-2, 1);
        INDArray before = g.getLayer("encoder").params().dup();
        assertEquals(g.getLayer("encoder").numParams(), 2L * 2 * (32 * 4 + 4 * 32), "only LoRA's A and B of Q, V in 2 layers");
        List<Double> accuracies = new ArrayList<>();
        EvaluativeListener eval = new EvaluativeListener(valIter(), 1, InvocationType.EPOCH_END, new Evaluation());
        eval.setCallback((listener, model, invocations, evaluations) ->
                accuracies.add(((Evaluation) evaluations[0]).accuracy()));
        CheckpointListener ckpt = new CheckpointListener.Builder(dir.toFile()).saveEveryEpoch().keepAll().build();
        g.setListeners(new ScoreIterationListener(1), eval, ckpt);
        double start = g.score(trainIter().next());
        g.fit(trainIter(), 3);
        assertEquals(3, accuracies.size(), "EvaluativeListener after every epoch");
        assertEquals(3, ckpt.availableCheckpoints().size());
        ComputationGraph last = CheckpointListener.loadLastCheckpointCG(dir.toFile());
        assertEquals(g.getLayer("encoder").params(), last.getLayer("encoder").params(), "the last checkpoint");
        assertNotEquals(before, g.getLayer("encoder").params(), "the adapter trained");
        assertTrue(g.score(trainIter().next()) < start, "the training loss fell");
        Evaluation e = g.evaluate(valIter());
        assertEquals(val.size(), e.getConfusion().getPredictedTotal(0) + e.getConfusion().getPredictedTotal(1));
        assertEquals(accuracies.get(2), e.accuracy(), 1e-12, "evaluate = the listener's last evaluation");
        assertEncoderUntouched(g);
    }

    @Test
    void earlyStoppingPicksTheEpochOnTheValidationIterator() throws Exception {
        ComputationGraph g = TinyEncoderNets.textClassifier(lora(), 2, 2e-2, 2);
        DataSetLossCalculator loss = new DataSetLossCalculator(valIter(), true);
        EarlyStoppingConfiguration<ComputationGraph> es = new EarlyStoppingConfiguration.Builder<ComputationGraph>()
                .epochTerminationConditions(new MaxEpochsTerminationCondition(4)).scoreCalculator(loss)
                .modelSaver(new InMemoryModelSaver<>()).evaluateEveryNEpochs(1).build();
        EarlyStoppingResult<ComputationGraph> r = new EarlyStoppingGraphTrainer(es, g, trainIter()).fit();
        Map<Integer, Double> scores = r.getScoreVsEpoch();
        assertEquals(4, scores.size(), "scored on validation after each of 4 epochs");
        int argmin = scores.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow().getKey();
        assertEquals(argmin, r.getBestModelEpoch());
        assertEquals(scores.get(argmin), loss.calculateScore(r.getBestModel()), 1e-9,
                "the kept model is the one of the best validation score");
        assertEncoderUntouched(r.getBestModel());
    }

    @Test
    void theMultiDataSetViewTrainsTheSameAsTheDataSetIterator() {
        ComputationGraph a = TinyEncoderNets.textClassifier(lora(), 2, 1e-2, 3);
        ComputationGraph b = TinyEncoderNets.textClassifier(lora(), 2, 1e-2, 3);
        a.fit(trainIter());
        b.fit(trainIter().toMultiDataSetIterator());
        assertEquals(a.params(), b.params());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new ComputationGraph(new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().dropOut(0.9)
                        .graphBuilder().addInputs("ids")
                        .addLayer("encoder", TinyEncoderNets.encoder(lora(), PretrainedEncoder.Output.MEAN), "ids")
                        .setOutputs("encoder").build()).init());
        assertTrue(e.getMessage().contains("dropOut"), e.getMessage());
    }
}
