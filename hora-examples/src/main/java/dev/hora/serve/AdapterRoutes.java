package dev.hora.serve;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GET /adapters (resident and known ones), POST /adapters {@code {"name", "source"}} (a folder under
 * --adapter-dir, verified before it serves), DELETE /adapters/{name}.
 */
final class AdapterRoutes {
    private final AdapterRegistry registry;

    AdapterRoutes(AdapterRegistry registry) {
        this.registry = registry;
    }

    void list(Context ctx) {
        List<Map<String, Object>> resident = new ArrayList<>();
        for (ServedAdapter a : registry.resident()) {
            resident.add(describe(a));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("adapters", resident);
        out.put("evicted", registry.knownNotResident());
        out.put("max_adapters", registry.maxAdapters());
        Json.send(ctx, 200, out);
    }

    void add(Context ctx) {
        JsonNode body = Requests.object(ctx.bodyAsBytes());
        String name = Requests.requiredText(body, "name");
        String source = Requests.requiredText(body, "source");
        Json.send(ctx, 201, describe(registry.add(name, source)));
    }

    void delete(Context ctx) {
        String name = ctx.pathParam("name");
        registry.delete(name);
        Json.send(ctx, 200, Map.of("deleted", name));
    }

    static Map<String, Object> describe(ServedAdapter a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", a.name());
        m.put("kind", a.kind());
        m.put("labels", a.labels());
        m.put("max_length", a.maxLength());
        m.put("pinned", a.pinned());
        return m;
    }
}
