package dev.hora.adapter;

import dev.hora.config.AdapterConfig;
import dev.hora.config.Target;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/** Holds the config and projections shared by every adapter kind. */
public abstract class AbstractAdapter implements Adapter {
    protected final AdapterConfig config;
    protected final Map<Target, ProjectionShape> projections;

    protected AbstractAdapter(AdapterConfig config, Map<Target, ProjectionShape> projections) {
        this.config = config.copy().validate();
        if (projections.isEmpty()) {
            throw new IllegalArgumentException("projections: an adapter needs at least one projection");
        }
        this.projections = Collections.unmodifiableMap(new EnumMap<>(projections));
    }

    @Override
    public AdapterConfig config() {
        return config;
    }

    @Override
    public Map<Target, ProjectionShape> projections() {
        return projections;
    }

    /** Shape of target t, or a clear error if this adapter does not adapt t. */
    protected ProjectionShape shape(Target t) {
        ProjectionShape s = projections.get(t);
        if (s == null) {
            throw new IllegalArgumentException("target " + t + " is not adapted by this adapter: adapted "
                    + projections.keySet());
        }
        return s;
    }

    /** Parameter name: target prefix + suffix, e.g. "qA". */
    protected static String name(Target t, String suffix) {
        return t.prefix() + suffix;
    }
}
