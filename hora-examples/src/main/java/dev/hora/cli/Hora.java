package dev.hora.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code hora} command line: parameter-efficient fine-tuning of transformer encoders on the JVM.
 *
 * <pre>
 * hora finetune | compare | evaluate | predict | merge | serve | bench  [options]      (hora COMMAND --help)
 * exit codes: 0 ok, 1 error (bad file, bad model, fetch failure), 2 invalid options
 * </pre>
 */
@Command(name = "hora", mixinStandardHelpOptions = true, versionProvider = Hora.Version.class,
        description = "HoRA / MH-LoRA / LoRA fine-tuning for Deeplearning4j.",
        subcommands = {FinetuneCommand.class, CompareCommand.class, EvaluateCommand.class, PredictCommand.class, MergeCommand.class, ServeCommand.class,
                BenchCommand.class, HelpCommand.class})
public class Hora implements Runnable {
    @Spec
    CommandSpec spec;
    private PrintStream out = System.out;
    private PrintStream err = System.err;

    /** Where commands print their results. */
    public PrintStream out() {
        return out;
    }

    /** Where commands print progress and errors. */
    public PrintStream err() {
        return err;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    /** Runs the command line with the given streams and returns the exit code. */
    public static int run(PrintStream out, PrintStream err, String... args) {
        Hora hora = new Hora();
        hora.out = out;
        hora.err = err;
        CommandLine cl = new CommandLine(hora);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            String name = line.getCommandSpec().qualifiedName();
            if (e instanceof IllegalArgumentException) {
                err.println(name + ": error: " + e.getMessage());
                err.println("Try '" + name + " --help' for the options.");
                return 2;
            }
            err.println(name + ": error: " + e.getMessage());
            if (!(e instanceof IOException) && System.getenv("HORA_DEBUG") != null) {
                e.printStackTrace(err);
            }
            return 1;
        });
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {   // never a stack trace: what ran out and what to change
            String name = cl.getParseResult() == null || !cl.getParseResult().hasSubcommand() ? "hora"
                    : cl.getParseResult().subcommand().commandSpec().qualifiedName();
            err.println(name + ": error: out of memory (" + e.getMessage() + "; JVM heap "
                    + Runtime.getRuntime().maxMemory() + " bytes): lower --batch-size, --max-length or the adapter's "
                    + "size, or raise the heap with HORA_JAVA_OPTS=-Xmx...");
            return 1;
        }
    }

    public static void main(String[] args) {
        System.exit(run(System.out, System.err, args));
    }

    /** The version from the jar manifest, or "dev". */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Hora.class.getPackage().getImplementationVersion();
            return new String[] {"hora " + (v == null ? "dev" : v)};
        }
    }
}
