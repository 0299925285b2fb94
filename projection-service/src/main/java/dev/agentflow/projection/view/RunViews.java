package dev.agentflow.projection.view;

import dev.agentflow.projection.view.StepView.StepStatus;
import dev.agentflow.schemas.envelope.EventEnvelope;
import dev.agentflow.schemas.run.RunCommand.StartRun;
import dev.agentflow.schemas.run.RunEvent;
import dev.agentflow.schemas.run.RunEvent.RunCancelled;
import dev.agentflow.schemas.run.RunEvent.RunCompleted;
import dev.agentflow.schemas.run.RunEvent.RunFailed;
import dev.agentflow.schemas.run.RunEvent.RunPaused;
import dev.agentflow.schemas.run.RunEvent.RunResumed;
import dev.agentflow.schemas.run.RunEvent.RunStarted;
import dev.agentflow.schemas.run.RunEvent.StepAttemptFailed;
import dev.agentflow.schemas.run.RunEvent.StepCompleted;
import dev.agentflow.schemas.run.RunEvent.StepFailed;
import dev.agentflow.schemas.run.RunEvent.StepStarted;
import dev.agentflow.schemas.run.RunStatus;
import dev.agentflow.schemas.workflow.StepDefinition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Pure fold of run events into a {@link RunView} and its {@link StepView}s. An event changes the
 * run's view and at most the one step it names (the first event creates every step).
 */
public final class RunViews {

    private RunViews() {
    }

    /** What an event changes: the run's view, and the step views to write. */
    public record Change(RunView run, List<StepView> steps) {
        public Change {
            steps = List.copyOf(steps);
        }

        /** The same change, with this view of the run. */
        public Change withRun(RunView view) {
            return new Change(view, steps);
        }
    }

    /** The step whose view {@link #evolve} needs for {@code event}, or 0 for none. */
    public static int stepOf(RunEvent event) {
        if (event instanceof StepStarted e) {
            return e.stepOrder();
        }
        if (event instanceof StepAttemptFailed e) {
            return e.stepOrder();
        }
        if (event instanceof StepCompleted e) {
            return e.stepOrder();
        }
        if (event instanceof RunEvent.StepReused e) {
            return e.stepOrder();
        }
        if (event instanceof StepFailed e) {
            return e.stepOrder();
        }
        if (event instanceof RunPaused e) {
            return e.stepOrder();
        }
        if (event instanceof RunResumed e) {
            return e.stepOrder();
        }
        if (event instanceof RunCancelled e) {
            return Math.max(0, e.stepOrder());
        }
        return 0;
    }

    /**
     * The view of a run whose {@code StartRun} is written but not yet decided: RUNNING at version 0,
     * created when the command was issued, every step pending. Its {@code RunStarted} (version 1)
     * keeps that creation time and the steps.
     */
    public static Change requested(StartRun start, Instant issuedAt, String actor) {
        RunView view = new RunView(start.runId(), start.workflowId(), start.sessionId(), RunStatus.RUNNING, 0,
                start.steps().size(), start.input(), null, issuedAt, issuedAt, 0, actor, null, start.definitionVersion(),
                start.fork() == null ? null : new RunEvent.ForkedFrom(start.fork().sourceRunId(), start.fork().fromStep(),
                        start.fork().input()), null, null);
        return new Change(view, pending(start.runId(), start.steps()));
    }

    private static List<StepView> pending(String runId, List<StepDefinition> steps) {
        return steps.stream()
                .map(s -> new StepView(runId, s.stepOrder(), s.agentId(), s.action(), StepStatus.PENDING, 0,
                        null, null, null, null, null, null))
                .toList();
    }

