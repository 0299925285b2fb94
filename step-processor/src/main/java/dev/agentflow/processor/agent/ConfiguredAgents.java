package dev.agentflow.processor.agent;

import dev.agentflow.runtime.agents.AgentDefinition.OpenAiDefaults;
import dev.agentflow.runtime.agents.AgentDefinition;
import dev.agentflow.runtime.agents.AgentDefinitions;
import dev.agentflow.schemas.agent.AgentDescriptor;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.Map;

/** The configured agents as the step processor calls them: one invocable agent per definition. */
public final class ConfiguredAgents {

    private final AgentDefinitions definitions;

    public ConfiguredAgents(AgentDefinitions definitions) {
        this.definitions = definitions;
    }

    /** @throws IllegalStateException listing every problem of the configuration */
    public ConfiguredAgents(Map<String, AgentDefinition> configured, OpenAiDefaults defaults) {
        this(new AgentDefinitions(configured, defaults));
    }

    /** What the agents API shows: no URL, no key. */
    public List<AgentDescriptor> descriptors() {
        return definitions.descriptors();
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

    /** An invocable agent per definition, each with its own concurrency limit and no rate limit. */
    public List<Agent> agents(HttpClient client, SessionHistory history) {
        return agents(client, history, new WorkerShare(), null, Deltas.NONE);
    }

    /**
     * An invocable agent per definition, each with its own concurrency limit and its rate limit
     * ({@code rate-limit}), of which this instance takes its {@code share}, timed on {@code timer};
     * what they stream goes to {@code deltas}.
     */
    public List<Agent> agents(HttpClient client, SessionHistory history, WorkerShare share,
                              ScheduledExecutorService timer, Deltas deltas) {
        return definitions.byId().entrySet().stream().map(e -> create(e.getKey(), e.getValue(), client, history,
                e.getValue().rate() == null || timer == null ? null
                        : new RateLimit(e.getValue().rate(), share::share, timer), deltas)).toList();
    }

    private static Agent create(String id, AgentDefinition definition, HttpClient client, SessionHistory history,
                                RateLimit rate, Deltas deltas) {
        return AgentDefinition.OPENAI.equals(definition.type())
                ? new OpenAiAgent(id, definition, client, history, rate, deltas)
                : new HttpAgent(id, definition, client, history, rate, deltas);
    }
}
