package dev.agentflow.schemas.workflow;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import dev.agentflow.schemas.payload.CarriesPayloads;
import dev.agentflow.schemas.payload.Payload;
import java.util.List;
import java.util.stream.Stream;

/** Facts of the workflow aggregate, keyed by {@link #workflowId()} on the workflow-events topic. */
@JsonSubTypes({
        @JsonSubTypes.Type(value = WorkflowEvent.WorkflowCreated.class, name = "WorkflowCreated"),
        @JsonSubTypes.Type(value = WorkflowEvent.WorkflowUpdated.class, name = "WorkflowUpdated"),
        @JsonSubTypes.Type(value = WorkflowEvent.WorkflowDeleted.class, name = "WorkflowDeleted"),
        @JsonSubTypes.Type(value = WorkflowEvent.StepAdded.class, name = "StepAdded"),
        @JsonSubTypes.Type(value = WorkflowEvent.StepRemoved.class, name = "StepRemoved"),
        @JsonSubTypes.Type(value = WorkflowEvent.StepUpdated.class, name = "StepUpdated"),
        @JsonSubTypes.Type(value = WorkflowEvent.WorkflowCloned.class, name = "WorkflowCloned"),
        @JsonSubTypes.Type(value = WorkflowEvent.RunRequested.class, name = "RunRequested"),
})
public sealed interface WorkflowEvent {

    String workflowId();

    /** A workflow came into being; {@code clonedFrom} and {@code steps} are set when it is a clone. */
    record WorkflowCreated(String workflowId, String name, String description, String clonedFrom,
                           List<StepDefinition> steps) implements WorkflowEvent {
        public WorkflowCreated {
            steps = steps == null ? List.of() : List.copyOf(steps);
        }
    }

    /** The workflow's name and description after a change (both carried whole). */
    record WorkflowUpdated(String workflowId, String name, String description) implements WorkflowEvent {
    }

    /** The workflow and its steps are gone from every view; its events stay. */
    record WorkflowDeleted(String workflowId) implements WorkflowEvent {
    }

    /** A step was inserted at {@code step.stepOrder()}; steps at that position or later moved down by one. */
    record StepAdded(String workflowId, StepDefinition step) implements WorkflowEvent {
    }

    /** A step was removed; the remaining steps are numbered 1..n again in their order. */
    record StepRemoved(String workflowId, String stepId) implements WorkflowEvent {
    }

    /**
     * A step changed; {@code step} is the whole step afterwards. It now stands at
     * {@code step.stepOrder()}: it is taken out, the rest close up, and it is inserted there again.
     */
    record StepUpdated(String workflowId, StepDefinition step) implements WorkflowEvent {
    }

    /** This workflow was copied into the new workflow {@code cloneId}; this workflow is unchanged. */
    record WorkflowCloned(String workflowId, String cloneId) implements WorkflowEvent {
    }

    /**
     * A run of this workflow was requested; {@code steps} is the snapshot the run executes. The
     * workflow itself is unchanged.
     */
    record RunRequested(String workflowId, String runId, String sessionId, Payload input, List<StepDefinition> steps)
            implements WorkflowEvent, CarriesPayloads {
        public RunRequested {
            steps = List.copyOf(steps);
        }

        @Override
        public Stream<Payload> payloads() {
            return Stream.of(input);
        }
    }
}
