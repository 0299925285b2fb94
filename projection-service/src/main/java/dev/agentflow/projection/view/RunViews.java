package dev.agentflow.projection.view;

import dev.agentflow.projection.view.RunView.StepRecord;
import dev.agentflow.projection.view.RunView.StepStatus;
import dev.agentflow.schemas.envelope.EventEnvelope;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** Pure fold of run events into {@link RunView}s. */
public final class RunViews {

    private RunViews() {
    }

    /** The view after the event; null before the first. Events at or below the view's version are replays. */
    public static RunView evolve(RunView v, EventEnvelope<RunEvent> envelope) {
        if (v != null && envelope.version() <= v.version()) {
            return v;
        }
        RunEvent event = envelope.data();
        Instant at = envelope.occurredAt();
        long version = envelope.version();
        if (event instanceof RunStarted e) {
            List<StepRecord> steps = e.steps().stream().map(s -> new StepRecord(s.stepOrder(), s.agentId(),
                    s.action(), null, null, StepStatus.PENDING, 0, null, null, null)).toList();
            return new RunView(e.runId(), e.workflowId(), e.sessionId(), RunStatus.RUNNING, 0, e.input(), null, null,
                    at, at, steps, null, version);
        }
        if (v == null) {
            throw new IllegalStateException("Event " + envelope.type() + " v" + version + " of "
                    + envelope.aggregateId() + " before RunStarted");
        }
        if (event instanceof StepStarted e) {
            RunView r = step(v, e.stepOrder(), s -> new StepRecord(s.stepOrder(), s.agentId(), s.action(), e.input(),
                    null, StepStatus.RUNNING, e.attempt(), s.startedAt() == null ? at : s.startedAt(), null,
                    s.error()));
            return with(r, RunStatus.RUNNING, e.stepOrder(), r.output(), r.error(), r.pendingApproval(), at, version);
        }
        if (event instanceof StepAttemptFailed e) {
            RunView r = step(v, e.stepOrder(), s -> new StepRecord(s.stepOrder(), s.agentId(), s.action(), s.input(),
                    null, StepStatus.RETRYING, s.attempts(), s.startedAt(), null, e.error()));
            return with(r, r.status(), r.currentStepOrder(), r.output(), r.error(), null, at, version);
        }
        if (event instanceof StepCompleted e) {
            RunView r = step(v, e.stepOrder(), s -> new StepRecord(s.stepOrder(), s.agentId(), s.action(), s.input(),
                    e.output(), StepStatus.COMPLETED, s.attempts(), s.startedAt(), at, null));
            return with(r, r.status(), r.currentStepOrder(), r.output(), r.error(), null, at, version);
        }
        if (event instanceof StepFailed e) {
            RunView r = step(v, e.stepOrder(), s -> new StepRecord(s.stepOrder(), s.agentId(), s.action(), s.input(),
                    null, StepStatus.FAILED, s.attempts(), s.startedAt(), at, e.error()));
            return with(r, r.status(), r.currentStepOrder(), r.output(), r.error(), null, at, version);
        }
        if (event instanceof RunPaused e) {
            RunView r = step(v, e.stepOrder(), s -> new StepRecord(s.stepOrder(), s.agentId(), s.action(), s.input(),
                    null, StepStatus.WAITING_FOR_APPROVAL, s.attempts(), s.startedAt(), null, null));
            return with(r, RunStatus.PAUSED, e.stepOrder(), r.output(), r.error(), e.approval(), at, version);
        }
        if (event instanceof RunResumed) {
            return with(v, RunStatus.RUNNING, v.currentStepOrder(), v.output(), v.error(), null, at, version);
        }
        if (event instanceof RunCompleted e) {
            return with(v, RunStatus.COMPLETED, v.currentStepOrder(), e.output(), null, null, at, version);
        }
        if (event instanceof RunFailed e) {
            return with(v, RunStatus.FAILED, e.stepOrder(), null, e.error(), null, at, version);
        }
        if (event instanceof RunCancelled e) {
            RunView r = e.stepOrder() < 1 ? v : step(v, e.stepOrder(), s -> s.status() == StepStatus.COMPLETED
                    || s.status() == StepStatus.FAILED ? s
                    : new StepRecord(s.stepOrder(), s.agentId(), s.action(), s.input(), null, StepStatus.CANCELLED,
                    s.attempts(), s.startedAt(), at, s.error()));
            return with(r, RunStatus.CANCELLED, r.currentStepOrder(), null, r.error(), null, at, version);
        }
        throw new IllegalStateException("Unhandled run event " + event.getClass());
    }

    private static RunView step(RunView v, int order, UnaryOperator<StepRecord> change) {
        List<StepRecord> steps = new ArrayList<>(v.steps());
        steps.set(order - 1, change.apply(steps.get(order - 1)));
        return new RunView(v.id(), v.workflowId(), v.sessionId(), v.status(), v.currentStepOrder(), v.input(),
                v.output(), v.error(), v.createdAt(), v.updatedAt(), steps, v.pendingApproval(), v.version());
    }

    private static RunView with(RunView v, RunStatus status, int current, String output, String error,
                                dev.agentflow.schemas.run.ApprovalRequest approval, Instant at, long version) {
        return new RunView(v.id(), v.workflowId(), v.sessionId(), status, current, v.input(), output, error,
                v.createdAt(), at, v.steps(), approval, version);
    }
}
