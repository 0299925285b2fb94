package dev.agentflow.api.web;

import dev.agentflow.api.workflow.domain.WorkflowDecider;
import dev.agentflow.runtime.payload.PayloadStore;
import dev.agentflow.runtime.spring.ConditionalOnService;
import dev.agentflow.schemas.domain.Ids;
import dev.agentflow.schemas.envelope.CommandReply;
import dev.agentflow.schemas.envelope.Idempotency;
import dev.agentflow.schemas.envelope.Rejection;
import dev.agentflow.schemas.kafka.Topics;
import dev.agentflow.schemas.limits.Limits;
import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.json.Json;
import dev.agentflow.schemas.run.Fork;
import dev.agentflow.schemas.run.RunCommand;
import dev.agentflow.schemas.workflow.StepDefinition;
import dev.agentflow.views.NotFound;
import dev.agentflow.views.ReadYourWrites;
import dev.agentflow.views.WorkflowDetail;
import dev.agentflow.views.RunOutputs;
import dev.agentflow.views.WorkflowVersion;
import dev.agentflow.web.ApiException;
import dev.agentflow.web.JsonBody;
import dev.agentflow.web.PathIds;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Start, resume and cancel runs. A start answers 202 once its {@code StartRun} is written (one
 * durable write, checked against the workflow as this instance's views show it); with an
 * {@code Idempotency-Key}, once the run decider has claimed the key for it (or answered a repeat
 * with the first start's ids: see {@link IdempotencyKeys}); resume and cancel
 * answer once the run's view shows the change.
 */
@RestController
@ConditionalOnService("command-api")
@RequestMapping("/api/v1/workflows")
public class RunCommandController {

    private static final Pattern SESSION = Pattern.compile("[A-Za-z0-9._:-]{1,200}");

    private final CommandExecutor commands;
    private final ReadYourWrites views;
    private final Topics topics;
    private final PayloadStore payloads;
    private final Limits limits;
    private final IdempotencyKeys keys;

    public RunCommandController(CommandExecutor commands, ReadYourWrites views, Topics topics, PayloadStore payloads,
                                Limits limits, IdempotencyKeys keys) {
        this.keys = keys;
        this.commands = commands;
        this.views = views;
        this.topics = topics;
        this.payloads = payloads;
        this.limits = limits;
    }

    public record RunStarted(String jobId, String workflowId, String sessionId, String runId) {
    }

    public record RunAccepted(String jobId, String runId) {
    }

    @PostMapping("/{id}/run")
    public ResponseEntity<RunStarted> run(@PathVariable String id, @RequestBody(required = false) byte[] body,
                                          @RequestHeader(name = IdempotencyKeys.HEADER, required = false)
                                          String idempotencyKey) {
        if (!PathIds.plausible(id)) {
            throw NotFound.workflow(id);
        }
        JsonBody json = JsonBody.parse(body, false);
        String input = json.requiredText("input", Integer.MAX_VALUE);
        String sessionId = sessionId(json);
        Integer definitionVersion = json.optionalInt("definitionVersion", 1);
        json.validate();
        // the definition as this instance's views show it; a refusal only once they have read every
        // change written before (a workflow created or given steps through another instance just now)
        Optional<WorkflowDetail> seen = views.liveWorkflow(id, false);
        if (seen.isEmpty() || refusal(id, seen.get().steps(), limits) != null) {
            seen = views.liveWorkflow(id, true);
        }
        WorkflowDetail workflow = seen.orElseThrow(() -> NotFound.workflow(id));
        long latest = workflow.definitionVersion();
        long version = latest;
        List<StepDefinition> steps = workflow.steps();
        if (definitionVersion != null && definitionVersion != latest) {
            WorkflowVersion earlier = views.workflowVersion(id, definitionVersion, false)
                    .or(() -> views.workflowVersion(id, definitionVersion, true))
                    .orElseThrow(() -> ApiException.unprocessable("definitionVersion", "Workflow " + id
                            + " has no definition version " + definitionVersion + "; its latest is " + latest));
            version = earlier.definitionVersion();
            steps = earlier.steps();
        }
        Rejection refused = refusal(id, steps, limits);
        if (refused != null) {
            throw CommandExecutor.rejected(refused);
        }
        String session = sessionId != null ? sessionId : Ids.sessionId();
        String runId = Ids.runId();
        String jobId = Ids.jobId();
        Idempotency claim = keys.claim(idempotencyKey, "POST /api/v1/workflows/" + id + "/run",
                Map.of("aggregateId", runId, "runId", runId, "jobId", jobId, "sessionId", session), input, sessionId,
                definitionVersion == null ? null : definitionVersion.toString());
        Payload payload = commands.payload(payloads, "input", input);
        RunCommand.StartRun start = new RunCommand.StartRun(runId, id, session, payload, steps, version);
        if (claim == null) {
            commands.write(topics.runCommands(), Topics.RUN_COMMANDS, jobId, runId, start);
            return ResponseEntity.accepted().location(URI.create("/api/v1/workflows/runs/" + runId))
                    .body(new RunStarted(jobId, id, session, runId));
        }
        // the decider holds the key: the first start under it is written once, a repeat gets its ids
        CommandReply reply = commands.submit(topics.runCommands(), Topics.RUN_COMMANDS, jobId, runId, start, claim);
        Map<String, String> first = reply.answer();
        return IdempotencyKeys.replayed(ResponseEntity.accepted(), reply)
                .location(URI.create("/api/v1/workflows/runs/" + first.get("runId")))
                .body(new RunStarted(first.get("jobId"), id, first.get("sessionId"), first.get("runId")));
    }

    /** The request's {@code sessionId}, or null. */
    private static String sessionId(JsonBody json) {
        String sessionId = json.optionalString("sessionId", 200);
        if (sessionId != null && !SESSION.matcher(sessionId).matches()) {
            throw ApiException.badRequest("sessionId", "may hold only letters, digits and . _ : -");
        }
        return sessionId;
    }

    /** Why the workflow cannot run, or null. */
    private static Rejection refusal(String workflowId, List<StepDefinition> steps, Limits limits) {
        if (steps.isEmpty()) {
            return Rejection.unprocessable("steps", "Workflow " + workflowId + " has no steps to run; add a step first");
        }
        // a workflow defined before the limits (or under larger ones) could make a run's records too large
        return WorkflowDecider.checkDefinition(steps, limits, "steps");
    }

    @PostMapping("/runs/{runId}/resume")
    public ResponseEntity<RunAccepted> resume(@PathVariable String runId, @RequestBody(required = false) byte[] body) {
        requireRunId(runId);
        JsonBody json = JsonBody.parse(body, false);
        String output = json.requiredText("output", Integer.MAX_VALUE);
        json.validate();
        return send(runId, new RunCommand.ResumeRun(runId, commands.payload(payloads, "output", output)));
    }

    /** Cancel a run (reject its approval request), with an optional {@code reason}. */
    @PostMapping("/runs/{runId}/cancel")
    public ResponseEntity<RunAccepted> cancel(@PathVariable String runId,
                                              @RequestBody(required = false) byte[] body) {
        requireRunId(runId);
        JsonBody json = JsonBody.parse(body, true);
        String reason = json.optionalString("reason", RunCommand.CancelRun.MAX_REASON);
        json.validate();
        return send(runId, new RunCommand.CancelRun(runId, reason == null || reason.isBlank() ? null : reason));
    }

    /**
     * Fork a run: a new run of the source's workflow, on {@code definitionVersion} (default: the
     * source's), that takes over the source's outputs of the steps before {@code fromStep} as its own
     * (no agent is called for them) and executes from {@code fromStep}, with {@code input} as that
     * step's input when given. Answered like a start, once its StartRun is written.
     */
    @PostMapping("/runs/{runId}/fork")
    public ResponseEntity<RunStarted> fork(@PathVariable String runId, @RequestBody(required = false) byte[] body) {
        requireRunId(runId);
        JsonBody json = JsonBody.parse(body, false);
        Integer fromStep = json.requiredInt("fromStep", 1);
        String input = json.has("input") ? json.requiredText("input", Integer.MAX_VALUE) : null;
        Integer definitionVersion = json.optionalInt("definitionVersion", 1);
        String sessionId = sessionId(json);
        json.validate();
        RunOutputs source = views.runOutputs(runId).orElseThrow(() -> NotFound.run(runId));
        Long version = definitionVersion != null ? Long.valueOf(definitionVersion) : source.definitionVersion();
        if (version == null) {
            throw ApiException.unprocessable("definitionVersion", "Run " + runId + " started before workflow"
                    + " definitions had versions; say which definitionVersion the fork runs");
        }
        String workflowId = source.workflowId();
        WorkflowVersion target = views.workflowVersion(workflowId, version, false)
                .or(() -> views.workflowVersion(workflowId, version, true))
                .orElseThrow(() -> ApiException.unprocessable("definitionVersion", "Workflow " + workflowId
                        + " has no definition version " + version + (views.liveWorkflow(workflowId, false).isEmpty()
                        ? " (it was deleted)" : "")));
        if (fromStep > target.steps().size()) {
            throw ApiException.unprocessable("fromStep", "Version " + version + " of workflow " + workflowId + " has "
                    + target.steps().size() + " step(s); a fork executes from one of them");
        }
        List<Fork.ReusedStep> reused = new ArrayList<>();
        long reusedBytes = 0;
        for (int step = 1; step < fromStep; step++) {
            Payload output = source.output(step);
            if (output == null) {
                throw ApiException.unprocessable("fromStep", "Step " + step + " of run " + runId + " has no output"
                        + " to take over (the run is " + source.status() + "); fork from step " + step + " or before");
            }
            reusedBytes += Json.mapper().writeValueAsBytes(output).length;
            reused.add(new Fork.ReusedStep(step, output, runId, source.definitionVersion()));
        }
        if (reusedBytes > limits.earlierStepsBytes()) {
            throw ApiException.unprocessable("fromStep", "The outputs of steps 1 to " + (fromStep - 1) + " take "
                    + reusedBytes + " bytes, over the " + limits.earlierStepsBytes() + " one record carries; fork"
                    + " from an earlier step");
        }
        Rejection refused = refusal(workflowId, target.steps(), limits);
        if (refused != null) {
            throw CommandExecutor.rejected(refused);
        }
        Payload replaced = input == null ? null : commands.payload(payloads, "input", input);
        String session = sessionId != null ? sessionId : Ids.sessionId();
        String forkId = Ids.runId();
        String jobId = Ids.jobId();
        commands.write(topics.runCommands(), Topics.RUN_COMMANDS, jobId, forkId, new RunCommand.StartRun(forkId,
                workflowId, session, source.input(), target.steps(), version,
                new Fork(runId, fromStep, replaced, reused)));
        return ResponseEntity.accepted().location(URI.create("/api/v1/workflows/runs/" + forkId))
                .body(new RunStarted(jobId, workflowId, session, forkId));
    }

    /**
     * Go on with a FAILED or CANCELLED run from the step where it stopped, with a fresh attempt count;
     * the steps before it are not invoked again. 409 for a run in any other status.
     */
    @PostMapping("/runs/{runId}/retry")
    public ResponseEntity<RunAccepted> retry(@PathVariable String runId) {
        requireRunId(runId);
        return send(runId, new RunCommand.RetryRun(runId));
    }

    /**
     * Cancel as the Agent Manager's own clients do it: the same command as {@code POST …/cancel},
     * answered 204 once the run's view shows it CANCELLED. The run and its history stay readable.
     */
    @DeleteMapping("/runs/{runId}")
    public ResponseEntity<Void> cancelByDelete(@PathVariable String runId) {
        requireRunId(runId);
        apply(runId, new RunCommand.CancelRun(runId), Ids.jobId());
        return ResponseEntity.noContent().build();
    }

    private ResponseEntity<RunAccepted> send(String runId, RunCommand command) {
        String jobId = Ids.jobId();
        apply(runId, command, jobId);
        return ResponseEntity.accepted().location(URI.create("/api/v1/workflows/runs/" + runId))
                .body(new RunAccepted(jobId, runId));
    }

    private void apply(String runId, RunCommand command, String jobId) {
        CommandReply reply = commands.submit(topics.runCommands(), Topics.RUN_COMMANDS, jobId, runId, command);
        commands.awaitView(views.runApplied(reply.aggregateId(), reply.version()));
    }

    private static void requireRunId(String runId) {
        if (!PathIds.plausible(runId)) {
            throw NotFound.run(runId);
        }
    }
}
