package dev.agentflow.projection.view;

import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.run.ApprovalRequest;
import java.time.Instant;

/**
 * What happened to one step of a run: its own record, so that a run's payloads are kept apart. A
 * step's input is the previous step's output (the run's input for the first step); it is not kept
 * twice.
 *
 * @param output   the step's output once COMPLETED (inline or by reference)
 * @param approval   what the step asks approval for while WAITING_FOR_APPROVAL
 * @param approvedBy who resumed the run with this step's output, when a human did
 * @param reusedFrom the run whose output this step took over, in a fork (its agent was not called)
 */
public record StepView(String runId, int stepOrder, String agentId, String action, StepStatus status, int attempts,
                       Instant startedAt, Instant finishedAt, String error, Payload output,
                       ApprovalRequest approval, String approvedBy, String reusedFrom) {

    public StepView(String runId, int stepOrder, String agentId, String action, StepStatus status, int attempts,
                    Instant startedAt, Instant finishedAt, String error, Payload output, ApprovalRequest approval,
                    String approvedBy) {
        this(runId, stepOrder, agentId, action, status, attempts, startedAt, finishedAt, error, output, approval,
                approvedBy, null);
    }

    public enum StepStatus { PENDING, RUNNING, RETRYING, WAITING_FOR_APPROVAL, COMPLETED, FAILED, CANCELLED }

    StepView with(StepStatus newStatus, int newAttempts, Instant newStartedAt, Instant newFinishedAt, String newError,
                  Payload newOutput, ApprovalRequest newApproval) {
        return new StepView(runId, stepOrder, agentId, action, newStatus, newAttempts, newStartedAt, newFinishedAt,
                newError, newOutput, newApproval, approvedBy, reusedFrom);
    }

    StepView approvedBy(String actor) {
        return new StepView(runId, stepOrder, agentId, action, status, attempts, startedAt, finishedAt, error, output,
                approval, actor, reusedFrom);
    }

    /** Completed with an output taken over from run {@code source}, at {@code at}. */
    StepView reused(Payload reusedOutput, String source, Instant at) {
        return new StepView(runId, stepOrder, agentId, action, StepStatus.COMPLETED, 0, at, at, null, reusedOutput,
                null, null, source);
    }
}
