package dev.hora.io.peft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.io.SafetensorsReader;
import dev.hora.io.SafetensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * classifier_config.json: class names must be strings and numbers numbers (a lenient reader turns
 * 1 into "1" and "64" into 0); classifier.safetensors may hold only the head's two tensors.
 */
class ClassifierFileFieldsTest {
    private static void refused(Path dir, String file, String part) {
        AdapterFolderException e = assertThrows(AdapterFolderException.class, () -> ClassifierFile.read(dir));
        assertEquals(file, e.file().getFileName().toString(), e.getMessage());
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    @Test
    void fieldsOfTheWrongTypeAreRefusedNamingTheField(@TempDir Path dir) throws Exception {
        ClassifierFile.write(dir, Fixtures.classifier("cls"));
        Path cf = dir.resolve(ClassifierFile.CONFIG_FILE);
        String good = Files.readString(cf);
        Files.writeString(cf, good.replaceFirst("\"labels\" : \\[ \"[^\"]*\"", "\"labels\" : [ 7"));
        refused(dir, ClassifierFile.CONFIG_FILE, "labels holds 7: expected class names as strings");
        Files.writeString(cf, good.replace("\"max_length\" : 64", "\"max_length\" : \"64\""));
        refused(dir, ClassifierFile.CONFIG_FILE, "key 'max_length' is \"64\": expected integer");
        Files.writeString(cf, good);
        assertEquals(64, ClassifierFile.read(dir).orElseThrow().maxLength());
    }

    @Test
    void anExtraTensorIsRefusedFromTheHeader(@TempDir Path dir) throws Exception {
        ClassifierFile.write(dir, Fixtures.classifier("cls"));
        Path mf = dir.resolve(ClassifierFile.MODEL_FILE);
        SafetensorsReader.Content c = SafetensorsReader.read(mf);
        Map<String, INDArray> t = new LinkedHashMap<>(c.tensors());
        t.put("extra", Nd4j.zeros(3));
        SafetensorsWriter.write(mf, t, c.metadata());
        refused(dir, ClassifierFile.MODEL_FILE, "expected exactly 'weight' [C, d] and 'bias' [C]");
    }
}
