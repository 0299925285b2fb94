package dev.agentflow.projection;

import dev.agentflow.projection.query.RunQueries;
import dev.agentflow.projection.query.VersionWatch;
import dev.agentflow.projection.query.WorkflowQueries;
import dev.agentflow.projection.topology.ProjectionTopology;
import dev.agentflow.schemas.kafka.KafkaSettings;
import dev.agentflow.schemas.kafka.StreamsApp;
import dev.agentflow.web.ConditionalOnService;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * projection-service: the view topology (at-least-once, idempotent by version) and its queries.
 * Every instance builds the whole of every view under its own application id (a read replica), so
 * any instance answers any GET, and a write waits for the views of the instance that took it.
 * The command API needs the views for read-your-writes, so it brings them along.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnService({"projection-service", "command-api"})
public class ProjectionConfiguration {

    @Bean
    VersionWatch workflowVersionWatch() {
        return new VersionWatch();
    }

    @Bean
    VersionWatch runVersionWatch() {
        return new VersionWatch();
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    StreamsApp projectionStreams(KafkaSettings kafka, VersionWatch workflowVersionWatch,
                                 VersionWatch runVersionWatch) {
        return new StreamsApp(ProjectionTopology.NAME + "-" + kafka.instanceId(),
                ProjectionTopology.build(kafka.topics(), workflowVersionWatch, runVersionWatch),
                kafka, StreamsApp.Guarantee.AT_LEAST_ONCE);
    }

    @Bean
    WorkflowQueries workflowQueries(@Qualifier("projectionStreams") StreamsApp projectionStreams,
                                    VersionWatch workflowVersionWatch) {
        return new WorkflowQueries(projectionStreams, workflowVersionWatch);
    }

    @Bean
    RunQueries runQueries(@Qualifier("projectionStreams") StreamsApp projectionStreams,
                          VersionWatch runVersionWatch) {
        return new RunQueries(projectionStreams, runVersionWatch);
    }
}
