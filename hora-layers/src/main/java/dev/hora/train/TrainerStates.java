package dev.hora.train;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Checks a state map against a trainer before {@link Trainer#restore} changes anything. */
final class TrainerStates {
    private TrainerStates() {
    }

    static void check(Map<String, INDArray> state, List<String> trainable, Map<String, INDArray> views,
                      Map<String, INDArray> params) {
        for (String k : state.keySet()) {
            if (k.startsWith(Trainer.PARAM_PREFIX)
                    && !trainable.contains(k.substring(Trainer.PARAM_PREFIX.length()))) {
                throw new IllegalArgumentException("trainer state: '" + k + "' is not a trainable variable here "
                        + "(trainable: " + trainable + ")");
            }
        }
        for (String n : trainable) {
            INDArray p = require(state, Trainer.PARAM_PREFIX + n);
            long[] want = params.get(n).shape();
            dtype(Trainer.PARAM_PREFIX + n, p, params.get(n).dataType());
            if (!Arrays.equals(p.shape(), want)) {
                throw new IllegalArgumentException("trainer state: '" + Trainer.PARAM_PREFIX + n + "' has shape "
                        + Arrays.toString(p.shape()) + ", expected " + Arrays.toString(want));
            }
            INDArray view = views.get(n);
            if (view != null) {
                INDArray u = require(state, Trainer.UPDATER_PREFIX + n);
                dtype(Trainer.UPDATER_PREFIX + n, u, view.dataType());
                if (u.length() != view.length()) {
                    throw new IllegalArgumentException("trainer state: '" + Trainer.UPDATER_PREFIX + n + "' has "
                            + u.length() + " values, the updater needs " + view.length() + " (another updater?)");
                }
            }
        }
        for (String k : List.of(Trainer.ITERATION_KEY, Trainer.EPOCH_KEY)) {
            INDArray c = require(state, k);
            dtype(k, c, DataType.LONG);
            if (c.length() != 1 || c.getLong(0) < 0 || c.getLong(0) > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("trainer state: '" + k + "' must hold one integer in [0, 2^31), got "
                        + c);
            }
        }
    }

    /** A relabelled dtype of the same size would load as other numbers (e.g. F64 counters as 0): refuse it. */
    private static void dtype(String key, INDArray a, DataType want) {
        if (a.dataType() != want) {
            throw new IllegalArgumentException("trainer state: '" + key + "' has data type " + a.dataType()
                    + ", expected " + want);
        }
    }

    private static INDArray require(Map<String, INDArray> state, String key) {
        INDArray a = state.get(key);
        if (a == null) {
            throw new IllegalArgumentException("trainer state: missing tensor '" + key + "'");
        }
        return a;
    }
}
