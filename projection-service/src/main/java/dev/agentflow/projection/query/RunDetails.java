package dev.agentflow.projection.query;

import dev.agentflow.projection.view.RunView;
import dev.agentflow.projection.view.StepView.StepStatus;
import dev.agentflow.projection.view.StepView;
import dev.agentflow.runtime.payload.PayloadStore;
import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.run.ApprovalRequest;
import dev.agentflow.schemas.run.RunStatus;
import dev.agentflow.web.ApiException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.http.HttpStatus;

/**
 * Builds a run's detail from its view and its steps' views, with payloads stored by reference read
 * from the payload topic: each whole up to {@code detailBytes}, else cut there and linked.
 */
public final class RunDetails {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private final RunQueries runs;
    private final PayloadStore payloads;
    private final int detailBytes;

    public RunDetails(RunQueries runs, PayloadStore payloads, int detailBytes) {
        this.runs = runs;
        this.payloads = payloads;
        this.detailBytes = detailBytes;
    }

    public Optional<RunDetail> find(String runId) {
        return runs.find(runId).map(run -> detail(run, runs.steps(runId), runs.forks(runId)));
    }

    private RunDetail detail(RunView run, List<StepView> steps, List<String> forks) {
        List<RunDetail.Step> shownSteps = new ArrayList<>();
        Shown runInput = show(run.input());
        Shown previous = runInput; // a step's input is the previous step's output: read once
        Shown lastOutput = Shown.NONE;
        RunDetail.Approval approval = null;
        for (StepView s : steps) {
            Shown input = s.status() == StepStatus.PENDING ? Shown.NONE : previous;
            if (run.forkedFrom() != null && run.forkedFrom().input() != null
                    && s.stepOrder() == run.forkedFrom().fromStep() && s.status() != StepStatus.PENDING) {
                input = show(run.forkedFrom().input()); // the fork replaced this step's input
            }
            Shown output = show(s.output());
            shownSteps.add(new RunDetail.Step(s.stepOrder(), s.agentId(), s.action(), input.text, input.truncated,
                    input.href, output.text, output.truncated, output.href, s.status(), s.attempts(), s.startedAt(),
                    s.finishedAt(), s.error(), s.approvedBy(), s.reusedFrom()));
            if (run.status() == RunStatus.PAUSED && s.stepOrder() == run.currentStepOrder() && s.approval() != null) {
                approval = approval(s.approval());
            }
            lastOutput = output;
            previous = output;
        }
        Shown output = run.status() == RunStatus.COMPLETED ? lastOutput : Shown.NONE;
        return new RunDetail(run.id(), run.workflowId(), run.sessionId(), run.status(), run.currentStepOrder(),
                run.currentStepOrder(), run.updatedAt().toEpochMilli() - run.createdAt().toEpochMilli(),
                run.createdAt(), run.updatedAt(),
                runInput.text, runInput.truncated, runInput.href, output.text, output.truncated, output.href,
                run.error(), shownSteps, approval, run.startedBy(), run.cancelledBy(), run.cancelReason(),
                run.definitionVersion(),
                run.forkedFrom() == null ? null
                        : new RunDetail.ForkedFrom(run.forkedFrom().runId(), run.forkedFrom().fromStep()),
                forks, run.traceId());
    }

    private RunDetail.Approval approval(ApprovalRequest request) {
        Shown proposed = show(request.proposedOutput());
        return new RunDetail.Approval(proposed.text, proposed.truncated, proposed.href, request.reason(),
                request.tool(), request.arguments());
    }

    /** A payload as the detail shows it. */
    private record Shown(String text, Boolean truncated, String href) {
        static final Shown NONE = new Shown(null, null, null);
    }

    private Shown show(Payload payload) {
        if (payload == null) {
            return Shown.NONE;
        }
        if (!payload.isRef()) {
            return new Shown(payload.text(), null, null);
        }
        String href = PayloadLinks.href(payload.ref().payloadId());
        boolean whole = payload.ref().bytes() <= detailBytes;
        CompletableFuture<String> text = whole ? payloads.resolve(payload) : payloads.head(payload, detailBytes);
        return new Shown(await(text), whole ? null : Boolean.TRUE, href);
    }

    private static String await(CompletableFuture<String> text) {
        try {
            return text.get(READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "Cannot read a payload of the run now: "
                    + PayloadStore.cause(e).getMessage(), List.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "Interrupted", List.of());
        }
    }
}
