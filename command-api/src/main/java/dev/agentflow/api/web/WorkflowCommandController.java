package dev.agentflow.api.web;

import dev.agentflow.projection.query.WorkflowDetail;
import dev.agentflow.projection.query.WorkflowQueries;
import dev.agentflow.projection.query.WorkflowQueryController;
import dev.agentflow.projection.query.WorkflowSummary;
import dev.agentflow.projection.view.WorkflowView;
import dev.agentflow.schemas.agent.AgentCatalog;
import dev.agentflow.schemas.domain.Ids;
import dev.agentflow.schemas.envelope.CommandReply;
import dev.agentflow.schemas.kafka.Topics;
import dev.agentflow.schemas.workflow.StepDefinition;
import dev.agentflow.schemas.workflow.WorkflowCommand;
import dev.agentflow.web.ApiException;
import dev.agentflow.web.ConditionalOnService;
import dev.agentflow.web.FieldError;
import dev.agentflow.web.JsonBody;
import dev.agentflow.web.PathIds;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Every workflow-definition write. Each checks the request's syntax, writes one command, waits
 * for the decider's reply, then waits until the views show the result (read-your-writes) and
 * answers from them.
 */
@RestController
@ConditionalOnService("command-api")
@RequestMapping("/api/v1/workflows")
public class WorkflowCommandController {

    public static final int MAX_NAME = dev.agentflow.api.workflow.domain.WorkflowDecider.MAX_NAME;
    public static final int MAX_DESCRIPTION = 4000;
    public static final int MAX_AGENT_ID = 100;
    public static final int MAX_ACTION = 200_000;

    private final CommandExecutor commands;
    private final WorkflowQueries queries;
    private final Topics topics;
    private final AgentCatalog agents;

    public WorkflowCommandController(CommandExecutor commands, WorkflowQueries queries, Topics topics,
                                     AgentCatalog agents) {
        this.commands = commands;
        this.queries = queries;
        this.topics = topics;
        this.agents = agents;
    }

    @PostMapping
    public ResponseEntity<WorkflowSummary> create(@RequestBody(required = false) byte[] body) {
        JsonBody json = JsonBody.parse(body, false);
        String name = json.requiredString("name", MAX_NAME);
        String description = json.optionalString("description", MAX_DESCRIPTION);
        json.validate();
        String id = Ids.workflowId();
        WorkflowView view = execute(new WorkflowCommand.CreateWorkflow(id, name, description, null, List.of()));
        return ResponseEntity.created(URI.create("/api/v1/workflows/" + id)).body(WorkflowSummary.of(view));
    }

    @PatchMapping("/{id}")
    public WorkflowSummary update(@PathVariable String id, @RequestBody(required = false) byte[] body) {
        requireId(id);
        JsonBody json = JsonBody.parse(body, false);
        String name = json.has("name") ? json.requiredString("name", MAX_NAME) : null;
        String description = json.optionalString("description", MAX_DESCRIPTION);
        json.validate();
        return WorkflowSummary.of(execute(new WorkflowCommand.UpdateWorkflow(id, name, json.has("description"),
                description)));
    }

    @DeleteMapping("/{id}")
    public ResponseEntity<Void> delete(@PathVariable String id) {
        requireId(id);
        execute(new WorkflowCommand.DeleteWorkflow(id));
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/{id}/steps")
    public ResponseEntity<StepDefinition> addStep(@PathVariable String id,
                                                  @RequestBody(required = false) byte[] body) {
        requireId(id);
        JsonBody json = JsonBody.parse(body, false);
        String agentId = json.requiredString("agentId", MAX_AGENT_ID);
        String action = json.requiredString("action", MAX_ACTION);
        Integer stepOrder = json.optionalInt("stepOrder", 1);
        Map<String, Object> config = json.optionalObject("config");
        json.validate();
        if (!agents.contains(agentId)) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "Agent " + agentId + " is not registered; "
                    + "GET /api/v1/agents lists the agents",
                    List.of(new FieldError("agentId", "no agent '" + agentId + "' is registered")));
        }
        String stepId = Ids.stepId();
        WorkflowView view = execute(new WorkflowCommand.AddStep(id, stepId, agentId, action, stepOrder, config));
        StepDefinition step = view.steps().stream().filter(s -> s.id().equals(stepId)).findFirst()
                .orElseThrow(() -> new IllegalStateException("Step " + stepId + " missing from the view"));
        return ResponseEntity.created(URI.create("/api/v1/workflows/" + id + "/steps/" + stepId)).body(step);
    }

    @DeleteMapping("/{id}/steps/{stepId}")
    public ResponseEntity<Void> removeStep(@PathVariable String id, @PathVariable String stepId) {
        requireId(id);
        if (!PathIds.plausible(stepId)) {
            throw ApiException.notFound("stepId", "Step " + stepId + " not found in workflow " + id);
        }
        execute(new WorkflowCommand.RemoveStep(id, stepId));
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/{id}/clone")
    public ResponseEntity<WorkflowDetail> cloneWorkflow(@PathVariable String id) {
        requireId(id);
        String cloneId = Ids.workflowId();
        WorkflowView clone = execute(new WorkflowCommand.CloneWorkflow(id, cloneId));
        return ResponseEntity.created(URI.create("/api/v1/workflows/" + cloneId)).body(WorkflowDetail.of(clone));
    }

    private static void requireId(String id) {
        if (!PathIds.plausible(id)) {
            throw WorkflowQueryController.notFound(id);
        }
    }

    /** Sends the command and returns the view once it shows the result. */
    private WorkflowView execute(WorkflowCommand command) {
        CommandReply reply = commands.submit(topics.workflowCommands(), Topics.WORKFLOW_COMMANDS, Ids.jobId(),
                command.workflowId(), command);
        commands.awaitView(queries.whenApplied(reply.aggregateId(), reply.version()));
        return queries.findAny(reply.aggregateId())
                .orElseThrow(() -> new IllegalStateException("View " + reply.aggregateId() + " missing"));
    }
}
