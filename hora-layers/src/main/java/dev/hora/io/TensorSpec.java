package dev.hora.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The tensors a file must hold, checked against its header ({@link HeaderCheck}): exactly the
 * required names (plus any of the optional ones), each with its shape and one of the allowed
 * dtypes. Unexpected, missing or misshapen tensors are refused before a byte of data is read.
 */
public final class TensorSpec implements HeaderCheck {
    private final Map<String, long[]> required;
    private final Map<String, long[]> optional;
    private final Set<SafetensorsDtype> dtypes;

    private TensorSpec(Map<String, long[]> required, Map<String, long[]> optional, Set<SafetensorsDtype> dtypes) {
        this.required = required;
        this.optional = optional;
        this.dtypes = dtypes;
    }

    /** Exactly these names and shapes, each stored as one of {@code dtypes}. */
    public static TensorSpec of(Map<String, long[]> shapes, Set<SafetensorsDtype> dtypes) {
        return new TensorSpec(new LinkedHashMap<>(shapes), Map.of(), EnumSet.copyOf(dtypes));
    }

    /** The names, shapes and dtypes of {@code arrays} (e.g. a model's current trainable tensors). */
    public static TensorSpec like(Map<String, INDArray> arrays) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Set<SafetensorsDtype> types = EnumSet.noneOf(SafetensorsDtype.class);
        arrays.forEach((n, a) -> {
            shapes.put(n, a.shape());
            SafetensorsDtype d = SafetensorsDtype.of(a.dataType());
            if (d == null) {
                throw new IllegalArgumentException("tensor " + n + " has dtype " + a.dataType()
                        + ", which safetensors files of this library do not hold");
            }
            types.add(d);
        });
        return new TensorSpec(shapes, Map.of(), types.isEmpty() ? EnumSet.of(SafetensorsDtype.F32) : types);
    }

    /** This spec plus tensors that may be present (all or some), with their shapes. */
    public TensorSpec withOptional(Map<String, long[]> maybe) {
        Map<String, long[]> o = new LinkedHashMap<>(optional);
        o.putAll(maybe);
        return new TensorSpec(required, o, dtypes);
    }

    @Override
    public void check(Path file, SafetensorsHeader header) throws UnexpectedTensorException {
        Set<String> seen = new TreeSet<>();
        for (TensorEntry e : header.entries()) {
            long[] want = required.containsKey(e.name()) ? required.get(e.name()) : optional.get(e.name());
            if (want == null) {
                throw new UnexpectedTensorException(file, "unexpected tensor '" + e.name() + "' " + e.dtype()
                        + Arrays.toString(e.shape()) + " (expected " + describe() + ")");
            }
            if (!dtypes.contains(e.dtype())) {
                throw new UnexpectedTensorException(file, "tensor '" + e.name() + "' has dtype " + e.dtype()
                        + ", expected " + (dtypes.size() == 1 ? dtypes.iterator().next() : "one of " + dtypes));
            }
            if (!Arrays.equals(want, e.shape())) {
                throw new UnexpectedTensorException(file, "tensor '" + e.name() + "' has shape "
                        + Arrays.toString(e.shape()) + ", expected " + Arrays.toString(want));
            }
            seen.add(e.name());
        }
        List<String> missing = new ArrayList<>();
        required.keySet().stream().filter(n -> !seen.contains(n)).sorted().forEach(missing::add);
        if (!missing.isEmpty()) {
            List<String> shown = missing.subList(0, Math.min(5, missing.size())).stream().map(n -> "'" + n + "'").toList();
            throw new UnexpectedTensorException(file, "missing tensor" + (missing.size() > 1 ? "s " : " ")
                    + String.join(", ", shown) + (missing.size() > 5 ? " and " + (missing.size() - 5) + " more" : ""));
        }
    }

    private String describe() {
        List<String> names = new ArrayList<>(new TreeSet<>(required.keySet()));
        names.addAll(new TreeSet<>(optional.keySet()));
        return names.size() <= 6 ? String.join(", ", names) : names.size() + " tensors such as "
                + String.join(", ", names.subList(0, 3));
    }
}
