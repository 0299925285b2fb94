package dev.agentflow.api.web;

import dev.agentflow.schemas.agent.AgentCatalog;
import dev.agentflow.schemas.agent.AgentDescriptor;
import dev.agentflow.web.ApiException;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The registered agents (never a secret), at {@code /api/v1/agents} and at {@code /api/agents}, where
 * the Agent Manager's own web UI reads them ({@code ?includeInactive=false}: every agent here is
 * active, and query parameters this API does not know are ignored).
 */
@RestController
@RequestMapping({"/api/v1/agents", "/api/agents"})
public class AgentController {

    private final AgentCatalog agents;

    public AgentController(AgentCatalog agents) {
        this.agents = agents;
    }

    @GetMapping
    public List<AgentDescriptor> list() {
        return agents.all();
    }

    @GetMapping("/{agentId}")
    public AgentDescriptor get(@PathVariable String agentId) {
        return agents.find(agentId).orElseThrow(() -> ApiException.notFound("agentId",
                "Agent " + agentId + " not found"));
    }
}
