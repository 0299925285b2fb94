package dev.agentflow.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * A run request is answered 202 once its StartRun is durably written, without waiting for a decider;
 * what the 202 promises holds on every instance: a GET of the run right after it, on the instance
 * that answered and on another one, never answers 404 (the run is shown from its StartRun until its
 * decider has started it). And a workflow created through one instance can be run through another
 * right after its 201.
 */
@ExtendWith(SharedBroker.class)
class RunStartIT {

    private static ConfigurableApplicationContext first;
    private static ConfigurableApplicationContext second;
    private static Http one;
    private static Http two;

    @BeforeAll
    static void start() throws Exception {
        String prefix = SharedBroker.topicPrefix("start");
        // two instances on the same topics, each with the API and its own views; one runs the agents
        first = ServicesAloneIT.service("command-api,step-processor", "start-1", WebApplicationType.SERVLET,
                SharedBroker.bootstrapServers(), "--agentflow.kafka.topic-prefix=" + prefix,
                "--agentflow.security.rate-limit.writes=0");
        second = ServicesAloneIT.service("command-api", "start-2", WebApplicationType.SERVLET,
                SharedBroker.bootstrapServers(), "--agentflow.kafka.topic-prefix=" + prefix,
                "--agentflow.security.rate-limit.writes=0");
        one = new Http("http://127.0.0.1:" + first.getEnvironment().getProperty("local.server.port"));
        two = new Http("http://127.0.0.1:" + second.getEnvironment().getProperty("local.server.port"));
    }

    @AfterAll
    static void stop() {
        second.close();
        first.close();
    }

    @Test
    void aRunIsReadableOnEveryInstanceRightAfterItsAccepted() {
        Runs runs = new Runs(one);
        String workflow = runs.workflow("at once", List.of(Runs.step("echo", "a"), Runs.step("echo", "b"),
                Runs.step("echo", "c")));
        List<String> started = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            // alternate which instance answers the start, and read on both at once after it
            Http starter = i % 2 == 0 ? one : two;
            Http.Response accepted = starter.post("/api/v1/workflows/" + workflow + "/run",
                    Runs.json(Map.of("input", "n" + i)));
            assertThat(accepted.status()).as(accepted.body().toString()).isEqualTo(202);
            String runId = accepted.body().get("runId").asString();
            for (Http reader : List.of(starter, starter == one ? two : one)) {
                Http.Response run = reader.get("/api/v1/workflows/runs/" + runId);
                assertThat(run.status()).as("GET of %s right after its 202 on %s: %s", runId, reader.base(),
                        run.body()).isEqualTo(200);
                assertThat(run.body().get("workflowId").asString()).isEqualTo(workflow);
                assertThat(run.body().get("status").asString()).isIn("RUNNING", "COMPLETED");
                assertThat(reader.get("/api/v1/workflows/runs/" + runId + "/events").status()).isEqualTo(200);
            }
            started.add(runId);
        }
        Runs onTwo = new Runs(two);
        for (String runId : started) {
            JsonNode done = onTwo.awaitStatus(runId, "COMPLETED", Duration.ofSeconds(60));
            assertThat(done.get("currentStepOrder").asInt()).isEqualTo(3);
        }
        assertThat(two.get("/api/v1/workflows/" + workflow + "/runs?size=100").body().get("totalElements").asInt())
                .as("each run listed once, whether its start or its RunStarted was seen first").isEqualTo(40);
    }

    @Test
    void aWorkflowCreatedThroughOneInstanceRunsThroughAnotherRightAway() {
        for (int i = 0; i < 10; i++) {
            String workflow = new Runs(one).workflow("fresh " + i, List.of(Runs.step("echo", "a")));
            Http.Response accepted = two.post("/api/v1/workflows/" + workflow + "/run", "{\"input\":\"x\"}");
            assertThat(accepted.status()).as(accepted.body().toString()).isEqualTo(202);
        }
    }

    @Test
    void whatNeverExistedIsStillNotFound() {
        assertThat(two.get("/api/v1/workflows/runs/wr-neverStartedAtAll00000").status()).isEqualTo(404);
        assertThat(one.get("/api/v1/workflows/runs/wr-neverStartedAtAll00000/events").status()).isEqualTo(404);
        Http.Response noWorkflow = two.post("/api/v1/workflows/wf-neverCreatedAtAll00000/run", "{\"input\":\"x\"}");
        assertThat(noWorkflow.status()).isEqualTo(404);
        assertThat(noWorkflow.body().get("title").asString()).isNotBlank();
    }
}
