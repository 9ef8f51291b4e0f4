package dev.hora.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Exact (erf) GELU and its derivative:
 * <pre>
 *   Phi(z) = (1 + erf(z / sqrt 2)) / 2,   phi(z) = exp(-z^2 / 2) / sqrt(2 pi)
 *   y = z Phi(z),                          dy/dz = Phi(z) + z phi(z)         z [n, f]
 * </pre>
 * Training keeps dy/dz from the forward pass (one array) so the backward is one multiply.
 */
public final class Gelu {
    private static final double INV_SQRT2 = 1.0 / Math.sqrt(2.0);
    private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2.0 * Math.PI);

    private Gelu() {
    }

    /** z is overwritten with y; returns dy/dz [n, f] when {@code derivative}, else null. */
    public static INDArray forwardInPlace(INDArray z, boolean derivative) {
        if (CpuLoops.applies(z)) {
            INDArray dydz = derivative ? Nd4j.createUninitialized(z.dataType(), z.shape()) : null;
            CpuLoops.gelu(z, dydz);
            return dydz;
        }
        INDArray phiCdf = z.mul(INV_SQRT2);
        Nd4j.exec(new Erf(phiCdf, phiCdf));
        phiCdf.addi(1.0).muli(0.5);                                     // Phi
        INDArray dydz = null;
        if (derivative) {
            dydz = Transforms.exp(z.mul(z).muli(-0.5), false).muli(z).muli(INV_SQRT_2PI).addi(phiCdf);
        }
        z.muli(phiCdf);
        return dydz;
    }

    /** dz = dy * dy/dz, in place in dy. */
    public static INDArray backwardInPlace(INDArray dy, INDArray dydz) {
        return dy.muli(dydz);
    }
}
