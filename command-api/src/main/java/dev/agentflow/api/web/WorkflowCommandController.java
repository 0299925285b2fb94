package dev.agentflow.api.web;

import dev.agentflow.runtime.spring.ConditionalOnService;
import dev.agentflow.schemas.agent.AgentCatalog;
import dev.agentflow.schemas.domain.Ids;
import dev.agentflow.schemas.envelope.CommandReply;
import dev.agentflow.schemas.envelope.Idempotency;
import dev.agentflow.schemas.kafka.Topics;
import dev.agentflow.schemas.workflow.StepDefinition;
import dev.agentflow.schemas.workflow.Steps;
import dev.agentflow.schemas.workflow.WorkflowCommand;
import dev.agentflow.views.NotFound;
import dev.agentflow.views.ReadYourWrites;
import dev.agentflow.views.WorkflowDetail;
import dev.agentflow.views.WorkflowSummary;
import dev.agentflow.web.ApiException;
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
import org.springframework.web.bind.annotation.RequestHeader;
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
    private final ReadYourWrites views;
    private final Topics topics;
    private final AgentCatalog agents;
    private final IdempotencyKeys keys;

    public WorkflowCommandController(CommandExecutor commands, ReadYourWrites views, Topics topics,
                                     AgentCatalog agents, IdempotencyKeys keys) {
        this.keys = keys;
        this.commands = commands;
        this.views = views;
        this.topics = topics;
        this.agents = agents;
    }

    @PostMapping
    public ResponseEntity<WorkflowSummary> create(@RequestBody(required = false) byte[] body,
                                                  @RequestHeader(name = IdempotencyKeys.HEADER, required = false)
                                                  String idempotencyKey) {
        JsonBody json = JsonBody.parse(body, false);
        String name = json.requiredString("name", MAX_NAME);
        String description = json.optionalString("description", MAX_DESCRIPTION);
        json.validate();
        String id = Ids.workflowId();
        String jobId = Ids.jobId();
        Idempotency claim = keys.claim(idempotencyKey, "POST /api/v1/workflows",
                Map.of("aggregateId", id, "workflowId", id, "jobId", jobId), name, description);
        CommandReply reply = commands.submit(topics.workflowCommands(), Topics.WORKFLOW_COMMANDS, jobId, id,
                new WorkflowCommand.CreateWorkflow(id, name, description, null, List.of()), claim);
        // a repeat's workflow is the first one's, created at version 1 (its view may be newer now)
        String created = reply.repeat() ? reply.answer().get("workflowId") : id;
        commands.awaitView(views.workflowApplied(created, reply.repeat() ? 1 : reply.version()));
        WorkflowDetail view = views.workflow(created).orElseThrow(() -> NotFound.workflow(created));
        return IdempotencyKeys.replayed(ResponseEntity.created(URI.create("/api/v1/workflows/" + created)), reply)
                .body(WorkflowSummary.of(view));
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
        String action = action(json.optionalString("action", MAX_ACTION));
        Integer stepOrder = stepOrder(json);
        Map<String, Object> config = json.optionalObject("config");
        json.validate();
        requireAgent(agentId);
        String stepId = Ids.stepId();
        WorkflowDetail view = execute(new WorkflowCommand.AddStep(id, stepId, agentId, action, stepOrder, config));
        return ResponseEntity.created(URI.create("/api/v1/workflows/" + id + "/steps/" + stepId))
                .body(step(view, stepId));
    }

    /**
     * Changes the fields present: {@code stepOrder} moves the step (the others keep their order,
     * numbered 1..n again), {@code agentId}, {@code action} ({@code null} clears it) and
     * {@code config} ({@code null} empties it). Answers the step as it is afterwards.
     */
    @PatchMapping("/{id}/steps/{stepId}")
    public StepDefinition updateStep(@PathVariable String id, @PathVariable String stepId,
                                     @RequestBody(required = false) byte[] body) {
        requireId(id);
        requireStepId(id, stepId);
        JsonBody json = JsonBody.parse(body, false);
        String agentId = json.has("agentId") ? json.requiredString("agentId", MAX_AGENT_ID) : null;
        String action = json.has("action") ? action(json.optionalString("action", MAX_ACTION)) : null;
        Integer stepOrder = stepOrder(json);
        Map<String, Object> config = json.has("config") ? json.optionalObject("config") : null;
        json.validate();
        if (agentId != null) {
            requireAgent(agentId);
        }
        return step(execute(new WorkflowCommand.UpdateStep(id, stepId, stepOrder, agentId, action, config)), stepId);
    }

    @DeleteMapping("/{id}/steps/{stepId}")
    public ResponseEntity<Void> removeStep(@PathVariable String id, @PathVariable String stepId) {
        requireId(id);
        requireStepId(id, stepId);
        execute(new WorkflowCommand.RemoveStep(id, stepId));
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/{id}/clone")
    public ResponseEntity<WorkflowDetail> cloneWorkflow(@PathVariable String id) {
        requireId(id);
        String cloneId = Ids.workflowId();
        WorkflowDetail clone = execute(new WorkflowCommand.CloneWorkflow(id, cloneId));
        return ResponseEntity.created(URI.create("/api/v1/workflows/" + cloneId)).body(clone);
    }

    private static void requireId(String id) {
        if (!PathIds.plausible(id)) {
            throw NotFound.workflow(id);
        }
    }

    private static void requireStepId(String id, String stepId) {
        if (!PathIds.plausible(stepId)) {
            throw NotFound.step(id, stepId);
        }
    }

    private void requireAgent(String agentId) {
        if (!agents.contains(agentId)) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "Agent " + agentId + " is not registered; "
                    + "GET /api/v1/agents lists the agents",
                    List.of(new FieldError("agentId", "no agent '" + agentId + "' is registered")));
        }
    }

    /** An absent, null or blank action is the empty instruction: the agent gets only the input. */
    private static String action(String action) {
        return action == null || action.isBlank() ? "" : action;
    }

    /** {@code stepOrder}, where 0 (what the Agent Manager's SDK sends) is the same as leaving it out. */
    private static Integer stepOrder(JsonBody json) {
        Integer order = json.optionalInt("stepOrder", 0);
        return order == null || order == 0 ? null : order;
    }

    private static StepDefinition step(WorkflowDetail view, String stepId) {
        return Steps.find(view.steps(), stepId)
                .orElseThrow(() -> new IllegalStateException("Step " + stepId + " missing from the view"));
    }

    /** Sends the command and returns the view once it shows the result. */
    private WorkflowDetail execute(WorkflowCommand command) {
        CommandReply reply = commands.submit(topics.workflowCommands(), Topics.WORKFLOW_COMMANDS, Ids.jobId(),
                command.workflowId(), command);
        commands.awaitView(views.workflowApplied(reply.aggregateId(), reply.version()));
        return views.workflow(reply.aggregateId())
                .orElseThrow(() -> new IllegalStateException("View " + reply.aggregateId() + " missing"));
    }
}
