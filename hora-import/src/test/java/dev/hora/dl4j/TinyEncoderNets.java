package dev.hora.dl4j;

import dev.hora.config.AdapterConfig;
import dev.hora.data.Example;
import dev.hora.data.TextDataset;
import dev.hora.text.TokenBatcher;
import java.util.ArrayList;
import java.util.List;
import dev.hora.onnx.TestModels;
import dev.hora.onnx.bert.BertEncoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Test networks: the tiny random BERT (2 layers, width 32) as a {@link PretrainedEncoder} plus a softmax head. */
final class TinyEncoderNets {
    static final int CLASSES = 3;
    private static Path file;

    private TinyEncoderNets() {
    }

    /** The tiny encoder's ONNX file (written once per JVM). */
    static synchronized Path onnx() {
        if (file == null) {
            try {
                file = Files.createTempFile("tiny-bert", ".onnx");
                Files.write(file, TestModels.tinyOnnxBytes());
                file.toFile().deleteOnExit();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return file;
    }

    static PretrainedEncoder encoder(AdapterConfig adapter, PretrainedEncoder.Output output) {
        return PretrainedEncoder.builder().encoder(onnx().toString()).adapter(adapter).output(output).build();
    }

    /** ids -> encoder -> softmax head of {@link #CLASSES}; MCXENT. */
    static ComputationGraph classifier(AdapterConfig adapter, DataType type, IUpdater updater, long seed) {
        return classifier(adapter, type, updater, seed, CLASSES);
    }

    /** ids -> encoder (MEAN) -> softmax head of {@code classes}; MCXENT. */
    static ComputationGraph classifier(AdapterConfig adapter, DataType type, IUpdater updater, long seed, int classes) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().dataType(type).seed(seed)
                .updater(updater).graphBuilder()
                .addInputs("ids")
                .addLayer("encoder", encoder(adapter, PretrainedEncoder.Output.MEAN), "ids")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(32).nOut(classes).build(), "encoder")
                .setOutputs("out").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    /** A padded batch of the tiny vocabulary (lengths as given) with one-hot labels drawn from {@code seed}. */
    static DataSet batch(long seed, int... lengths) {
        Map<String, INDArray> f = TestModels.tinyFeeds(seed, lengths);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, lengths.length, CLASSES);
        java.util.Random r = new java.util.Random(seed);
        for (int i = 0; i < lengths.length; i++) {
            labels.putScalar(i, r.nextInt(CLASSES), 1f);
        }
        return new DataSet(f.get(BertEncoder.INPUT_IDS).castTo(DataType.FLOAT), labels,
                f.get(BertEncoder.ATTENTION_MASK).castTo(DataType.FLOAT), null);
    }

    /** A whitespace WordLevel tokenizer of the tiny vocabulary: [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3, w4..w49. */
    static TokenBatcher tokenizer() {
        StringBuilder vocab = new StringBuilder("\"[PAD]\":0,\"[UNK]\":1,\"[CLS]\":2,\"[SEP]\":3");
        for (int i = 4; i < 50; i++) {
            vocab.append(",\"w").append(i).append("\":").append(i);
        }
        String json = "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,\"added_tokens\":[],"
                + "\"normalizer\":null,\"pre_tokenizer\":{\"type\":\"Whitespace\"},"
                + "\"post_processor\":{\"type\":\"BertProcessing\",\"sep\":[\"[SEP]\",3],\"cls\":[\"[CLS]\",2]},"
                + "\"decoder\":null,\"model\":{\"type\":\"WordLevel\",\"vocab\":{" + vocab + "},\"unk_token\":\"[UNK]\"}}";
        try {
            return TokenBatcher.fromTokenizerJson(new java.io.ByteArrayInputStream(json.getBytes(
                    java.nio.charset.StandardCharsets.UTF_8)), 20);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * n sentences of 3-12 random words w7..w49, half of them (label 1) with one of w4, w5, w6 at a
     * random place: a task the tiny encoder's adapter can learn.
     */
    static TextDataset texts(String name, long seed, int n) {
        java.util.Random r = new java.util.Random(seed);
        List<Example> ex = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<String> words = new ArrayList<>();
            int len = 3 + r.nextInt(10);
            for (int j = 0; j < len; j++) {
                words.add("w" + (7 + r.nextInt(43)));
            }
            int label = i % 2;
            if (label == 1) {
                words.set(r.nextInt(len), "w" + (4 + r.nextInt(3)));
            }
            ex.add(new Example(String.join(" ", words), label));
        }
        return new TextDataset(name, ex, List.of("without", "with"));
    }

    /** ids -> encoder (MEAN) -> softmax head of {@code classes}, FLOAT, Adam. */
    static ComputationGraph textClassifier(AdapterConfig adapter, int classes, double lr, long seed) {
        return classifier(adapter, DataType.FLOAT, new org.nd4j.linalg.learning.config.Adam(lr), seed, classes);
    }

    /** Draws every adapter parameter from N(0, scale^2) so that dW != 0 and every factor has a gradient. */
    static void randomiseAdapter(ComputationGraph g, long seed, double scale) {
        INDArray p = g.getLayer("encoder").params();
        p.assign(Nd4j.randn(seed, p.shape()).castTo(p.dataType()).muli(scale));
    }
}
