package dev.agentflow.processor.agent;

import dev.agentflow.schemas.agent.AgentCatalog;
import dev.agentflow.schemas.agent.AgentDescriptor;
import dev.agentflow.schemas.run.AgentOutcome;
import dev.agentflow.schemas.run.AgentRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** The invocable agents by id, for the workers. */
public final class AgentRegistry {

    private final Map<String, Agent> agents = new LinkedHashMap<>();
    private final AgentCatalog catalog;

    public AgentRegistry(AgentCatalog catalog, List<Agent> implementations) {
        this.catalog = catalog;
        implementations.forEach(a -> agents.put(a.id(), a));
    }

    /** Invokes the request's agent; never throws: every failure is an outcome. */
    public CompletableFuture<AgentOutcome> invoke(AgentRequest request) {
        Agent agent = agents.get(request.agentId());
        if (agent == null) {
            String why = catalog.find(request.agentId())
                    .map(AgentDescriptor::type)
                    .map(type -> "agent " + request.agentId() + " is of type '" + type
                            + "', which this build cannot invoke yet")
                    .orElse("agent " + request.agentId() + " is not registered");
            return CompletableFuture.completedFuture(AgentOutcome.error(why, false));
        }
        try {
            return agent.invoke(request).exceptionally(e -> AgentOutcome.error(
                    "agent " + request.agentId() + " failed: " + rootMessage(e), true));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(AgentOutcome.error(
                    "agent " + request.agentId() + " failed: " + rootMessage(e), true));
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
