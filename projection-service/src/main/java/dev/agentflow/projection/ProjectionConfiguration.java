package dev.agentflow.projection;

import dev.agentflow.projection.query.VersionWatch;
import dev.agentflow.projection.query.WorkflowQueries;
import dev.agentflow.projection.topology.ProjectionTopology;
import dev.agentflow.schemas.kafka.KafkaSettings;
import dev.agentflow.schemas.kafka.StreamsApp;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** projection-service: the view topology (at-least-once, idempotent by version) and its queries. */
@Configuration(proxyBeanMethods = false)
public class ProjectionConfiguration {

    @Bean
    VersionWatch workflowVersionWatch() {
        return new VersionWatch();
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    StreamsApp projectionStreams(KafkaSettings kafka, VersionWatch workflowVersionWatch) {
        return new StreamsApp(ProjectionTopology.NAME,
                ProjectionTopology.build(kafka.topics(), workflowVersionWatch),
                kafka, StreamsApp.Guarantee.AT_LEAST_ONCE);
    }

    @Bean
    WorkflowQueries workflowQueries(@Qualifier("projectionStreams") StreamsApp projectionStreams,
                                    VersionWatch workflowVersionWatch) {
        return new WorkflowQueries(projectionStreams, workflowVersionWatch);
    }
}
