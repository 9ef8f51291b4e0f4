package dev.hora.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.BitmapEncoder;

/** Summary tables and paired differences from hand-made cells, against values computed independently. */
class SummaryTest {

    static CellResult cell(String phase, String variant, double f, long seed, double test) {
        String kind = variant.contains(":") ? variant.substring(0, variant.indexOf(':')) : variant;
        return new CellResult(phase, variant, kind, Map.of(), f, seed, 1e-3, 8, 1000, 100, 20, 600, 50, 40,
                test + 0.01, test - 0.01, test, test - 0.02, 12.5);
    }

    static List<CellResult> cells() {
        List<CellResult> c = new ArrayList<>();
        double[] hora = {0.85, 0.87, 0.90};
        double[] lora = {0.838, 0.874, 0.880};
        for (int s = 0; s < 3; s++) {
            c.add(cell(CellResult.SWEEP, "hora", 0.05, s + 1, hora[s]));
            c.add(cell(CellResult.SWEEP, "lora", 0.05, s + 1, lora[s]));
            c.add(cell(CellResult.SWEEP, "lora", 1.0, s + 1, 0.9));
        }
        c.add(cell(CellResult.SWEEP, "hora", 1.0, 1, 0.91));
        c.add(cell(CellResult.SWEEP, "hora", 0.05, 4, 0.99));          // no LoRA partner: not paired
        c.add(cell(CellResult.LR, "hora", 0.05, 1, 0.10));             // selection phase: not in the tables
        return c;
    }

    /** d = [0.012, -0.004, 0.020]: mean 0.009333..., half 4.302652730 * 0.012220201853215573 / sqrt 3. */
    @Test
    void pairedDifferencesUseTheSeedsBothFinished() {
        Summary s = new Summary(cells(), List.of("none", "lora", "hora"));
        Interval d = s.paired("hora", "lora", 0.05);
        assertEquals(3, d.n());
        assertEquals(0.009333333333333334, d.mean(), 1e-12);
        assertEquals(0.03035666426877409, d.half(), 1e-10);
        assertEquals(1, s.paired("hora", "lora", 1.0).n());
        assertEquals("lora", s.loraReference());
        assertEquals(List.of("hora"), s.horaVariants());
        assertEquals(List.of(0.05, 1.0), s.fractions());
    }

    @Test
    void tablesShowMeanIntervalAndN() {
        Summary s = new Summary(cells(), List.of("none", "lora", "hora"));
        Interval h = s.interval("hora", 0.05, CellResult::testAccuracy);
        assertEquals(4, h.n(), "four hora seeds at 5 %");
        assertEquals((0.85 + 0.87 + 0.90 + 0.99) / 4, h.mean(), 1e-12);
        assertNull(s.interval("none", 0.05, CellResult::testAccuracy));
        String t = s.table("variant", CellResult::testAccuracy);
        assertTrue(t.startsWith("| variant | trainable | rank | 5 % | 100 % |\n| --- | --- | --- | --- | --- |\n"), t);
        assertTrue(t.contains("| lora | 1,000 | 8 | 0.8640 ± "), t);
        assertTrue(t.contains("(n=3)") && t.contains("0.9100 (n=1)") && t.contains("| none | - | - | - | - |"), t);
        String p = s.pairedTable();
        assertTrue(p.contains("| hora - lora | +0.0093 ± 0.0304 [-0.0210, +0.0397] (n=3) | +0.0100 (n=1) |"), p);
        assertTrue(!p.contains("none - lora"), "a variant with no finished cell has no row: " + p);
        assertEquals("2.5 %", Summary.percent(0.025));
        assertEquals("100 %", Summary.percent(1));
    }

