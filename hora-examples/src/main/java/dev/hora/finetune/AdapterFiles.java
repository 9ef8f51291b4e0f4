package dev.hora.finetune;

import dev.hora.cli.FinetuneSettings;
import dev.hora.peft.PeftModel;
import java.io.IOException;
import java.nio.file.Path;

/** Writes a run's adapter folder (PEFT layout for LoRA); see dev.hora.io.peft. */
final class AdapterFiles {
    private AdapterFiles() {
    }

    static void write(Path dir, FinetuneSettings s, PeftModel model) throws IOException {
        // wired to dev.hora.io.peft.AdapterFolder once it lands
    }
}
