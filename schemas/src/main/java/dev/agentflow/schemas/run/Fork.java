package dev.agentflow.schemas.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.agentflow.schemas.payload.Payload;
import java.util.List;

/**
 * What a run forked from another one takes over from it: the outputs of the steps before
 * {@code fromStep}, recorded as its own without calling their agents, and the input of
 * {@code fromStep} when the fork replaces it.
 *
 * @param sourceRunId the run forked from
 * @param fromStep    the first step the fork executes
 * @param input       the input {@code fromStep} gets instead of the previous step's output; null keeps that
 * @param reused      the outputs of steps 1..fromStep-1, in order
 */
public record Fork(String sourceRunId, int fromStep, @JsonInclude(JsonInclude.Include.NON_NULL) Payload input,
                   List<ReusedStep> reused) {

    public Fork {
        reused = reused == null ? List.of() : List.copyOf(reused);
    }

    /**
     * One step's output taken over from a run.
     *
     * @param sourceRunId             the run whose output it is
     * @param sourceDefinitionVersion the version of the workflow's definition that run executed
     */
    public record ReusedStep(int stepOrder, Payload output, String sourceRunId,
                             @JsonInclude(JsonInclude.Include.NON_NULL) Long sourceDefinitionVersion) {
    }
}
