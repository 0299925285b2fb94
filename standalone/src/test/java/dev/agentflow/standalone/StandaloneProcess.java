package dev.agentflow.standalone;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * The packaged standalone system ({@code target/agentflow.jar}) as a separate OS process, as a
 * user runs it, so that tests can SIGKILL it and start it again on the same data.
 */
final class StandaloneProcess implements AutoCloseable {

    private final Path dataDir;
    private final int httpPort = Http.freePort();
    private final int kafkaPort = Http.freePort();
    private final int controllerPort = Http.freePort();
    private final List<String> extraArgs;
    private Process process;

    StandaloneProcess(Path dataDir, String... extraArgs) {
        this.dataDir = dataDir;
        this.extraArgs = List.of(extraArgs);
    }

    int httpPort() {
        return httpPort;
    }

    String bootstrapServers() {
        return "127.0.0.1:" + kafkaPort;
    }

    Http http() {
        return new Http("http://127.0.0.1:" + httpPort);
    }

    /** Starts the process and waits for it to exit by itself (it refuses to start); its exit code. */
    int runToExit(Duration within) {
        launch();
        try {
            if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("The process is still running: " + log());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts the process and waits until the API answers (401 too: credentials are configured). */
    void start() {
        launch();
        awaitUp();
    }

    /** Waits until the process {@link #launch()}ed answers (401 too: credentials are configured). */
    void awaitUp() {
        Http http = http();
        Awaitility.await("the API of the standalone process").atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("The process exited: " + log());
                    }
                    int status = http.get("/api/v1/workflows").status();
                    return status == 200 || status == 401 && http.get("/actuator/health/readiness").status() == 200;
                });
    }

    /** Starts the process; {@link #awaitUp()} waits for its API. */
    void launch() {
        Path jar = Path.of("target", "agentflow.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException("Run after 'package': " + jar.toAbsolutePath() + " is missing");
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // C1 only, as the test JVMs (the root pom's test.jvm.args): a test's system runs briefly
                "-Xmx1g", "-XX:TieredStopAtLevel=1", "-jar", jar.toString(),
                "--server.port=" + httpPort,
                "--agentflow.data-dir=" + dataDir,
                "--agentflow.kafka.port=" + kafkaPort,
                "--agentflow.kafka.controller-port=" + controllerPort,
                // parallel clients write as one principal; RateLimitIT tests the limit
                "--agentflow.security.rate-limit.writes=0",
                // stopped with long delay steps in flight (RunDurabilityIT's stuck one): no need to wait
                "--agentflow.workers.shutdown-timeout=1s"));
        command.addAll(extraArgs);
        try {
            File log = dataDir.resolve("process.log").toFile();
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGKILL: no shutdown hook, no flush, no clean close. */
    void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("The process did not die");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    String log() {
        try {
            return Files.readString(dataDir.resolve("process.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
