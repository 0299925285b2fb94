package dev.agentflow.api;

import dev.agentflow.api.command.CommandGateway;
import dev.agentflow.api.web.AgentController;
import dev.agentflow.api.web.CommandExecutor;
import dev.agentflow.api.web.ConsoleController;
import dev.agentflow.api.web.MeController;
import dev.agentflow.api.web.IdempotencyKeys;
import dev.agentflow.api.web.RunCommandController;
import dev.agentflow.api.web.WorkflowCommandController;
import dev.agentflow.api.workflow.topology.WorkflowTopology;
import dev.agentflow.runtime.kafka.DeadLetterPublisher;
import dev.agentflow.runtime.kafka.KafkaSettings;
import dev.agentflow.runtime.kafka.StreamsApp;
import dev.agentflow.runtime.spring.ConditionalOnService;
import dev.agentflow.schemas.limits.Limits;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * command-api: the workflow decider topology (exactly-once), the command gateway and the write
 * controllers. It answers writes from the views, so a process running it runs the
 * projection-service views too (on its class path at run time; their configuration is active for
 * {@code command-api} as well). An auto-configuration: the module needs only itself and the shared
 * ones.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnService("command-api")
@Import({WorkflowCommandController.class, RunCommandController.class, AgentController.class, CommandExecutor.class,
        IdempotencyKeys.class, MeController.class, ConsoleController.class})
public class CommandApiConfiguration {

    @Bean
    StreamsApp workflowDeciderStreams(KafkaSettings kafka, Limits limits) {
        return new StreamsApp(WorkflowTopology.NAME,
                StreamsApp.topology(topology -> WorkflowTopology.addTo(topology, kafka.topics(), limits)), kafka,
                StreamsApp.Guarantee.EXACTLY_ONCE);
    }

    /** Where the reply reader puts the replies it cannot read. */
    @Bean(destroyMethod = "close")
    DeadLetterPublisher replyReaderDeadLetters(KafkaSettings kafka) {
        return new DeadLetterPublisher(kafka,
                kafka.topics().applicationId("reply-reader-" + kafka.instanceId()));
    }

    @Bean(destroyMethod = "close")
    CommandGateway commandGateway(KafkaSettings kafka,
                                  @Qualifier("replyReaderDeadLetters") DeadLetterPublisher replyReaderDeadLetters,
                                  ObjectProvider<MeterRegistry> registry) {
        return new CommandGateway(kafka, replyReaderDeadLetters, registry.getIfAvailable(CompositeMeterRegistry::new));
    }
}
