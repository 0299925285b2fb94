package dev.agentflow.views;

import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.run.RunStatus;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a fork takes over from a run: its input and its steps' outputs.
 *
 * @param definitionVersion the version of the workflow's definition it executed (null for runs from
 *                          before versions were numbered)
 * @param outputs           the output of step {@code i + 1} at index {@code i}, null for a step without one
 */
public record RunOutputs(String runId, String workflowId, RunStatus status, Long definitionVersion, Payload input,
                         List<Payload> outputs) {

    public RunOutputs {
        outputs = Collections.unmodifiableList(new ArrayList<>(outputs)); // holds nulls
    }

    /** Step {@code stepOrder}'s output, or null when it has none. */
    public Payload output(int stepOrder) {
        return stepOrder >= 1 && stepOrder <= outputs.size() ? outputs.get(stepOrder - 1) : null;
    }
}
