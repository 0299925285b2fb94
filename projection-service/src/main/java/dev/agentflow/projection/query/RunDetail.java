package dev.agentflow.projection.query;

import dev.agentflow.projection.view.RunView;
import dev.agentflow.schemas.run.ApprovalRequest;
import dev.agentflow.schemas.run.RunStatus;
import java.time.Instant;
import java.util.List;

/**
 * One run: the list fields plus {@code input}, {@code output} (when COMPLETED), {@code error},
 * per-step records and, when PAUSED, the pending approval.
 */
public record RunDetail(String id, String workflowId, String sessionId, RunStatus status, int currentStepOrder,
                        long durationMs, Instant createdAt, Instant updatedAt, String input, String output,
                        String error, List<RunView.StepRecord> steps, ApprovalRequest pendingApproval) {

    public static RunDetail of(RunView v) {
        return new RunDetail(v.id(), v.workflowId(), v.sessionId(), v.status(), v.currentStepOrder(),
                v.updatedAt().toEpochMilli() - v.createdAt().toEpochMilli(), v.createdAt(), v.updatedAt(), v.input(),
                v.output(), v.error(), v.steps(), v.pendingApproval());
    }
}
