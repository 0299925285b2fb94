package dev.agentflow.runtime.config;

import dev.agentflow.runtime.agents.AgentDefinitions;
import dev.agentflow.runtime.health.KafkaHealthIndicator;
import dev.agentflow.runtime.health.TopologiesHealthIndicator;
import dev.agentflow.runtime.tracing.RecordTracing;
import dev.agentflow.runtime.kafka.AwaitTopologies;
import dev.agentflow.runtime.kafka.KafkaSettings;
import dev.agentflow.runtime.kafka.Replication;
import dev.agentflow.runtime.kafka.StreamsApp;
import dev.agentflow.runtime.kafka.TopicAdmin;
import dev.agentflow.runtime.payload.PayloadStore;
import dev.agentflow.schemas.agent.AgentCatalog;
import dev.agentflow.schemas.kafka.Topics;
import dev.agentflow.schemas.limits.Limits;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import org.apache.kafka.clients.admin.Admin;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What every service runs on, from {@code agentflow.*}: the cluster and its topics, the limits, the
 * payload store, the configured agents, and the gate that holds requests back until every topology
 * of the process runs. An auto-configuration (listed in this module's
 * {@code META-INF/spring/...AutoConfiguration.imports}), so a service module needs only itself and
 * the shared modules on its class path.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AgentflowProperties.class)
public class RuntimeConfiguration {

    /** The cluster (a {@link KafkaBootstrap} bean, else {@code agentflow.kafka.bootstrap-servers}), its topics created. */
    @Bean
    KafkaSettings kafkaSettings(AgentflowProperties props, ObjectProvider<KafkaBootstrap> bootstrap,
                                @Value("${agentflow.deltas.retention:1h}") Duration deltaRetention) {
        String servers = bootstrap.getIfAvailable(() -> () -> props.kafka().bootstrapServers()).bootstrapServers();
        if (servers == null || servers.isBlank()) {
            throw new IllegalStateException("agentflow.kafka.bootstrap-servers is required (AGENTFLOW_KAFKA_BOOTSTRAP_SERVERS)");
        }
        // run-deltas' retention applies when the topic is first created, as the partitions do
        Topics topics = new Topics(props.kafka().topicPrefix(), props.kafka().partitions(), deltaRetention.toMillis());
        Replication replication;
        try (Admin admin = Admin.create(KafkaSettings.client(servers, props.kafka().properties()))) {
            // the embedded broker is the one without agentflow.kafka.bootstrap-servers: one broker, no need to ask
            boolean embedded = !props.kafka().external();
            replication = Replication.resolve(props.kafka().replicationFactor(), props.kafka().minInsyncReplicas(),
                    embedded, embedded ? 1 : Replication.brokers(admin));
            TopicAdmin.ensureTopics(admin, topics.all(), replication);
            // the engine's topics and its Kafka Streams internal ones (application ids share the prefix)
            TopicAdmin.checkReplication(admin, new TreeSet<>(List.of(topics.prefix(), topics.applicationId(""))),
                    replication);
        }
        return new KafkaSettings(servers, topics, props.dataDir().resolve("streams"), props.kafka().commitIntervalMs(),
                props.instanceId(), props.kafka().properties(), replication);
    }

    @Bean
    Topics topics(KafkaSettings kafka) {
        return kafka.topics();
    }

    /** {@code agentflow.limits.*}, checked before anything starts. */
    @Bean
    Limits limits(AgentflowProperties props) {
        return props.limits().toLimits();
    }

    /** The claim check: payloads too large to travel inline, stored once on the payload topic. */
    @Bean(destroyMethod = "close")
    PayloadStore payloadStore(KafkaSettings kafka, Limits limits) {
        return new PayloadStore(kafka.client(), kafka.topics().payloads().name(), limits,
                "agentflow-" + kafka.instanceId(), PayloadStore.DEFAULT_CACHE_BYTES);
    }

    /** The agents configured under {@code agentflow.agents}, checked before anything starts. */
    @Bean
    AgentDefinitions agentDefinitions(AgentflowProperties props) {
        return new AgentDefinitions(props.agents(), props.openai());
    }

    /** The built-in agents and the configured ones, as the API shows them and steps may name them. */
    @Bean
    AgentCatalog agentCatalog(AgentDefinitions agentDefinitions) {
        return agentDefinitions.catalog();
    }

    /** Serve no request before every topology of this process runs. */
    @Bean
    AwaitTopologies awaitTopologies(ObjectProvider<StreamsApp> apps) {
        return new AwaitTopologies(apps.orderedStream().toList(), Duration.ofSeconds(120));
    }

    /**
     * A run's trace across its Kafka hops, on the application's tracer (none without one), installed
     * for the processors and agent calls no bean reaches.
     */
    @Bean
    RecordTracing recordTracing(ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator) {
        RecordTracing tracing = new RecordTracing(tracer.getIfAvailable(() -> Tracer.NOOP),
                propagator.getIfAvailable(() -> Propagator.NOOP));
        RecordTracing.install(tracing);
        return tracing;
    }

    /** Every topology's Kafka Streams metrics in the application's registry, when it has one. */
    @Bean
    static BeanPostProcessor streamsMetrics(ObjectProvider<MeterRegistry> registry) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessBeforeInitialization(Object bean, String beanName) {
                if (bean instanceof StreamsApp app) {
                    registry.ifAvailable(app::meterRegistry);
                }
                return bean;
            }
        };
    }

    /** What readiness adds to Spring Boot's own state: the topologies, and the cluster answering. */
    @Configuration(proxyBeanMethods = false)
    static class Health {

        @Bean
        TopologiesHealthIndicator topologiesHealthIndicator(ObjectProvider<StreamsApp> apps) {
            return new TopologiesHealthIndicator(apps.orderedStream().toList());
        }

        @Bean(destroyMethod = "close")
        KafkaHealthIndicator kafkaHealthIndicator(KafkaSettings kafka) {
            return new KafkaHealthIndicator(kafka.client());
        }
    }
}
