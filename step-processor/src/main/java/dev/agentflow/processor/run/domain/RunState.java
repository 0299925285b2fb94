package dev.agentflow.processor.run.domain;

import dev.agentflow.schemas.run.ApprovalRequest;
import dev.agentflow.schemas.run.RunCommand.TimerKind;
import dev.agentflow.schemas.run.RunStatus;
import dev.agentflow.schemas.workflow.StepDefinition;
import java.time.Instant;
import java.util.List;

/**
 * What the run decider knows of one run.
 *
 * @param version     events folded so far
 * @param status      null before the run started
 * @param steps       the snapshot the run executes
 * @param currentStep the step in progress (1..n), 0 before the first
 * @param attempt     the current attempt of that step
 * @param stepInput   the current step's input
 * @param timerAt     when the pending timer fires (step timeout or retry), null if none
 * @param timerKind   which timer is pending
 * @param approval    what the paused step asks approval for
 * @param output      the final output once COMPLETED
 * @param error       the last error
 */
public record RunState(long version, RunStatus status, String runId, String workflowId, String sessionId,
                       String input, List<StepDefinition> steps, int currentStep, int attempt, String stepInput,
                       Instant timerAt, TimerKind timerKind, ApprovalRequest approval, String output, String error) {

    public static final RunState INITIAL = new RunState(0, null, null, null, null, null, List.of(), 0, 0, null, null,
            null, null, null, null);

    public RunState {
        steps = steps == null ? List.of() : List.copyOf(steps);
    }

    public boolean started() {
        return status != null;
    }

    public StepDefinition step(int order) {
        return steps.get(order - 1);
    }

    public boolean isLast(int order) {
        return order == steps.size();
    }

    RunState next(RunStatus newStatus, int step, int newAttempt, String newStepInput, Instant newTimerAt,
                  TimerKind newTimerKind, ApprovalRequest newApproval, String newOutput, String newError) {
        return new RunState(version + 1, newStatus, runId, workflowId, sessionId, input, steps, step, newAttempt,
                newStepInput, newTimerAt, newTimerKind, newApproval, newOutput, newError);
    }
}
