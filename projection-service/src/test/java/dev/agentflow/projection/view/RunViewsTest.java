package dev.agentflow.projection.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentflow.projection.view.StepView.StepStatus;
import dev.agentflow.schemas.envelope.EventEnvelope;
import dev.agentflow.schemas.kafka.Topics;
import dev.agentflow.schemas.payload.CarriesPayloads;
import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.run.ApprovalRequest;
import dev.agentflow.schemas.run.RunEvent;
import dev.agentflow.schemas.run.RunStatus;
import dev.agentflow.schemas.workflow.StepDefinition;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pure fold of run events into a run's view and its steps' views, state by state. */
class RunViewsTest {

    private static final String RUN = "wr-1";
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final List<StepDefinition> STEPS = List.of(
            new StepDefinition("s1", "flaky", "try", 1, Map.of()),
            new StepDefinition("s2", "human_approval", "ok?", 2, Map.of()),
            new StepDefinition("s3", "echo", "", 3, Map.of()));

    /** The views after each event, as the projection keeps them. */
    private RunView run;
    private final Map<Integer, StepView> steps = new HashMap<>();
    private long version;

    private RunViews.Change apply(RunEvent event) {
        version++;
        EventEnvelope<RunEvent> envelope = new EventEnvelope<>("ev-" + version, Topics.RUN_EVENTS.nameOf(event),
                CarriesPayloads.schemaVersionOf(event), RUN, version, T0.plusSeconds(version), "job-1", event);
        int stepOrder = RunViews.stepOf(event);
        RunViews.Change change = RunViews.evolve(run, stepOrder > 0 ? steps.get(stepOrder) : null, envelope);
        if (change != null) {
            run = change.run();
            change.steps().forEach(s -> steps.put(s.stepOrder(), s));
        }
        return change;
    }

    private void started() {
        apply(new RunEvent.RunStarted(RUN, "wf-1", "sess", Payload.inline("in"), STEPS));
    }

    @Test
    void aStartedRunHasEveryStepPending() {
        started();

        assertThat(run.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(run.stepCount()).isEqualTo(3);
        assertThat(run.createdAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(steps.values()).extracting(StepView::status).containsOnly(StepStatus.PENDING);
        assertThat(steps.get(3).agentId()).isEqualTo("echo");
    }

    @Test
    void aFailedAttemptLeavesTheStepRetryingWithItsErrorAndTheNextAttemptRunsIt() {
        started();
        apply(new RunEvent.StepStarted(RUN, 1, 1, "flaky", Payload.inline("in"), T0.plusSeconds(60)));
        apply(new RunEvent.StepAttemptFailed(RUN, 1, 1, "503 from the agent", T0.plusSeconds(10)));

        assertThat(steps.get(1).status()).isEqualTo(StepStatus.RETRYING);
        assertThat(steps.get(1).error()).isEqualTo("503 from the agent");
        assertThat(run.status()).as("a retry does not stop the run").isEqualTo(RunStatus.RUNNING);

        apply(new RunEvent.StepStarted(RUN, 1, 2, "flaky", Payload.inline("in"), T0.plusSeconds(90)));

        assertThat(steps.get(1).status()).isEqualTo(StepStatus.RUNNING);
        assertThat(steps.get(1).attempts()).isEqualTo(2);
        assertThat(steps.get(1).startedAt()).as("the first attempt's start").isEqualTo(T0.plusSeconds(2));
    }

    @Test
    void aPauseLeavesTheStepWaitingForApprovalWithWhatItProposesAndAResumeCompletesIt() {
        started();
        apply(new RunEvent.StepStarted(RUN, 1, 1, "flaky", Payload.inline("in"), T0.plusSeconds(60)));
        apply(new RunEvent.StepCompleted(RUN, 1, 1, Payload.inline("draft")));
        apply(new RunEvent.StepStarted(RUN, 2, 1, "human_approval", Payload.inline("draft"), T0.plusSeconds(60)));
        ApprovalRequest approval = new ApprovalRequest(Payload.inline("draft"), "ok?", null, null);
        apply(new RunEvent.RunPaused(RUN, 2, approval));

        assertThat(run.status()).isEqualTo(RunStatus.PAUSED);
        assertThat(run.currentStepOrder()).isEqualTo(2);
        assertThat(steps.get(2).status()).isEqualTo(StepStatus.WAITING_FOR_APPROVAL);
        assertThat(steps.get(2).approval()).isEqualTo(approval);

        apply(new RunEvent.RunResumed(RUN, 2, Payload.inline("approved")));
        apply(new RunEvent.StepCompleted(RUN, 2, 1, Payload.inline("approved")));

        assertThat(run.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(steps.get(2).status()).isEqualTo(StepStatus.COMPLETED);
        assertThat(steps.get(2).approval()).isNull();
        assertThat(steps.get(2).output()).isEqualTo(Payload.inline("approved"));
    }

    @Test
    void aCancelCancelsTheStepInProgressAndLeavesFinishedStepsAlone() {
        started();
        apply(new RunEvent.StepStarted(RUN, 1, 1, "flaky", Payload.inline("in"), T0.plusSeconds(60)));
        apply(new RunEvent.StepCompleted(RUN, 1, 1, Payload.inline("out")));
        apply(new RunEvent.StepStarted(RUN, 2, 1, "human_approval", Payload.inline("out"), T0.plusSeconds(60)));
        RunViews.Change cancel = apply(new RunEvent.RunCancelled(RUN, 2));

        assertThat(run.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(cancel.steps()).extracting(StepView::stepOrder).containsExactly(2);
        assertThat(steps.get(2).status()).isEqualTo(StepStatus.CANCELLED);
        assertThat(steps.get(2).finishedAt()).isEqualTo(T0.plusSeconds(version));
        assertThat(steps.get(1).status()).isEqualTo(StepStatus.COMPLETED);
        assertThat(steps.get(3).status()).isEqualTo(StepStatus.PENDING);
    }

    @Test
    void aFailedStepFailsTheRunWithItsError() {
        started();
        apply(new RunEvent.StepStarted(RUN, 1, 1, "flaky", Payload.inline("in"), T0.plusSeconds(60)));
        apply(new RunEvent.StepFailed(RUN, 1, 3, "gave up"));
        apply(new RunEvent.RunFailed(RUN, 1, "gave up"));

        assertThat(steps.get(1).status()).isEqualTo(StepStatus.FAILED);
        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.error()).isEqualTo("gave up");
    }

    @Test
    void aReplayedEventChangesNothingAndAnEventBeforeTheStartIsRefused() {
        started();
        EventEnvelope<RunEvent> replay = new EventEnvelope<>("ev-again", "RunCompleted", 1, RUN, 1, T0, "job-1",
                new RunEvent.RunCompleted(RUN, Payload.inline("x")));
        assertThat(RunViews.evolve(run, null, replay)).isNull();

        EventEnvelope<RunEvent> orphan = new EventEnvelope<>("ev-x", "RunCompleted", 1, "wr-none", 1, T0, "job-1",
                new RunEvent.RunCompleted("wr-none", Payload.inline("x")));
        assertThatThrownBy(() -> RunViews.evolve(null, null, orphan)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("before RunStarted");
    }
}
