package dev.agentflow.schemas.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentflow.schemas.json.Json;
import dev.agentflow.schemas.run.RunEvent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;

class PayloadTest {

    private static final PayloadRef REF = new PayloadRef("pl-x", 40_000, "ab".repeat(32), 1, 2, 17, "Summary");

    @Test
    void anInlinePayloadIsAJsonStringAndAReferenceAnObject() {
        String inline = Json.mapper().writeValueAsString(new RunEvent.StepCompleted("wr-1", 1, 1, Payload.inline("hi")));
        String byRef = Json.mapper().writeValueAsString(new RunEvent.StepCompleted("wr-1", 1, 1, Payload.of(REF)));

        assertThat(inline).isEqualTo("{\"runId\":\"wr-1\",\"stepOrder\":1,\"attempt\":1,\"output\":\"hi\"}");
        assertThat(byRef).contains("\"output\":{\"payloadId\":\"pl-x\",\"bytes\":40000,");
        assertThat(Json.mapper().readValue(inline, RunEvent.StepCompleted.class).output()).isEqualTo(Payload.inline("hi"));
        assertThat(Json.mapper().readValue(byRef, RunEvent.StepCompleted.class).output()).isEqualTo(Payload.of(REF));
    }

    @Test
    void nullStaysNullAndOtherJsonIsRefused() {
        assertThat(Json.mapper().readValue("{\"runId\":\"wr-1\",\"output\":null}", RunEvent.RunCompleted.class)
                .output()).isNull();
        assertThatThrownBy(() -> Json.mapper().readValue("{\"runId\":\"wr-1\",\"output\":7}",
                RunEvent.RunCompleted.class)).isInstanceOf(JacksonException.class);
        assertThatThrownBy(() -> Json.mapper().readValue("{\"runId\":\"wr-1\",\"output\":{\"bytes\":3}}",
                RunEvent.RunCompleted.class)).isInstanceOf(JacksonException.class);
    }

    @Test
    void anEventIsVersion2OnlyWhileAPayloadTravelsByReference() {
        assertThat(CarriesPayloads.schemaVersionOf(new RunEvent.RunCompleted("wr-1", Payload.inline("x")))).isEqualTo(1);
        assertThat(CarriesPayloads.schemaVersionOf(new RunEvent.RunCompleted("wr-1", Payload.of(REF)))).isEqualTo(2);
        assertThat(CarriesPayloads.schemaVersionOf(new RunEvent.RunCancelled("wr-1", 1))).isEqualTo(1);
    }

    @Test
    void sizesAreUtf8BytesWithoutEncoding() {
        String text = "aé€😀" + "\ud800"; // 1 + 2 + 3 + 4 bytes, and an unpaired surrogate written as '?'
        assertThat(Utf8.length(text)).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length).isEqualTo(11);
        assertThat(Payload.inline(text).bytes()).isEqualTo(11);
        assertThat(Payload.of(REF).bytes()).isEqualTo(40_000);
    }

    @Test
    void cutsNeverSplitACharacter() {
        byte[] bytes = "a€b".getBytes(StandardCharsets.UTF_8); // 61 e2 82 ac 62
        assertThat(Utf8.boundary(bytes, 1)).isEqualTo(1);
        assertThat(Utf8.boundary(bytes, 2)).isEqualTo(1);
        assertThat(Utf8.boundary(bytes, 3)).isEqualTo(1);
        assertThat(Utf8.boundary(bytes, 4)).isEqualTo(4);
        assertThat(Utf8.boundary(bytes, 5)).isEqualTo(5);
        assertThat(Utf8.head("ab😀", 3)).isEqualTo("ab");
    }

    @Test
    void aReferenceIsResolvedOnlyThroughTheStore() {
        assertThat(Payload.inline("x").resolvedText()).isEqualTo("x");
        assertThatThrownBy(() -> Payload.of(REF).resolvedText()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("pl-x");
        assertThat(Payload.of(REF).textOrPreview()).startsWith("Summary… [40000 bytes");
    }
}
