package dev.agentflow.projection.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.agentflow.projection.view.RunView;
import dev.agentflow.schemas.run.RunStatus;
import java.time.Instant;

/**
 * A run in lists: the reference's fields, plus {@code lastStepOrder}, the same number as
 * {@code currentStepOrder} under the name the Agent Manager's own clients read. {@code durationMs} =
 * updatedAt − createdAt. {@code definitionVersion} is the version of the workflow's definition the run
 * executes (absent for runs started before versions were numbered).
 */
public record RunSummary(String id, String workflowId, String sessionId, RunStatus status, int currentStepOrder,
                         int lastStepOrder, long durationMs, Instant createdAt, Instant updatedAt,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Long definitionVersion) {

    public static RunSummary of(RunView v) {
        return new RunSummary(v.id(), v.workflowId(), v.sessionId(), v.status(), v.currentStepOrder(),
                v.currentStepOrder(),
                v.updatedAt().toEpochMilli() - v.createdAt().toEpochMilli(), v.createdAt(), v.updatedAt(),
                v.definitionVersion());
    }
}
