package dev.hora.peft;

import dev.hora.backbone.Backbone;
import dev.hora.io.peft.AdapterFolder;
import dev.hora.io.peft.ClassifierFile;
import dev.hora.io.peft.SavedAdapter;
import dev.hora.io.peft.SavedClassifier;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A named adapter to and from an adapter folder ({@link AdapterFolder}: PEFT's LoRA layout or this
 * library's MH-LoRA / HoRA one) with its head ({@link ClassifierFile}) beside it.
 */
final class AdapterFolders {
    private AdapterFolders() {
    }

    /** Reads a folder as adapter {@code name} of {@code backbone}; errors name the folder and the problem. */
    static AdapterSet read(String name, Backbone backbone, Path folder) throws IOException {
        SavedAdapter saved = AdapterFolder.read(folder);
        SavedClassifier head = ClassifierFile.read(folder).orElse(null);
        try {
            return AdapterSet.from(name, backbone, saved, head);
        } catch (IllegalArgumentException e) {
            throw new IOException(folder + ": " + e.getMessage(), e);
        }
    }

    /** Writes an adapter (not a linear probe) and its head, if it has one. */
    static void write(AdapterSet a, int numLayers, Path folder, String baseModel, List<String> labels, int maxLength)
            throws IOException {
        if (a.config() == null) {
            throw new IllegalArgumentException("adapter '" + a.name() + "' is a linear probe: no adapter folder to write");
        }
        AdapterFolder.write(folder, a.config(), baseModel, a.layerParams(), numLayers);
        if (a.numClasses() > 0) {
            ClassifierFile.write(folder, new SavedClassifier(a.headParams().get(ClassifierHead.WEIGHT),
                    a.headParams().get(ClassifierHead.BIAS), a.pooling().name().toLowerCase(Locale.ROOT), labels,
                    maxLength));
        }
    }
}
