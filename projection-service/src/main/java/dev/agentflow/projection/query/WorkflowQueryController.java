package dev.agentflow.projection.query;

import dev.agentflow.projection.view.WorkflowView;
import dev.agentflow.runtime.spring.ConditionalOnService;
import dev.agentflow.schemas.workflow.StepDefinition;
import dev.agentflow.schemas.workflow.Steps;
import dev.agentflow.views.NotFound;
import dev.agentflow.views.WorkflowDetail;
import dev.agentflow.views.WorkflowSummary;
import dev.agentflow.views.WorkflowVersion;
import dev.agentflow.web.ApiException;
import dev.agentflow.web.PageRequest;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Every workflow GET, served from the projection's views. */
@RestController
@ConditionalOnService({"projection-service", "command-api"})
@RequestMapping("/api/v1/workflows")
public class WorkflowQueryController {

    private final WorkflowQueries queries;

    public WorkflowQueryController(WorkflowQueries queries) {
        this.queries = queries;
    }

    /** Live workflows, newest first; with {@code q}, those whose name or description contains it. */
    @GetMapping
    public Page<WorkflowSummary> list(@RequestParam(required = false) String q,
                                      @RequestParam(required = false) String page,
                                      @RequestParam(required = false) String size) {
        PageRequest request = PageRequest.parse(page, size);
        if (q != null && q.length() > 200) {
            throw ApiException.badRequest("q", "at most 200 characters");
        }
        Page<WorkflowView> found = q == null || q.isBlank() ? queries.page(request.page(), request.size())
                : queries.search(q.trim(), request.page(), request.size());
        return found.map(v -> WorkflowSummary.of(WorkflowQueries.detail(v)));
    }

    @GetMapping("/{id}")
    public WorkflowDetail get(@PathVariable String id) {
        return WorkflowQueries.detail(require(id));
    }

    @GetMapping("/{id}/steps")
    public List<StepDefinition> steps(@PathVariable String id) {
        return require(id).steps();
    }

    /** One step, where {@code POST …/steps} points its {@code Location}. */
    @GetMapping("/{id}/steps/{stepId}")
    public StepDefinition step(@PathVariable String id, @PathVariable String stepId) {
        return Steps.find(require(id).steps(), stepId).orElseThrow(() -> NotFound.step(id, stepId));
    }

    /** The versions of the workflow's definition, newest first (each without its steps). */
    @GetMapping("/{id}/versions")
    public Page<WorkflowVersion> versions(@PathVariable String id, @RequestParam(required = false) String page,
                                          @RequestParam(required = false) String size) {
        PageRequest request = PageRequest.parse(page, size);
        return queries.versions(require(id), request.page(), request.size());
    }

    /** One version of the workflow's definition, with its steps, as it was. */
    @GetMapping("/{id}/versions/{version}")
    public WorkflowVersion version(@PathVariable String id, @PathVariable String version) {
        require(id);
        long asked;
        try {
            asked = Long.parseLong(version);
        } catch (NumberFormatException e) {
            throw NotFound.version(id, version);
        }
        return queries.version(id, asked).orElseThrow(() -> NotFound.version(id, version));
    }

    private WorkflowView require(String id) {
        return queries.find(id).orElseThrow(() -> NotFound.workflow(id));
    }

}
