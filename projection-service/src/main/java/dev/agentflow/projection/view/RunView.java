package dev.agentflow.projection.view;

import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.run.RunStatus;
import java.time.Instant;

/**
 * The queryable view of one run, folded from its events: what lists show, and the run's input.
 * Each step's payloads are kept apart, one {@link StepView} per step, so no record of a run's views
 * holds more than one payload, however many steps the run has.
 *
 * @param stepCount how many steps the run executes
 * @param input     the run's input (inline or by reference)
 * @param error     why the run failed, when it did
 */
public record RunView(String id, String workflowId, String sessionId, RunStatus status, int currentStepOrder,
                      int stepCount, Payload input, String error, Instant createdAt, Instant updatedAt,
                      long version) {

    RunView with(RunStatus newStatus, int current, String newError, Instant at, long newVersion) {
        return new RunView(id, workflowId, sessionId, newStatus, current, stepCount, input, newError, createdAt, at,
                newVersion);
    }
}
