package dev.hora.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.Target;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Trainable-parameter counts equal docs/METHOD.md's closed forms (attention layer: d_in = d_out = d). */
class ParameterCountTest {

    @ParameterizedTest(name = "d={0} H={1} r={2} |T|={3} e={4} k={5}")
    @CsvSource({"384,12,8,2,8,16", "768,12,16,4,8,16", "64,4,2,1,3,7", "32,1,4,3,16,32", "256,8,1,2,2,2"})
    void closedForms(long d, int h, int r, int nT, int e, int k) {
        List<Target> ts = List.of(Target.values()).subList(0, nT);
        long dh = d / h;
        AdapterConfig.Builder b = AdapterConfig.builder().rank(r).targets(ts).seedWidth(e).hiddenWidth(k);
        assertEquals(nT * r * (d + d), count(b.kind(AdapterKind.LORA), d, h), "LoRA r(d_in + d_out) per target");
        assertEquals(nT * ((long) h * r * d + r * d), count(b.kind(AdapterKind.MH_LORA), d, h),
                "MH-LoRA H r d_in + r d_out per target");
        long hora = (long) nT * h * r * e + (long) e * k + k + (long) nT * (k + 1) * d + (long) nT * (k + 1) * dh;
        assertEquals(hora, count(b.kind(AdapterKind.HORA).perHeadOutput(false), d, h), "HoRA per layer");
        long horaPerHead = (long) nT * h * r * e + (long) e * k + k + (long) nT * h * (k + 1) * (d + dh);
        assertEquals(horaPerHead, count(b.kind(AdapterKind.HORA).perHeadOutput(true), d, h), "HoRA per-head outputs");
    }

    /** docs/METHOD.md's worked example: all-MiniLM-L6-v2, r = 8, T = {Q, V}: ~15.8 K per layer vs LoRA's 12.3 K. */
    @Test
    void miniLmExample() {
        AdapterConfig hora = AdapterConfig.builder().kind(AdapterKind.HORA).rank(8).build();
        assertEquals(15_824, Adapters.forAttention(hora, 384, 12).numParams());
        AdapterConfig lora = hora.toBuilder().kind(AdapterKind.LORA).build();
        assertEquals(12_288, Adapters.forAttention(lora, 384, 12).numParams());
    }

    private static long count(AdapterConfig.Builder b, long d, int h) {
        Adapter a = Adapters.forAttention(b.build(), d, h);
        long fromInit = a.initParams(org.nd4j.linalg.api.buffer.DataType.FLOAT).values().stream()
                .mapToLong(v -> v.length()).sum();
        assertEquals(a.numParams(), fromInit, "initParams agrees with paramShapes");
        return a.numParams();
    }
}
