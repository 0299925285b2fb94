package dev.agentflow.standalone;

import dev.agentflow.processor.agent.ConfiguredAgents;
import dev.agentflow.schemas.agent.AgentCatalog;
import dev.agentflow.runtime.kafka.KafkaSettings;
import dev.agentflow.runtime.kafka.StreamsApp;
import dev.agentflow.runtime.kafka.TopicAdmin;
import dev.agentflow.schemas.kafka.Topics;
import dev.agentflow.schemas.limits.Limits;
import dev.agentflow.runtime.payload.PayloadStore;
import dev.agentflow.standalone.cli.RebuildViews;
import dev.agentflow.standalone.cli.Replay;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.json.ProblemDetailJacksonMixin;
import tools.jackson.databind.json.JsonMapper;

/**
 * The standalone launcher: an in-process KRaft broker (unless an external cluster is configured)
 * and all three services, on one port.
 */
@SpringBootApplication(scanBasePackages = "dev.agentflow")
@EnableConfigurationProperties(AgentflowProperties.class)
public class AgentflowApplication {

    /** Starts the system, or runs a command-line tool ({@code replay ...}, {@code rebuild-views ...}) instead. */
    public static void main(String[] args) {
        if (args.length > 0) {
            String[] rest = Arrays.copyOfRange(args, 1, args.length);
            switch (args[0]) {
                case "replay" -> System.exit(Replay.run(rest));
                case "rebuild-views" -> System.exit(RebuildViews.run(AgentflowApplication.class, rest));
                default -> {
                    // not a tool: Spring options such as --server.port
                }
            }
        }
        SpringApplication.run(AgentflowApplication.class, args);
    }

    /** The cluster: an embedded broker unless one is configured. Stopped after everything using it. */
    @Bean(destroyMethod = "close")
    KafkaCluster kafkaCluster(AgentflowProperties props) {
        if (props.kafka().external()) {
            return new KafkaCluster(props.kafka().bootstrapServers(), null);
        }
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(props.dataDir().resolve("kafka"),
                props.kafka().port(), props.kafka().controllerPort());
        return new KafkaCluster(broker.bootstrapServers(), broker);
    }

    @Bean
    KafkaSettings kafkaSettings(AgentflowProperties props, KafkaCluster kafkaCluster) {
        String bootstrap = kafkaCluster.bootstrapServers();
        Topics topics = new Topics(props.kafka().topicPrefix(), props.kafka().partitions());
        TopicAdmin.ensureTopics(bootstrap, topics.all());
        return new KafkaSettings(bootstrap, topics, props.dataDir().resolve("streams"),
                props.kafka().commitIntervalMs(), props.instanceId());
    }

    /** {@code agentflow.limits.*}, checked before anything starts. */
    @Bean
    Limits limits(AgentflowProperties props) {
        return props.limits().toLimits();
    }

    /** The claim check: payloads too large to travel inline, stored once on the payload topic. */
    @Bean(destroyMethod = "close")
    PayloadStore payloadStore(KafkaSettings kafka, Limits limits) {
        return new PayloadStore(kafka.bootstrapServers(), kafka.topics().payloads().name(), limits,
                "agentflow-" + kafka.instanceId(), PayloadStore.DEFAULT_CACHE_BYTES);
    }

    /** The agents configured under {@code agentflow.agents}, checked before anything starts. */
    @Bean
    ConfiguredAgents configuredAgents(AgentflowProperties props) {
        return new ConfiguredAgents(props.agents(), props.openai());
    }

    /** The built-in agents and the configured ones, as the API shows them. */
    @Bean
    AgentCatalog agentCatalog(ConfiguredAgents configuredAgents) {
        return AgentCatalog.of(configuredAgents.descriptors());
    }

    /** Serve no request before every topology runs. */
    @Bean
    SmartInitializingSingleton awaitTopologies(ObjectProvider<StreamsApp> apps) {
        return () -> {
            List<StreamsApp> all = apps.orderedStream().toList();
            all.forEach(app -> app.awaitRunning(Duration.ofSeconds(120)));
        };
    }

    /** The one JsonMapper for Spring MVC too, plus Spring's RFC 9457 layout of ProblemDetail. */
    @Bean
    JsonMapper jsonMapper() {
        return dev.agentflow.schemas.json.Json.mapper().rebuild()
                .addMixIn(ProblemDetail.class, ProblemDetailJacksonMixin.class)
                .build();
    }

    /** Where Kafka is, and the embedded broker when this process runs it. */
    record KafkaCluster(String bootstrapServers, EmbeddedKafkaBroker embedded) implements AutoCloseable {
        @Override
        public void close() {
            if (embedded != null) {
                embedded.close();
            }
        }
    }
}
