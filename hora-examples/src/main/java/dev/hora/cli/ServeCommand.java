package dev.hora.cli;

import dev.hora.finetune.ModelSource;
import dev.hora.finetune.RunFolder;
import dev.hora.peft.PeftModel;
import dev.hora.serve.HoraServer;
import dev.hora.serve.ServeOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import sun.misc.Signal;

/**
 * {@code hora serve}: one copy of the base model and many adapters behind one HTTP endpoint
 * ({@link HoraServer}). SIGTERM or SIGINT stops accepting, answers what is queued and exits 0.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Serve a base model and many adapters over HTTP (/predict, /embed, /v1/embeddings, /adapters).")
public class ServeCommand implements Callable<Integer> {
    /** The environment variable holding the API key (when --api-key-file is not given). */
    public static final String API_KEY_ENV = "HORA_API_KEY";
    @ParentCommand
    Hora hora;
    @Option(names = "--model", defaultValue = ModelSource.BUILTIN, paramLabel = "MODEL",
            description = "Base model: all-minilm-l6-v2, an .onnx file, a jar or group:artifact:version (default: ${DEFAULT-VALUE}).")
    String model;
    @Option(names = "--tokenizer", paramLabel = "FILE", description = "tokenizer.json (default: beside the model).")
    Path tokenizer;
    @Option(names = "--adapter", paramLabel = "NAME=DIR",
            description = "An adapter always resident: a hora finetune run directory or an adapter folder (repeatable).")
    List<String> adapters = new ArrayList<>();
    @Option(names = "--adapter-dir", paramLabel = "DIR",
            description = "Adapters load from DIR/NAME on first use; POST /adapters sources must lie in DIR.")
    Path adapterDir;
    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;
    @Option(names = "--port", defaultValue = "8080", description = "Port (default: ${DEFAULT-VALUE}; 0: any free one).")
    int port;
    @Option(names = "--max-batch-tokens", defaultValue = "16384", paramLabel = "N",
            description = "Padded tokens per forward pass (default: ${DEFAULT-VALUE}).")
    int maxBatchTokens;
    @Option(names = "--max-wait-ms", defaultValue = "5", paramLabel = "N",
            description = "Longest wait for more requests to batch (default: ${DEFAULT-VALUE}).")
    int maxWaitMs;
    @Option(names = "--max-concurrent-requests", defaultValue = "256", paramLabel = "N",
            description = "Requests in flight; beyond: 429 at once (default: ${DEFAULT-VALUE}).")
    int maxConcurrent;
    @Option(names = "--max-adapters", defaultValue = "128", paramLabel = "N",
            description = "Adapters resident at once, least recently used leave (default: ${DEFAULT-VALUE}).")
    int maxAdapters;
    @Option(names = "--max-length", defaultValue = "128", paramLabel = "N",
            description = "Tokens per text for the base and adapters that record none (default: ${DEFAULT-VALUE}).")
    int maxLength;
    @Option(names = "--max-body-bytes", defaultValue = "1048576", paramLabel = "N", description = "Body limit (default: ${DEFAULT-VALUE}).")
    long maxBodyBytes;
    @Option(names = "--max-inputs", defaultValue = "64", paramLabel = "N", description = "Texts per request (default: ${DEFAULT-VALUE}).")
    int maxInputs;
    @Option(names = "--max-input-chars", defaultValue = "10000", paramLabel = "N",
            description = "Characters per text (default: ${DEFAULT-VALUE}).")
    int maxInputChars;
    @Option(names = "--api-key-file", paramLabel = "FILE",
            description = "File holding the API key clients send as 'Authorization: Bearer KEY' (else $" + API_KEY_ENV + ").")
    Path apiKeyFile;
    @Option(names = "--threads", paramLabel = "N", description = "CPU threads (default: all cores).")
    Integer threads;

    @Override
    public Integer call() throws IOException {
        Map<String, Path> pinned = new LinkedHashMap<>();
        for (String a : adapters) {
            int eq = a.indexOf('=');
            if (eq <= 0 || eq == a.length() - 1) {
                throw new IllegalArgumentException("--adapter '" + a + "': expected NAME=DIR");
            }
            pinned.put(a.substring(0, eq), Path.of(a.substring(eq + 1)));
        }
        if (adapterDir != null && !Files.isDirectory(adapterDir)) {
            throw new IOException(adapterDir + ": --adapter-dir is not a folder");
        }
        ServeOptions opt = new ServeOptions(host, port, maxBatchTokens, maxWaitMs, maxConcurrent, maxAdapters,
                maxBodyBytes, maxInputs, maxInputChars, maxLength, adapterDir, apiKey());
        int th = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        hora.err().println(Backend.configure(th));
        ModelSource source = ModelSource.resolve(model, tokenizer);
        PeftModel peft = PeftModel.builder(RunFolder.importModel(source)).pooling(ModelSource.defaultPooling(model))
                .build();
        peft.deleteAdapter(PeftModel.DEFAULT);   // the builder's probe: only the base pooling is kept
        HoraServer server = HoraServer.start(peft, source, opt, pinned);
        Runnable stop = () -> new Thread(server::shutdown, "hora-shutdown").start();
        Signal.handle(new Signal("TERM"), s -> stop.run());
        Signal.handle(new Signal("INT"), s -> stop.run());
        hora.out().println("hora serve: listening on http://" + host + ":" + server.port() + " (" + source.description()
                + ", " + pinned.size() + " adapters pinned" + (opt.apiKey() != null ? ", API key required" : "") + ")");
        hora.out().flush();
        server.awaitStopped();
        hora.err().println("hora serve: stopped");
        return 0;
    }

    private String apiKey() throws IOException {
        if (apiKeyFile != null) {
            if (!Files.isRegularFile(apiKeyFile)) {
                throw new IOException(apiKeyFile + ": --api-key-file not found");
            }
            String k = Files.readString(apiKeyFile, StandardCharsets.UTF_8).trim();
            if (k.isEmpty()) {
                throw new IOException(apiKeyFile + ": the API key file is empty");
            }
            return k;
        }
        String env = System.getenv(API_KEY_ENV);
        return env == null || env.isBlank() ? null : env.trim();
    }
}