    /** Every other variant is paired with LoRA too, after the HoRA variants: mh-lora d = [+0.02, -0.01]. */
    @Test
    void otherVariantsArePairedAfterTheHoraVariants() {
        List<CellResult> c = new ArrayList<>(cells());
        c.add(cell(CellResult.SWEEP, "mh-lora", 0.05, 1, 0.858));
        c.add(cell(CellResult.SWEEP, "mh-lora", 0.05, 2, 0.864));
        Summary s = new Summary(c, List.of("none", "lora", "mh-lora", "hora"));
        assertEquals(List.of("hora", "mh-lora"), s.pairedVariants());
        Interval d = s.paired("mh-lora", "lora", 0.05);
        assertEquals(2, d.n());
        assertEquals(0.005, d.mean(), 1e-12);
        String p = s.pairedTable();
        assertTrue(p.indexOf("| hora - lora |") < p.indexOf("| mh-lora - lora | " + Summary.format(d, true) + " | - |"), p);
        assertTrue(new Summary(c, List.of("lora")).pairedTable().contains("No paired difference"));
    }

    /** The "all cells" column pools every sweep cell of a variant: hora's validation = test + 0.01. */
    @Test
    void validationTablePoolsEveryCellOfAVariant() {
        Summary s = new Summary(cells(), List.of("none", "lora", "hora"));
        String t = s.table("variant", CellResult::validationAccuracy, true);
        assertTrue(t.startsWith("| variant | trainable | rank | 5 % | 100 % | all cells |\n"
                + "| --- | --- | --- | --- | --- | --- |\n"), t);
        Interval hora = Interval.of(List.of(0.86, 0.88, 0.91, 1.00, 0.92));   // 5 % seeds 1-4, 100 % seed 1
        assertTrue(t.contains(Summary.format(hora, false) + " |\n"), t);
        assertTrue(t.contains("| none | - | - | - | - | - |"), t);
    }

    /** Writes a chart of a made-up 5 x 4 x 5 sweep; with -Dcompare.chart=FILE also there, to look at. */
    @Test
    void aFullSweepChartRenders(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        List<CellResult> c = new ArrayList<>();
        double[] fr = {0.05, 0.1, 0.25, 1};
        String[] vs = {"none", "lora", "mh-lora", "hora", "hora:shared-pair=true"};
        for (int v = 0; v < vs.length; v++) {
            for (int f = 0; f < fr.length; f++) {
                for (int seed = 1; seed <= 5; seed++) {
                    c.add(cell(CellResult.SWEEP, vs[v], fr[f], seed, 0.80 + 0.03 * f + 0.004 * v + 0.006 * Math.sin(seed * v)));
                }
            }
        }
        Path png = dir.resolve("summary.png");
        SummaryChart.write(png, new Summary(c, List.of(vs)), "hora compare: made-up data", 1000, 650);
        assertEquals(1000, javax.imageio.ImageIO.read(png.toFile()).getWidth());
        if (System.getProperty("compare.chart") != null) {
            java.nio.file.Files.copy(png, Path.of(System.getProperty("compare.chart")),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Test
    void chartHasOneSeriesPerVariantAndPercentTicks() {
        Summary s = new Summary(cells(), List.of("none", "lora", "hora"));
        var chart = SummaryChart.chart(s, "test", 800, 500);
        assertEquals(2, chart.getSeriesMap().size(), "none has no finished cell");
        var hora = chart.getSeriesMap().values().stream().filter(x -> x.getName().startsWith("hora")).findFirst().get();
        assertEquals(Math.log10(0.05), hora.getXData()[0], 0.05, "x is log10(fraction) (shifted < 0.05 decade)");
        assertEquals(Math.log10(1.0), hora.getXData()[1], 0.05);
        assertEquals((0.85 + 0.87 + 0.90 + 0.99) / 4, hora.getYData()[0], 1e-12);
        assertEquals(Interval.of(List.of(0.85, 0.87, 0.90, 0.99)).half(), hora.getExtraValues()[0], 1e-12, "interval bar");
        BufferedImage img = BitmapEncoder.getBufferedImage(chart);
        assertEquals(800, img.getWidth());
        assertEquals(500, img.getHeight());
    }
}
