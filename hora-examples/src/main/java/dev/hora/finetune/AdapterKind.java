package dev.hora.finetune;

/**
 * The adapter a fine-tuning run trains ({@code --adapter}); {@code none} trains the classifier head only.
 * picocli matches the command-line names ({@link #toString()}) case-insensitively.
 */
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

    @Override
    public String toString() {
        return cliName;
    }
}
