package dev.agentflow.processor;

import dev.agentflow.processor.agent.Agent;
import dev.agentflow.processor.agent.AgentCallMetrics;
import dev.agentflow.processor.agent.AgentRegistry;
import dev.agentflow.processor.agent.DeltaPublisher;
import dev.agentflow.processor.agent.WorkerShare;
import dev.agentflow.processor.agent.AgentWorker;
import dev.agentflow.processor.agent.BuiltInAgents;
import dev.agentflow.processor.agent.ConfiguredAgents;
import dev.agentflow.processor.agent.SessionHistory;
import dev.agentflow.processor.run.topology.RunMetrics;
import dev.agentflow.processor.run.topology.RunTopology;
import dev.agentflow.processor.session.LocalSessionHistory;
import dev.agentflow.processor.session.SessionTopology;
import dev.agentflow.runtime.agents.AgentDefinitions;
import dev.agentflow.runtime.kafka.DeadLetterPublisher;
import dev.agentflow.runtime.kafka.KafkaSettings;
import dev.agentflow.runtime.kafka.StreamsApp;
import dev.agentflow.runtime.payload.PayloadStore;
import dev.agentflow.runtime.spring.ConditionalOnService;
import dev.agentflow.schemas.limits.Limits;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * step-processor: the run decider topology (exactly-once), the session store and the agent workers.
 * An auto-configuration: the module needs only itself and the shared ones (no Spring MVC).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnService("step-processor")
public class StepProcessorConfiguration {

    /** The run decider, handing each agent request it decides to the in-process worker at once. */
    @Bean
    StreamsApp runDeciderStreams(KafkaSettings kafka, Limits limits, AgentWorker agentWorker, RunMetrics runMetrics) {
        return new StreamsApp(RunTopology.NAME, StreamsApp.topology(topology -> RunTopology.addTo(topology,
                kafka.topics(), limits, agentWorker::dispatchDecided, runMetrics)), kafka,
                StreamsApp.Guarantee.EXACTLY_ONCE);
    }

    /** What the run decider counts, in the application's registry (none without one). */
    @Bean
    RunMetrics runMetrics(ObjectProvider<MeterRegistry> registry,
                          @Value("${agentflow.metrics.by-workflow:false}") boolean byWorkflow) {
        return new RunMetrics(registry.getIfAvailable(CompositeMeterRegistry::new), byWorkflow);
    }

    /** The session store: its own application id per instance, so every instance holds every session. */
    @Bean
    StreamsApp sessionStreams(KafkaSettings kafka,
                              @Value("${agentflow.sessions.max-exchanges:100}") int maxExchanges) {
        return new StreamsApp(SessionTopology.NAME + "-" + kafka.instanceId(),
                StreamsApp.dsl(builder -> SessionTopology.define(builder, kafka.topics(), maxExchanges)), kafka,
                StreamsApp.Guarantee.AT_LEAST_ONCE).rebuildingLostState();
    }

    @Bean
    SessionHistory sessionHistory(@Qualifier("sessionStreams") StreamsApp sessionStreams,
                                  @Qualifier("agentScheduler") ScheduledExecutorService agentScheduler,
                                  @Value("${agentflow.sessions.wait-timeout:10s}") Duration waitTimeout,
                                  PayloadStore payloadStore,
                                  @Value("${agentflow.sessions.max-history-bytes:262144}") long maxHistoryBytes) {
        return LocalSessionHistory.of(sessionStreams, agentScheduler, waitTimeout, payloadStore, maxHistoryBytes);
    }

    /** The agents configured under {@code agentflow.agents}, as this process calls them. */
    @Bean
    ConfiguredAgents configuredAgents(AgentDefinitions agentDefinitions) {
        return new ConfiguredAgents(agentDefinitions);
    }

    @Bean(destroyMethod = "shutdownNow")
    ScheduledExecutorService agentScheduler() {
        return Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "agentflow-agent-timer");
            t.setDaemon(true);
            return t;
        });
    }

    /** The built-in agents and the configured ones, which see the session's history. */
    @Bean
    AgentRegistry agentRegistry(ConfiguredAgents configuredAgents, SessionHistory sessionHistory,
                                @Qualifier("agentScheduler") ScheduledExecutorService agentScheduler, Limits limits,
                                WorkerShare workerShare, DeltaPublisher deltaPublisher) {
        List<Agent> agents = new ArrayList<>(BuiltInAgents.all(agentScheduler, limits));
        agents.addAll(configuredAgents.agents(ConfiguredAgents.httpClient(), sessionHistory, workerShare,
                agentScheduler, deltaPublisher));
        return new AgentRegistry(agents);
    }

    /** Where the agents stream the pieces of their answers (run-deltas). */
    @Bean(destroyMethod = "close")
    DeltaPublisher deltaPublisher(KafkaSettings kafka) {
        return new DeltaPublisher(kafka);
    }

    /** This instance's share of the agents' rate limits, kept by its agent worker. */
    @Bean
    WorkerShare workerShare() {
        return new WorkerShare();
    }

    /** Where the agent workers put the records of agent-requests that are not agent requests. */
    @Bean(destroyMethod = "close")
    DeadLetterPublisher agentWorkerDeadLetters(KafkaSettings kafka) {
        return new DeadLetterPublisher(kafka,
                kafka.topics().applicationId("agent-workers"));
    }

    /** A lifecycle bean: it reads requests once the topologies run, and stops before they do. */
    @Bean
    AgentWorker agentWorker(KafkaSettings kafka, AgentRegistry agentRegistry, PayloadStore payloadStore,
                            @Qualifier("agentWorkerDeadLetters") DeadLetterPublisher agentWorkerDeadLetters,
                            @Value("${agentflow.workers.max-in-flight:1000}") int maxInFlight,
                            @Value("${agentflow.workers.max-payload-bytes-in-flight:268435456}") long maxBytesInFlight,
                            @Value("${agentflow.workers.in-process-dispatch:true}") boolean inProcessDispatch,
                            WorkerShare workerShare, ObjectProvider<MeterRegistry> registry,
                            @Value("${agentflow.workers.shutdown-timeout:20s}") Duration shutdownTimeout) {
        return new AgentWorker(kafka, agentRegistry, payloadStore, agentWorkerDeadLetters, maxInFlight,
                maxBytesInFlight, inProcessDispatch, workerShare,
                new AgentCallMetrics(registry.getIfAvailable(CompositeMeterRegistry::new)), shutdownTimeout);
    }
}
