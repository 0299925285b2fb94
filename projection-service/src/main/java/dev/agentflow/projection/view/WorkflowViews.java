package dev.agentflow.projection.view;

import dev.agentflow.schemas.envelope.EventEnvelope;
import dev.agentflow.schemas.workflow.Steps;
import dev.agentflow.schemas.workflow.WorkflowEvent;
import dev.agentflow.schemas.workflow.WorkflowEvent.StepAdded;
import dev.agentflow.schemas.workflow.WorkflowEvent.StepRemoved;
import dev.agentflow.schemas.workflow.WorkflowEvent.StepUpdated;
import dev.agentflow.schemas.workflow.WorkflowEvent.WorkflowCloned;
import dev.agentflow.schemas.workflow.WorkflowEvent.WorkflowCreated;
import dev.agentflow.schemas.workflow.WorkflowEvent.WorkflowDeleted;
import dev.agentflow.schemas.workflow.WorkflowEvent.WorkflowUpdated;
import java.time.Instant;

/** Pure fold of workflow events into {@link WorkflowView}s. */
public final class WorkflowViews {

    private WorkflowViews() {
    }

    /**
     * The view after the event; {@code view} is null before the first event. An event at or below
     * the view's version was applied already and changes nothing (replays are harmless).
     */
    public static WorkflowView evolve(WorkflowView view, EventEnvelope<WorkflowEvent> envelope) {
        if (view != null && envelope.version() <= view.version()) {
            return view;
        }
        WorkflowEvent event = envelope.data();
        long v = envelope.version();
        Instant at = envelope.occurredAt();
        if (event instanceof WorkflowCreated e) {
            return new WorkflowView(e.workflowId(), e.name(), e.description(), e.clonedFrom(), at, at, e.steps(), v,
                    false);
        }
        if (view == null) {
            throw new IllegalStateException("Event " + envelope.type() + " v" + v + " of " + envelope.aggregateId()
                    + " before its creation");
        }
        if (event instanceof WorkflowUpdated e) {
            return new WorkflowView(view.id(), e.name(), e.description(), view.clonedFrom(), view.createdAt(), at,
                    view.steps(), v, view.deleted());
        }
        if (event instanceof WorkflowDeleted) {
            return new WorkflowView(view.id(), view.name(), view.description(), view.clonedFrom(), view.createdAt(),
                    at, java.util.List.of(), v, true);
        }
        if (event instanceof StepAdded e) {
            return new WorkflowView(view.id(), view.name(), view.description(), view.clonedFrom(), view.createdAt(),
                    at, Steps.insert(view.steps(), e.step()), v, view.deleted());
        }
        if (event instanceof StepRemoved e) {
            return new WorkflowView(view.id(), view.name(), view.description(), view.clonedFrom(), view.createdAt(),
                    at, Steps.remove(view.steps(), e.stepId()), v, view.deleted());
        }
        if (event instanceof StepUpdated e) {
            return new WorkflowView(view.id(), view.name(), view.description(), view.clonedFrom(), view.createdAt(),
                    at, Steps.replace(view.steps(), e.step()), v, view.deleted());
        }
        if (event instanceof WorkflowCloned || event instanceof WorkflowEvent.RunRequested) {
            // The source of a clone, or a workflow that is run, is unchanged: only its version moves.
            return new WorkflowView(view.id(), view.name(), view.description(), view.clonedFrom(), view.createdAt(),
                    view.updatedAt(), view.steps(), v, view.deleted());
        }
        throw new IllegalStateException("Unhandled workflow event " + event.getClass());
    }
}
