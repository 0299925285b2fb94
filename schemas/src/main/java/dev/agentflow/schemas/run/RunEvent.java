package dev.agentflow.schemas.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import dev.agentflow.schemas.payload.CarriesPayloads;
import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.workflow.StepDefinition;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

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
        @JsonSubTypes.Type(value = RunEvent.RunRetried.class, name = "RunRetried"),
        @JsonSubTypes.Type(value = RunEvent.StepReused.class, name = "StepReused"),
})
public sealed interface RunEvent {

    String runId();

    /**
     * A run began, executing exactly this snapshot of the workflow's steps: version
     * {@code definitionVersion} of its definition (absent in runs started before versions were numbered).
     */
    record RunStarted(String runId, String workflowId, String sessionId, Payload input, List<StepDefinition> steps,
                      @JsonInclude(JsonInclude.Include.NON_NULL) Long definitionVersion,
                      @JsonInclude(JsonInclude.Include.NON_NULL) ForkedFrom forkedFrom)
            implements RunEvent, CarriesPayloads {
        public RunStarted {
            steps = List.copyOf(steps);
        }

        public RunStarted(String runId, String workflowId, String sessionId, Payload input,
                          List<StepDefinition> steps, Long definitionVersion) {
            this(runId, workflowId, sessionId, input, steps, definitionVersion, null);
        }

        public RunStarted(String runId, String workflowId, String sessionId, Payload input,
                          List<StepDefinition> steps) {
            this(runId, workflowId, sessionId, input, steps, null, null);
        }

        @Override
        public Stream<Payload> payloads() {
            return Stream.of(input, forkedFrom == null ? null : forkedFrom.input());
        }
    }

    /**
     * The run this one was forked from, and the first step it executes; {@code input} is that step's
     * input when the fork replaced it (absent: the previous step's output).
     */
    record ForkedFrom(String runId, int fromStep, @JsonInclude(JsonInclude.Include.NON_NULL) Payload input) {
    }

    /**
     * A fork took over step {@code stepOrder}'s output from run {@code sourceRunId} (which executed
     * version {@code sourceDefinitionVersion} of the definition): the step is completed, its agent
     * was not called.
     */
    record StepReused(String runId, int stepOrder, Payload output, String sourceRunId,
                      @JsonInclude(JsonInclude.Include.NON_NULL) Long sourceDefinitionVersion)
            implements RunEvent, CarriesPayloads {
        @Override
        public Stream<Payload> payloads() {
            return Stream.of(output);
        }
    }

    /** Attempt {@code attempt} of step {@code stepOrder} was handed to its agent; it times out at {@code timeoutAt}. */
    record StepStarted(String runId, int stepOrder, int attempt, String agentId, Payload input, Instant timeoutAt)
            implements RunEvent, CarriesPayloads {
        @Override
        public Stream<Payload> payloads() {
            return Stream.of(input);
        }
    }

    /** An attempt failed (or timed out) and will be retried at {@code retryAt}. */
    record StepAttemptFailed(String runId, int stepOrder, int attempt, String error, Instant retryAt)
            implements RunEvent {
    }

    /** The step's output, from its agent or from an operator's resume. Once per step. */
    record StepCompleted(String runId, int stepOrder, int attempt, Payload output) implements RunEvent, CarriesPayloads {
        @Override
        public Stream<Payload> payloads() {
            return Stream.of(output);
        }
    }

    /** The step failed for good (not retryable, or no attempts left). */
    record StepFailed(String runId, int stepOrder, int attempt, String error) implements RunEvent {
    }

    /** The run waits for a human at step {@code stepOrder}, for as long as it takes. */
    record RunPaused(String runId, int stepOrder, ApprovalRequest approval) implements RunEvent, CarriesPayloads {
        @Override
        public Stream<Payload> payloads() {
            return Stream.of(approval == null ? null : approval.proposedOutput());
        }
    }

    /** An operator supplied the paused step's output. */
    record RunResumed(String runId, int stepOrder, Payload output) implements RunEvent, CarriesPayloads {
        @Override
        public Stream<Payload> payloads() {
            return Stream.of(output);
        }
    }

    /** The last step completed; {@code output} is its output. */
    record RunCompleted(String runId, Payload output) implements RunEvent, CarriesPayloads {
        @Override
        public Stream<Payload> payloads() {
            return Stream.of(output);
        }
    }

    record RunFailed(String runId, int stepOrder, String error) implements RunEvent {
    }

    /** An operator cancelled the run (or rejected its approval request), with their reason when they gave one. */
    record RunCancelled(String runId, int stepOrder, @JsonInclude(JsonInclude.Include.NON_NULL) String reason)
            implements RunEvent {

        public RunCancelled(String runId, int stepOrder) {
            this(runId, stepOrder, null);
        }
    }

    /**
     * A FAILED or CANCELLED run goes on from step {@code stepOrder} (the one it stopped at), whose
     * next attempt is {@code attempt} and has the step's whole {@code maxAttempts} again. Its earlier
     * steps keep their outputs; the StepStarted of that attempt follows.
     */
    record RunRetried(String runId, int stepOrder, int attempt) implements RunEvent {
    }
}
