package dev.agentflow.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.processor.agent.SessionHistory.Exchange;
import dev.agentflow.processor.agent.SessionHistory;
import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.run.AgentRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two runs in one session through the real API; the session store then holds both, in order. */
class SessionsIT {

    @RegisterExtension
    static final InProcessSystem system = InProcessSystem.perClass("sessions");
    private static final Http http = system.http();

    private static String runToCompletion(String workflowId, String input) {
        Http.Response r = http.post("/api/v1/workflows/" + workflowId + "/run",
                "{\"input\":\"" + input + "\",\"sessionId\":\"session-it-1\"}");
        assertThat(r.status()).as(r.raw().body()).isEqualTo(202);
        String runId = r.body().get("runId").asString();
        Awaitility.await("run " + runId + " completed").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> http.get("/api/v1/workflows/runs/" + runId).body().get("status").asString(),
                        "COMPLETED"::equals);
        return runId;
    }

    private static AgentRequest request(String runId, int stepOrder) {
        return new AgentRequest(runId, "wf-any", stepOrder, 1, "echo", "x", Payload.inline("x"), "session-it-1", Map.of(),
                AgentRequest.idempotencyKey(runId, stepOrder, 1));
    }

    @Test
    void laterRunsOfASessionSeeTheEarlierRunsExchangesInOrder() throws Exception {
        String wf = http.post("/api/v1/workflows", "{\"name\":\"sessions\"}").body().get("id").asString();
        assertThat(http.post("/api/v1/workflows/" + wf + "/steps",
                "{\"agentId\":\"template\",\"action\":\"Notes on {{input}}\"}").status()).isEqualTo(201);
        assertThat(http.post("/api/v1/workflows/" + wf + "/steps",
                "{\"agentId\":\"echo\",\"action\":\"Repeat\"}").status()).isEqualTo(201);
        String first = runToCompletion(wf, "apples");
        String second = runToCompletion(wf, "pears");
        SessionHistory sessions = system.bean(SessionHistory.class);

        List<Exchange> history = Awaitility.await("both runs in the session store").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> sessions.before(request("wr-third", 1), 10).get(15, TimeUnit.SECONDS),
                        exchanges -> exchanges.size() == 4);

        assertThat(history).containsExactly(
                new Exchange(first, 1, "template", "Notes on {{input}}", "apples", "Notes on apples"),
                new Exchange(first, 2, "echo", "Repeat", "Notes on apples", "Notes on apples"),
                new Exchange(second, 1, "template", "Notes on {{input}}", "pears", "Notes on pears"),
                new Exchange(second, 2, "echo", "Repeat", "Notes on pears", "Notes on pears"));
        assertThat(sessions.before(request("wr-third", 1), 1).get(15, TimeUnit.SECONDS))
                .containsExactly(history.get(3));
        assertThat(sessions.before(request(second, 2), 10).get(15, TimeUnit.SECONDS))
                .as("a retried step 2 of the second run sees everything before it")
                .containsExactlyElementsOf(history.subList(0, 3));
    }
}
