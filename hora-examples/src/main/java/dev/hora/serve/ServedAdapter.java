package dev.hora.serve;

import java.nio.file.Path;
import java.util.List;

/**
 * An adapter as the server holds it.
 *
 * @param name      the name clients use
 * @param modelName its name inside the {@link dev.hora.peft.PeftModel} (name@generation: a name deleted
 *                  and added again while old requests still run never collides)
 * @param source    the run directory or adapter folder it was read from
 * @param kind      lora, mhlora, hora, or probe (a head on the base model)
 * @param labels    class names of its head, empty when it has none (embeddings only)
 * @param maxLength tokens per text it was trained with
 * @param pinned    given with --adapter: never evicted
 */
public record ServedAdapter(String name, String modelName, Path source, String kind, List<String> labels,
                            int maxLength, boolean pinned) {
    public ServedAdapter {
        labels = List.copyOf(labels);
    }
}
