package dev.hora.spark.score;

import dev.hora.kernels.Parallel;
import dev.hora.peft.MergedModel;
import dev.hora.peft.PeftModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.LinkedHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models of one executor JVM, loaded once and shared by all its tasks (a {@link PeftModel} is safe for
 * concurrent inference): the backbone with every adapter of the broadcast {@link AdapterBundle}, or a
 * {@link MergedModel}. Keyed by {@link ScoreSpec#cacheKey}: a new bundle (another job) loads again; the
 * {@value #MAX_LOADED} most recently used stay.
 */
final class ExecutorModels {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorModels.class);
    /** At most this many models stay loaded (a new bundle per job would otherwise pile them up). */
    static final int MAX_LOADED = 2;
    private static final Map<String, Loaded> CACHE = new LinkedHashMap<>(4, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Loaded> eldest) {
            return size() > MAX_LOADED;
        }
    };

    /** One of the two is set. */
    record Loaded(PeftModel peft, MergedModel merged) {
    }

    private ExecutorModels() {
    }

    /** The loaded model; the first task of an executor loads it while the others wait. */
    static Loaded get(ScoreSpec spec, AdapterBundle bundle) {
        synchronized (CACHE) {
            return CACHE.computeIfAbsent(spec.cacheKey(bundle.id()), k -> load(spec, bundle));
        }
    }

    private static Loaded load(ScoreSpec spec, AdapterBundle bundle) {
        long t0 = System.nanoTime();
        Parallel.threads(spec.threadsPerTask());
        if (spec.merged() != null) {
            Loaded l = new Loaded(null, MergedModel.load(Path.of(spec.merged())));
            LOG.info("executor: merged model {} loaded in {} ms", spec.merged(), (System.nanoTime() - t0) / 1_000_000);
            return l;
        }
        PeftModel m = PeftModel.of(dev.hora.spark.Backbones.load(spec.model(), spec.tokenizer()));
        try {
            Path dir = Files.createTempDirectory("hora-spark-adapters");
            for (Map.Entry<String, Path> e : bundle.writeTo(dir).entrySet()) {
                m.loadAdapter(e.getKey(), e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("executor: cannot load the broadcast adapters: " + e.getMessage(), e);
        }
        m.setActiveAdapter(null);
        LOG.info("executor: backbone {} and adapters {} loaded in {} ms", spec.model(), m.adapterNames(),
                (System.nanoTime() - t0) / 1_000_000);
        return new Loaded(m, null);
    }
}
