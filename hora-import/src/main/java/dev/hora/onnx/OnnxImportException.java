package dev.hora.onnx;

/**
 * Thrown when an ONNX file cannot be turned into a BERT-family encoder: the file is missing,
 * empty, truncated or not ONNX, a tensor is missing, misshapen or unexpected, or the graph uses
 * operators or an architecture this importer does not support.
 *
 * <p>The message always starts with the file (or classpath resource) and then names the problem,
 * e.g. {@code "model.onnx: missing tensor encoder.layer.1.attention.self.key.weight"}.
 */
public class OnnxImportException extends RuntimeException {
    private final String source;
    private final String problem;

    public OnnxImportException(String source, String problem) {
        this(source, problem, null);
    }

    public OnnxImportException(String source, String problem, Throwable cause) {
        super(source + ": " + problem, cause);
        this.source = source;
        this.problem = problem;
    }

    /** The file path or classpath resource name that failed. */
    public String source() {
        return source;
    }

    /** The problem, without the source prefix. */
    public String problem() {
        return problem;
    }
}
