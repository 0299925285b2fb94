package dev.agentflow.processor.agent;

import dev.agentflow.schemas.run.AgentOutcome;
import dev.agentflow.schemas.run.AgentRequest;
import java.util.concurrent.CompletableFuture;

/** Something a step can invoke. Invoked outside any stream thread; may take minutes; never blocks its caller. */
public interface Agent {

    String id();

    /** The outcome; an exceptional completion counts as a retryable error. */
    CompletableFuture<AgentOutcome> invoke(AgentRequest request);
}
