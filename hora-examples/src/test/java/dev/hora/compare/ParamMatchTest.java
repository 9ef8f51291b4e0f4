package dev.hora.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.onnx.BertConfig;
import org.junit.jupiter.api.Test;

/** --match-params on all-MiniLM-L6-v2's shapes, against counts worked out by hand from the closed forms of docs/METHOD.md. */
class ParamMatchTest {
    static final BertConfig MINILM = BertConfig.builder().numLayers(6).hiddenSize(384).numHeads(12)
            .intermediateSize(1536).vocabSize(30522).maxPositions(512).typeVocabSize(2).build();

    @Test
    void nearestRanksForMiniLm() {
        AdapterConfig hora = AdapterConfig.builder().kind(AdapterKind.HORA).rank(8).alpha(16).build();
        // per layer: |T| H r e + e k + k + |T| (k+1) d + |T| (k+1) d_h = 1536 + 128 + 16 + 13056 + 1088 = 15,824
        long target = ParamMatch.count(hora, MINILM, 6);
        assertEquals(6 * 15_824, target);
        // LoRA: 6 layers x 2 targets x r (384 + 384) = 9216 r -> r = 10 (92,160; r = 11 gives 101,376)
        assertEquals(10, ParamMatch.rank(AdapterKind.LORA, hora, MINILM, 6, target));
        // MH-LoRA: 6 x 2 x (H r d + r d) = 59,904 r -> r = 2 (119,808 is 24,864 away; r = 1 is 35,040 away)
        assertEquals(2, ParamMatch.rank(AdapterKind.MH_LORA, hora, MINILM, 6, target));
        // the shared pair adds |T| r e = 128 per layer; fixed seeds remove |T| H r e = 1536 per layer
        assertEquals(6 * (15_824 + 128), ParamMatch.count(hora.toBuilder().sharedPair(true).build(), MINILM, 6));
        assertEquals(6 * (15_824 - 1536), ParamMatch.count(hora.toBuilder().learnableSeeds(false).build(), MINILM, 6));
    }
}
