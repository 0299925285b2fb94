package dev.agentflow.standalone;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The standalone system in this JVM, on the JVM's {@link SharedBroker} under a topic prefix of its
 * own and a fresh data directory, with any further settings ({@code --name=value}) a test class
 * needs. Test classes that use it are extended with {@link SharedBroker}, which stops the broker
 * after the last of them.
 */
final class InProcessSystem implements AutoCloseable {

    private final ConfigurableApplicationContext app;
    private final Http http;
    private final String bootstrap;
    private final String topicPrefix;

    private InProcessSystem(ConfigurableApplicationContext app, String bootstrap, String topicPrefix) {
        this.app = app;
        this.http = new Http("http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port"));
        this.bootstrap = bootstrap;
        this.topicPrefix = topicPrefix;
    }

    static InProcessSystem start(String name, String... settings) {
        String bootstrap = SharedBroker.bootstrapServers();
        String prefix = SharedBroker.topicPrefix(name);
        List<String> args = new ArrayList<>(List.of("--server.port=0",
                "--agentflow.data-dir=" + tempDir("agentflow-" + name),
                "--agentflow.kafka.bootstrap-servers=" + bootstrap,
                "--agentflow.kafka.topic-prefix=" + prefix));
        args.addAll(List.of(settings));
        return new InProcessSystem(SpringApplication.run(AgentflowApplication.class, args.toArray(String[]::new)),
                bootstrap, prefix);
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
        app.close();
    }
}
