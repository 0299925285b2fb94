package dev.agentflow.standalone;

import dev.agentflow.runtime.config.AgentflowProperties;
import dev.agentflow.runtime.config.KafkaBootstrap;
import dev.agentflow.standalone.cli.CreateApiKey;
import dev.agentflow.standalone.cli.KafkaAcls;
import dev.agentflow.standalone.cli.RebuildViews;
import dev.agentflow.standalone.cli.Replay;
import java.util.Arrays;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The standalone launcher: an in-process KRaft broker (unless an external cluster is configured)
 * and all three services, on one port. It only composes: each service module, and the shared
 * runtime and web modules, bring their own configuration (Spring Boot auto-configurations), so
 * this class adds just the broker and the command-line tools.
 */
@SpringBootApplication
@EnableConfigurationProperties(AgentflowProperties.class)
public class AgentflowApplication {

    /** Starts the system, or runs a command-line tool ({@code replay ...}, {@code rebuild-views ...}) instead. */
    public static void main(String[] args) {
        if (args.length > 0) {
            String[] rest = Arrays.copyOfRange(args, 1, args.length);
            switch (args[0]) {
                case "replay" -> System.exit(Replay.run(rest));
                case "rebuild-views" -> System.exit(RebuildViews.run(AgentflowApplication.class, rest));
                case "create-api-key" -> System.exit(CreateApiKey.run(rest));
                case "kafka-acls" -> System.exit(KafkaAcls.run(rest));
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

    /** Where the services find the cluster. */
    @Bean
    KafkaBootstrap kafkaBootstrap(KafkaCluster kafkaCluster) {
        return kafkaCluster::bootstrapServers;
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
