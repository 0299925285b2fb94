package dev.agentflow.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The agentflow system being measured: the packaged jar started as its own process (as a user runs
 * it, on a fresh data directory), or a running system named by URL.
 */
final class SystemUnderTest implements AutoCloseable {

    private final String url;
    private final String bootstrapServers;
    private final Long pid;
    private final Process process;
    private final Path dataDir;

    private SystemUnderTest(String url, String bootstrapServers, Long pid, Process process, Path dataDir) {
        this.url = url;
        this.bootstrapServers = bootstrapServers;
        this.pid = pid;
        this.process = process;
        this.dataDir = dataDir;
    }

    static SystemUnderTest attach(Settings settings) {
        return new SystemUnderTest(settings.url(), settings.bootstrapServers(), settings.pid(), null, null);
    }

    /** Starts the jar on free ports and a fresh data directory, and waits until its API answers. */
    static SystemUnderTest start(Settings settings, Path resultsDir, String stamp) throws IOException {
        if (!Files.isRegularFile(settings.jar())) {
            throw new IllegalArgumentException("no system to measure at " + settings.jar().toAbsolutePath()
                    + ": build it with ./mvnw -B package -DskipTests, or pass --jar or --url");
        }
        Path dataDir = Files.createTempDirectory("agentflow-bench");
        int http = freePort();
        int kafka = freePort();
        int controller = freePort();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (settings.jfr()) {
            command.add("-XX:StartFlightRecording=filename=" + resultsDir.resolve(stamp + ".jfr").toAbsolutePath()
                    + ",settings=profile,dumponexit=true");
        }
        command.addAll(List.of("-jar", settings.jar().toAbsolutePath().toString(),
                "--server.port=" + http,
                "--agentflow.data-dir=" + dataDir,
                "--agentflow.kafka.port=" + kafka,
                "--agentflow.kafka.controller-port=" + controller,
                "--logging.level.root=WARN",
                // One client identity drives the whole load: the per-principal write limit is a policy, not the engine.
                "--agentflow.security.rate-limit.writes=0"));
        if (settings.apiKey() != null) {
            command.addAll(List.of("--agentflow.security.api-keys[0].name=bench",
                    "--agentflow.security.api-keys[0].hash=" + sha256(settings.apiKey()),
                    "--agentflow.security.api-keys[0].roles=admin"));
        }
        command.addAll(settings.systemArgs());
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("system.log").toFile()).start();
        SystemUnderTest system = new SystemUnderTest("http://127.0.0.1:" + http, "127.0.0.1:" + kafka,
                process.pid(), process, dataDir);
        system.awaitReady(Duration.ofMinutes(3), settings.apiKey());
        return system;
    }

    /** The hash an API key is configured by ({@code sha256:} and hex). */
    private static String sha256(String key) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void awaitReady(Duration timeout, String apiKey) {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (process != null && !process.isAlive()) {
                throw new IllegalStateException("the system exited with " + process.exitValue() + "; see "
                        + dataDir.resolve("system.log"));
            }
            try {
                HttpRequest.Builder ready = HttpRequest.newBuilder(URI.create(url + "/api/v1/agents"))
                        .timeout(Duration.ofSeconds(2));
                if (apiKey != null) {
                    ready.header("Authorization", "Bearer " + apiKey);
                }
                HttpResponse<Void> r = client.send(ready.build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the system", e);
            }
            try {
                TimeUnit.MILLISECONDS.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the system", e);
            }
        }
        throw new IllegalStateException("the system did not answer within " + timeout);
    }

    String url() {
        return url;
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    /** The system's process, when known: for CPU and RSS. */
    Long pid() {
        return pid;
    }

    /** Ports handed out in this JVM: the ports of one broker or instance must differ. */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    /** A port nothing listens on now, and that this JVM has not handed out before. */
    static int freePort() {
        while (true) {
            try (ServerSocket socket = new ServerSocket(0)) {
                if (HANDED_OUT.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Stops a started system (SIGTERM, so a JFR recording is dumped) and removes its data. */
    @Override
    public void close() throws IOException {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (var paths = Files.walk(dataDir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
