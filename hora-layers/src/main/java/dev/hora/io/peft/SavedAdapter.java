package dev.hora.io.peft;

import dev.hora.adapter.ProjectionShape;
import dev.hora.config.AdapterConfig;
import dev.hora.config.Target;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The content of an adapter folder, in this library's conventions (row-vector weights
 * {@code [in, out]}, parameter names of {@link dev.hora.adapter.Adapter#paramShapes()}).
 *
 * @param config      the adapter settings
 * @param baseModel   {@code base_model_name_or_path} (may be null)
 * @param numLayers   number of encoder layers of the base model
 * @param projections shape of every adapted projection (the same in every adapted layer)
 * @param layers      layer index -> parameter name -> value, e.g. LoRA {@code qA [d_in, r]}
 * @see SavedClassifier the classification head, a separate file of the same folder
 */
public record SavedAdapter(AdapterConfig config, String baseModel, int numLayers,
                           Map<Target, ProjectionShape> projections,
                           Map<Integer, Map<String, INDArray>> layers) {
}
