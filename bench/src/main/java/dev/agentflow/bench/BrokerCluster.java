package dev.agentflow.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;

/**
 * A real Kafka cluster of KRaft nodes, each a separate OS process running Kafka's own server
 * ({@code kafka.Kafka}, formatted first with {@code kafka.tools.StorageTool}), launched from the
 * agentflow jar, which carries Kafka's server classes for its embedded broker. Every node is both
 * broker and controller (three controller voters), with Kafka's stock settings otherwise: a topic
 * created without a replication factor would get one copy, so the engine's own settings are what
 * replicate its topics.
 */
final class BrokerCluster implements AutoCloseable {

    /** One node: its ports, its log directory, and its process while it runs. */
    static final class Broker {
        final int id;
        final int port = SystemUnderTest.freePort();
        final int controllerPort = SystemUnderTest.freePort();
        final Path dir;
        Process process;

        Broker(int id, Path dir) {
            this.id = id;
            this.dir = dir;
        }

        Long pid() {
            return process != null && process.isAlive() ? process.pid() : null;
        }
    }

    private final Path jar;
    private final Path root;
    private final List<Broker> brokers = new ArrayList<>();
    private Admin admin;

    BrokerCluster(Path jar, Path root, int size) {
        this.jar = jar;
        this.root = root;
        for (int id = 1; id <= size; id++) {
            brokers.add(new Broker(id, root.resolve("broker-" + id)));
        }
    }

    /** Formats every node with one cluster id, starts them all, and waits until every broker is registered. */
    void start() throws IOException {
        Files.writeString(root.resolve("logback.xml"), """
                <configuration>
                  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{30} - %msg%n</pattern></encoder>
                  </appender>
                  <root level="WARN"><appender-ref ref="OUT"/></root>
                </configuration>
                """);
        String clusterId = Uuid.randomUuid().toString();
        for (Broker broker : brokers) {
            Files.createDirectories(broker.dir);
            writeConfig(broker);
            Process format = launch(broker, "kafka.tools.StorageTool", List.of("format", "--cluster-id", clusterId,
                    "--config", broker.dir.resolve("server.properties").toString()), "format.log");
            try {
                if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
                    throw new IllegalStateException("formatting broker " + broker.id + " failed: "
                            + Files.readString(broker.dir.resolve("format.log")));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        for (Broker broker : brokers) {
            start(broker.id);
        }
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                5_000));
        awaitBrokers(brokers.size(), Duration.ofMinutes(2));
    }

