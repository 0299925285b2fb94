package dev.agentflow.standalone;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The standalone system in this JVM, on its own embedded KRaft broker at free ports and a fresh data
 * directory, with any further settings ({@code --name=value}) a test class needs.
 */
final class InProcessSystem implements AutoCloseable {

    private final ConfigurableApplicationContext app;
    private final Http http;
    private final String bootstrap;

    private InProcessSystem(ConfigurableApplicationContext app, String bootstrap) {
        this.app = app;
        this.http = new Http("http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port"));
        this.bootstrap = bootstrap;
    }

    static InProcessSystem start(String name, String... settings) {
        int kafkaPort = Http.freePort();
        List<String> args = new ArrayList<>(List.of("--server.port=0",
                "--agentflow.data-dir=" + tempDir("agentflow-" + name),
                "--agentflow.kafka.port=" + kafkaPort,
                "--agentflow.kafka.controller-port=" + Http.freePort()));
        args.addAll(List.of(settings));
        return new InProcessSystem(SpringApplication.run(AgentflowApplication.class, args.toArray(String[]::new)),
                "127.0.0.1:" + kafkaPort);
    }

    private static String tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Http http() {
        return http;
    }

    <T> T bean(Class<T> type) {
        return app.getBean(type);
    }

    /** The embedded broker's bootstrap servers. */
    String bootstrap() {
        return bootstrap;
    }

    @Override
    public void close() {
        app.close();
    }
}
