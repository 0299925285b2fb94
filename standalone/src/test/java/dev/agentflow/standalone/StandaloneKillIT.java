package dev.agentflow.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** SIGKILL the standalone process and start it again on the same data: nothing is lost. */
class StandaloneKillIT {

    @Test
    void workflowsSurviveSigkill() throws Exception {
        Path data = Files.createTempDirectory("agentflow-kill");
        Map<String, JsonNode> before = new LinkedHashMap<>();
        List<String> ids = new ArrayList<>();
        try (StandaloneProcess first = new StandaloneProcess(data)) {
            first.start();
            Http http = first.http();
            for (int i = 0; i < 10; i++) {
                JsonNode wf = http.post("/api/v1/workflows", "{\"name\":\"wf " + i + "\",\"description\":\"d" + i + "\"}")
                        .body();
                String id = wf.get("id").asString();
                ids.add(id);
                for (int s = 0; s <= i % 3; s++) {
                    assertThat(http.post("/api/v1/workflows/" + id + "/steps",
                            "{\"agentId\":\"echo\",\"action\":\"step " + s + "\",\"config\":{\"n\":" + s + "}}")
                            .status()).isEqualTo(201);
                }
            }
            assertThat(http.post("/api/v1/workflows/" + ids.get(0) + "/clone", null).status()).isEqualTo(201);
            assertThat(http.delete("/api/v1/workflows/" + ids.get(1)).status()).isEqualTo(204);
            for (String id : ids) {
                before.put(id, http.get("/api/v1/workflows/" + id).body());
            }
            before.put("list", http.get("/api/v1/workflows?size=100").body());

            first.kill();
        }

        try (StandaloneProcess second = new StandaloneProcess(data)) {
            second.start();
            Http http = second.http();
            for (String id : ids) {
                assertThat(http.get("/api/v1/workflows/" + id).body()).as(id).isEqualTo(before.get(id));
            }
            assertThat(http.get("/api/v1/workflows?size=100").body()).isEqualTo(before.get("list"));

            Http.Response created = http.post("/api/v1/workflows", "{\"name\":\"after restart\"}");
            assertThat(created.status()).isEqualTo(201);
            String id = created.body().get("id").asString();
            assertThat(http.post("/api/v1/workflows/" + ids.get(2) + "/steps",
                    "{\"agentId\":\"echo\",\"action\":\"new\"}").status()).isEqualTo(201);
            assertThat(http.get("/api/v1/workflows/" + ids.get(2) + "/steps").body()).hasSize(4);
            assertThat(http.get("/api/v1/workflows/" + id).status()).isEqualTo(200);
        }
    }
}
