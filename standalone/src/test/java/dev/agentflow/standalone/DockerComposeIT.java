package dev.agentflow.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.web.security.ApiKeys;
import java.io.File;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * {@code docker-compose.yml} as a user starts it: three brokers and two instances of each service.
 * A workflow written through one command-api instance runs, and both projection instances show the
 * run completed. Skipped where no Docker engine runs (as here); {@link DockerComposeTest} checks the
 * file without Docker.
 */
@Testcontainers(disabledWithoutDocker = true)
class DockerComposeIT {

    private static final String KEY = "af_compose_test_key_0123456789";

    @Test
    void theComposeFileRunsAWorkflowAcrossItsInstances() {
        ComposeContainer compose = new ComposeContainer(new File("../docker-compose.yml"))
                .withEnv(Map.of("AGENTFLOW_ADMIN_KEY_HASH", ApiKeys.hash(KEY)))
                .withStartupTimeout(Duration.ofMinutes(5));
        for (String service : new String[] {"command-api-1", "command-api-2", "projection-service-1",
                "projection-service-2"}) {
            compose.withExposedService(service, 8080, Wait.forHealthcheck());
        }
        compose.waitingFor("step-processor-1", Wait.forHealthcheck())
                .waitingFor("step-processor-2", Wait.forHealthcheck());
        compose.start();
        try {
            Http writes = http(compose, "command-api-2");
            Http.Response created = writes.post("/api/v1/workflows", "{\"name\":\"in compose\"}");
            assertThat(created.status()).isEqualTo(201);
            String id = created.body().get("id").asString();
            assertThat(writes.post("/api/v1/workflows/" + id + "/steps",
                    "{\"agentId\":\"template\",\"action\":\"done: {{input}}\"}").status()).isEqualTo(201);
            Http.Response run = writes.post("/api/v1/workflows/" + id + "/run", "{\"input\":\"x\"}");
            assertThat(run.status()).isEqualTo(202);
            String runId = run.body().get("runId").asString();
            for (String reader : new String[] {"projection-service-1", "projection-service-2"}) {
                Http reads = http(compose, reader);
                Awaitility.await(reader).atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() ->
                        "COMPLETED".equals(reads.get("/api/v1/workflows/runs/" + runId).body().get("status")
                                .asString()));
                assertThat(reads.get("/api/v1/workflows/runs/" + runId).body().get("output").asString())
                        .isEqualTo("done: x");
            }
        } finally {
            compose.stop();
        }
    }

    private static Http http(ComposeContainer compose, String service) {
        return new Http("http://" + compose.getServiceHost(service, 8080) + ":"
                + compose.getServicePort(service, 8080)).withHeader("Authorization", "Bearer " + KEY);
    }
}
