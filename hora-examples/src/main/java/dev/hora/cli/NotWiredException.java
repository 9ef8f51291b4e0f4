package dev.hora.cli;

/** A command needs the model, which is not wired into the command line yet (phase 2 of issue #4). */
public class NotWiredException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param command the command name (for callers; the CLI prefixes messages with it already) */
    public NotWiredException(String command, String detail) {
        super("not wired yet: the model is not connected to the command line "
                + "(phase 2 of issue #4). " + detail);
    }
}
