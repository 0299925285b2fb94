package dev.agentflow.processor.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentflow.runtime.agents.AgentDefinition.OpenAiDefaults;
import dev.agentflow.runtime.agents.AgentDefinition.ToolDefinition;
import dev.agentflow.runtime.agents.AgentDefinition;
import dev.agentflow.schemas.agent.AgentDescriptor;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfiguredAgentsTest {

    private static final OpenAiDefaults DEFAULTS = new OpenAiDefaults("https://api.example.test/v1", "sk-default",
            "default-model");

    private static AgentDefinition agent(String type, String url, List<ToolDefinition> tools) {
        return new AgentDefinition(null, "does things", type, null, null, null, null, url, null, null, null, null,
                null, tools, null);
    }

    @Test
    void descriptorsCarryTheDefaultsButNoSecretOrUrl() {
        Map<String, AgentDefinition> configured = new LinkedHashMap<>();
        configured.put("web_agent", agent("openai", null, List.of(new ToolDefinition("search", null, null,
                "http://tools.test/search", false))));
        configured.put("reviewer", agent("http", "http://agents.test/review?token=abc", null));

        ConfiguredAgents agents = new ConfiguredAgents(configured, DEFAULTS);

        assertThat(agents.descriptors()).containsExactly(
                new AgentDescriptor("web_agent", "web_agent", "does things", "openai", "default-model",
                        List.of("search")),
                new AgentDescriptor("reviewer", "reviewer", "does things", "http", null, List.of()));
    }

    @Test
    void definitionsNeverPrintTheirKey() {
        AgentDefinition openai = agent("openai", null, null).withDefaults("web_agent", DEFAULTS);

        assertThat(openai.toString()).doesNotContain("sk-default").contains("apiKey=(set)");
        assertThat(DEFAULTS.toString()).doesNotContain("sk-default").contains("model=default-model");
    }

    @Test
    void anHttpAgentNeverGetsTheOpenAiKey() {
        AgentDefinition http = agent("http", "http://agents.test/review", null).withDefaults("reviewer", DEFAULTS);
        AgentDefinition openai = agent("openai", null, null).withDefaults("web_agent", DEFAULTS);

        assertThat(http.apiKey()).isNull();
        assertThat(openai.apiKey()).isEqualTo("sk-default");
        assertThat(openai.baseUrl()).isEqualTo("https://api.example.test/v1");
    }

    @Test
    void mistakesStopTheStartWithEveryProblemNamed() {
        Map<String, AgentDefinition> configured = new LinkedHashMap<>();
        configured.put("a", agent("grpc", null, null));
        configured.put("b", agent("http", null, null));
        configured.put("c", agent("openai", null, List.of(new ToolDefinition("bad name", null, null, null, false))));
        configured.put("echo", agent("http", "http://x.test", null));

        assertThatThrownBy(() -> new ConfiguredAgents(configured, DEFAULTS))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("agentflow.agents.a.type: 'grpc' is not an agent type")
                .hasMessageContaining("agentflow.agents.b.url: an http agent needs an http(s) URL")
                .hasMessageContaining("agentflow.agents.c.tools[0].name")
                .hasMessageContaining("agentflow.agents.c.tools[0].url")
                .hasMessageContaining("agentflow.agents.echo: 'echo' is a built-in agent")
                .hasMessageNotContaining("sk-default");
    }

    @Test
    void retryAfterIsSecondsOrAnHttpDate() {
        Instant now = Instant.parse("2026-05-06T10:00:00Z");
        assertThat(AgentHttp.retryAfterMs("7", now)).isEqualTo(7000L);
        assertThat(AgentHttp.retryAfterMs("Wed, 06 May 2026 10:00:03 GMT", now)).isEqualTo(3000L);
        assertThat(AgentHttp.retryAfterMs("Wed, 06 May 2026 09:00:00 GMT", now)).isZero();
        assertThat(AgentHttp.retryAfterMs("soon", now)).isNull();
        assertThat(AgentHttp.retryAfterMs(null, now)).isNull();
    }

    @Test
    void urlsInMessagesLoseCredentialsQueryAndAllButTheFirstPathSegment() {
        assertThat(AgentHttp.redact("https://user:pw@api.test:8443/v1/chat?key=s3cret#x"))
                .isEqualTo("https://api.test:8443/v1/…");
        assertThat(AgentHttp.redact("https://hooks.test/services/T0/B0/s3cret"))
                .isEqualTo("https://hooks.test/services/…");
        assertThat(AgentHttp.redact("http://127.0.0.1:9000/review")).isEqualTo("http://127.0.0.1:9000/review");
        assertThat(AgentHttp.redact("http://127.0.0.1:9000/v1/")).isEqualTo("http://127.0.0.1:9000/v1/");
        assertThat(AgentHttp.redact("http://127.0.0.1:9000")).isEqualTo("http://127.0.0.1:9000");
        assertThat(AgentHttp.redact("not a url")).isEqualTo("(an invalid URL)");
    }
}
