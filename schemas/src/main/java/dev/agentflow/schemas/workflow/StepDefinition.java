package dev.agentflow.schemas.workflow;

import java.util.Map;

/**
 * One step of a workflow.
 *
 * @param id        the step's id ({@code step-…})
 * @param agentId   the agent the step invokes
 * @param action    the prompt or instruction sent to the agent
 * @param stepOrder the step's position, 1..n
 * @param config    per-step options (for example {@code maxAttempts}, {@code timeoutMs}); may be empty
 */
public record StepDefinition(String id, String agentId, String action, int stepOrder, Map<String, Object> config) {

    public StepDefinition {
        config = config == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(config));
    }

    public StepDefinition atOrder(int order) {
        return new StepDefinition(id, agentId, action, order, config);
    }
}
