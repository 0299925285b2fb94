package dev.agentflow.runtime.kafka;

import dev.agentflow.schemas.kafka.Topics;
import java.nio.file.Path;

/**
 * How every part of agentflow reaches Kafka.
 *
 * @param bootstrapServers the cluster
 * @param topics           topic names and settings
 * @param stateDir         where Kafka Streams keeps its local state
 * @param commitIntervalMs Kafka Streams commit interval: under exactly-once, the latency of each hop
 * @param instanceId       this process's stable name in consumer groups (static membership), so a
 *                         restarted process takes its partitions back at once
 */
public record KafkaSettings(String bootstrapServers, Topics topics, Path stateDir, long commitIntervalMs,
                            String instanceId) {
}
