package dev.hora.kernels;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The planned memory of the kernel path: every array a forward/backward pass allocates comes from
 * one ND4J workspace per pass kind and thread, sized by the first pass and grown (reallocated) when a
 * larger batch shape arrives, then reused: no per-step allocation, nothing left for the garbage
 * collector, resident memory flat over an epoch. Arrays that outlive a pass are {@code detach()}ed.
 */
public final class Workspaces {
    /** Training steps (forward with saved activations + backward). */
    public static final String TRAIN = "hora-train";
    /** Inference passes. */
    public static final String INFER = "hora-infer";
    /**
     * A training step's adapter factors, their gradients and the factor kernels' temporaries (opened around the step by
     * the kernel objective): HoRA's generated dW and its gradient (7 MB each a step on MiniLM's q, v) are reused
     * memory instead of a native allocation and free per step. See {@link #factorScope()}.
     */
    public static final String FACTORS = "hora-factors";
    /** One layer's temporaries (forward or backward), nested in a pass: reused layer after layer. */
    public static final String LAYER = "hora-layer";

    private static final WorkspaceConfiguration CONF = WorkspaceConfiguration.builder()
            .initialSize(0).overallocationLimit(0.05)
            .policyAllocation(AllocationPolicy.OVERALLOCATE).policyLearning(LearningPolicy.FIRST_LOOP)
            .policyReset(ResetPolicy.BLOCK_LEFT).policySpill(SpillPolicy.REALLOCATE).build();

    static {
        ShapeInfoCache.install();   // every kernel pass goes through here: its arrays' shape buffers are cached
        KernelWarmup.start();       // (usually started already by the import)
    }

    private Workspaces() {
    }

    /** Opens (activates) the workspace {@code id} of this thread; close it to end the pass. */
    public static MemoryWorkspace open(String id) {
        return Nd4j.getWorkspaceManager().getAndActivateWorkspace(CONF, id);
    }

    /**
     * Moves an array out of the innermost workspace into the enclosing one (the pass that outlives a
     * layer's scope), or out of workspaces altogether when none encloses it. Null stays null.
     */
    public static INDArray keep(INDArray a, MemoryWorkspace outer) {
        if (a == null) {
            return null;
        }
        return outer == null ? a.detach() : a.leverageTo(outer.getId());
    }

    /**
     * Frees this thread's workspaces {@code ids} that exist and are not open: e.g. a training pass's once training
     * has ended, so that scoring does not hold it beside its own (its arrays are invalid after each pass anyway).
     */
    public static void release(String... ids) {
        for (String id : ids) {
            if (Nd4j.getWorkspaceManager().checkIfWorkspaceExists(id)) {
                MemoryWorkspace ws = Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread(id);
                if (!ws.isScopeActive()) {
                    Nd4j.getWorkspaceManager().destroyWorkspace(ws);
                }
            }
        }
    }

    /**
     * Where the factor kernels allocate: in {@link #FACTORS} when that is this thread's current workspace (a training
     * step; the caller keeps what must outlive it), otherwise outside every workspace (factors cached for inference,
     * merges). Returns the scope to close, or null when the current workspace is kept (try-with-resources skips null).
     */
    public static MemoryWorkspace factorScope() {
        MemoryWorkspace c = current();
        return c != null && FACTORS.equals(c.getId()) ? null : Nd4j.getWorkspaceManager().scopeOutOfWorkspaces();
    }

    /** The workspace active now on this thread, or null. */
    public static MemoryWorkspace current() {
        return Nd4j.getMemoryManager().getCurrentWorkspace();
    }

    /** Bytes currently reserved by the workspace {@code id} of this thread (0 if none). */
    public static long reservedBytes(String id) {
        if (!Nd4j.getWorkspaceManager().checkIfWorkspaceExists(id)) {
            return 0;
        }
        return Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread(CONF, id).getCurrentSize();
    }
}
