package dev.agentflow.api;

import dev.agentflow.api.command.CommandGateway;
import dev.agentflow.api.workflow.topology.WorkflowTopology;
import dev.agentflow.schemas.kafka.KafkaSettings;
import dev.agentflow.schemas.kafka.StreamsApp;
import dev.agentflow.schemas.kafka.Topics;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** command-api: the workflow decider topology (exactly-once) and the command gateway. */
@Configuration(proxyBeanMethods = false)
public class CommandApiConfiguration {

    @Bean(initMethod = "start", destroyMethod = "close")
    StreamsApp workflowDeciderStreams(KafkaSettings kafka) {
        return new StreamsApp(WorkflowTopology.NAME, WorkflowTopology.build(kafka.topics()), kafka,
                StreamsApp.Guarantee.EXACTLY_ONCE);
    }

    @Bean(destroyMethod = "close")
    CommandGateway commandGateway(KafkaSettings kafka) {
        return new CommandGateway(kafka);
    }

    @Bean
    Topics topics(KafkaSettings kafka) {
        return kafka.topics();
    }
}