    private void writeConfig(Broker broker) throws IOException {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(broker.id));
        p.put("controller.quorum.voters", brokers.stream().map(b -> b.id + "@127.0.0.1:" + b.controllerPort)
                .collect(Collectors.joining(",")));
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + broker.port + ",CONTROLLER://127.0.0.1:" + broker.controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + broker.port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        p.put("log.dirs", broker.dir.resolve("data").toAbsolutePath().toString());
        // as a production cluster is set up: no topic appears by accident, no wait before the first
        // rebalance; replication of the internal topics (offsets, transactions) is Kafka's default, 3
        p.put("auto.create.topics.enable", "false");
        p.put("group.initial.rebalance.delay.ms", "0");
        try (OutputStream out = Files.newOutputStream(broker.dir.resolve("server.properties"))) {
            p.store(out, "agentflow fault harness: broker " + broker.id);
        }
    }

    private Process launch(Broker broker, String mainClass, List<String> arguments, String log) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", jar.toAbsolutePath().toString(),
                "-Dloader.main=" + mainClass,
                "-Dlogback.configurationFile=" + root.resolve("logback.xml").toAbsolutePath(),
                "org.springframework.boot.loader.launch.PropertiesLauncher"));
        command.addAll(arguments);
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(broker.dir.resolve(log).toFile())).start();
    }

    /** Starts a node (again, on its data). */
    void start(int id) {
        Broker broker = broker(id);
        try {
            broker.process = launch(broker, "kafka.Kafka",
                    List.of(broker.dir.resolve("server.properties").toString()), "broker.log");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGKILL: the node's process dies at once, mid-write. */
    void kill(int id) {
        Broker broker = broker(id);
        broker.process.destroyForcibly();
        await(broker.process);
    }

    /** SIGTERM: a controlled shutdown, leadership handed over first. */
    void stop(int id) {
        Broker broker = broker(id);
        broker.process.destroy();
        await(broker.process);
    }

    private static void await(Process process) {
        try {
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    Broker broker(int id) {
        return brokers.get(id - 1);
    }

    List<Broker> brokers() {
        return brokers;
    }

    String bootstrapServers() {
        return brokers.stream().map(b -> "127.0.0.1:" + b.port).collect(Collectors.joining(","));
    }

    Admin admin() {
        return admin;
    }

    /** The node id of the active controller (the KRaft quorum's leader). */
    int activeController() throws Exception {
        return admin.describeMetadataQuorum().quorumInfo().get(30, TimeUnit.SECONDS).leaderId();
    }

    /** How many of the partitions of {@code topics} node {@code id} leads. */
    int partitionsLed(int id, List<String> topics) throws Exception {
        int led = 0;
        for (TopicDescription d : admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).values()) {
            for (TopicPartitionInfo p : d.partitions()) {
                if (p.leader() != null && p.leader().id() == id) {
                    led++;
                }
            }
        }
        return led;
    }

    /** Waits until {@code count} brokers are registered and unfenced. */
    void awaitBrokers(int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                List<Node> nodes = admin.describeCluster(new DescribeClusterOptions().includeFencedBrokers(true))
                        .nodes().get(10, TimeUnit.SECONDS).stream().filter(n -> !n.isFenced()).toList();
                if (nodes.size() >= count) {
                    return;
                }
            } catch (Exception e) {
                // not up yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("fewer than " + count + " brokers up within " + timeout + "; logs in "
                        + root);
            }
            sleep(200);
        }
    }

    /**
     * Waits until every partition of the topics whose names start with {@code prefix} has all its
     * replicas in sync again (a restarted broker has caught up); the seconds it took.
     */
    double awaitInSync(String prefix, Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        while (true) {
            try {
                List<String> names = admin.listTopics().names().get(10, TimeUnit.SECONDS).stream()
                        .filter(n -> n.startsWith(prefix)).toList();
                boolean inSync = true;
                for (TopicDescription d : admin.describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS)
                        .values()) {
                    for (TopicPartitionInfo p : d.partitions()) {
                        inSync &= p.isr().size() == p.replicas().size();
                    }
                }
                if (inSync) {
                    return (System.nanoTime() - start) / 1e9;
                }
            } catch (Exception e) {
                // a broker still coming back
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("partitions under-replicated for " + timeout);
            }
            sleep(250);
        }
    }

    /** The replication factor of each topic whose name starts with {@code prefix}, by name. */
    Map<String, Integer> replicationFactors(String prefix) throws Exception {
        List<String> names = admin.listTopics().names().get(10, TimeUnit.SECONDS).stream()
                .filter(n -> n.startsWith(prefix)).toList();
        return admin.describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS).values().stream()
                .collect(Collectors.toMap(TopicDescription::name,
                        d -> d.partitions().stream().mapToInt(p -> p.replicas().size()).min().orElse(0)));
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    String logs() {
        StringBuilder all = new StringBuilder();
        for (Broker b : brokers) {
            try {
                String log = Files.readString(b.dir.resolve("broker.log"), StandardCharsets.UTF_8);
                all.append("--- broker ").append(b.id).append('\n')
                        .append(log, Math.max(0, log.length() - 4000), log.length());
            } catch (IOException e) {
                all.append("--- broker ").append(b.id).append(": no log\n");
            }
        }
        return all.toString();
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        for (Broker broker : brokers) {
            if (broker.process != null && broker.process.isAlive()) {
                broker.process.destroyForcibly();
            }
        }
        for (Broker broker : brokers) {
            if (broker.process != null) {
                await(broker.process);
            }
        }
    }
}
