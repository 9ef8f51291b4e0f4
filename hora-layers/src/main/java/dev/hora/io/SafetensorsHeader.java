package dev.hora.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed and validated header of a safetensors file.
 *
 * <p>Checks: the 8-byte length fits the file, the header is a JSON object, every tensor has a
 * supported dtype, a non-negative shape and {@code data_offsets} whose size matches
 * {@code prod(shape) * sizeof(dtype)}, and the tensors tile the data section exactly (no gaps, no
 * overlap, nothing past the end of the file).
 *
 * @param entries   tensors in data order
 * @param metadata  the string map under {@code "__metadata__"} (empty if absent)
 * @param dataStart absolute file offset of the data section, {@code 8 + N}
 */
public record SafetensorsHeader(List<TensorEntry> entries, Map<String, String> metadata, long dataStart) {
    private static final ObjectMapper JSON = HoraJson.MAPPER.copy()
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /** Reads one value of the streamed header object (the trailing-token rule applies to the whole header). */
    private static final com.fasterxml.jackson.databind.ObjectReader VALUE = JSON.reader()
            .without(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /** Refuse absurd header lengths before allocating (the reference implementation uses 100 MB). */
    static final long MAX_HEADER = 100L << 20;
    /** At most this many tensors in one file (BERT-large has ~400, the largest LLMs a few thousand). */
    public static final int MAX_TENSORS = 100_000;
    /**
     * No dimension above this, even of an empty tensor: a Java array holds at most 2^31 - 1 elements,
     * and a shape like [0, 2^40] describes nothing a reader could use.
     */
    public static final long MAX_DIMENSION = Integer.MAX_VALUE - 8;

    /** Reads and validates the header of {@code file}. */
    public static SafetensorsHeader read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(file, ch);
        }
    }

    static SafetensorsHeader read(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw new SafetensorsFormatException(file, "file has " + size + " bytes, shorter than the 8-byte header length");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, lenBuf, 0);
        long n = lenBuf.getLong(0);
        if (n < 2 || n > MAX_HEADER) {
            throw new SafetensorsFormatException(file, "header length " + n + " is out of range");
        }
        if (8 + n > size) {
            throw new SafetensorsFormatException(file, "truncated: header length " + n + " but file has only "
                    + (size - 8) + " bytes after the length field");
        }
        ByteBuffer hb = ByteBuffer.allocate((int) n);
        readFully(ch, hb, 8);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(hb.flip()).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new SafetensorsFormatException(file, "header is not valid UTF-8", e);
        }
        Map<String, String> meta = new LinkedHashMap<>();
        List<TensorEntry> entries = new ArrayList<>();
        // streamed, so a header of millions of tiny tensors is refused after MAX_TENSORS, not parsed whole;
        // duplicate keys and anything but whitespace after the JSON object are errors, not ignored
        try (JsonParser p = JSON.getFactory().createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new SafetensorsFormatException(file, "header is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.getCurrentName();
                p.nextToken();
                JsonNode value = VALUE.readTree(p);
                value = value == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : value;
                if (key.equals("__metadata__")) {
                    metadata(file, value, meta);
                } else if (entries.size() == MAX_TENSORS) {
                    throw new SafetensorsFormatException(file, "more than " + MAX_TENSORS + " tensors in the header; "
                            + "refused (a model file holds hundreds to thousands)");
                } else {
                    entries.add(entry(file, key, value));
                }
            }
            if (p.nextToken() != null) {
                throw new SafetensorsFormatException(file, "header is not valid JSON: text after the header object");
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SafetensorsFormatException(file, "header is not valid JSON: " + e.getOriginalMessage(), e);
        }
        entries.sort(Comparator.comparingLong(TensorEntry::begin).thenComparingLong(TensorEntry::end));
        long dataLen = size - 8 - n;
        long expected = 0;
        for (TensorEntry e : entries) {
            if (e.begin() != expected) {
                throw new SafetensorsFormatException(file, "tensor '" + e.name() + "' starts at " + e.begin()
                        + " but the previous tensor ends at " + expected + " (gap or overlap)");
            }
            if (e.end() > dataLen) {
                throw new SafetensorsFormatException(file, "truncated: tensor '" + e.name() + "' ends at byte "
                        + e.end() + " of the data section, which has only " + dataLen + " bytes");
            }
            expected = e.end();
        }
        if (expected != dataLen) {
            throw new SafetensorsFormatException(file, (dataLen - expected) + " trailing bytes after the last tensor");
        }
        return new SafetensorsHeader(List.copyOf(entries), Map.copyOf(meta), 8 + n);
    }

    private static void metadata(Path file, JsonNode m, Map<String, String> meta) throws SafetensorsFormatException {
        if (!m.isObject()) {
            throw new SafetensorsFormatException(file, "__metadata__ is " + m.getNodeType()
                    + ", expected an object of strings");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> kv = it.next();
            if (!kv.getValue().isTextual()) {
                throw new SafetensorsFormatException(file, "__metadata__ key '" + kv.getKey() + "' is "
                        + kv.getValue() + ", expected a string");
            }
            meta.put(kv.getKey(), kv.getValue().asText());
        }
    }

    private static TensorEntry entry(Path file, String name, JsonNode t) throws SafetensorsFormatException {
        String where = "tensor '" + name + "': ";
        if (!t.isObject()) {
            throw new SafetensorsFormatException(file, where + "entry is not an object");
        }
        SafetensorsDtype dtype = SafetensorsDtype.parse(t.path("dtype").asText(""));
        if (dtype == null) {
            throw new SafetensorsFormatException(file, where + "unsupported dtype '" + t.path("dtype").asText()
                    + "' (supported: F64, F32, I64, I32)");
        }
        JsonNode shapeNode = t.path("shape");
        JsonNode offs = t.path("data_offsets");
        if (!shapeNode.isArray() || !offs.isArray() || offs.size() != 2) {
            throw new SafetensorsFormatException(file, where + "needs a 'shape' array and 'data_offsets' [begin, end]");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode s = shapeNode.get(i);
            if (!s.isIntegralNumber() || !s.canConvertToLong() || s.asLong() < 0) {
                throw new SafetensorsFormatException(file, where + "invalid dimension " + s);
            }
            if (s.asLong() > MAX_DIMENSION) {
                throw new SafetensorsFormatException(file, where + "dimension " + s + " exceeds " + MAX_DIMENSION);
            }
            shape[i] = s.asLong();
        }
        long nonZero = 1;   // the elements the shape would hold without its zero dimensions
        for (long d : shape) {
            nonZero = d == 0 ? nonZero : nonZero > MAX_DIMENSION / d ? Long.MAX_VALUE : nonZero * d;
        }
        if (nonZero > MAX_DIMENSION) {
            throw new SafetensorsFormatException(file, where + "shape " + shapeNode + " claims more than "
                    + MAX_DIMENSION + " elements (an empty tensor must not claim such dimensions either)");
        }
        if (!offs.get(0).isIntegralNumber() || !offs.get(1).isIntegralNumber()
                || !offs.get(0).canConvertToLong() || !offs.get(1).canConvertToLong()) {
            throw new SafetensorsFormatException(file, where + "invalid data_offsets " + offs);
        }
        TensorEntry e = new TensorEntry(name, dtype, shape, offs.get(0).asLong(), offs.get(1).asLong());
        long need;
        try {
            need = e.byteSize();
        } catch (ArithmeticException ex) {
            throw new SafetensorsFormatException(file, where + "shape overflows");
        }
        if (e.begin() < 0 || e.end() - e.begin() != need) {
            throw new SafetensorsFormatException(file, where + "data_offsets " + offs + " span "
                    + (e.end() - e.begin()) + " bytes but dtype and shape need " + need);
        }
        return e;
    }

    static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos + buf.position());
            if (r < 0) {
                throw new java.io.EOFException();
            }
        }
    }
}
