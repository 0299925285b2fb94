package dev.agentflow.schemas.run;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import dev.agentflow.schemas.workflow.StepDefinition;
import java.time.Instant;
import java.util.List;

/** Facts of the run aggregate, keyed by {@link #runId()} on the run-events topic. */
@JsonSubTypes({
        @JsonSubTypes.Type(value = RunEvent.RunStarted.class, name = "RunStarted"),
        @JsonSubTypes.Type(value = RunEvent.StepStarted.class, name = "StepStarted"),
        @JsonSubTypes.Type(value = RunEvent.StepAttemptFailed.class, name = "StepAttemptFailed"),
        @JsonSubTypes.Type(value = RunEvent.StepCompleted.class, name = "StepCompleted"),
        @JsonSubTypes.Type(value = RunEvent.StepFailed.class, name = "StepFailed"),
        @JsonSubTypes.Type(value = RunEvent.RunPaused.class, name = "RunPaused"),
        @JsonSubTypes.Type(value = RunEvent.RunResumed.class, name = "RunResumed"),
        @JsonSubTypes.Type(value = RunEvent.RunCompleted.class, name = "RunCompleted"),
        @JsonSubTypes.Type(value = RunEvent.RunFailed.class, name = "RunFailed"),
        @JsonSubTypes.Type(value = RunEvent.RunCancelled.class, name = "RunCancelled"),
})
public sealed interface RunEvent {

    String runId();

    /** A run began, executing exactly this snapshot of the workflow's steps. */
    record RunStarted(String runId, String workflowId, String sessionId, String input, List<StepDefinition> steps)
            implements RunEvent {
        public RunStarted {
            steps = List.copyOf(steps);
        }
    }

    /** Attempt {@code attempt} of step {@code stepOrder} was handed to its agent; it times out at {@code timeoutAt}. */
    record StepStarted(String runId, int stepOrder, int attempt, String agentId, String input, Instant timeoutAt)
            implements RunEvent {
    }

    /** An attempt failed (or timed out) and will be retried at {@code retryAt}. */
    record StepAttemptFailed(String runId, int stepOrder, int attempt, String error, Instant retryAt)
            implements RunEvent {
    }

    /** The step's output, from its agent or from an operator's resume. Once per step. */
    record StepCompleted(String runId, int stepOrder, int attempt, String output) implements RunEvent {
    }

    /** The step failed for good (not retryable, or no attempts left). */
    record StepFailed(String runId, int stepOrder, int attempt, String error) implements RunEvent {
    }

    /** The run waits for a human at step {@code stepOrder}, for as long as it takes. */
    record RunPaused(String runId, int stepOrder, ApprovalRequest approval) implements RunEvent {
    }

    /** An operator supplied the paused step's output. */
    record RunResumed(String runId, int stepOrder, String output) implements RunEvent {
    }

    /** The last step completed; {@code output} is its output. */
    record RunCompleted(String runId, String output) implements RunEvent {
    }

    record RunFailed(String runId, int stepOrder, String error) implements RunEvent {
    }

    record RunCancelled(String runId, int stepOrder) implements RunEvent {
    }
}
