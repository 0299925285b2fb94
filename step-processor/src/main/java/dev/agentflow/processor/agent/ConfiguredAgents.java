package dev.agentflow.processor.agent;

import dev.agentflow.processor.agent.AgentDefinition.OpenAiDefaults;
import dev.agentflow.schemas.agent.AgentCatalog;
import dev.agentflow.schemas.agent.AgentDescriptor;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agents configured under {@code agentflow.agents}, checked at start-up so a mistake stops the
 * process with a message naming the property instead of failing runs later.
 */
public final class ConfiguredAgents {

    private final Map<String, AgentDefinition> definitions = new LinkedHashMap<>();

    /** @throws IllegalStateException listing every problem of the configuration */
    public ConfiguredAgents(Map<String, AgentDefinition> configured, OpenAiDefaults defaults) {
        List<String> problems = new ArrayList<>();
        configured.forEach((id, definition) -> {
            if (AgentCatalog.BUILT_IN.stream().anyMatch(b -> b.id().equals(id))) {
                problems.add("agentflow.agents." + id + ": '" + id + "' is a built-in agent");
                return;
            }
            AgentDefinition complete = definition.withDefaults(id, defaults);
            problems.addAll(complete.problems(id));
            definitions.put(id, complete);
        });
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Invalid agent configuration: " + String.join("; ", problems));
        }
    }

    /** What the agents API shows: no URL, no key. */
    public List<AgentDescriptor> descriptors() {
        return definitions.entrySet().stream().map(e -> e.getValue().descriptor(e.getKey())).toList();
    }

    /**
     * The client the agents share. Redirects are never followed: the JDK would send the
     * {@code Authorization} header on to the new host and turn the POST into a GET; a 3xx fails the
     * call instead, naming where it pointed.
     */
    public static HttpClient httpClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** An invocable agent per definition, each with its own concurrency limit. */
    public List<Agent> agents(HttpClient client, SessionHistory history) {
        return definitions.entrySet().stream().map(e -> create(e.getKey(), e.getValue(), client, history)).toList();
    }

    private static Agent create(String id, AgentDefinition definition, HttpClient client, SessionHistory history) {
        return AgentDefinition.OPENAI.equals(definition.type())
                ? new OpenAiAgent(id, definition, client, history)
                : new HttpAgent(id, definition, client, history);
    }
}
