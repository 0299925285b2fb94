package dev.agentflow.processor.run.domain;

import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.run.EarlierSteps;
import dev.agentflow.schemas.run.RunCommand.TimerKind;
import dev.agentflow.schemas.run.RunStatus;
import dev.agentflow.schemas.workflow.StepDefinition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

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
 * @param earlierFrom the first completed step whose output is kept (0 in a state written before outputs were)
 * @param earlierInput that step's input
 * @param earlierOutputs the outputs of the completed steps from {@code earlierFrom} on: the latest
 *                    {@code Limits.earlierStepsCarried()}, so the state stays bounded
 * @param actor       on whose behalf the run goes on: the principal of its latest command (start,
 *                    resume, cancel, retry), recorded on the events the engine writes for it
 * @param firstAttempt the current step's first attempt since the run was last retried (null: 1); the
 *                    step's {@code maxAttempts} count from it
 * @param startedAt   when the run decider started the run (null in a state written before it was kept):
 *                    for the run's duration in the engine's metrics; stamped by the topology, not by events
 * @param stepStartedAt when the current step's first attempt started (null: as {@code startedAt}): for
 *                    the step's duration
 * @param traceparent the W3C trace context of the run's start (null without tracing, or in a state
 *                    written before it was kept): every later hop of the run joins that trace
 */
