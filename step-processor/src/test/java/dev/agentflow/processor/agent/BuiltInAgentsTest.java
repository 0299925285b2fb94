package dev.agentflow.processor.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.schemas.agent.AgentCatalog;
import dev.agentflow.schemas.agent.AgentDescriptor;
import dev.agentflow.schemas.limits.Limits;
import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.run.AgentOutcome;
import dev.agentflow.schemas.run.AgentRequest;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class BuiltInAgentsTest {

    private static AgentRequest request(String action, String input) {
        return new AgentRequest("wr-1", "wf-1", 2, 1, "template", action, Payload.inline(input), null, Map.of(),
                "wr-1:2:1");
    }

    @Test
    void theBuiltInAgentsAreTheOnesTheCatalogShows() {
        assertThat(BuiltInAgents.all(Executors.newSingleThreadScheduledExecutor(), Limits.DEFAULTS))
                .extracting(Agent::id)
                .containsExactlyElementsOf(AgentCatalog.BUILT_IN.stream().map(AgentDescriptor::id).toList());
    }

    @Test
    void theTemplateReplacesEveryPlaceholder() {
        AgentOutcome outcome = BuiltInAgents.template(request("A {{input}} and {{input}}.", "é"), Limits.DEFAULTS);

        assertThat(outcome.output()).isEqualTo(Payload.inline("A é and é."));
    }

    @Test
    void aTemplateStepWithoutAnActionPassesItsInputOn() {
        assertThat(BuiltInAgents.template(request("", "as is"), Limits.DEFAULTS).output())
                .isEqualTo(Payload.inline("as is"));
        assertThat(BuiltInAgents.template(request(null, "as is"), Limits.DEFAULTS).output())
                .isEqualTo(Payload.inline("as is"));
    }

    @Test
    void anOutputOverTheLimitIsRefusedBeforeItIsBuiltWhateverTheAction() {
        String input = "x".repeat(900_000);
        String action = "{{input}}".repeat(22_000);

        AgentOutcome outcome = BuiltInAgents.template(request(action, input), Limits.DEFAULTS);

        assertThat(outcome.output()).isNull();
        assertThat(outcome.error().retryable()).isFalse();
        assertThat(outcome.error().message()).isEqualTo("output of step 2 (agent template) is 19800000000 bytes,"
                + " over the limit of 33554432 bytes (agentflow.limits.max-payload-bytes)");
    }

    @Test
    void theSizeIsCountedInUtf8Bytes() {
        Limits small = new Limits(10, 0, 1024, 10, 1024);

        assertThat(BuiltInAgents.template(request("{{input}}", "ééééé"), small).output()).isNotNull();
        assertThat(BuiltInAgents.template(request("{{input}}!", "ééééé"), small).error().message())
                .startsWith("output of step 2 (agent template) is 11 bytes, over the limit of 10 bytes");
    }
}
