package dev.hora.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.Map;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.ndarray.INDArray;

/** ONNX Runtime as the ground truth: runs an ONNX model on [b, s] int64 inputs. */
final class OrtReference implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    OrtReference(byte[] model, int threads) throws OrtException {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setIntraOpNumThreads(threads);
        o.setInterOpNumThreads(1);
        session = env.createSession(model, o);
    }

    /** last_hidden_state [b, s, d]. */
    INDArray lastHiddenState(Batch batch) throws OrtException {
        try (OnnxTensor ids = OnnxTensor.createTensor(env, batch.ids());
             OnnxTensor mask = OnnxTensor.createTensor(env, batch.mask());
             OnnxTensor types = OnnxTensor.createTensor(env, batch.types());
             OrtSession.Result r = session.run(Map.of("input_ids", ids, "attention_mask", mask,
                     "token_type_ids", types))) {
            float[][][] out = (float[][][]) r.get(0).getValue();
            return Nd4j.create(out);
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
