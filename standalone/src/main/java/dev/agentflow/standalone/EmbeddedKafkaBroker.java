package dev.agentflow.standalone;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node KRaft broker (combined broker and controller) in this JVM, with its log under
 * {@code dataDir}. Formats the directory once; data survives restarts.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

    private final KafkaRaftServer server;
    private final String bootstrapServers;

    private EmbeddedKafkaBroker(KafkaRaftServer server, String bootstrapServers) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Formats (if needed) and starts the broker; returns once it listens.
     *
     * @param dataDir        the log directory
     * @param port           the client port on 127.0.0.1
     * @param controllerPort the KRaft controller port on 127.0.0.1
     */
    public static EmbeddedKafkaBroker start(Path dataDir, int port, int controllerPort) {
        return start(dataDir, properties(dataDir, port, controllerPort), "127.0.0.1:" + port, List.of());
    }

    /**
     * Formats (if needed, with {@code formatArguments} added to {@code kafka-storage format}, such as
     * {@code --add-scram}) and starts a broker of these properties.
     */
    static EmbeddedKafkaBroker start(Path dataDir, Properties props, String bootstrapServers,
                                     List<String> formatArguments) {
        // A log-dir failure must not halt the whole JVM silently: report it instead.
        Exit.setHaltProcedure((status, message) -> LOG.error("Kafka broker asked to halt ({}): {}", status, message));
        Exit.setExitProcedure((status, message) -> LOG.error("Kafka broker asked to exit ({}): {}", status, message));
        try {
            Files.createDirectories(dataDir);
            if (!Files.exists(dataDir.resolve("meta.properties"))) {
                format(dataDir, props, formatArguments);
            }
            long started = System.nanoTime();
            KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
            server.startup();
            LOG.info("Embedded Kafka broker listening on {} (data in {}) after {} ms", bootstrapServers, dataDir,
                    (System.nanoTime() - started) / 1_000_000);
            return new EmbeddedKafkaBroker(server, bootstrapServers);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot prepare the Kafka data directory " + dataDir, e);
        }
    }

    static Properties properties(Path dataDir, int port, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        p.put("log.dirs", dataDir.toAbsolutePath().toString());
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "3");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "3");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        // After a SIGKILL the controller waits for the broker's previous session to expire before it
        // takes the broker back: 9 s by default, measured 11.7 s to a listening broker; 4 s gives 6.3 s.
        // Broker and controller share the process, so heartbeats never cross a network.
        p.put("broker.session.timeout.ms", "4000");
        p.put("broker.heartbeat.interval.ms", "1000");
        return p;
    }

    private static void format(Path dataDir, Properties props, List<String> extra) throws IOException {
        Path config = dataDir.resolve("server.properties.format");
        try (OutputStream out = Files.newOutputStream(config)) {
            props.store(out, "agentflow embedded broker");
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            List<String> arguments = new ArrayList<>(List.of("format", "--standalone", "--ignore-formatted",
                    "--cluster-id", Uuid.randomUuid().toString(), "--config", config.toString()));
            arguments.addAll(extra);
            StorageTool.execute(arguments.toArray(String[]::new), print);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot format " + dataDir + ": " + e + " "
                    + output.toString(StandardCharsets.UTF_8), e);
        } finally {
            Files.deleteIfExists(config);
        }
        LOG.info("Formatted a new KRaft log directory {}", dataDir);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public void close() {
        LOG.info("Stopping the embedded Kafka broker");
        server.shutdown();
        server.awaitShutdown();
    }
}
