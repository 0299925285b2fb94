package dev.agentflow.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.runtime.kafka.StreamsApp;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KafkaStreams;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Each service runs on its own modules' configuration alone, as the compose file runs them: no bean
 * of the standalone launcher (no embedded broker, no composition), only the auto-configurations of
 * the service modules and the shared ones, and {@code agentflow.*} settings. The command API (with
 * the views it answers from) in one application, the step processor in another, on the same topics:
 * a run started through the one is carried out by the other.
 */
@ExtendWith(SharedBroker.class)
class ServicesAloneIT {

    /** An application of nothing but auto-configuration: what a service's own Boot application would be. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class ServiceApplication {
    }

    private static ConfigurableApplicationContext service(String services, String prefix, String instance,
                                                          WebApplicationType web) throws IOException {
        return service(services, instance, web, SharedBroker.bootstrapServers(),
                "--agentflow.kafka.topic-prefix=" + prefix);
    }

    /** One service (or several, comma-separated) as an application of its auto-configuration alone. */
    static ConfigurableApplicationContext service(String services, String instance, WebApplicationType web,
                                                  String bootstrapServers, String... settings) throws IOException {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--server.address=127.0.0.1",
                "--agentflow.services=" + services,
                "--agentflow.instance-id=" + instance,
                "--agentflow.data-dir=" + Files.createTempDirectory("agentflow-" + instance),
                "--agentflow.kafka.bootstrap-servers=" + bootstrapServers));
        args.addAll(List.of(settings));
        return new SpringApplicationBuilder(ServiceApplication.class).web(web).run(args.toArray(String[]::new));
    }

    @Test
    void theCommandApiAndTheStepProcessorEachRunAloneAndTogetherCarryOutARun() throws Exception {
        String prefix = SharedBroker.topicPrefix("alone");
        try (ConfigurableApplicationContext api = service("command-api", prefix, "api-1", WebApplicationType.SERVLET);
             ConfigurableApplicationContext processor = service("step-processor", prefix, "processor-1",
                     WebApplicationType.NONE)) {
            assertThat(api.getBeansOfType(StreamsApp.class).keySet())
                    .containsExactlyInAnyOrder("workflowDeciderStreams", "projectionStreams");
            assertThat(processor.getBeansOfType(StreamsApp.class).keySet())
                    .containsExactlyInAnyOrder("runDeciderStreams", "sessionStreams");
            // running once started; a topology that created an internal topic may rebalance once more at once
            // (the sessions' repartition topic: seen as RUNNING -> REBALANCING -> RUNNING within 10 ms)
            Awaitility.await("both topologies running").atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(processor.getBeansOfType(StreamsApp.class).values())
                            .extracting(StreamsApp::state).containsOnly(KafkaStreams.State.RUNNING));

            Http http = new Http("http://127.0.0.1:" + api.getEnvironment().getProperty("local.server.port"));
            Runs runs = new Runs(http);
            String workflow = runs.workflow("alone", List.of(Runs.step("template", "done: {{input}}")));
            String runId = runs.start(workflow, "apart");

            assertThat(runs.awaitStatus(runId, "COMPLETED", Duration.ofSeconds(60)).get("output").asString())
                    .isEqualTo("done: apart");
        }
    }
}
