package dev.agentflow.projection.query;

import dev.agentflow.runtime.spring.ConditionalOnService;
import dev.agentflow.schemas.run.RunStatus;
import dev.agentflow.views.NotFound;
import dev.agentflow.web.ApiException;
import dev.agentflow.web.PageRequest;
import java.util.Arrays;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Run history, one run, and the operators' inbox. */
@RestController
@ConditionalOnService({"projection-service", "command-api"})
@RequestMapping("/api/v1/workflows")
public class RunQueryController {

    private final RunQueries runs;
    private final RunDetails details;
    private final WorkflowQueries workflows;

    public RunQueryController(RunQueries runs, RunDetails details, WorkflowQueries workflows) {
        this.runs = runs;
        this.details = details;
        this.workflows = workflows;
    }

    @GetMapping("/{workflowId}/runs")
    public Page<RunSummary> forWorkflow(@PathVariable String workflowId,
                                        @RequestParam(required = false) String status,
                                        @RequestParam(required = false) String page,
                                        @RequestParam(required = false) String size) {
        PageRequest request = PageRequest.parse(page, size);
        RunStatus inStatus = parseStatus(status);
        Page<RunSummary> result = runs.forWorkflow(workflowId, inStatus, request.page(), request.size())
                .map(RunSummary::of);
        if (result.totalElements() == 0 && workflows.findAny(workflowId).isEmpty()) {
            throw NotFound.workflow(workflowId);
        }
        return result;
    }

    /**
     * Every workflow's runs, oldest first (the inbox: {@code status=PAUSED}) or, with
     * {@code order=newest}, newest first.
     */
    @GetMapping("/runs")
    public Page<RunSummary> inbox(@RequestParam(required = false) String status,
                                  @RequestParam(required = false) String order,
                                  @RequestParam(required = false) String page,
                                  @RequestParam(required = false) String size) {
        PageRequest request = PageRequest.parse(page, size);
        return runs.byStatus(parseStatus(status), newestFirst(order), request.page(), request.size())
                .map(RunSummary::of);
    }

    private static boolean newestFirst(String order) {
        if (order == null || order.isBlank() || order.trim().equalsIgnoreCase("oldest")) {
            return false;
        }
        if (order.trim().equalsIgnoreCase("newest")) {
            return true;
        }
        throw ApiException.badRequest("order", "must be newest or oldest");
    }

    @GetMapping("/runs/{runId}")
    public RunDetail get(@PathVariable String runId) {
        return runs.findSurely(runId, () -> details.find(runId)).orElseThrow(() -> NotFound.run(runId));
    }

    private static RunStatus parseStatus(String status) {
        if (status == null || status.isBlank()) {
            return null;
        }
        try {
            return RunStatus.valueOf(status.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("status", "must be one of " + Arrays.toString(RunStatus.values()));
        }
    }
}
