package dev.agentflow.processor.agent;

import dev.agentflow.schemas.run.AgentRequest;
import org.slf4j.MDC;

/**
 * The run, workflow and step of an agent call in the logging context (MDC) while it is open, so
 * every log line about the call carries them (structured logs show them as fields).
 */
final class RunLogContext implements AutoCloseable {

    static final String RUN = "runId";
    static final String WORKFLOW = "workflowId";
    static final String STEP = "step";

    private RunLogContext() {
    }

    static RunLogContext of(AgentRequest request) {
        MDC.put(RUN, request.runId());
        if (request.workflowId() != null) {
            MDC.put(WORKFLOW, request.workflowId());
        }
        MDC.put(STEP, Integer.toString(request.stepOrder()));
        return new RunLogContext();
    }

    @Override
    public void close() {
        MDC.remove(RUN);
        MDC.remove(WORKFLOW);
        MDC.remove(STEP);
    }
}
