package dev.agentflow.api;

import dev.agentflow.api.command.CommandGateway;
import dev.agentflow.api.workflow.topology.WorkflowTopology;
import dev.agentflow.runtime.kafka.DeadLetterPublisher;
import dev.agentflow.runtime.kafka.KafkaSettings;
import dev.agentflow.runtime.kafka.StreamsApp;
import dev.agentflow.schemas.kafka.Topics;
import dev.agentflow.schemas.limits.Limits;
import dev.agentflow.runtime.spring.ConditionalOnService;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * command-api: the workflow decider topology (exactly-once) and the command gateway. It answers
 * writes from the views, so a process running it runs the projection-service views too.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnService("command-api")
public class CommandApiConfiguration {

    @Bean(initMethod = "start", destroyMethod = "close")
    StreamsApp workflowDeciderStreams(KafkaSettings kafka, Limits limits) {
        return new StreamsApp(WorkflowTopology.NAME, WorkflowTopology.build(kafka.topics(), limits), kafka,
                StreamsApp.Guarantee.EXACTLY_ONCE);
    }

    /** Where the reply reader puts the replies it cannot read. */
    @Bean(destroyMethod = "close")
    DeadLetterPublisher replyReaderDeadLetters(KafkaSettings kafka) {
        return new DeadLetterPublisher(kafka.bootstrapServers(), kafka.topics().deadLetters().name(),
                kafka.topics().applicationId("reply-reader-" + kafka.instanceId()));
    }

    @Bean(destroyMethod = "close")
    CommandGateway commandGateway(KafkaSettings kafka,
                                  @Qualifier("replyReaderDeadLetters") DeadLetterPublisher replyReaderDeadLetters) {
        return new CommandGateway(kafka, replyReaderDeadLetters);
    }

    @Bean
    Topics topics(KafkaSettings kafka) {
        return kafka.topics();
    }
}
