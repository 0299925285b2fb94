package dev.agentflow.projection.query;

import dev.agentflow.projection.view.RunView;
import dev.agentflow.runtime.spring.ConditionalOnService;
import dev.agentflow.views.NotFound;
import dev.agentflow.web.ApiException;
import dev.agentflow.web.PageRequest;
import dev.agentflow.web.PathIds;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.JsonNode;

/**
 * The event history of a workflow or a run (the envelopes as on the event topics, by version), and
 * live Server-Sent Events streams of a run and of every run of a workflow.
 */
@RestController
@ConditionalOnService({"projection-service", "command-api"})
@RequestMapping("/api/v1/workflows")
public class EventController {

    private static final String LAST_EVENT_ID = "Last-Event-ID";

    private final EventHistory history;
    private final EventStreams streams;
    private final RunQueries runs;
    private final WorkflowQueries workflows;

    public EventController(EventHistory history, EventStreams streams, RunQueries runs, WorkflowQueries workflows) {
        this.history = history;
        this.streams = streams;
        this.runs = runs;
        this.workflows = workflows;
    }

    /** A deleted workflow's history stays readable: it ends with WorkflowDeleted. */
    @GetMapping("/{workflowId}/events")
    public Page<JsonNode> workflowEvents(@PathVariable String workflowId, @RequestParam(required = false) String page,
                                         @RequestParam(required = false) String size) {
        PageRequest request = PageRequest.parse(page, size);
        return history.ofWorkflow(plausible(workflowId, true), request.page(), request.size())
                .orElseThrow(() -> NotFound.workflow(workflowId));
    }

    @GetMapping("/runs/{runId}/events")
    public Page<JsonNode> runEvents(@PathVariable String runId, @RequestParam(required = false) String page,
                                    @RequestParam(required = false) String size) {
        PageRequest request = PageRequest.parse(page, size);
        return history.ofRun(plausible(runId, false), request.page(), request.size())
                // a run shown from its StartRun has no event yet
                .or(() -> runs.findSurely(runId, () -> runs.find(runId))
                        .map(run -> Page.<JsonNode>of(List.of(), request.page(), request.size())))
                .orElseThrow(() -> NotFound.run(runId));
    }

    /** 204 (which tells an EventSource to stop reconnecting) once the client has every event of a finished run. */
    @GetMapping("/runs/{runId}/stream")
    public ResponseEntity<SseEmitter> streamRun(@PathVariable String runId,
                                                @RequestHeader(name = LAST_EVENT_ID, required = false) String last) {
        String id = plausible(runId, false);
        RunView run = runs.findSurely(id, () -> runs.find(id)).orElseThrow(() -> NotFound.run(runId));
        StreamCursor.RunVersion cursor;
        try {
            cursor = StreamCursor.RunVersion.parse(last);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(LAST_EVENT_ID, e.getMessage());
        }
        if (run.status().isFinal() && cursor.version() >= run.version()) {
            return ResponseEntity.noContent().build();
        }
        return ResponseEntity.ok(streams.run(runId, cursor));
    }

    /** Runs of a deleted workflow go on, and so does this stream. */
    @GetMapping("/{workflowId}/runs/stream")
    public SseEmitter streamWorkflowRuns(@PathVariable String workflowId,
                                         @RequestHeader(name = LAST_EVENT_ID, required = false) String last) {
        workflows.findAny(plausible(workflowId, true)).orElseThrow(() -> NotFound.workflow(workflowId));
        PartitionOffsets seen;
        try {
            seen = PartitionOffsets.parse(last);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(LAST_EVENT_ID, e.getMessage());
        }
        return streams.workflowRuns(workflowId, seen);
    }

    private static String plausible(String id, boolean workflow) {
        if (!PathIds.plausible(id)) {
            throw workflow ? NotFound.workflow(id) : NotFound.run(id);
        }
        return id;
    }
}
