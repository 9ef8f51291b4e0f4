package dev.hora.layers.impl;

import dev.hora.util.QuietStdout;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * DL4J's SameDiff layer runtime with the M2.1 doubled-gradient bug corrected.
 *
 * <p><b>Why M2.1 doubles.</b> {@link SameDiffLayer} feeds the incoming error {@code eps = dL/dy [same shape
 * as y]} into its graph through an {@code ExternalErrorsFunction}. That op's {@code doDiff} both
 * registers the placeholder {@code y-grad} as the gradient of y ({@code setGradientForVariableName}) and
 * returns it; {@code DifferentialFunction.diff} then sees that y already has a gradient and accumulates the
 * returned one onto it: {@code dL/dy = y-grad + y-grad = 2 eps}. Every gradient downstream of y (all
 * parameter gradients and {@code dL/dx}) is therefore exactly 2x.
 *
 * <p><b>Fix at that depth.</b> The doubling acts on the external error, so we feed {@code eps / 2}:
 * <pre>
 *   dL/dy = eps/2 + eps/2 = eps   (exact: halving and doubling are exact in binary floating point)
 * </pre>
 * and everything downstream is exactly what a correct runtime computes. A test keeps checking DL4J's own
 * SelfAttentionLayer so a release that fixes the bug (which would make this layer 0.5x) is noticed.
 *
 * <p>Also drops the "Added differentiated op ..." lines that M2.1's {@code SameDiff.createGradFunction}
 * prints to stdout (a debugging leftover, one line per op) while the gradient graph is built on the first
 * backward pass; every other output passes through.
 */
public class HalvedGradientSameDiffLayer extends SameDiffLayer {

    public HalvedGradientSameDiffLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        INDArray half;
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            half = epsilon.mul(0.5);   // detached; compensates the doubling of ExternalErrorsFunction
        }
        if (sameDiff != null && sameDiff.hasGradientFunction()) {
            return super.backpropGradient(half, workspaceMgr);
        }
        // the first call builds the gradient graph, which M2.1 narrates line by line on stdout
        return QuietStdout.call(() -> super.backpropGradient(half, workspaceMgr));
    }
}
