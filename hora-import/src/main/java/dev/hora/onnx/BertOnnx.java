package dev.hora.onnx;

import dev.hora.kernels.KernelWarmup;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import onnx.Onnx.ModelProto;
import org.nd4j.shade.protobuf.CodedInputStream;
import org.nd4j.shade.protobuf.InvalidProtocolBufferException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point: reads a BERT-family ONNX export (BERT, MiniLM, BGE, E5 ... as exported from
 * PyTorch / HF, float32 or dynamically int8-quantized) into an {@link ImportedBert}: its
 * {@link BertConfig} read from the graph, and its weights under HF names.
 *
 * <pre>
 *   ImportedBert bert = BertOnnx.fromResource("all-minilm-l6-v2.onnx");
 *   SameDiff sd = SameDiff.create();
 *   BertEncoder enc = bert.encoder().pooling(Pooling.MEAN).build(sd);
 *   // feed input_ids, attention_mask, token_type_ids [b, s] int64; read "pooled" [b, hidden]
 * </pre>
 *
 * Every failure is an {@link OnnxImportException} naming the file and the problem.
 */
public final class BertOnnx {
    private static final Logger log = LoggerFactory.getLogger(BertOnnx.class);

    private BertOnnx() {
    }

    /** Reads an ONNX file (streamed: the file's bytes are never held whole beside the parsed tensors). */
    public static ImportedBert load(Path file) {
        String src = file.toString();
        try {
            long size = Files.size(file);
            if (size > Integer.MAX_VALUE - 16) {
                throw new OnnxImportException(src, "file of " + size + " bytes is too large (limit 2 GiB)");
            }
            try (InputStream in = Files.newInputStream(file)) {
                return fromStream(src, in);
            }
        } catch (NoSuchFileException e) {
            throw new OnnxImportException(src, "file not found", e);
        } catch (IOException e) {
            throw new OnnxImportException(src, "cannot read: " + e, e);
        }
    }

    /** Reads an ONNX file from the classpath, e.g. {@code "all-minilm-l6-v2.onnx"}. */
    public static ImportedBert fromResource(String name) {
        String src = "classpath:" + name;
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        InputStream in = cl == null ? null : cl.getResourceAsStream(name);
        if (in == null) {
            in = BertOnnx.class.getClassLoader().getResourceAsStream(name);
        }
        if (in == null) {
            throw new OnnxImportException(src, "resource not found on the classpath");
        }
        try (InputStream s = in) {
            return fromStream(src, s);
        } catch (IOException e) {
            throw new OnnxImportException(src, "cannot read: " + e, e);
        }
    }

    /**
     * Parses an ONNX model from a stream (not closed here); {@code source} names it in errors. Each weight is
     * decoded as soon as its bytes are read ({@link OnnxStreamReader}): neither the file nor all of its tensors'
     * bytes sit on the heap at once.
     */
    public static ImportedBert fromStream(String source, InputStream in) throws IOException {
        PushbackInputStream p = new PushbackInputStream(in, 1);
        int first = p.read();
        if (first < 0) {
            throw new OnnxImportException(source, "empty file, not an ONNX model");
        }
        p.unread(first);
        CodedInputStream cis = CodedInputStream.newInstance(p, 1 << 16);
        cis.setSizeLimit(Integer.MAX_VALUE);
        return parse(source, () -> OnnxStreamReader.read(source, cis));
    }

    /** Reads ONNX bytes; {@code source} names them in errors. */
    public static ImportedBert fromBytes(String source, byte[] bytes) {
        return parse(source, bytes);
    }

    /** A parse of the model's bytes. */
    @FunctionalInterface
    private interface Parser {
        OnnxStreamReader.Parsed parse() throws IOException;
    }

    private static ImportedBert parse(String src, byte[] bytes) {
        if (bytes.length == 0) {
            throw new OnnxImportException(src, "empty file, not an ONNX model");
        }
        try {
            return parse(src, () -> OnnxStreamReader.read(src, CodedInputStream.newInstance(bytes)));
        } catch (IOException e) {
            throw new OnnxImportException(src, "cannot read: " + e, e);
        }
    }

    private static ImportedBert parse(String src, Parser parser) throws IOException {
        KernelWarmup.start();   // the kernels compile while the file is read (once per JVM)
        long t0 = System.nanoTime();
        OnnxStreamReader.Parsed parsed;
        try {
            parsed = parser.parse();
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxImportException(src, "not an ONNX model or truncated file: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new OnnxImportException(src, "not an ONNX model: " + e, e);
        }
        ModelProto model = parsed.model();
        if (!model.hasGraph() || model.getIrVersion() <= 0) {
            throw new OnnxImportException(src, "not an ONNX model: no graph or no IR version");
        }
        BertGraphReader.Result r = BertGraphReader.read(new OnnxGraph(src, model.getGraph(), parsed.decoded()));
        log.debug("{}: imported {} ({} tensors) in {} ms", src, r.config(), r.weights().size(),
                (System.nanoTime() - t0) / 1_000_000);
        return new ImportedBert(src, r.config(), r.weights());
    }
}
