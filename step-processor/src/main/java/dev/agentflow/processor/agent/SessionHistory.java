package dev.agentflow.processor.agent;

import dev.agentflow.schemas.run.AgentRequest;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A session's earlier exchanges, built from the run events: what an agent is told happened before. */
public interface SessionHistory {

    /** Nothing remembered: for agents and tests that need no session. */
    SessionHistory NONE = (request, limit) -> CompletableFuture.completedFuture(List.of());

    /**
     * One completed step of a run in the session.
     *
     * @param runId     the run
     * @param stepOrder the step
     * @param agentId   the agent that ran it
     * @param action    the step's instruction
     * @param input     what the step received
     * @param output    what the step produced (the agent's answer, or the output an operator approved)
     */
    record Exchange(String runId, int stepOrder, String agentId, String action, String input, String output) {
    }

    /**
     * The exchanges of {@code request.sessionId()} completed before the request's step (earlier runs'
     * steps and this run's earlier steps), oldest first, at most the latest {@code limit}. Completes
     * once this run's earlier steps are known, so step n always sees step n-1.
     */
    CompletableFuture<List<Exchange>> before(AgentRequest request, int limit);
}
