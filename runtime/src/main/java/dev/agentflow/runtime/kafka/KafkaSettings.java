package dev.agentflow.runtime.kafka;

import dev.agentflow.schemas.kafka.Topics;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * How every part of agentflow reaches Kafka.
 *
 * @param bootstrapServers the cluster
 * @param topics           topic names and settings
 * @param stateDir         where Kafka Streams keeps its local state
 * @param commitIntervalMs Kafka Streams commit interval: under exactly-once, the latency of each hop
 * @param instanceId       this process's stable name in consumer groups (static membership), so a
 *                         restarted process takes its partitions back at once
 * @param clientProperties {@code agentflow.kafka.properties.*}: set on every producer, consumer, admin
 *                         client and Kafka Streams app (security.protocol, sasl.*, ssl.* and the like);
 *                         the engine's own settings (guarantees, ids, serdes) are applied over them
 * @param replication      the replication of the topics created, Kafka Streams' internal ones too
 */
public record KafkaSettings(String bootstrapServers, Topics topics, Path stateDir, long commitIntervalMs,
                            String instanceId, Map<String, String> clientProperties, Replication replication) {

    public KafkaSettings {
        clientProperties = clientProperties == null ? Map.of() : Map.copyOf(clientProperties);
        replication = replication == null ? Replication.BROKER_DEFAULT : replication;
    }

    /** Settings with no client properties beyond the bootstrap servers. */
    public KafkaSettings(String bootstrapServers, Topics topics, Path stateDir, long commitIntervalMs,
                         String instanceId) {
        this(bootstrapServers, topics, stateDir, commitIntervalMs, instanceId, Map.of(), null);
    }

    /** A new map of what every client of this cluster is configured with: the properties and the bootstrap servers. */
    public Map<String, Object> client() {
        return client(bootstrapServers, clientProperties);
    }

    /** Without the client properties' values, which hold credentials (sasl.jaas.config, ssl.*.password). */
    @Override
    public String toString() {
        return "KafkaSettings[bootstrapServers=" + bootstrapServers + ", topics=" + topics + ", stateDir=" + stateDir
                + ", commitIntervalMs=" + commitIntervalMs + ", instanceId=" + instanceId + ", clientProperties="
                + clientProperties.keySet() + ", replication=" + replication + "]";
    }

    /** A new map of the client properties and the bootstrap servers, for a client to add its own settings to. */
    public static Map<String, Object> client(String bootstrapServers, Map<String, String> properties) {
        Map<String, Object> client = new HashMap<>(properties);
        client.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return client;
    }
}
