package dev.hora.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.config.AdapterKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --adapters parsing and runs.jsonl reading, with their errors. */
class VariantTest {
    @TempDir
    Path dir;

    @Test
    void variantsParseWithOptions() {
        List<Variant> v = Variant.parseList("none, lora:rank=16 ,HORA,hora:k=32:activation=relu");
        assertEquals(List.of("none", "lora:rank=16", "hora", "hora:k=32:activation=relu"),
                v.stream().map(Variant::label).toList());
        assertEquals(AdapterKind.HORA, v.get(3).kind());
        assertEquals(Map.of("k", "32", "activation", "relu"), v.get(3).options());
        assertEquals(16, v.get(1).rank());
    }

    @Test
    void badVariantsAreNamed() {
        for (String[] c : new String[][]{{"hora:width=3", "'width'"}, {"dora", "'dora'"}, {"none:k=3", "no options"},
            {"lora,lora", "twice"}, {"hora:k=x", "k=x"}, {"", "empty"}, {"hora:shared-pair", "KEY=VALUE"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Variant.parseList(c[0]));
            assertTrue(e.getMessage().contains(c[1]), c[0] + ": " + e.getMessage());
        }
    }

    @Test
    void runsFileAppendsAndReadsAndToleratesACutLastLine() throws Exception {
        RunsFile f = new RunsFile(dir);
        CellResult a = SummaryTest.cell(CellResult.SWEEP, "lora", 0.1, 1, 0.8);
        CellResult b = SummaryTest.cell(CellResult.SWEEP, "hora", 0.1, 1, 0.82);
        f.append(a);
        f.append(b);
        assertEquals(List.of(a, b), f.read());
        Files.writeString(f.file(), "{\"phase\":\"sweep\",\"vari", java.nio.file.StandardOpenOption.APPEND);
        assertEquals(List.of(a, b), f.read(), "a line cut by a kill is skipped");
        f.append(a);
        assertEquals(List.of(a, b, a), f.read(), "the next append replaces the cut line");
        Files.writeString(f.file(), "not json\n" + Files.readString(f.file()));
        Exception e = assertThrows(java.io.IOException.class, f::read);
        assertTrue(e.getMessage().contains("line 1") && e.getMessage().contains(f.file().toString()), e.getMessage());
    }
}
