package dev.agentflow.projection.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.agentflow.projection.view.StepView.StepStatus;
import dev.agentflow.schemas.run.RunStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One run: the list fields plus {@code input}, {@code output} (when COMPLETED), {@code error},
 * per-step records and, when PAUSED, the pending approval. A payload longer than
 * {@code agentflow.api.detail-payload-bytes} is cut: {@code <field>Truncated} is then true. A payload
 * stored by reference has {@code <field>Href}, the URL that serves it whole. {@code lastStepOrder}
 * is {@code currentStepOrder} under the name the Agent Manager's own clients read. {@code startedBy},
 * {@code cancelledBy} and each step's {@code approvedBy} name the principals who did it (the
 * {@code actor} of the events); {@code cancelReason} is why it was cancelled, when the canceller
 * said. {@code definitionVersion}: the version of the workflow's definition it
 * executes. A fork has {@code forkedFrom} (the run and the first step it executed; its earlier steps
 * are {@code reusedFrom} that run: completed with its outputs, their agents not called); a run that
 * was forked lists its forks' ids in {@code forks}, oldest first. {@code traceId}: the OpenTelemetry
 * trace of the request that started it, which every decider hop and agent call of the run joins
 * (its spans are exported when the trace is sampled).
 */
public record RunDetail(String id, String workflowId, String sessionId, RunStatus status, int currentStepOrder,
                        int lastStepOrder, long durationMs, Instant createdAt, Instant updatedAt,
                        String input,
                        @JsonInclude(JsonInclude.Include.NON_NULL) Boolean inputTruncated,
                        @JsonInclude(JsonInclude.Include.NON_NULL) String inputHref,
                        String output,
                        @JsonInclude(JsonInclude.Include.NON_NULL) Boolean outputTruncated,
                        @JsonInclude(JsonInclude.Include.NON_NULL) String outputHref,
                        String error, List<Step> steps, Approval pendingApproval, String startedBy,
                        @JsonInclude(JsonInclude.Include.NON_NULL) String cancelledBy,
                        @JsonInclude(JsonInclude.Include.NON_NULL) String cancelReason,
                        @JsonInclude(JsonInclude.Include.NON_NULL) Long definitionVersion,
                        @JsonInclude(JsonInclude.Include.NON_NULL) ForkedFrom forkedFrom,
                        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> forks,
                        @JsonInclude(JsonInclude.Include.NON_NULL) String traceId) {

    /** The run a fork was forked from, and the first step the fork executed. */
    public record ForkedFrom(String runId, int fromStep) {
    }

    /** What happened to one step; its input is the previous step's output (the run's input for step 1). */
    public record Step(int stepOrder, String agentId, String action,
                       String input,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Boolean inputTruncated,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String inputHref,
                       String output,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Boolean outputTruncated,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String outputHref,
                       StepStatus status, int attempts, Instant startedAt, Instant finishedAt, String error,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String approvedBy,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String reusedFrom) {
    }

    /** What the paused step asks a human to approve. */
    public record Approval(String proposedOutput,
                           @JsonInclude(JsonInclude.Include.NON_NULL) Boolean proposedOutputTruncated,
                           @JsonInclude(JsonInclude.Include.NON_NULL) String proposedOutputHref,
                           String reason, String tool, Map<String, Object> arguments) {
    }
}
