package dev.hora.cli;

import dev.hora.config.AdapterKind;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class OptionParsersTest {
    @Test
    void layers() {
        assertNull(LayerSelection.parse("all"));
        assertEquals(List.of(0, 1, 2, 3, 4, 5), LayerSelection.parse("0-5"));
        assertEquals(List.of(3, 4, 5), LayerSelection.parse("5,3, 4"));
        assertEquals(List.of(0, 1, 2, 5), LayerSelection.parse("0-2,5"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LayerSelection.parse("5-3"))
                .getMessage().contains("empty layer range"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LayerSelection.parse("1,1"))
                .getMessage().contains("twice"));
        assertThrows(IllegalArgumentException.class, () -> LayerSelection.parse("x"));
        assertThrows(IllegalArgumentException.class, () -> LayerSelection.parse("-1"));
        assertThrows(IllegalArgumentException.class, () -> LayerSelection.parse(","));
    }

    private static FinetuneCommand parse(String... args) {
        FinetuneCommand c = new FinetuneCommand();
        picocli.CommandLine cl = new picocli.CommandLine(c);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.parseArgs(args);
        return c;
    }

    @Test
    void targetsAndAdapterThroughPicocli() {
        FinetuneCommand c = parse("--targets", "value,q,ffn-out,i", "--adapter", "MH-LoRA", "--pooling", "cls");
        assertEquals(List.of("query", "value", "intermediate", "ffn-output"), FinetuneCommand.targetNames(c.targets));
        assertEquals(AdapterKind.MH_LORA, c.adapter);
        assertEquals(dev.hora.onnx.bert.Pooling.CLS, c.pooling);
        assertEquals(List.of("query", "value"), FinetuneCommand.targetNames(parse().targets), "default");
        assertTrue(assertThrows(picocli.CommandLine.ParameterException.class, () -> parse("--targets", "query,dense"))
                .getMessage().contains("'dense'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> FinetuneCommand.targetNames(
                parse("--targets", "q,query").targets)).getMessage().contains("twice"));
        assertEquals(null, parse("--adapter", "None").adapter, "none (a linear probe) exists only at the CLI edge");
        assertEquals("[hora, lora, mh-lora, none]", new java.util.TreeSet<>(java.util.List.copyOf(
                (java.util.Collection<String>) java.util.stream.StreamSupport.stream(new AdapterOption.Names().spliterator(),
                        false).toList())).toString());
        assertTrue(assertThrows(picocli.CommandLine.ParameterException.class, () -> parse("--adapter", "dora"))
                .getMessage().contains("dora"));
    }

    /** A relative --model file is recorded absolute, so predict / evaluate / merge work from any folder. */
    @Test
    void relativeModelPathRecordedAbsolute() {
        String rel = "models/../models/enc.onnx";
        String recorded = parse("--model", rel, "--output", "run").settings().model();
        assertTrue(java.nio.file.Path.of(recorded).isAbsolute(), recorded);
        assertEquals(java.nio.file.Path.of("models", "enc.onnx").toAbsolutePath().toString(), recorded);
        assertEquals(java.nio.file.Path.of("lib", "m.jar").toAbsolutePath().toString(),
                parse("--model", "lib/m.jar", "--output", "run").settings().model());
        assertEquals("all-minilm-l6-v2", parse("--output", "run").settings().model(), "built-in name as given");
        assertEquals("g:a:1", parse("--model", "g:a:1", "--output", "run").settings().model(), "coordinates as given");
    }
}
