package dev.agentflow.projection.view;

import dev.agentflow.schemas.envelope.EventEnvelope;
import dev.agentflow.schemas.workflow.StepDefinition;
import dev.agentflow.schemas.workflow.Steps;
import dev.agentflow.schemas.workflow.WorkflowEvent.StepAdded;
import dev.agentflow.schemas.workflow.WorkflowEvent.StepRemoved;
import dev.agentflow.schemas.workflow.WorkflowEvent.StepUpdated;
import dev.agentflow.schemas.workflow.WorkflowEvent.WorkflowCloned;
import dev.agentflow.schemas.workflow.WorkflowEvent.WorkflowCreated;
import dev.agentflow.schemas.workflow.WorkflowEvent.WorkflowDeleted;
import dev.agentflow.schemas.workflow.WorkflowEvent.WorkflowUpdated;
import dev.agentflow.schemas.workflow.WorkflowEvent;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Pure fold of workflow events into {@link WorkflowView}s. The definition's version moves on with each
 * event that changes its name, description or steps (a change to what it already is makes none).
 */
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
                    false, 1);
        }
        if (view == null) {
            throw new IllegalStateException("Event " + envelope.type() + " v" + v + " of " + envelope.aggregateId()
                    + " before its creation");
        }
        if (event instanceof WorkflowUpdated e) {
            return changed(view, e.name(), e.description(), view.steps(), at, v);
        }
        if (event instanceof WorkflowDeleted) {
            return new WorkflowView(view.id(), view.name(), view.description(), view.clonedFrom(), view.createdAt(),
                    at, List.of(), v, true, view.definitionVersion());
        }
        if (event instanceof StepAdded e) {
            return changed(view, view.name(), view.description(), Steps.insert(view.steps(), e.step()), at, v);
        }
        if (event instanceof StepRemoved e) {
            return changed(view, view.name(), view.description(), Steps.remove(view.steps(), e.stepId()), at, v);
        }
        if (event instanceof StepUpdated e) {
            return changed(view, view.name(), view.description(), Steps.replace(view.steps(), e.step()), at, v);
        }
        if (event instanceof WorkflowCloned || event instanceof WorkflowEvent.RunRequested) {
            // The source of a clone, or a workflow that is run, is unchanged: only its version moves.
            return new WorkflowView(view.id(), view.name(), view.description(), view.clonedFrom(), view.createdAt(),
                    view.updatedAt(), view.steps(), v, view.deleted(), view.definitionVersion());
        }
        throw new IllegalStateException("Unhandled workflow event " + event.getClass());
    }

    /** The view with this definition: a new definition version when it differs from the view's. */
    private static WorkflowView changed(WorkflowView view, String name, String description, List<StepDefinition> steps,
                                        Instant at, long v) {
        boolean differs = !Objects.equals(name, view.name()) || !Objects.equals(description, view.description())
                || !steps.equals(view.steps());
        return new WorkflowView(view.id(), name, description, view.clonedFrom(), view.createdAt(), at, steps, v,
                view.deleted(), view.definitionVersion() + (differs ? 1 : 0));
    }
}
