package dev.hora.io.peft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** adapter_config.json values of the wrong JSON type are refused naming the key, not coerced or truncated. */
class AdapterConfigFieldsTest {
    private static void refused(Path dir, String from, String to, String part) throws Exception {
        Path cf = dir.resolve(AdapterFolder.CONFIG_FILE);
        String good = Files.readString(cf);
        try {
            assertTrue(good.contains(from), from);
            Files.writeString(cf, good.replace(from, to));
            AdapterFolderException e = assertThrows(AdapterFolderException.class, () -> AdapterFolder.read(dir));
            assertEquals(AdapterFolder.CONFIG_FILE, e.file().getFileName().toString(), e.getMessage());
            assertTrue(e.getMessage().contains(part), e.getMessage());
        } finally {
            Files.writeString(cf, good);
        }
    }

    @Test
    void horaConfigValuesAreTyped(@TempDir Path dir) throws Exception {
        AdapterConfig cfg = AdapterConfig.builder().kind(AdapterKind.HORA).rank(2).targets(Target.V).build();
        AdapterFolder.write(dir, cfg, null, Fixtures.layers(Fixtures.adapter(cfg), 0), 1);
        refused(dir, "\"hiddenWidth\" : 16", "\"hiddenWidth\" : 16.9", "key 'hiddenWidth'");
        refused(dir, "\"hiddenWidth\" : 16", "\"hiddenWidth\" : \"16\"", "key 'hiddenWidth'");
        refused(dir, "\"sharedPair\" : false", "\"sharedPair\" : 0", "key 'sharedPair'");
        assertEquals(16, AdapterFolder.read(dir).config().getHiddenWidth());
    }

    @Test
    void peftDropoutAndRsLoraAreTyped(@TempDir Path dir) throws Exception {
        AdapterConfig cfg = AdapterConfig.builder().kind(AdapterKind.LORA).rank(2).targets(Target.Q).build();
        AdapterFolder.write(dir, cfg, null, Fixtures.layers(Fixtures.adapter(cfg), 0), 1);
        refused(dir, "\"lora_dropout\" : 0.0", "\"lora_dropout\" : \"0.1\"", "key 'lora_dropout' is \"0.1\"");
        refused(dir, "\"use_rslora\" : false", "\"use_rslora\" : \"yes\"", "key 'use_rslora' is \"yes\"");
    }
}
