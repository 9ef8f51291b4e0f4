package dev.hora.serve;

import dev.hora.peft.PeftModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The adapters a server knows and the ones resident in its {@link PeftModel}:
 * <pre>
 *   known      name -> source: --adapter (pinned), POST /adapters, or a folder NAME under --adapter-dir
 *   resident   at most maxAdapters, least recently used first out (pinned and leased ones stay)
 *   lease      a request holds its adapter from admission to answer: it is neither evicted nor deleted
 *              under it (DELETE hides the name at once and frees the arrays when the last lease ends)
 * </pre>
 * Loading happens outside the lock; concurrent requests for one name wait for one load.
 */
public final class AdapterRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(AdapterRegistry.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private final PeftModel model;
    private final AdapterLoader loader;
    private final Path adapterDir;
    private final int maxAdapters;
    private final AtomicLong generation = new AtomicLong();
    private final Map<String, Entry> resident = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<String, Path> known = new HashMap<>();
    private final Set<String> pinned = new HashSet<>();
    private final Set<String> hidden = new HashSet<>();
    private final Map<String, CompletableFuture<Entry>> loading = new HashMap<>();

    private static final class Entry {
        final ServedAdapter info;
        int leases;
        boolean deleted;

        Entry(ServedAdapter info) {
            this.info = info;
        }
    }

    /** A request's hold on a resident adapter; {@link #close} releases it. */
    public final class Lease implements AutoCloseable {
        private final Entry entry;
        private boolean closed;

        private Lease(Entry entry) {
            this.entry = entry;
        }

        public ServedAdapter adapter() {
            return entry.info;
        }

        @Override
        public void close() {
            release(this);
        }
    }

    AdapterRegistry(PeftModel model, AdapterLoader loader, Path adapterDir, int maxAdapters) {
        this.model = model;
        this.loader = loader;
        this.adapterDir = adapterDir;
        this.maxAdapters = maxAdapters;
    }

    /** Checks a client's adapter name: 1-100 letters, digits, . _ - (starting with a letter or digit). */
    static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ApiException.unprocessable("adapter name '" + name + "' is not allowed: 1-100 letters, digits, "
                    + ". _ - starting with a letter or digit");
        }
        return name;
    }

    /** Loads an operator's adapter (--adapter NAME=PATH) that is never evicted. */
    ServedAdapter pin(String name, Path source) {
        checkName(name);
        synchronized (this) {
            if (known.containsKey(name)) {
                throw new IllegalArgumentException("--adapter " + name + " is given twice");
            }
            if (pinned.size() >= maxAdapters) {
                throw new IllegalArgumentException("more --adapter than --max-adapters " + maxAdapters);
            }
            pinned.add(name);
            known.put(name, source);
        }
        try (Lease l = acquire(name)) {
            return l.adapter();
        }
    }

    /** POST /adapters: a folder under --adapter-dir as {@code name} (409 when the name is taken). */
    public ServedAdapter add(String name, String source) {
        checkName(name);
        Path src = SafePaths.resolve(adapterDir, source);
        synchronized (this) {
            if (known.containsKey(name) || resident.containsKey(name) || loading.containsKey(name)) {
                throw new ApiException(409, "adapter '" + name + "' exists already: DELETE it first");
            }
            known.put(name, src);
            hidden.remove(name);
        }
        try (Lease l = acquire(name)) {
            return l.adapter();
        } catch (ApiException e) {
            synchronized (this) {
                known.remove(name, src);
            }
            throw e;
        }
    }

    /** Leases adapter {@code name}, loading it first when it is not resident. */
    public Lease acquire(String name) {
        checkName(name);
        while (true) {
            CompletableFuture<Entry> f;
            Path src = null;
            synchronized (this) {
                Entry e = resident.get(name);
                if (e != null) {
                    e.leases++;
                    return new Lease(e);
                }
                f = loading.get(name);
                if (f == null) {
                    src = sourceOf(name);
                    f = new CompletableFuture<>();
                    loading.put(name, f);
                }
            }
            if (src != null) {
                load(name, src, f);
            }
            try {
                f.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof ApiException a ? a : new ApiException(500, "adapter load failed");
            }
        }
    }

    private void load(String name, Path src, CompletableFuture<Entry> f) {
        String modelName = name + "@" + generation.incrementAndGet();
        boolean pin;
        synchronized (this) {
            pin = pinned.contains(name);
        }
        try {
            Entry e = new Entry(loader.load(name, modelName, src, pin));
            synchronized (this) {
                makeRoom();
                resident.put(name, e);
                loading.remove(name);
            }
            LOG.info("adapter {} loaded from {} ({})", name, src, e.info.kind());
            f.complete(e);
        } catch (RuntimeException ex) {
            synchronized (this) {
                loading.remove(name);
            }
            f.completeExceptionally(ex);
        }
    }

    private Path sourceOf(String name) {
        Path p = known.get(name);
        if (p != null) {
            return p;
        }
        if (adapterDir != null && !hidden.contains(name) && Files.isDirectory(adapterDir.resolve(name))) {
            return SafePaths.resolve(adapterDir, name);
        }
        throw ApiException.notFound("no adapter named '" + name + "'" + (adapterDir == null ? "" : " (nor a folder of"
                + " that name under --adapter-dir)"));
    }

    /** Evicts least recently used adapters with no lease until one more fits. */
    private void makeRoom() {
        for (Iterator<Map.Entry<String, Entry>> it = resident.entrySet().iterator();
             it.hasNext() && resident.size() >= maxAdapters; ) {
            Entry e = it.next().getValue();
            if (!e.info.pinned() && e.leases == 0) {
                it.remove();
                model.deleteAdapter(e.info.modelName());
                LOG.info("adapter {} evicted (least recently used)", e.info.name());
            }
        }
    }

    private synchronized void release(Lease l) {
        if (l.closed) {
            return;
        }
        l.closed = true;
        Entry e = l.entry;
        if (--e.leases == 0 && e.deleted) {
            model.deleteAdapter(e.info.modelName());
        }
    }

    /** DELETE /adapters/{name}: hidden at once, freed when no request holds it. */
    public void delete(String name) {
        checkName(name);
        CompletableFuture<Entry> pending;
        synchronized (this) {
            pending = loading.get(name);
        }
        if (pending != null) {
            pending.exceptionally(t -> null).join();
        }
        synchronized (this) {
            Entry e = resident.remove(name);
            Path src = known.remove(name);
            pinned.remove(name);
            boolean inDir = adapterDir != null && !hidden.contains(name) && Files.isDirectory(adapterDir.resolve(name));
            if (e == null && src == null && !inDir) {
                throw ApiException.notFound("no adapter named '" + name + "'");
            }
            if (adapterDir != null) {
                hidden.add(name);
            }
            if (e != null) {
                e.deleted = true;
                if (e.leases == 0) {
                    model.deleteAdapter(e.info.modelName());
                }
            }
        }
    }

    /** The resident adapters, least recently used first. */
    public synchronized List<ServedAdapter> resident() {
        List<ServedAdapter> out = new ArrayList<>();
        resident.values().forEach(e -> out.add(e.info));
        return out;
    }

    /** Names known but not resident (evicted, or waiting under --adapter-dir is not listed). */
    public synchronized List<String> knownNotResident() {
        return known.keySet().stream().filter(n -> !resident.containsKey(n)).sorted().toList();
    }

    public int maxAdapters() {
        return maxAdapters;
    }
}
