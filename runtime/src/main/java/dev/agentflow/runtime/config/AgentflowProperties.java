package dev.agentflow.runtime.config;

import dev.agentflow.runtime.agents.AgentDefinition.OpenAiDefaults;
import dev.agentflow.runtime.agents.AgentDefinition;
import dev.agentflow.schemas.kafka.Topics;
import dev.agentflow.schemas.limits.Limits;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code agentflow.*}: where data lives and how Kafka is reached. Environment variables bind too,
 * for example {@code AGENTFLOW_KAFKA_BOOTSTRAP_SERVERS} and {@code AGENTFLOW_DATA_DIR}.
 *
 * @param dataDir    root of the local data: the embedded broker's log and Kafka Streams state
 * @param instanceId this process's stable name in consumer groups
 * @param kafka      Kafka settings
 * @param agents     agents configured beside the built-in ones, by id
 * @param openai     what openai agents use unless they say otherwise ({@code OPENAI_BASE_URL},
 *                   {@code OPENAI_API_KEY}, {@code AGENTFLOW_MODEL})
 * @param limits     payload and definition limits; every instance must run with the same
 */
@ConfigurationProperties("agentflow")
public record AgentflowProperties(Path dataDir, String instanceId, Kafka kafka, Map<String, AgentDefinition> agents,
                                  OpenAiDefaults openai, LimitsProperties limits) {

    public AgentflowProperties {
        agents = agents == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(agents));
        openai = openai == null ? new OpenAiDefaults("https://api.openai.com/v1", null, "gpt-4o-mini") : openai;
        dataDir = dataDir == null ? Path.of("data") : dataDir;
        instanceId = instanceId == null || instanceId.isBlank() ? "node-1" : instanceId;
        kafka = kafka == null ? new Kafka(null, null, null, 0, 0, 0, null, null, null) : kafka;
        limits = limits == null ? new LimitsProperties(null, null, null, null, null) : limits;
    }

    /**
     * {@code agentflow.limits.*}: each absent one takes its default (see {@link Limits}).
     *
     * @param maxPayloadBytes    the largest run input, step output or approved output (32 MiB)
     * @param inlinePayloadBytes payloads up to this size travel inline, larger ones by reference (1 KiB)
     * @param payloadChunkBytes  one record of a stored payload (512 KiB)
     * @param maxSteps           steps per workflow (100)
     * @param maxDefinitionBytes a workflow's steps in all, as JSON (256 KiB)
     */
    public record LimitsProperties(Long maxPayloadBytes, Integer inlinePayloadBytes, Integer payloadChunkBytes,
                                   Integer maxSteps, Integer maxDefinitionBytes) {

        /** The limits; refused at start-up when they could let a record outgrow Kafka's default size. */
        public Limits toLimits() {
            Limits d = Limits.DEFAULTS;
            return new Limits(maxPayloadBytes == null ? d.maxPayloadBytes() : maxPayloadBytes,
                    inlinePayloadBytes == null ? d.inlinePayloadBytes() : inlinePayloadBytes,
                    payloadChunkBytes == null ? d.payloadChunkBytes() : payloadChunkBytes,
                    maxSteps == null ? d.maxSteps() : maxSteps,
                    maxDefinitionBytes == null ? d.maxDefinitionBytes() : maxDefinitionBytes);
        }
    }

    /**
     * @param bootstrapServers an external cluster; when blank, an embedded broker is started
     * @param topicPrefix      prefix of every topic and application id
     * @param commitIntervalMs Kafka Streams commit interval
     * @param partitions       partitions of each topic created
     * @param port             the embedded broker's client port
     * @param controllerPort   the embedded broker's controller port
     * @param properties       set on every Kafka client (security and the like)
     * @param replicationFactor copies of each topic created (default 1 on the embedded broker, else 3, or
     *                         the cluster's brokers when fewer)
     * @param minInsyncReplicas the topics' {@code min.insync.replicas} (default 1 on the embedded
     *                         broker, else 2, or one less than the replication factor when that is lower)
     */
    public record Kafka(String bootstrapServers, String topicPrefix, Long commitIntervalMs, int partitions, int port,
                        int controllerPort, Map<String, String> properties, Integer replicationFactor,
                        Integer minInsyncReplicas) {
        public Kafka {
            properties = properties == null ? Map.of() : Map.copyOf(properties);
            topicPrefix = topicPrefix == null ? Topics.DEFAULT_PREFIX : topicPrefix;
            commitIntervalMs = commitIntervalMs == null ? 20L : commitIntervalMs;
            partitions = partitions <= 0 ? Topics.DEFAULT_PARTITIONS : partitions;
            port = port <= 0 ? 9092 : port;
            controllerPort = controllerPort <= 0 ? 9093 : controllerPort;
        }

        /** Without the values of {@code properties}, which hold credentials. */
        @Override
        public String toString() {
            return "Kafka[bootstrapServers=" + bootstrapServers + ", topicPrefix=" + topicPrefix + ", commitIntervalMs="
                    + commitIntervalMs + ", partitions=" + partitions + ", port=" + port + ", controllerPort="
                    + controllerPort + ", properties=" + properties.keySet() + ", replicationFactor="
                    + replicationFactor + ", minInsyncReplicas=" + minInsyncReplicas + "]";
        }

        public boolean external() {
            return bootstrapServers != null && !bootstrapServers.isBlank();
        }
    }
}
