package dev.agentflow.schemas.agent;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * An agent as {@code GET /api/v1/agents} shows it: never a secret.
 *
 * @param id          what steps name in {@code agentId}
 * @param name        a human name
 * @param description what it does
 * @param type        {@code builtin}, {@code openai} or {@code http}
 * @param model       the model, for LLM agents
 * @param tools       names of the tools it may call
 * @param approvalTools names of those tools that are never called: a call pauses the run for an operator
 */
@JsonPropertyOrder({"id", "agentId", "name", "description", "type", "model", "tools", "approvalTools"})
public record AgentDescriptor(String id, String name, String description, String type, String model,
                              List<String> tools, List<String> approvalTools) {

    public AgentDescriptor {
        tools = tools == null ? List.of() : List.copyOf(tools);
        approvalTools = approvalTools == null ? List.of() : List.copyOf(approvalTools);
    }

    /** An agent none of whose tools needs approval. */
    public AgentDescriptor(String id, String name, String description, String type, String model,
                           List<String> tools) {
        this(id, name, description, type, model, tools, List.of());
    }

    /** {@link #id()} under the name the Agent Manager's own clients read. */
    @JsonProperty("agentId")
    public String agentId() {
        return id;
    }
}
