package dev.agentflow.processor.run.topology;

import dev.agentflow.processor.run.domain.RunState;
import dev.agentflow.schemas.run.RunEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What the run decider counts as it decides: runs started and ended (by status), how long runs
 * and steps took (histograms; steps by agent). Each is counted by the instance that decided it, so
 * the figures of all instances add up. Labels are bounded: status, agent id (the catalog's), and the
 * workflow id only when {@code agentflow.metrics.by-workflow} says so (never a run id). A run or step
 * that started before this version kept its start time has no duration.
 */
public final class RunMetrics {

    /** Counts nothing: for topologies built without a registry (tests). */
    public static final RunMetrics NONE = new RunMetrics(new CompositeMeterRegistry(), false);

    static final Duration[] RUN_BUCKETS = seconds(0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600, 14_400, 86_400);
    static final Duration[] STEP_BUCKETS = seconds(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600);

    private final MeterRegistry registry;
    private final boolean byWorkflow;

    /** @param byWorkflow whether the run metrics carry a {@code workflow} label (as many series as workflows) */
    public RunMetrics(MeterRegistry registry, boolean byWorkflow) {
        this.registry = registry;
        this.byWorkflow = byWorkflow;
    }

    /** Counts what {@code events} did to the run, which was {@code before} and is now {@code after}. */
    void record(RunState before, RunState after, List<RunEvent> events, Instant now) {
        for (RunEvent event : events) {
            if (event instanceof RunEvent.RunStarted) {
                Counter.builder("agentflow.runs.started").description("Runs started")
                        .tags(workflow(after)).register(registry).increment();
            } else if (event instanceof RunEvent.RunCompleted) {
                ended("COMPLETED", before, after, now);
            } else if (event instanceof RunEvent.RunFailed) {
                ended("FAILED", before, after, now);
            } else if (event instanceof RunEvent.RunCancelled) {
                ended("CANCELLED", before, after, now);
            } else if (event instanceof RunEvent.StepCompleted e) {
                stepEnded(e.stepOrder(), "COMPLETED", before, after, now);
            } else if (event instanceof RunEvent.StepFailed e) {
                stepEnded(e.stepOrder(), "FAILED", before, after, now);
            }
        }
    }

    private void ended(String status, RunState before, RunState after, Instant now) {
        Tags tags = workflow(after).and("status", status);
        Counter.builder("agentflow.runs.ended").description("Runs ended, by status").tags(tags).register(registry)
                .increment();
        Instant started = before.startedAt() != null ? before.startedAt() : after.startedAt();
        if (started != null) {
            Timer.builder("agentflow.run.duration").description("From a run's start to its end, by status")
                    .tags(tags).serviceLevelObjectives(RUN_BUCKETS).register(registry)
                    .record(Duration.between(started, now));
        }
    }

    private void stepEnded(int order, String status, RunState before, RunState after, Instant now) {
        if (order < 1 || order > after.steps().size()) {
            return;
        }
        Instant started = before.currentStep() == order ? before.stepStartedAt() : null;
        if (started == null) {
            return;
        }
        Timer.builder("agentflow.step.duration")
                .description("From a step's first attempt to its end (retries and approvals included), by agent")
                .tags(workflow(after).and("agent", after.step(order).agentId()).and("status", status))
                .serviceLevelObjectives(STEP_BUCKETS).register(registry).record(Duration.between(started, now));
    }

    private Tags workflow(RunState state) {
        return byWorkflow && state.workflowId() != null ? Tags.of("workflow", state.workflowId()) : Tags.empty();
    }

    private static Duration[] seconds(double... values) {
        Duration[] durations = new Duration[values.length];
        for (int i = 0; i < values.length; i++) {
            durations[i] = Duration.ofNanos((long) (values[i] * 1e9));
        }
        return durations;
    }
}
