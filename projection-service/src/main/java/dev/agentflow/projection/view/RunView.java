package dev.agentflow.projection.view;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.run.RunEvent.ForkedFrom;
import dev.agentflow.schemas.run.RunStatus;
import java.time.Instant;

/**
 * The queryable view of one run, folded from its events: what lists show, and the run's input.
 * Each step's payloads are kept apart, one {@link StepView} per step, so no record of a run's views
 * holds more than one payload, however many steps the run has.
 *
 * @param stepCount how many steps the run executes
 * @param input     the run's input (inline or by reference)
 * @param error       why the run failed, when it did
 * @param startedBy   who started it (the actor of RunStarted); null in views of runs from before actors
 * @param cancelledBy who cancelled it, once CANCELLED
 * @param definitionVersion the version of its workflow's definition it runs (null for runs started before
 *                    versions were numbered)
 * @param forkedFrom  the run it was forked from, when it is a fork
 * @param traceId     the trace of the request that started it (every hop of the run is in it); null
 *                    when tracing was off
 */
public record RunView(String id, String workflowId, String sessionId, RunStatus status, int currentStepOrder,
                      int stepCount, Payload input, String error, Instant createdAt, Instant updatedAt,
                      long version, String startedBy, String cancelledBy, Long definitionVersion,
                      ForkedFrom forkedFrom, String traceId,
                      @JsonInclude(JsonInclude.Include.NON_NULL) String cancelReason) {

    /** This view, created when its start was asked: the time its {@code StartRun} was issued. */
    public RunView requestedAt(Instant issuedAt) {
        return new RunView(id, workflowId, sessionId, status, currentStepOrder, stepCount, input, error, issuedAt,
                updatedAt, version, startedBy, cancelledBy, definitionVersion, forkedFrom, traceId, cancelReason);
    }

    RunView with(RunStatus newStatus, int current, String newError, Instant at, long newVersion) {
        return new RunView(id, workflowId, sessionId, newStatus, current, stepCount, input, newError, createdAt, at,
                newVersion, startedBy, cancelledBy, definitionVersion, forkedFrom, traceId, cancelReason);
    }

    /** This view, cancelled by {@code actor} for {@code reason} (both null: not cancelled any more). */
    RunView cancelled(String actor, String reason) {
        return new RunView(id, workflowId, sessionId, status, currentStepOrder, stepCount, input, error, createdAt,
                updatedAt, version, startedBy, actor, definitionVersion, forkedFrom, traceId, reason);
    }

    /** This view, in the trace {@code id} (when it has none yet). */
    public RunView inTrace(String id) {
        if (traceId != null || id == null) {
            return this;
        }
        return new RunView(this.id, workflowId, sessionId, status, currentStepOrder, stepCount, input, error,
                createdAt, updatedAt, version, startedBy, cancelledBy, definitionVersion, forkedFrom, id,
                cancelReason);
    }
}
