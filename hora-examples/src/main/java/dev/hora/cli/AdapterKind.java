package dev.hora.cli;

import java.util.Arrays;
import java.util.Locale;

/** The adapter a fine-tuning run trains ({@code --adapter}); {@code none} trains the classifier head only. */
public enum AdapterKind {
    HORA("hora"), MH_LORA("mh-lora"), LORA("lora"), NONE("none");

    private final String cliName;

    AdapterKind(String cliName) {
        this.cliName = cliName;
    }

    /** The name on the command line and in JSON. */
    @com.fasterxml.jackson.annotation.JsonValue
    public String cliName() {
        return cliName;
    }

    /** Parses a command-line name (case-insensitive; {@code mhlora} and {@code mh_lora} accepted). */
    public static AdapterKind parse(String s) {
        String n = s.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        if (n.equals("mhlora")) {
            n = "mh-lora";
        }
        for (AdapterKind k : values()) {
            if (k.cliName.equals(n)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown adapter '" + s + "'; choose one of "
                + Arrays.stream(values()).map(AdapterKind::cliName).toList());
    }

    @Override
    public String toString() {
        return cliName;
    }
}
