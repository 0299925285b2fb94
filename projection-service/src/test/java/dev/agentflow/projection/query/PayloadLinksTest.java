package dev.agentflow.projection.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.schemas.json.Json;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class PayloadLinksTest {

    private static JsonNode json(String text) {
        return Json.mapper().readTree(text);
    }

    @Test
    void eachReferenceGetsTheUrlThatServesItWhole() {
        JsonNode stored = json("""
                {"type":"RunPaused","data":{"runId":"wr-1","stepOrder":2,"approval":{"proposedOutput":
                {"payloadId":"pl-1","bytes":40000,"sha256":"ab","chunks":1,"partition":0,"offset":3,"preview":"p"},
                "reason":"ok?"}}}""");

        JsonNode shown = PayloadLinks.linked(stored);

        assertThat(shown.path("data").path("approval").path("proposedOutput").path("href").asString())
                .isEqualTo("/api/v1/payloads/pl-1");
        assertThat(stored.path("data").path("approval").path("proposedOutput").has("href"))
                .as("the stored event is left as it was").isFalse();
    }

    @Test
    void anEventWithoutReferencesIsTheSameNode() {
        JsonNode stored = json("{\"type\":\"StepCompleted\",\"data\":{\"runId\":\"wr-1\",\"output\":\"inline\"}}");

        assertThat(PayloadLinks.linked(stored)).isSameAs(stored);
    }
}
