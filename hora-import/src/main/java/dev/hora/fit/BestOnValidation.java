package dev.hora.fit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hora.io.Checkpoint;
import dev.hora.metrics.ClassificationReport;
import dev.hora.metrics.MetricsJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Model selection on the validation split: the step with the highest validation accuracy (the
 * earliest on ties) and a copy of its trainable values. The test split plays no part in it.
 * Saved with a run's checkpoint (tensors {@code best/<name>}, metadata {@code hora.best}), so a
 * resumed run selects as an uninterrupted one would.
 */
public final class BestOnValidation {
    public static final String TENSOR_PREFIX = "best/";
    public static final String META = "hora.best";

    /** One validation: after {@code step} optimizer steps. */
    public record Point(int step, double accuracy, double macroF1) {
    }

    private final List<Point> history = new ArrayList<>();
    private Map<String, INDArray> params;
    private ClassificationReport report;
    private int step = -1;

    /** Records a validation after {@code step} steps; keeps {@code params} if it is the best so far. */
    public void offer(int atStep, ClassificationReport r, Supplier<Map<String, INDArray>> current) {
        if (!history.isEmpty() && history.get(history.size() - 1).step() == atStep) {
            return;   // already validated at this step
        }
        history.add(new Point(atStep, r.accuracy(), r.macroF1()));
        if (report == null || r.accuracy() > report.accuracy()) {
            report = r;
            step = atStep;
            params = current.get();
        }
    }

    /** True when the last validation was after {@code atStep} steps. */
    public boolean validatedAt(int atStep) {
        return !history.isEmpty() && history.get(history.size() - 1).step() == atStep;
    }

    public Map<String, INDArray> params() {
        return params;
    }

    public ClassificationReport report() {
        return report;
    }

    /** The selected step (-1 before any validation). */
    public int step() {
        return step;
    }

    public List<Point> history() {
        return List.copyOf(history);
    }

    /** Adds this selection to a checkpoint's tensors and metadata. */
    public void addTo(Map<String, INDArray> tensors, Map<String, String> meta) {
        if (params == null) {
            return;
        }
        params.forEach((n, v) -> tensors.put(TENSOR_PREFIX + n, v));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", step);
        m.put("report", report);
        m.put("history", history);
        meta.put(META, MetricsJson.toJson(m));
    }

    /** The selection saved in a checkpoint (empty if it holds none). */
    public static BestOnValidation from(Checkpoint c) throws IOException {
        BestOnValidation b = new BestOnValidation();
        String json = c.metadata().get(META);
        if (json == null) {
            return b;
        }
        JsonNode n = MetricsJson.MAPPER.readTree(json);
        b.step = integer(n, "step");
        b.report = MetricsJson.MAPPER.treeToValue(n.get("report"), ClassificationReport.class);
        if (!n.path("history").isArray()) {
            throw new IOException("field 'history' is " + n.get("history") + ", expected an array");
        }
        for (JsonNode p : n.get("history")) {
            b.history.add(new Point(integer(p, "step"), number(p, "accuracy"), number(p, "macroF1")));
        }
        b.params = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : c.tensors().entrySet()) {
            if (e.getKey().startsWith(TENSOR_PREFIX)) {
                b.params.put(e.getKey().substring(TENSOR_PREFIX.length()), e.getValue());
            }
        }
        return b;
    }

    private static int integer(JsonNode n, String field) throws IOException {
        JsonNode v = n.get(field);
        if (v == null || !v.isInt() || v.asInt() < 0) {
            throw new IOException("field '" + field + "' is " + v + ", expected a non-negative integer");
        }
        return v.asInt();
    }

    private static double number(JsonNode n, String field) throws IOException {
        JsonNode v = n.get(field);
        if (v == null || !v.isNumber() || !(v.asDouble() >= 0 && v.asDouble() <= 1)) {
            throw new IOException("field '" + field + "' is " + v + ", expected a number in [0, 1]");
        }
        return v.asDouble();
    }
}
