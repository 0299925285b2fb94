package dev.agentflow.processor.agent;

import dev.agentflow.schemas.run.AgentOutcome;
import dev.agentflow.schemas.run.AgentRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** The invocable agents by id, for the workers. */
public final class AgentRegistry {

    private final Map<String, Agent> agents = new LinkedHashMap<>();

    public AgentRegistry(List<Agent> implementations) {
        implementations.forEach(a -> agents.put(a.id(), a));
    }

    /**
     * Invokes the request's agent; never throws: every failure is an outcome. An agent that throws
     * anything, an {@link Error} included, fails its attempt (retryably).
     */
    public CompletableFuture<AgentOutcome> invoke(AgentRequest request) {
        Agent agent = agents.get(request.agentId());
        if (agent == null) {
            return CompletableFuture.completedFuture(AgentOutcome.error("agent " + request.agentId()
                    + " is not registered", false));
        }
        try {
            return agent.invoke(request).exceptionally(e -> failed(request, e));
        } catch (Throwable e) {
            return CompletableFuture.completedFuture(failed(request, e));
        }
    }

    static AgentOutcome failed(AgentRequest request, Throwable e) {
        return AgentOutcome.error("agent " + request.agentId() + " failed: " + rootMessage(e), true);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
