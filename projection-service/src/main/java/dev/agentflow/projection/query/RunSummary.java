package dev.agentflow.projection.query;

import dev.agentflow.projection.view.RunView;
import dev.agentflow.schemas.run.RunStatus;
import java.time.Instant;

/** A run in lists: exactly the reference's fields. {@code durationMs} = updatedAt − createdAt. */
public record RunSummary(String id, String workflowId, String sessionId, RunStatus status, int currentStepOrder,
                         long durationMs, Instant createdAt, Instant updatedAt) {

    public static RunSummary of(RunView v) {
        return new RunSummary(v.id(), v.workflowId(), v.sessionId(), v.status(), v.currentStepOrder(),
                v.updatedAt().toEpochMilli() - v.createdAt().toEpochMilli(), v.createdAt(), v.updatedAt());
    }
}
