package dev.agentflow.standalone;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One embedded KRaft broker for every integration test of this JVM, started by the first test class
 * that needs it and stopped when the JVM's tests are done; each test class gets topics (and so
 * application ids, consumer groups and transactional ids) under a prefix of its own. Test classes
 * that stop, restart or configure a broker of their own start their own instead.
 */
final class SharedBroker implements BeforeAllCallback {

    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static Running broker;

    /** The shared broker's bootstrap servers, starting it on first use. */
    static synchronized String bootstrapServers() {
        if (broker == null) {
            try {
                broker = new Running(EmbeddedKafkaBroker.start(Files.createTempDirectory("agentflow-shared-kafka"),
                        Http.freePort(), Http.freePort()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return broker.kafka().bootstrapServers();
    }

    /** A topic prefix no other test class of this JVM uses. */
    static String topicPrefix(String name) {
        return "it-" + name + "-" + PREFIXES.incrementAndGet() + ".";
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        bootstrapServers();
        // closed once, after the last test class of the JVM
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).getOrComputeIfAbsent(Running.class,
                type -> broker, Running.class);
    }

    /** The broker, closed by JUnit with the root context. */
    private record Running(EmbeddedKafkaBroker kafka) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            synchronized (SharedBroker.class) {
                kafka.close();
                broker = null;
            }
        }
    }
}
