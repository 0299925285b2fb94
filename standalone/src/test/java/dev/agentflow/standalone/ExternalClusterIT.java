package dev.agentflow.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/** With a bootstrap address configured the launcher starts no broker and uses that cluster. */
class ExternalClusterIT {

    @Test
    void usesTheConfiguredClusterAndStartsNoBroker() throws Exception {
        Path data = Files.createTempDirectory("agentflow-external");
        // The embedded broker's port is held here: a launcher that started a broker anyway could not bind it
        // (a port only found free could be taken by anything else before the end of the test).
        try (ServerSocket embeddedPort = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             EmbeddedKafkaBroker cluster = EmbeddedKafkaBroker.start(data.resolve("cluster"), Http.freePort(),
                Http.freePort());
             ConfigurableApplicationContext app = SpringApplication.run(AgentflowApplication.class,
                     "--server.port=0",
                     "--agentflow.data-dir=" + data.resolve("app"),
                     "--agentflow.kafka.bootstrap-servers=" + cluster.bootstrapServers(),
                     "--agentflow.kafka.topic-prefix=external.",
                     "--agentflow.kafka.port=" + embeddedPort.getLocalPort())) {
            Http http = new Http("http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port"));

            Http.Response created = http.post("/api/v1/workflows", "{\"name\":\"on an external cluster\"}");

            assertThat(created.status()).isEqualTo(201);
            assertThat(http.get("/api/v1/workflows/" + created.body().get("id").asString()).status()).isEqualTo(200);
            assertThat(Files.exists(data.resolve("app").resolve("kafka"))).as("an embedded broker's log").isFalse();
            assertThat(app.getBean(AgentflowApplication.KafkaCluster.class).embedded()).isNull();
        }
    }
}
