package dev.agentflow.api;

import dev.agentflow.api.command.CommandGateway;
import dev.agentflow.api.workflow.topology.WorkflowTopology;
import dev.agentflow.schemas.kafka.KafkaSettings;
import dev.agentflow.schemas.kafka.StreamsApp;
import dev.agentflow.schemas.kafka.Topics;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import dev.agentflow.web.ConditionalOnService;

/**
 * command-api: the workflow decider topology (exactly-once) and the command gateway. It answers
 * writes from the views, so a process running it runs the projection-service views too.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnService("command-api")
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
