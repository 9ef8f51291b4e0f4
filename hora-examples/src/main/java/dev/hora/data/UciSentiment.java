package dev.hora.data;

import dev.hora.io.HoraJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in dataset {@code uci-sentiment}: the UCI "Sentiment Labelled Sentences" (Kotzias et al.
 * 2015), 1000 sentences each from Amazon, IMDB and Yelp reviews, 500 negative (0) and 500 positive
 * (1) per source, as shipped in the test fixtures of {@code sentiment@5.0.2}.
 *
 * <p>Each fixture is a JSON array of {@code {"text": ..., "class": 0|1}} and ends with one
 * {@code {"text": "", "class": null}} sentinel, which is skipped; anything else malformed fails.
 */
public final class UciSentiment {
    /** The built-in name. */
    public static final String NAME = "uci-sentiment";
    /** Class names, index = the fixture's {@code class} value. */
    public static final List<String> LABELS = List.of("negative", "positive");
    /** Sources in load order. */
    public static final List<String> SOURCES = List.of("amazon", "imdb", "yelp");
    /** Examples per source. */
    public static final int PER_SOURCE = 1000;

    /** Pinned package and checksums. */
    public static final NpmDatasetSpec SPEC = new NpmDatasetSpec(NAME, "sentiment@5.0.2",
            "89302eb03d2005d03b214fe65814bb48adb7d3c42c8ca80bdee6a3ecb7e4480f",
            Map.of("package/test/fixtures/amazon.json", "bc5eb0cac49fc45987301f1dc2d02cf5ca356ba6c882be179dce77d74e666ed9",
                    "package/test/fixtures/imdb.json", "44a7b9082ed732ee2de3c858ea5ee2e99aca34f239a1c4359d3a300bf099bdb5",
                    "package/test/fixtures/yelp.json", "9f3f47983f21eeb819380767b74bfa648eca208f156241111454b3e122773ff7"));

    private static final Logger LOG = LoggerFactory.getLogger(UciSentiment.class);
    private static final ObjectMapper JSON = HoraJson.MAPPER;

    private UciSentiment() {
    }

    /** Fetches (if needed, via the cache) and loads all 3000 examples: Amazon, then IMDB, then Yelp. */
    public static TextDataset load(NpmDatasetCache cache) throws IOException {
        return load(cache.ensure(SPEC));
    }

    /** Loads the three fixture files from {@code dir}. */
    public static TextDataset load(Path dir) throws IOException {
        Map<String, List<Example>> bySource = loadBySource(dir);
        List<Example> all = new ArrayList<>();
        bySource.values().forEach(all::addAll);
        return new TextDataset(NAME, all, LABELS);
    }

    /** The examples of each source, in {@link #SOURCES} order. */
    public static Map<String, List<Example>> loadBySource(Path dir) throws IOException {
        Map<String, List<Example>> out = new LinkedHashMap<>();
        for (String source : SOURCES) {
            out.put(source, parse(dir.resolve(source + ".json")));
        }
        return out;
    }

    static List<Example> parse(Path file) throws IOException {
        JsonNode root = JSON.readTree(file.toFile());
        RowErrors errors = new RowErrors(file);
        List<Example> out = new ArrayList<>();
        int sentinels = 0;
        if (root == null || !root.isArray()) {
            throw new IOException(file + ": expected a JSON array of {text, class}");
        }
        for (int i = 0; i < root.size(); i++) {
            JsonNode e = root.get(i);
            JsonNode text = e.get("text");
            JsonNode cls = e.get("class");
            if (text != null && text.isTextual() && text.asText().isEmpty() && (cls == null || cls.isNull())) {
                sentinels++;
            } else if (text == null || !text.isTextual() || text.asText().isBlank()) {
                errors.add(i, "element " + i + ": missing or empty 'text'");
            } else if (cls == null || !cls.isInt() || cls.asInt() < 0 || cls.asInt() > 1) {
                errors.add(i, "element " + i + ": 'class' must be 0 or 1, found " + cls);
            } else {
                out.add(new Example(text.asText().strip(), cls.asInt()));
            }
        }
        errors.throwIfAny("");
        if (out.size() != PER_SOURCE) {
            throw new IOException(file + ": expected " + PER_SOURCE + " examples, found " + out.size());
        }
        LOG.debug("{}: {} examples, {} empty sentinel(s) skipped", file, out.size(), sentinels);
        return out;
    }
}
