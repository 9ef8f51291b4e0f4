package dev.hora.fit;

/**
 * Training stopped because the loss or the gradient norm became non-finite or exploded
 * ({@link DivergenceGuard}); the run's last checkpoint is the last good state.
 */
public final class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TrainingDivergedException(String message) {
        super(message + "; the last checkpoint (if any) holds the last good state");
    }
}
