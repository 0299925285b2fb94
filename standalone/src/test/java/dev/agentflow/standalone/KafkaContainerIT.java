package dev.agentflow.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/** The system against the official apache/kafka image. Skipped where no Docker engine runs. */
@Testcontainers(disabledWithoutDocker = true)
class KafkaContainerIT {

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.2.2")
            .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false");

    @Test
    void workflowApiOnTheApacheKafkaImage() throws Exception {
        try (ConfigurableApplicationContext app = SpringApplication.run(AgentflowApplication.class,
                "--server.port=0",
                "--agentflow.data-dir=" + Files.createTempDirectory("agentflow-tc"),
                "--agentflow.kafka.bootstrap-servers=" + KAFKA.getBootstrapServers())) {
            Http http = new Http("http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port"));
            Http.Response created = http.post("/api/v1/workflows", "{\"name\":\"in a container\"}");
            assertThat(created.status()).isEqualTo(201);
            String id = created.body().get("id").asString();
            assertThat(http.post("/api/v1/workflows/" + id + "/clone", null).status()).isEqualTo(201);
        }
    }
}
