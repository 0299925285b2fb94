package dev.agentflow.projection.view;

import dev.agentflow.schemas.run.ApprovalRequest;
import dev.agentflow.schemas.run.RunStatus;
import java.time.Instant;
import java.util.List;

/** The queryable view of one run, folded from its events. */
public record RunView(String id, String workflowId, String sessionId, RunStatus status, int currentStepOrder,
                      String input, String output, String error, Instant createdAt, Instant updatedAt,
                      List<StepRecord> steps, ApprovalRequest pendingApproval, long version) {

    public RunView {
        steps = steps == null ? List.of() : List.copyOf(steps);
    }

    /** What happened to one step of the run. */
    public record StepRecord(int stepOrder, String agentId, String action, String input, String output,
                             StepStatus status, int attempts, Instant startedAt, Instant finishedAt, String error) {
    }

    public enum StepStatus { PENDING, RUNNING, RETRYING, WAITING_FOR_APPROVAL, COMPLETED, FAILED, CANCELLED }
}
