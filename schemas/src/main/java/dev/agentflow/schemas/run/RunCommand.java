package dev.agentflow.schemas.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.workflow.StepDefinition;
import java.util.List;

/** Commands on the run aggregate, keyed by {@link #runId()} on the run-commands topic. */
@JsonSubTypes({
        @JsonSubTypes.Type(value = RunCommand.StartRun.class, name = "StartRun"),
        @JsonSubTypes.Type(value = RunCommand.RecordAgentResult.class, name = "RecordAgentResult"),
        @JsonSubTypes.Type(value = RunCommand.ResumeRun.class, name = "ResumeRun"),
        @JsonSubTypes.Type(value = RunCommand.CancelRun.class, name = "CancelRun"),
        @JsonSubTypes.Type(value = RunCommand.FireTimer.class, name = "FireTimer"),
        @JsonSubTypes.Type(value = RunCommand.RetryRun.class, name = "RetryRun"),
})
public sealed interface RunCommand {

    String runId();

    /**
     * Start a run of the snapshot {@code steps}, which is version {@code definitionVersion} of the
     * workflow's definition (null in a start written before versions were numbered); a fork of another
     * run takes over its earlier steps' outputs ({@code fork}, null otherwise).
     */
    record StartRun(String runId, String workflowId, String sessionId, Payload input, List<StepDefinition> steps,
                    @JsonInclude(JsonInclude.Include.NON_NULL) Long definitionVersion,
                    @JsonInclude(JsonInclude.Include.NON_NULL) Fork fork) implements RunCommand {
        public StartRun {
            steps = List.copyOf(steps);
        }

        public StartRun(String runId, String workflowId, String sessionId, Payload input, List<StepDefinition> steps,
                        Long definitionVersion) {
            this(runId, workflowId, sessionId, input, steps, definitionVersion, null);
        }

        public StartRun(String runId, String workflowId, String sessionId, Payload input, List<StepDefinition> steps) {
            this(runId, workflowId, sessionId, input, steps, null, null);
        }
    }

    /** A worker's outcome of the invocation attempt {@code stepOrder}/{@code attempt}. */
    record RecordAgentResult(String runId, int stepOrder, int attempt, AgentOutcome outcome) implements RunCommand {
    }

    /** An operator's approved output for the paused step. */
    record ResumeRun(String runId, Payload output) implements RunCommand {
    }

    /** Cancel the run; {@code reason} (at most {@link #MAX_REASON} characters) is why, when given. */
    record CancelRun(String runId, @JsonInclude(JsonInclude.Include.NON_NULL) String reason) implements RunCommand {

        /** The longest reason a cancel records: events stay bounded. */
        public static final int MAX_REASON = 2000;

        public CancelRun(String runId) {
            this(runId, null);
        }
    }

    /** Go on with a FAILED or CANCELLED run from the step where it stopped, with a fresh attempt count. */
    record RetryRun(String runId) implements RunCommand {
    }

    /** A timer came due (issued by the run processor's punctuator, never by a client). */
    record FireTimer(String runId, TimerKind kind, int stepOrder, int attempt) implements RunCommand {
    }

    enum TimerKind { STEP_TIMEOUT, RETRY }
}