public record RunState(long version, RunStatus status, String runId, String workflowId, String sessionId,
                       List<StepDefinition> steps, int currentStep, int attempt, Payload stepInput,
                       Instant timerAt, TimerKind timerKind, String error, int earlierFrom, Payload earlierInput,
                       List<Payload> earlierOutputs, String actor, Integer firstAttempt, Instant startedAt,
                       Instant stepStartedAt, String traceparent) {

    public static final RunState INITIAL = new RunState(0, null, null, null, null, List.of(), 0, 0, null, null,
            null, null, 0, null, List.of(), null, null, null, null, null);

    public RunState {
        steps = steps == null ? List.of() : List.copyOf(steps);
        earlierOutputs = earlierOutputs == null ? List.of() : List.copyOf(earlierOutputs);
    }

    /**
     * The run's completed steps before {@code step} that are kept, for its agent request; null when
     * this state does not know them all (written before outputs were kept).
     */
    public EarlierSteps earlierBefore(int step) {
        if (earlierFrom < 1 || earlierFrom + earlierOutputs.size() != step) {
            return null;
        }
        List<EarlierSteps.EarlierStep> done = new ArrayList<>();
        for (int i = 0; i < earlierOutputs.size(); i++) {
            StepDefinition definition = step(earlierFrom + i);
            done.add(new EarlierSteps.EarlierStep(definition.agentId(), definition.action(), earlierOutputs.get(i)));
        }
        return new EarlierSteps(earlierFrom, earlierInput, done);
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
    RunState started(String newRunId, String newWorkflowId, String newSessionId, List<StepDefinition> snapshot,
                     Payload input) {
        return new RunState(version + 1, RunStatus.RUNNING, newRunId, newWorkflowId, newSessionId, snapshot, 0, 0,
                null, null, null, null, 1, input, List.of(), actor, null, startedAt, stepStartedAt, traceparent);
    }

    /** An attempt of a step has started with this input: the step timeout is pending. */
    RunState stepStarted(int step, int newAttempt, Payload input, Instant timeoutAt) {
        return next(RunStatus.RUNNING, step, newAttempt, input, timeoutAt, TimerKind.STEP_TIMEOUT, error);
    }

    /** The current attempt failed and another follows at {@code retryAt}. */
    RunState attemptFailed(String newError, Instant retryAt) {
        return next(status, currentStep, attempt, stepInput, retryAt, TimerKind.RETRY, newError);
    }

    /** The current step's output is known; the latest {@code keep} outputs are kept for later steps. */
    RunState stepCompleted(Payload output, int keep) {
        return keptOutput(next(status, currentStep, attempt, stepInput, null, null, null), output, keep);
    }

    /** A fork took over step {@code order}'s output: it is completed, like {@link #stepCompleted}. */
    RunState stepReused(int order, Payload output, int keep) {
        return keptOutput(next(status, order, 0, null, null, null, null), output, keep);
    }

    /** {@code next} (this state after a step completed) with the step's output kept for later steps. */
    private RunState keptOutput(RunState next, Payload output, int keep) {
        if (earlierFrom < 1) {
            return next;
        }
        List<Payload> outputs = new ArrayList<>(earlierOutputs);
        outputs.add(output);
        int from = earlierFrom;
        Payload input = earlierInput;
        while (outputs.size() > keep) {
            input = outputs.remove(0);
            from++;
        }
        return new RunState(next.version, next.status, runId, workflowId, sessionId, steps, next.currentStep,
                next.attempt, next.stepInput, null, null, null, from, input, outputs, actor, firstAttempt, startedAt,
                stepStartedAt, traceparent);
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

    /** The run is over: it keeps no payload, so a completed run's state is small, however many there are. */
    RunState completed() {
        return finished(RunStatus.COMPLETED, null, false);
    }

    /** A failed run keeps its step's input and the earlier outputs (bounded), so that it can be retried. */
    RunState failed(String newError) {
        return finished(RunStatus.FAILED, newError, true);
    }

    RunState cancelled() {
        return finished(RunStatus.CANCELLED, error, true);
    }

    private RunState finished(RunStatus finalStatus, String finalError, boolean retryable) {
        return new RunState(version + 1, finalStatus, runId, workflowId, sessionId, steps, currentStep, attempt,
                retryable ? stepInput : null, null, null, finalError, earlierFrom, retryable ? earlierInput : null,
                retryable ? earlierOutputs : List.of(), actor, firstAttempt, startedAt, stepStartedAt, traceparent);
    }

    /** The run goes on from its current step, whose attempts count again from {@code nextAttempt}. */
    RunState retried(int nextAttempt) {
        return new RunState(version + 1, RunStatus.RUNNING, runId, workflowId, sessionId, steps, currentStep, attempt,
                stepInput, null, null, null, earlierFrom, earlierInput, earlierOutputs, actor, nextAttempt, startedAt,
                stepStartedAt, traceparent);
    }

    /** How many attempts of the current step were made since the run was last retried. */
    public int attemptsMade() {
        return attempt - (firstAttempt == null ? 1 : firstAttempt) + 1;
    }

    /** Whether a retry can go on from where the run stopped: it stopped at a step whose input it kept. */
    public boolean retryable() {
        return (status == RunStatus.FAILED || status == RunStatus.CANCELLED) && currentStep >= 1 && stepInput != null;
    }

    private RunState next(RunStatus newStatus, int step, int newAttempt, Payload newStepInput, Instant newTimerAt,
                          TimerKind newTimerKind, String newError) {
        return new RunState(version + 1, newStatus, runId, workflowId, sessionId, steps, step, newAttempt,
                newStepInput, newTimerAt, newTimerKind, newError, earlierFrom, earlierInput, earlierOutputs, actor,
                step == currentStep ? firstAttempt : null, startedAt, stepStartedAt, traceparent);
    }

    /** The same state, going on on behalf of {@code who} (not an event: the version stays). */
    public RunState actedBy(String who) {
        return new RunState(version, status, runId, workflowId, sessionId, steps, currentStep, attempt, stepInput,
                timerAt, timerKind, error, earlierFrom, earlierInput, earlierOutputs, who, firstAttempt, startedAt,
                stepStartedAt, traceparent);
    }

    /**
     * The same state with the times the metrics need (not an event: the version stays): when the
     * run started, set as it starts, and when its current step started, set as the step's first
     * attempt starts (a retry of the same step keeps it); and, as it starts, {@code startTrace}, the
     * trace context its later hops join.
     */
    public RunState stamped(RunState before, Instant now, String startTrace) {
        Instant run = startedAt != null || before.started() ? startedAt : now;
        Instant step = currentStep == 0 ? null : currentStep != before.currentStep ? now : stepStartedAt;
        String trace = traceparent != null || before.started() ? traceparent : startTrace;
        if (run == startedAt && step == stepStartedAt && Objects.equals(trace, traceparent)) {
            return this;
        }
        return new RunState(version, status, runId, workflowId, sessionId, steps, currentStep, attempt, stepInput,
                timerAt, timerKind, error, earlierFrom, earlierInput, earlierOutputs, actor, firstAttempt, run, step,
                trace);
    }
}
