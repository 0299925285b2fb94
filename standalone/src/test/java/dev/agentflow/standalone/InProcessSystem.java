package dev.agentflow.standalone;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The standalone system in this JVM, on the JVM's {@link SharedBroker} under a topic prefix of its
 * own and a fresh data directory, with any further settings ({@code --name=value}) a test class
 * needs, and the one API client and wait helpers of the tests. A test class registers it as an
 * extension, which starts it before the class's tests and stops it after them:
 *
 * <pre>
 * &#64;RegisterExtension
 * static final InProcessSystem system = InProcessSystem.perClass("runs", "--agentflow.x=y");
 * </pre>
 *
 * Its {@link #http()} and {@link #runs()} may be taken at once (they reach the system once it runs).
 */
final class InProcessSystem implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

    private final String name;
    private final String[] settings;
    private final Http http = new Http(this::baseUrl);
    private final Runs runs = new Runs(http);
    private ConfigurableApplicationContext app;
    private String bootstrap;
    private String topicPrefix;

    private InProcessSystem(String name, String... settings) {
        this.name = name;
        this.settings = settings.clone();
    }

    /** A system started before the test class's tests and stopped after them (register it as an extension). */
    static InProcessSystem perClass(String name, String... settings) {
        return new InProcessSystem(name, settings);
    }

    /** A system started now; the caller closes it. */
    static InProcessSystem start(String name, String... settings) {
        InProcessSystem system = new InProcessSystem(name, settings);
        system.begin();
        return system;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        new SharedBroker().beforeAll(context);
        begin();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    private void begin() {
        bootstrap = SharedBroker.bootstrapServers();
        topicPrefix = SharedBroker.topicPrefix(name);
        List<String> args = new ArrayList<>(List.of("--server.port=0",
                "--agentflow.data-dir=" + tempDir("agentflow-" + name),
                "--agentflow.kafka.bootstrap-servers=" + bootstrap,
                "--agentflow.kafka.topic-prefix=" + topicPrefix));
        if (Arrays.stream(settings).noneMatch(s -> s.startsWith("--agentflow.security.rate-limit.writes="))) {
            // Tests drive many writes as one principal from parallel clients; RateLimitIT tests the limit.
            args.add("--agentflow.security.rate-limit.writes=0");
        }
        args.addAll(List.of(settings));
        app = SpringApplication.run(AgentflowApplication.class, args.toArray(String[]::new));
    }

    private static String tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String baseUrl() {
        if (app == null) {
            throw new IllegalStateException("The system " + name + " has not started");
        }
        return "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
    }

    Http http() {
        return http;
    }

    /** The port the API listens on. */
    int httpPort() {
        return Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
    }

    /** Workflows, runs and waits through {@link #http()}. */
    Runs runs() {
        return runs;
    }

    <T> T bean(Class<T> type) {
        return app.getBean(type);
    }

    <T> T bean(String name, Class<T> type) {
        return app.getBean(name, type);
    }

    /** The shared broker's bootstrap servers. */
    String bootstrap() {
        return bootstrap;
    }

    /** The prefix of this system's topics (and application ids). */
    String topicPrefix() {
        return topicPrefix;
    }

    @Override
    public void close() {
        if (app != null) {
            app.close();
        }
    }
}
