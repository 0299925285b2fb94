package dev.agentflow.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One instance of the whole system (every service) as its own OS process, against an external
 * cluster, with its own instance id, HTTP port and data directory, so that it can be killed and
 * started again on the same state as an operator would.
 */
final class SystemInstance implements AutoCloseable {

    private final Path jar;
    private final String id;
    private final Path dir;
    private final int port = SystemUnderTest.freePort();
    private final List<String> args;
    private final Api api;
    private Process process;

    SystemInstance(Path jar, String id, Path dir, String bootstrapServers, List<String> extraArgs) {
        this.jar = jar;
        this.id = id;
        this.dir = dir;
        this.api = new Api("http://127.0.0.1:" + port, null);
        this.args = new ArrayList<>(List.of(
                "--server.port=" + port,
                "--agentflow.instance-id=" + id,
                "--agentflow.data-dir=" + dir.toAbsolutePath(),
                "--agentflow.kafka.bootstrap-servers=" + bootstrapServers,
                "--logging.level.root=WARN",
                // what it does at start-up and how long that took
                "--logging.level.dev.agentflow=INFO",
                "--logging.level.org.springframework.boot.StartupInfoLogger=INFO",
                // one client identity drives the whole load: the per-principal write limit is a policy
                "--agentflow.security.rate-limit.writes=0"));
        this.args.addAll(extraArgs);
    }

    String id() {
        return id;
    }

    Api api() {
        return api;
    }

    Long pid() {
        return process != null && process.isAlive() ? process.pid() : null;
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /** Launches the process; {@link #awaitReady} waits for its API. */
    void launch() {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar.toAbsolutePath().toString()));
        command.addAll(args);
        try {
            Files.createDirectories(dir);
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("system.log").toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the API answers a list of workflows (it opens only once every topology runs). */
    void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("instance " + id + " exited: " + tail());
            }
            try {
                if (api.call("GET", "/api/v1/workflows?page=0&size=1", null, null).status() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            BrokerCluster.sleep(200);
        }
        throw new IllegalStateException("instance " + id + " not ready within " + timeout + ": " + tail());
    }

    /** SIGKILL: no shutdown hook, nothing flushed or closed. */
    void kill() {
        process.destroyForcibly();
        await(Duration.ofSeconds(30));
    }

    /** SIGTERM: HTTP drains, the topologies close, as in a rolling restart. */
    void stop() {
        process.destroy();
        if (!await(Duration.ofSeconds(90))) {
            process.destroyForcibly();
            await(Duration.ofSeconds(30));
        }
    }

    private boolean await(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** SIGKILL, without waiting: the harness throws its state away. */
    void destroy() {
        if (process != null) {
            process.destroyForcibly();
            await(Duration.ofSeconds(30));
        }
    }

    /** The end of its log, for a failure message. */
    String tail() {
        try {
            String log = Files.readString(dir.resolve("system.log"), StandardCharsets.UTF_8);
            return log.substring(Math.max(0, log.length() - 6000));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!await(Duration.ofSeconds(30))) {
                process.destroyForcibly();
                await(Duration.ofSeconds(30));
            }
        }
    }
}
