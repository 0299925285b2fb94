package dev.agentflow.schemas.run;

import dev.agentflow.schemas.payload.Payload;
import java.util.List;

/**
 * The run's own completed steps before a request's step, as many as travel with it (the latest,
 * within {@code Limits.earlierStepsCarried()}): an agent that tells its model what happened before
 * needs no other store for them. Steps before {@code first} are told by the session store.
 *
 * @param first the order of the first step of {@code steps} (1 when every earlier step travels)
 * @param input that step's input (the run's input when {@code first} is 1)
 * @param steps the steps {@code first}, {@code first + 1}, ... up to the one before the request's, in order
 */
public record EarlierSteps(int first, Payload input, List<EarlierStep> steps) {

    public EarlierSteps {
        steps = steps == null ? List.of() : List.copyOf(steps);
    }

    /**
     * One completed step: the agent and instruction of the run's snapshot, and its output (the
     * agent's answer, or what an operator approved).
     */
    public record EarlierStep(String agentId, String action, Payload output) {
    }
}