    /**
     * The change the event makes; null when it is a replay (at or below the view's version).
     *
     * @param run  the run's view before the event; null before the first
     * @param step the view of the step {@link #stepOf} names, or null
     * @throws IllegalStateException for an event of a run that never started
     */
    public static Change evolve(RunView run, StepView step, EventEnvelope<RunEvent> envelope) {
        if (run != null && envelope.version() <= run.version()) {
            return null;
        }
        RunEvent event = envelope.data();
        Instant at = envelope.occurredAt();
        long version = envelope.version();
        if (event instanceof RunStarted e) {
            // run, when there is one, is the view of its StartRun (version 0): its steps are written already
            RunView started = new RunView(e.runId(), e.workflowId(), e.sessionId(), RunStatus.RUNNING, 0,
                    e.steps().size(), e.input(), null, run != null ? run.createdAt() : at, at, version,
                    envelope.actor(), null, e.definitionVersion(), e.forkedFrom(), run != null ? run.traceId() : null,
                    null);
            return new Change(started, run != null ? List.of() : pending(e.runId(), e.steps()));
        }
        if (run == null) {
            throw new IllegalStateException("Event " + envelope.type() + " v" + version + " of "
                    + envelope.aggregateId() + " before RunStarted");
        }
        int stepOrder = stepOf(event);
        if (stepOrder > 0 && step == null) {
            // a run whose view was written before steps had views of their own: its steps start now
            step = new StepView(run.id(), stepOrder, event instanceof StepStarted s ? s.agentId() : null, null,
                    StepStatus.PENDING, 0, null, null, null, null, null, null);
        }
        if (event instanceof StepStarted e) {
            StepView s = step.with(StepStatus.RUNNING, e.attempt(), step.startedAt() == null ? at : step.startedAt(),
                    null, step.error(), null, null);
            return new Change(run.with(RunStatus.RUNNING, e.stepOrder(), run.error(), at, version), List.of(s));
        }
        if (event instanceof RunEvent.StepReused e) {
            StepView s = step.reused(e.output(), e.sourceRunId(), at);
            return new Change(run.with(run.status(), e.stepOrder(), run.error(), at, version), List.of(s));
        }
        if (event instanceof StepAttemptFailed e) {
            StepView s = step.with(StepStatus.RETRYING, step.attempts(), step.startedAt(), null, e.error(), null, null);
            return new Change(run.with(run.status(), run.currentStepOrder(), run.error(), at, version), List.of(s));
        }
        if (event instanceof StepCompleted e) {
            StepView s = step.with(StepStatus.COMPLETED, step.attempts(), step.startedAt(), at, null, e.output(), null);
            return new Change(run.with(run.status(), run.currentStepOrder(), run.error(), at, version), List.of(s));
        }
        if (event instanceof StepFailed e) {
            StepView s = step.with(StepStatus.FAILED, step.attempts(), step.startedAt(), at, e.error(), null, null);
            return new Change(run.with(run.status(), run.currentStepOrder(), run.error(), at, version), List.of(s));
        }
        if (event instanceof RunPaused e) {
            StepView s = step.with(StepStatus.WAITING_FOR_APPROVAL, step.attempts(), step.startedAt(), null, null,
                    null, e.approval());
            return new Change(run.with(RunStatus.PAUSED, e.stepOrder(), run.error(), at, version), List.of(s));
        }
        if (event instanceof RunResumed) {
            StepView s = step.with(step.status(), step.attempts(), step.startedAt(), step.finishedAt(), step.error(),
                    step.output(), null).approvedBy(envelope.actor());
            return new Change(run.with(RunStatus.RUNNING, run.currentStepOrder(), run.error(), at, version),
                    List.of(s));
        }
        if (event instanceof RunCompleted) {
            return new Change(run.with(RunStatus.COMPLETED, run.currentStepOrder(), null, at, version), List.of());
        }
        if (event instanceof RunFailed e) {
            return new Change(run.with(RunStatus.FAILED, e.stepOrder(), e.error(), at, version), List.of());
        }
        if (event instanceof RunEvent.RunRetried e) {
            // goes on from its step (the StepStarted that follows shows it running); not cancelled any more
            return new Change(run.with(RunStatus.RUNNING, e.stepOrder(), null, at, version).cancelled(null, null),
                    List.of());
        }
        if (event instanceof RunCancelled e) {
            List<StepView> steps = new ArrayList<>();
            if (step != null && step.status() != StepStatus.COMPLETED && step.status() != StepStatus.FAILED) {
                steps.add(step.with(StepStatus.CANCELLED, step.attempts(), step.startedAt(), at, step.error(), null,
                        null));
            }
            return new Change(run.with(RunStatus.CANCELLED, run.currentStepOrder(), run.error(), at, version)
                    .cancelled(envelope.actor(), e.reason()), steps);
        }
        throw new IllegalStateException("Unhandled run event " + event.getClass());
    }
}
