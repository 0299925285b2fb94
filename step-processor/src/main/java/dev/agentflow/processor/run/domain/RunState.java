package dev.agentflow.processor.run.domain;

import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.run.RunCommand.TimerKind;
import dev.agentflow.schemas.run.RunStatus;
import dev.agentflow.schemas.workflow.StepDefinition;
import java.time.Instant;
import java.util.List;

/**
 * What the run decider knows of one run: bounded by the limits (the steps' snapshot, one payload,
 * one error), whatever the run's length.
 *
 * @param version     events folded so far
 * @param status      null before the run started
 * @param steps       the snapshot the run executes
 * @param currentStep the step in progress (1..n), 0 before the first
 * @param attempt     the current attempt of that step
 * @param stepInput   the current step's input (a retry is handed it again)
 * @param timerAt     when the pending timer fires (step timeout or retry), null if none
 * @param timerKind   which timer is pending
 * @param error       the last error
 */
public record RunState(long version, RunStatus status, String runId, String workflowId, String sessionId,
                       List<StepDefinition> steps, int currentStep, int attempt, Payload stepInput,
                       Instant timerAt, TimerKind timerKind, String error) {

    public static final RunState INITIAL = new RunState(0, null, null, null, null, List.of(), 0, 0, null, null,
            null, null);

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

    /** The run has started: its snapshot, no step yet. */
    RunState started(String newRunId, String newWorkflowId, String newSessionId, List<StepDefinition> snapshot) {
        return new RunState(version + 1, RunStatus.RUNNING, newRunId, newWorkflowId, newSessionId, snapshot, 0, 0,
                null, null, null, null);
    }

    /** An attempt of a step has started with this input: the step timeout is pending. */
    RunState stepStarted(int step, int newAttempt, Payload input, Instant timeoutAt) {
        return next(RunStatus.RUNNING, step, newAttempt, input, timeoutAt, TimerKind.STEP_TIMEOUT, error);
    }

    /** The current attempt failed and another follows at {@code retryAt}. */
    RunState attemptFailed(String newError, Instant retryAt) {
        return next(status, currentStep, attempt, stepInput, retryAt, TimerKind.RETRY, newError);
    }

    RunState stepCompleted() {
        return next(status, currentStep, attempt, stepInput, null, null, null);
    }

    RunState stepFailed(String newError) {
        return next(status, currentStep, attempt, stepInput, null, null, newError);
    }

    /** Waiting for an operator: no timer runs. */
    RunState paused() {
        return next(RunStatus.PAUSED, currentStep, attempt, stepInput, null, null, null);
    }

    RunState resumed() {
        return next(RunStatus.RUNNING, currentStep, attempt, stepInput, null, null, null);
    }

    RunState completed() {
        return next(RunStatus.COMPLETED, currentStep, attempt, null, null, null, null);
    }

    RunState failed(String newError) {
        return next(RunStatus.FAILED, currentStep, attempt, null, null, null, newError);
    }

    RunState cancelled() {
        return next(RunStatus.CANCELLED, currentStep, attempt, null, null, null, error);
    }

    private RunState next(RunStatus newStatus, int step, int newAttempt, Payload newStepInput, Instant newTimerAt,
                          TimerKind newTimerKind, String newError) {
        return new RunState(version + 1, newStatus, runId, workflowId, sessionId, steps, step, newAttempt,
                newStepInput, newTimerAt, newTimerKind, newError);
    }
}
