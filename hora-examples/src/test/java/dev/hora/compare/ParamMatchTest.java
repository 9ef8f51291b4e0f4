package dev.hora.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.Target;
import java.util.List;
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

    /** FFN_IN is [d, d_ff] = [384, 1536], not [d, d]: the ranks follow the real shapes (issue 16, item 6). */
    @Test
    void ffnTargetsSizedByTheirRealShape() {
        AdapterConfig hora = AdapterConfig.builder().kind(AdapterKind.HORA).rank(8).alpha(16)
                .targets(List.of(Target.Q, Target.V, Target.FFN_IN)).build();
        // per layer: Z 3 H r e = 2304; W1, b1 = 144; q, v: (k+1)(384 + 32) = 7072 each; i: (k+1)(384 + 128) = 8704
        long target = ParamMatch.count(hora, MINILM, 6);
        assertEquals(6 * (2304 + 144 + 2 * 7072 + 8704), target);
        // LoRA: 6 x r (768 + 768 + (384 + 1536)) = 20,736 r -> r = 7 (145,152 is 6,624 away; r = 8 is 14,112 away).
        // Sizing i as [384, 384] gave r = 10 (207,360 scalars, 37 % more than HoRA's 151,776).
        int lora = ParamMatch.rank(AdapterKind.LORA, hora, MINILM, 6, target);
        assertEquals(7, lora);
        assertEquals(20_736L * 7, ParamMatch.count(hora.toBuilder().kind(AdapterKind.LORA).rank(7).build(), MINILM, 6));
        long gap = Math.abs(ParamMatch.count(hora.toBuilder().kind(AdapterKind.LORA).rank(lora).build(), MINILM, 6) - target);
        for (int r = 1; r <= ParamMatch.MAX_RANK; r++) {
            long other = Math.abs(ParamMatch.count(hora.toBuilder().kind(AdapterKind.LORA).rank(r).build(), MINILM, 6)
                    - target);
            assertTrue(gap <= other, "rank " + r + " is nearer (" + other + ") than the chosen " + lora + " (" + gap + ")");
        }
        // MH-LoRA: 6 x r (2 (12 * 384 + 384) + 12 * 384 + 1536) = 96,768 r -> r = 2 (41,760 away; r = 1 is 55,008 away)
        assertEquals(2, ParamMatch.rank(AdapterKind.MH_LORA, hora, MINILM, 6, target));
        // FFN_OUT is [d_ff, d]: LoRA r (1536 + 384) per layer, the same as FFN_IN; MH-LoRA H r d_ff + r d
        AdapterConfig f = AdapterConfig.builder().kind(AdapterKind.MH_LORA).rank(1).targets(List.of(Target.FFN_OUT)).build();
        assertEquals(6L * (12 * 1536 + 384), ParamMatch.count(f, MINILM, 6));
    }
}
