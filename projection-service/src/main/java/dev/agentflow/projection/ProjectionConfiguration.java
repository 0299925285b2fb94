package dev.agentflow.projection;

import dev.agentflow.projection.query.CaughtUp;
import dev.agentflow.projection.query.EventController;
import dev.agentflow.projection.query.DeltaFeed;
import dev.agentflow.projection.query.EventFeed;
import dev.agentflow.projection.query.EventHistory;
import dev.agentflow.projection.query.EventStreams;
import dev.agentflow.projection.query.PayloadController;
import dev.agentflow.projection.query.ProjectionReads;
import dev.agentflow.projection.query.RunDetails;
import dev.agentflow.projection.query.RunQueries;
import dev.agentflow.projection.query.RunQueryController;
import dev.agentflow.projection.query.VersionWatch;
import dev.agentflow.projection.query.WorkflowQueries;
import dev.agentflow.projection.query.WorkflowQueryController;
import dev.agentflow.projection.topology.ProjectionTopology;
import dev.agentflow.runtime.kafka.KafkaSettings;
import dev.agentflow.runtime.kafka.StreamsApp;
import dev.agentflow.runtime.payload.PayloadStore;
import dev.agentflow.runtime.spring.ConditionalOnService;
import dev.agentflow.schemas.run.RunStatus;
import dev.agentflow.views.ReadYourWrites;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * projection-service: the view topology (at-least-once, idempotent by version) and its queries.
 * Every instance builds the whole of every view under its own application id (a read replica), so
 * any instance answers any GET, and a write waits for the views of the instance that took it.
 * The command API needs the views for read-your-writes, so it brings them along. An
 * auto-configuration: the module needs only itself and the shared ones.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnService({"projection-service", "command-api"})
@Import({WorkflowQueryController.class, RunQueryController.class, EventController.class, PayloadController.class})
public class ProjectionConfiguration {

    @Bean
    VersionWatch workflowVersionWatch() {
        return new VersionWatch();
    }

    @Bean
    VersionWatch runVersionWatch() {
        return new VersionWatch();
    }

    @Bean
    EventFeed runEventFeed() {
        return new EventFeed();
    }

    /**
     * What a read that misses waits for: the projection having read what was written before it;
     * {@code agentflow.api.catch-up-timeout} (default 5 s) bounds the wait, then the read is 503.
     */
    @Bean(destroyMethod = "close")
    CaughtUp projectionCaughtUp(KafkaSettings kafka,
                                @Value("${agentflow.api.catch-up-timeout:5s}") Duration timeout) {
        return new CaughtUp(kafka.client(), kafka.topics().applicationId(ProjectionTopology.appName(kafka.instanceId())),
                timeout);
    }

    @Bean
    StreamsApp projectionStreams(KafkaSettings kafka, VersionWatch workflowVersionWatch,
                                 VersionWatch runVersionWatch, EventFeed runEventFeed, CaughtUp projectionCaughtUp) {
        return new StreamsApp(ProjectionTopology.appName(kafka.instanceId()),
                StreamsApp.topology(topology -> ProjectionTopology.addTo(topology, kafka.topics(),
                        workflowVersionWatch, runVersionWatch, runEventFeed, projectionCaughtUp)),
                kafka, StreamsApp.Guarantee.AT_LEAST_ONCE).rebuildingLostState(ProjectionTopology.STORES_FORMAT);
    }

    @Bean
    EventHistory eventHistory(@Qualifier("projectionStreams") StreamsApp projectionStreams) {
        return new EventHistory(projectionStreams);
    }

    /**
     * Live streams; {@code agentflow.api.stream-heartbeat} (default 15 s) spaces the keep-alive
     * comments, {@code agentflow.api.max-streams} (default 1000) caps how many are open at once.
     */
    @Bean(destroyMethod = "close")
    EventStreams eventStreams(EventFeed runEventFeed, DeltaFeed deltaFeed, EventHistory eventHistory,
                              @Value("${agentflow.api.stream-heartbeat:15s}") Duration heartbeat,
                              @Value("${agentflow.api.max-streams:1000}") int maxStreams) {
        return new EventStreams(runEventFeed, deltaFeed, eventHistory, heartbeat, maxStreams);
    }

    /**
     * The deltas agents stream, kept for the live run streams: at most
     * {@code agentflow.deltas.max-kept-bytes} (default 64 MiB) on each instance.
     */
    @Bean(destroyMethod = "close")
    DeltaFeed deltaFeed(KafkaSettings kafka, @Value("${agentflow.deltas.max-kept-bytes:67108864}") long maxBytes) {
        return new DeltaFeed(kafka, maxBytes);
    }

    /** Run details, with payloads up to {@code agentflow.api.detail-payload-bytes} (default 64 KiB) each shown whole. */
    @Bean
    RunDetails runDetails(RunQueries runQueries, PayloadStore payloadStore,
                          @Value("${agentflow.api.detail-payload-bytes:65536}") int detailPayloadBytes) {
        return new RunDetails(runQueries, payloadStore, detailPayloadBytes);
    }

    /** What the command API sees of the views. */
    @Bean
    ReadYourWrites readYourWrites(WorkflowQueries workflowQueries, RunQueries runQueries) {
        return new ProjectionReads(workflowQueries, runQueries);
    }

    @Bean
    WorkflowQueries workflowQueries(KafkaSettings kafka, @Qualifier("projectionStreams") StreamsApp projectionStreams,
                                    VersionWatch workflowVersionWatch, CaughtUp projectionCaughtUp) {
        return new WorkflowQueries(projectionStreams, workflowVersionWatch, kafka.topics().workflowEvents().name(),
                projectionCaughtUp);
    }

    @Bean
    RunQueries runQueries(KafkaSettings kafka, @Qualifier("projectionStreams") StreamsApp projectionStreams,
                          VersionWatch runVersionWatch, CaughtUp projectionCaughtUp) {
        return new RunQueries(projectionStreams, runVersionWatch, kafka.topics().runEvents().name(),
                kafka.topics().runCommands().name(), projectionCaughtUp);
    }

    /**
     * {@code agentflow.runs.paused}: the runs waiting for an operator (the inbox), as this instance's
     * views count them (every instance's views hold every run: each reports the whole system's).
     */
    @Bean
    MeterBinder pausedRuns(RunQueries runQueries) {
        return registry -> Gauge.builder("agentflow.runs.paused", () -> {
            try {
                return runQueries.count(RunStatus.PAUSED);
            } catch (RuntimeException e) {
                return Double.NaN; // the views are not readable now (a rebalance)
            }
        }).description("Runs paused for an operator's approval (the inbox), as this instance's views count them")
                .register(registry);
    }
}
