package dev.agentflow.views;

import dev.agentflow.web.ApiException;

/** The 404 problems of the workflow API, the same whichever side (write or read) finds nothing. */
public final class NotFound {

    private NotFound() {
    }

    public static ApiException workflow(String workflowId) {
        return ApiException.notFound("workflowId", "Workflow " + workflowId + " not found");
    }

    public static ApiException step(String workflowId, String stepId) {
        return ApiException.notFound("stepId", "Step " + stepId + " not found in workflow " + workflowId);
    }

    public static ApiException version(String workflowId, String version) {
        return ApiException.notFound("version", "Workflow " + workflowId + " has no definition version "
                + (version.length() > 40 ? version.substring(0, 40) + "…" : version));
    }

    public static ApiException run(String runId) {
        return ApiException.notFound("runId", "Run " + runId + " not found");
    }
}
