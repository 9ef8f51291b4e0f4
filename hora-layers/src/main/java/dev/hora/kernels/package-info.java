/**
 * Explicit forward and backward kernels over ND4J arrays: the frozen trunk of an encoder, computed
 * without SameDiff, and the backward pass that training needs and nothing more.
 *
 * <pre>
 *   kernel               forward                                  backward (what training reads)
 *   Linear               y = x W + b                              dx = dy W^T   (never dW of a frozen W)
 *   LowRank              y += [(x a_g) b_g]                       da, db, dx += ...
 *   LayerNorm            y = (x - mu) rstd gamma + beta           dx = rstd (t - mean t - xhat mean(t xhat))
 *   Gelu                 y = z Phi(z)                             dz = dy (Phi + z phi)   (kept from forward)
 *   Attention            P = softmax(c Q K^T + m), ctx = P V      dQ, dK, dV  (per head, in place: StridedGemm)
 *   Pooling              pooled = M h                             dh = M^T dpooled
 *   SoftmaxCrossEntropy  p, loss                                  dW, db, dx of the head
 *   Dropout              x m (mask from seed, step, site)         dx m
 * </pre>
 *
 * <p>Three implementation layers, each tested against the next: {@link dev.hora.kernels.StridedGemm}
 * calls the BLAS ND4J loads on the arrays' memory (sub-matrices by offset and leading dimension, no
 * copies) on the CPU backend and falls back to ND4J's {@code mmul} elsewhere (CUDA); the element-wise
 * kernels run fused Java loops in float on the CPU ({@code CpuLoops}, with SIMD bodies on the Vector API
 * when the JVM has {@code jdk.incubator.vector}) and ND4J ops otherwise (CUDA, double precision: the
 * portable path the finite-difference tests check). Threads come from {@link dev.hora.kernels.Parallel}: every
 * parallel section (row blocks of a GEMM, the per-head attention GEMMs, the loops) splits over one pool of
 * Java threads, and the BLAS runs single-threaded inside each part. Memory comes from {@link dev.hora.kernels.Workspaces}:
 * one workspace per pass, one per layer inside it, so only saved activations outlive a layer and
 * nothing is left for the garbage collector.
 */
package dev.hora.kernels;
