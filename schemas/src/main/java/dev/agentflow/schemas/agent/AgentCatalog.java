package dev.agentflow.schemas.agent;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The registered agents, by id: what steps may name. */
public final class AgentCatalog {

    /** Built-in agents that need no network. */
    public static final List<AgentDescriptor> BUILT_IN = List.of(
            new AgentDescriptor("echo", "Echo", "Returns its input unchanged.", "builtin", null, List.of()),
            new AgentDescriptor("template", "Template",
                    "Returns the step's action with every {{input}} replaced by the step's input (the input itself"
                            + " when the step has no action).", "builtin", null, List.of()),
            new AgentDescriptor("delay", "Delay",
                    "Returns its input after config.delayMs milliseconds (default 1000), holding no thread.",
                    "builtin", null, List.of()),
            new AgentDescriptor("human_approval", "Human approval",
                    "Pauses the run for a human, proposing its input as the step's output.", "builtin", null,
                    List.of()));

    private final Map<String, AgentDescriptor> agents = new LinkedHashMap<>();

    public AgentCatalog(List<AgentDescriptor> agents) {
        agents.forEach(a -> this.agents.put(a.id(), a));
    }

    public static AgentCatalog of(List<AgentDescriptor> configured) {
        List<AgentDescriptor> all = new ArrayList<>(BUILT_IN);
        all.addAll(configured);
        return new AgentCatalog(all);
    }

    public boolean contains(String agentId) {
        return agents.containsKey(agentId);
    }

    public Optional<AgentDescriptor> find(String agentId) {
        return Optional.ofNullable(agents.get(agentId));
    }

    public List<AgentDescriptor> all() {
        return List.copyOf(agents.values());
    }
}
