package dev.agentflow.schemas.workflow;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import dev.agentflow.schemas.payload.Payload;
import java.util.List;
import java.util.Map;

/** Commands on the workflow aggregate, keyed by {@link #workflowId()} on the workflow-commands topic. */
@JsonSubTypes({
        @JsonSubTypes.Type(value = WorkflowCommand.CreateWorkflow.class, name = "CreateWorkflow"),
        @JsonSubTypes.Type(value = WorkflowCommand.UpdateWorkflow.class, name = "UpdateWorkflow"),
        @JsonSubTypes.Type(value = WorkflowCommand.DeleteWorkflow.class, name = "DeleteWorkflow"),
        @JsonSubTypes.Type(value = WorkflowCommand.AddStep.class, name = "AddStep"),
        @JsonSubTypes.Type(value = WorkflowCommand.RemoveStep.class, name = "RemoveStep"),
        @JsonSubTypes.Type(value = WorkflowCommand.UpdateStep.class, name = "UpdateStep"),
        @JsonSubTypes.Type(value = WorkflowCommand.CloneWorkflow.class, name = "CloneWorkflow"),
        @JsonSubTypes.Type(value = WorkflowCommand.RunWorkflow.class, name = "RunWorkflow"),
})
public sealed interface WorkflowCommand {

    String workflowId();

    /** Create a workflow; a clone is created by this command too, with its steps and {@code clonedFrom}. */
    record CreateWorkflow(String workflowId, String name, String description, String clonedFrom,
                          List<StepDefinition> steps) implements WorkflowCommand {
        public CreateWorkflow {
            steps = steps == null ? List.of() : List.copyOf(steps);
        }
    }

    /**
     * Change the fields present: {@code name} when not null, {@code description} when
     * {@code descriptionPresent} (null then clears it).
     */
    record UpdateWorkflow(String workflowId, String name, boolean descriptionPresent, String description)
            implements WorkflowCommand {
    }

    record DeleteWorkflow(String workflowId) implements WorkflowCommand {
    }

    /** Add a step; {@code stepOrder} null appends, otherwise inserts there and shifts later steps down. */
    record AddStep(String workflowId, String stepId, String agentId, String action, Integer stepOrder,
                   Map<String, Object> config) implements WorkflowCommand {
    }

    record RemoveStep(String workflowId, String stepId) implements WorkflowCommand {
    }

    /**
     * Change the fields of a step that are not null: {@code stepOrder} moves it there (the other steps
     * keep their order and are numbered 1..n again), {@code agentId}, {@code action} and
     * {@code config} replace the step's own.
     */
    record UpdateStep(String workflowId, String stepId, Integer stepOrder, String agentId, String action,
                      Map<String, Object> config) implements WorkflowCommand {
    }

    /** Clone this workflow into a new one with id {@code cloneId}. */
    record CloneWorkflow(String workflowId, String cloneId) implements WorkflowCommand {
    }

    /** Run the workflow's current steps as run {@code runId}. */
    record RunWorkflow(String workflowId, String runId, String sessionId, Payload input) implements WorkflowCommand {
    }
}
