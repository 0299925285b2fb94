package dev.agentflow.runtime.config;

/**
 * Where the cluster is, when a launcher knows better than {@code agentflow.kafka.bootstrap-servers}
 * (the standalone launcher's embedded broker). Without such a bean the property is required.
 */
@FunctionalInterface
public interface KafkaBootstrap {

    String bootstrapServers();
}
