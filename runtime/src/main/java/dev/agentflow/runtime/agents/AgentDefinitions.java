package dev.agentflow.runtime.agents;

import dev.agentflow.runtime.agents.AgentDefinition.OpenAiDefaults;
import dev.agentflow.schemas.agent.AgentCatalog;
import dev.agentflow.schemas.agent.AgentDescriptor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agents configured under {@code agentflow.agents}, completed with the {@code agentflow.openai}
 * defaults and checked at start-up, so a mistake stops the process with a message naming the
 * property instead of failing runs later. The command API shows and checks them (the catalog);
 * the step processor calls them.
 */
public final class AgentDefinitions {

    private final Map<String, AgentDefinition> definitions = new LinkedHashMap<>();

    /** @throws IllegalStateException listing every problem of the configuration */
    public AgentDefinitions(Map<String, AgentDefinition> configured, OpenAiDefaults defaults) {
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

    /** Each agent's completed definition, by id, in configuration order. */
    public Map<String, AgentDefinition> byId() {
        return Collections.unmodifiableMap(definitions);
    }

    /** What the agents API shows: no URL, no key. */
    public List<AgentDescriptor> descriptors() {
        return definitions.entrySet().stream().map(e -> e.getValue().descriptor(e.getKey())).toList();
    }

    /** The built-in agents and these, as steps may name them. */
    public AgentCatalog catalog() {
        return AgentCatalog.of(descriptors());
    }
}
