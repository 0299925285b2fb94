package dev.agentflow.processor.run.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.runtime.decider.Decision;
import dev.agentflow.runtime.decider.GivenWhenThen;
import dev.agentflow.schemas.envelope.Rejection.Reason;
import dev.agentflow.schemas.envelope.Rejection;
import dev.agentflow.schemas.json.Json;
import dev.agentflow.schemas.json.JsonSerde;
import dev.agentflow.schemas.kafka.Topics;
import dev.agentflow.schemas.limits.Limits;
import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.run.AgentOutcome.AgentError;
import dev.agentflow.schemas.run.AgentOutcome;
import dev.agentflow.schemas.run.AgentRequest;
import dev.agentflow.schemas.run.ApprovalRequest;
import dev.agentflow.schemas.run.EarlierSteps;
import dev.agentflow.schemas.run.Fork;
import dev.agentflow.schemas.run.RunCommand.CancelRun;
import dev.agentflow.schemas.run.RunCommand.FireTimer;
import dev.agentflow.schemas.run.RunCommand.RecordAgentResult;
import dev.agentflow.schemas.run.RunCommand.ResumeRun;
import dev.agentflow.schemas.run.RunCommand.RetryRun;
import dev.agentflow.schemas.run.RunCommand.StartRun;
import dev.agentflow.schemas.run.RunCommand.TimerKind;
import dev.agentflow.schemas.run.RunCommand;
import dev.agentflow.schemas.run.RunEvent.RunCancelled;
import dev.agentflow.schemas.run.RunEvent.RunCompleted;
import dev.agentflow.schemas.run.RunEvent.RunFailed;
import dev.agentflow.schemas.run.RunEvent.RunPaused;
import dev.agentflow.schemas.run.RunEvent.RunResumed;
import dev.agentflow.schemas.run.RunEvent.RunRetried;
import dev.agentflow.schemas.run.RunEvent.RunStarted;
import dev.agentflow.schemas.run.RunEvent.StepAttemptFailed;
import dev.agentflow.schemas.run.RunEvent.StepCompleted;
import dev.agentflow.schemas.run.RunEvent.StepFailed;
import dev.agentflow.schemas.run.RunEvent.StepReused;
import dev.agentflow.schemas.run.RunEvent.StepStarted;
import dev.agentflow.schemas.run.RunEvent;
import dev.agentflow.schemas.run.RunStatus;
import dev.agentflow.schemas.workflow.StepDefinition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** gwt.given(events) / gwt.accepted(command at NOW) / then(events or rejection), for every transition. */
class RunDeciderTest {

    private static final String RUN = "wr-1";
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant NOW = Instant.parse("2026-01-01T00:01:00Z");
    private static final Duration FIVE_MIN = Duration.ofMinutes(5);
    private final RunDecider decider = new RunDecider(Limits.DEFAULTS);
    private final GivenWhenThen<RunCommand, RunState, RunEvent> gwt = new GivenWhenThen<>(decider, NOW);

    private static final List<StepDefinition> STEPS = List.of(
            new StepDefinition("s1", "template", "A {{input}}", 1, Map.of()),
            new StepDefinition("s2", "human_approval", "Approve", 2, Map.of("maxAttempts", 2, "timeoutMs", 1000,
                    "retryBackoffMs", 100)),
            new StepDefinition("s3", "echo", "B", 3, Map.of("maxAttempts", 1)));

    private static final RunStarted STARTED = new RunStarted(RUN, "wf-1", "sess", Payload.inline("in"), STEPS);
    private static final StepStarted STEP1 = new StepStarted(RUN, 1, 1, "template", Payload.inline("in"), T0.plus(FIVE_MIN));
    private static final StepCompleted DONE1 = new StepCompleted(RUN, 1, 1, Payload.inline("out1"));
    private static final StepStarted STEP2 = new StepStarted(RUN, 2, 1, "human_approval", Payload.inline("out1"),
            T0.plusMillis(1000));
    private static final ApprovalRequest APPROVAL = new ApprovalRequest(Payload.inline("out1"), "Approve", null, null);
    private static final RunPaused PAUSED = new RunPaused(RUN, 2, APPROVAL);

    private static RecordAgentResult result(int step, int attempt, AgentOutcome outcome) {
        return new RecordAgentResult(RUN, step, attempt, outcome);
    }

    @Test
    void startRunsTheFirstStepWithTheRunsInput() {
        assertThat(gwt.accepted(new StartRun(RUN, "wf-1", "sess", Payload.inline("in"), STEPS))).containsExactly(STARTED,
                new StepStarted(RUN, 1, 1, "template", Payload.inline("in"), NOW.plus(FIVE_MIN)));
        RunState s = gwt.given(STARTED, STEP1);
        assertThat(s.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(s.timerKind()).isEqualTo(TimerKind.STEP_TIMEOUT);
        assertThat(s.timerAt()).isEqualTo(T0.plus(FIVE_MIN));
    }

    @Test
    void aStartWrittenTwiceStartsTheRunOnce() {
        assertThat(gwt.accepted(new StartRun(RUN, "wf-1", "s", Payload.inline("in"), STEPS), STARTED, STEP1)).isEmpty();
    }

    @Test
    void aStartTheDeciderRefusesEndsTheRunVisibly() {
        // nobody waits for a reply to a start: a refusal is a run that started and failed, with the reason
        assertThat(gwt.accepted(new StartRun(RUN, "wf-1", "s", Payload.inline("in"), List.of()))).containsExactly(
                new RunStarted(RUN, "wf-1", "s", Payload.inline("in"), List.of()),
                new RunFailed(RUN, 0, "A run needs at least one step"));
        List<StepDefinition> tooMany = IntStream.rangeClosed(1, Limits.DEFAULTS.maxSteps() + 1)
                .mapToObj(i -> new StepDefinition("s" + i, "echo", "a", i, Map.of())).toList();
        List<RunEvent> events = gwt.accepted(new StartRun(RUN, "wf-1", "s", Payload.inline("in"), tooMany));
        assertThat(events).hasSize(2).last().isInstanceOf(RunFailed.class);
        assertThat(((RunFailed) events.get(1)).error()).contains("agentflow.limits.max-steps");
    }

    @Test
    void commandsOnAnUnknownRunAreNotFound() {
        for (RunCommand c : List.of(new ResumeRun(RUN, Payload.inline("x")), new CancelRun(RUN),
                result(1, 1, AgentOutcome.output("x")), new FireTimer(RUN, TimerKind.RETRY, 1, 1))) {
            assertThat(gwt.rejected(c).reason()).as(c.toString()).isEqualTo(Reason.NOT_FOUND);
        }
    }

    @Test
    void anOutputCompletesTheStepAndStartsTheNextWithIt() {
        assertThat(gwt.accepted(result(1, 1, AgentOutcome.output("out1")), STARTED, STEP1)).containsExactly(DONE1,
                new StepStarted(RUN, 2, 1, "human_approval", Payload.inline("out1"), NOW.plusMillis(1000)));
    }

    @Test
    void theLastOutputCompletesTheRun() {
        StepStarted step3 = new StepStarted(RUN, 3, 1, "echo", Payload.inline("ok"), T0);
        List<RunEvent> events = gwt.accepted(result(3, 1, AgentOutcome.output("final")), STARTED, STEP1, DONE1, STEP2,
                PAUSED, new RunResumed(RUN, 2, Payload.inline("ok")), new StepCompleted(RUN, 2, 1, Payload.inline("ok")), step3);
        assertThat(events).containsExactly(new StepCompleted(RUN, 3, 1, Payload.inline("final")), new RunCompleted(RUN, Payload.inline("final")));
        RunState s = gwt.given(STARTED, STEP1, DONE1, STEP2, PAUSED, new RunResumed(RUN, 2, Payload.inline("ok")),
                new StepCompleted(RUN, 2, 1, Payload.inline("ok")), step3, events.get(0), events.get(1));
        assertThat(s.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(s.stepInput()).as("a finished run keeps no payload").isNull();
        assertThat(s.timerAt()).isNull();
        assertThat(s.status().isFinal()).isTrue();
    }

    @Test
    void anApprovalRequestPausesTheRunWithNoTimer() {
        assertThat(gwt.accepted(result(2, 1, AgentOutcome.approval(APPROVAL)), STARTED, STEP1, DONE1, STEP2))
                .containsExactly(PAUSED);
        RunState s = gwt.given(STARTED, STEP1, DONE1, STEP2, PAUSED);
        assertThat(s.status()).isEqualTo(RunStatus.PAUSED);
        assertThat(s.currentStep()).isEqualTo(2);
        assertThat(s.timerAt()).as("a paused run never times out").isNull();
        assertThat(s.stepInput()).as("the paused step's input, for nothing else").isEqualTo(STEP2.input());
    }

    @Test
    void resumeCompletesThePausedStepWithTheApprovedOutputAndFeedsTheNext() {
        assertThat(gwt.accepted(new ResumeRun(RUN, Payload.inline("approved")), STARTED, STEP1, DONE1, STEP2, PAUSED)).containsExactly(
                new RunResumed(RUN, 2, Payload.inline("approved")), new StepCompleted(RUN, 2, 1, Payload.inline("approved")),
                new StepStarted(RUN, 3, 1, "echo", Payload.inline("approved"), NOW.plus(FIVE_MIN)));
    }

    @Test
    void resumeOfARunThatIsNotPausedConflicts() {
        assertThat(gwt.rejected(new ResumeRun(RUN, Payload.inline("x")), STARTED, STEP1).reason()).isEqualTo(Reason.CONFLICT);
        assertThat(gwt.rejected(new ResumeRun(RUN, Payload.inline("x")), STARTED, STEP1, new RunCancelled(RUN, 1)).reason())
                .isEqualTo(Reason.CONFLICT);
    }

    @Test
    void staleAndDuplicateResultsAreIgnored() {
        assertThat(gwt.accepted(result(1, 1, AgentOutcome.output("again")), STARTED, STEP1, DONE1, STEP2))
                .as("duplicate of a completed step").isEmpty();
        assertThat(gwt.accepted(result(2, 7, AgentOutcome.output("x")), STARTED, STEP1, DONE1, STEP2))
                .as("unknown attempt").isEmpty();
        assertThat(gwt.accepted(result(3, 1, AgentOutcome.output("x")), STARTED, STEP1, DONE1, STEP2))
                .as("future step").isEmpty();
        assertThat(gwt.accepted(result(2, 1, AgentOutcome.output("x")), STARTED, STEP1, DONE1, STEP2, PAUSED))
                .as("result while paused").isEmpty();
        StepAttemptFailed failed = new StepAttemptFailed(RUN, 2, 1, "boom", T0);
        assertThat(gwt.accepted(result(2, 1, AgentOutcome.output("late")), STARTED, STEP1, DONE1, STEP2, failed))
                .as("result of a failed attempt while waiting to retry").isEmpty();
    }

    @Test
    void aRetryableErrorSchedulesARetryWithBackoff() {
        assertThat(gwt.accepted(result(2, 1, AgentOutcome.error("503", true)), STARTED, STEP1, DONE1, STEP2))
                .containsExactly(new StepAttemptFailed(RUN, 2, 1, "503", NOW.plusMillis(100)));
        RunState s = gwt.given(STARTED, STEP1, DONE1, STEP2, new StepAttemptFailed(RUN, 2, 1, "503", T0));
        assertThat(s.timerKind()).isEqualTo(TimerKind.RETRY);
        assertThat(s.status()).isEqualTo(RunStatus.RUNNING);
    }

    /** A retryable error whose endpoint asked to be called again no sooner than {@code retryAfterMs} from now. */
    private static AgentOutcome retryLater(String message, long retryAfterMs) {
        return new AgentOutcome(null, null, new AgentError(message, true, retryAfterMs));
    }

    @Test
    void aRetryAfterLongerThanTheBackoffDelaysTheRetry() {
        assertThat(gwt.accepted(result(2, 1, retryLater("429", 2500)), STARTED, STEP1, DONE1, STEP2))
                .containsExactly(new StepAttemptFailed(RUN, 2, 1, "429", NOW.plusMillis(2500)));
        assertThat(gwt.accepted(result(2, 1, retryLater("429", 10)), STARTED, STEP1, DONE1, STEP2))
                .as("the backoff when it is longer").containsExactly(new StepAttemptFailed(RUN, 2, 1, "429",
                        NOW.plusMillis(100)));
        assertThat(gwt.accepted(result(2, 1, retryLater("429", Duration.ofHours(3).toMillis())), STARTED,
                STEP1, DONE1, STEP2)).as("capped").containsExactly(new StepAttemptFailed(RUN, 2, 1, "429",
                NOW.plus(StepPolicy.MAX_BACKOFF)));
    }

    @Test
    void theRetryTimerStartsTheNextAttemptWithTheSameInput() {
        StepAttemptFailed failed = new StepAttemptFailed(RUN, 2, 1, "503", T0);
        assertThat(gwt.accepted(new FireTimer(RUN, TimerKind.RETRY, 2, 1), STARTED, STEP1, DONE1, STEP2, failed))
                .containsExactly(new StepStarted(RUN, 2, 2, "human_approval", Payload.inline("out1"), NOW.plusMillis(1000)));
    }

    @Test
    void whenAttemptsRunOutTheRunFails() {
        StepAttemptFailed failed = new StepAttemptFailed(RUN, 2, 1, "503", T0);
        StepStarted attempt2 = new StepStarted(RUN, 2, 2, "human_approval", Payload.inline("out1"), T0);
        List<RunEvent> events = gwt.accepted(result(2, 2, AgentOutcome.error("503 again", true)), STARTED, STEP1, DONE1,
                STEP2, failed, attempt2);
        assertThat(events).containsExactly(new StepFailed(RUN, 2, 2, "503 again (after 2 attempt(s))"),
                new RunFailed(RUN, 2, "503 again (after 2 attempt(s))"));
        RunState s = gwt.given(STARTED, STEP1, DONE1, STEP2, failed, attempt2, events.get(0), events.get(1));
        assertThat(s.status()).isEqualTo(RunStatus.FAILED);
        assertThat(s.error()).contains("503 again");
    }

    @Test
    void aNonRetryableErrorFailsAtOnce() {
        assertThat(gwt.accepted(result(1, 1, AgentOutcome.error("401 from endpoint", false)), STARTED, STEP1))
                .containsExactly(new StepFailed(RUN, 1, 1, "401 from endpoint"), new RunFailed(RUN, 1,
                        "401 from endpoint"));
    }

    @Test
    void aTimeoutIsARetryableFailure() {
        assertThat(gwt.accepted(new FireTimer(RUN, TimerKind.STEP_TIMEOUT, 2, 1), STARTED, STEP1, DONE1, STEP2))
                .containsExactly(new StepAttemptFailed(RUN, 2, 1,
                        "step 2 (agent human_approval) timed out after 1000 ms", NOW.plusMillis(100)));
    }

    @Test
    void aTimeoutOfTheLastAttemptFailsTheRun() {
        StepStarted step3 = new StepStarted(RUN, 3, 1, "echo", Payload.inline("x"), T0);
        List<RunEvent> events = gwt.accepted(new FireTimer(RUN, TimerKind.STEP_TIMEOUT, 3, 1), STARTED, STEP1, DONE1, STEP2,
                PAUSED, new RunResumed(RUN, 2, Payload.inline("x")), new StepCompleted(RUN, 2, 1, Payload.inline("x")), step3);
        assertThat(events).hasSize(2).last().isInstanceOf(RunFailed.class);
        assertThat(((RunFailed) events.get(1)).error()).contains("timed out after 300000 ms");
    }

    @Test
    void staleTimersAreIgnored() {
        assertThat(gwt.accepted(new FireTimer(RUN, TimerKind.STEP_TIMEOUT, 1, 1), STARTED, STEP1, DONE1, STEP2))
                .as("timeout of a completed step").isEmpty();
        assertThat(gwt.accepted(new FireTimer(RUN, TimerKind.RETRY, 2, 1), STARTED, STEP1, DONE1, STEP2))
                .as("retry timer while running").isEmpty();
        assertThat(gwt.accepted(new FireTimer(RUN, TimerKind.STEP_TIMEOUT, 2, 1), STARTED, STEP1, DONE1, STEP2, PAUSED))
                .as("timeout while paused").isEmpty();
    }

    @Test
    void cancelWhileRunningOrPaused() {
        assertThat(gwt.accepted(new CancelRun(RUN), STARTED, STEP1)).containsExactly(new RunCancelled(RUN, 1));
        assertThat(gwt.accepted(new CancelRun(RUN), STARTED, STEP1, DONE1, STEP2, PAUSED))
                .containsExactly(new RunCancelled(RUN, 2));
        RunState s = gwt.given(STARTED, STEP1, DONE1, STEP2, PAUSED, new RunCancelled(RUN, 2));
        assertThat(s.status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(s.timerAt()).isNull();
    }

    @Test
    void afterCancelResultsAndTimersAreIgnored() {
        RunCancelled cancelled = new RunCancelled(RUN, 1);
        assertThat(gwt.accepted(result(1, 1, AgentOutcome.output("late")), STARTED, STEP1, cancelled)).isEmpty();
        assertThat(gwt.accepted(new FireTimer(RUN, TimerKind.STEP_TIMEOUT, 1, 1), STARTED, STEP1, cancelled)).isEmpty();
    }

    @Test
    void cancelOfAFinishedRunConflicts() {
        RunEvent[] completed = {STARTED, STEP1, new RunCompleted(RUN, Payload.inline("x"))};
        assertThat(gwt.rejected(new CancelRun(RUN), completed).reason()).isEqualTo(Reason.CONFLICT);
        assertThat(gwt.rejected(new CancelRun(RUN), STARTED, STEP1, new RunCancelled(RUN, 1)).reason())
                .isEqualTo(Reason.CONFLICT);
        assertThat(gwt.rejected(new CancelRun(RUN), STARTED, STEP1, new RunFailed(RUN, 1, "x")).reason())
                .isEqualTo(Reason.CONFLICT);
    }

    @Test
    void aStartedStepAsksForOneAgentInvocation() {
        RunState s = gwt.given(STARTED, STEP1);
        assertThat(decider.react(s, STEP1)).containsExactly(new AgentRequest(RUN, "wf-1", 1, 1, "template",
                "A {{input}}", Payload.inline("in"), "sess", Map.of(), "wr-1:1:1",
                new EarlierSteps(1, Payload.inline("in"), List.of())));
        assertThat(decider.react(s, STARTED)).isEmpty();
    }

    @Test
    void stepPolicyReadsTheConfig() {
        StepPolicy defaults = StepPolicy.of(STEPS.get(0));
        assertThat(defaults.maxAttempts()).isEqualTo(3);
        assertThat(defaults.timeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(defaults.backoffAfter(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(defaults.backoffAfter(3)).isEqualTo(Duration.ofSeconds(4));
        assertThat(defaults.backoffAfter(40)).isEqualTo(StepPolicy.MAX_BACKOFF);
        assertThat(StepPolicy.of(STEPS.get(1)).maxAttempts()).isEqualTo(2);
    }

    @Test
    void eachAgentRequestCarriesTheRunsEarlierStepsSoItsAgentNeedsNoOtherStore() {
        AgentRequest first = decider.react(gwt.given(STARTED, STEP1), STEP1).get(0);
        assertThat(first.earlier()).isEqualTo(new EarlierSteps(1, Payload.inline("in"), List.of()));

        AgentRequest second = decider.react(gwt.given(STARTED, STEP1, DONE1, STEP2), STEP2).get(0);
        assertThat(second.earlier()).isEqualTo(new EarlierSteps(1, Payload.inline("in"),
                List.of(new EarlierSteps.EarlierStep("template", "A {{input}}", Payload.inline("out1")))));
    }

    @Test
    void aRunKeepsOnlyTheLatestStepsItsLimitsAllowAndItsRequestsSaySoWhichDidNotTravel() {
        // a definition so large that a record has room for two payload slots of earlier steps: one step travels
        Limits tight = new Limits(1 << 20, 1024, 512 * 1024, 100, 912_672);
        assertThat(tight.earlierStepsCarried()).isEqualTo(1);
        RunDecider small = new RunDecider(tight);
        GivenWhenThen<RunCommand, RunState, RunEvent> run = new GivenWhenThen<>(small, NOW);
        StepStarted step3 = new StepStarted(RUN, 3, 1, "echo", Payload.inline("approved"), T0);
        RunState state = run.given(STARTED, STEP1, DONE1, STEP2, PAUSED, new RunResumed(RUN, 2, Payload.inline("approved")),
                new StepCompleted(RUN, 2, 1, Payload.inline("approved")), step3);

        assertThat(small.react(state, step3).get(0).earlier()).isEqualTo(new EarlierSteps(2, Payload.inline("out1"),
                List.of(new EarlierSteps.EarlierStep("human_approval", "Approve", Payload.inline("approved")))));
        assertThat(state.earlierOutputs()).hasSize(1);
    }

    @Test
    void theStateAndTheRequestCarryingTheMostEarlierStepsStayUnderTheLargestRecord() {
        Limits limits = Limits.DEFAULTS;
        int n = limits.earlierStepsCarried() + 3;
        // actions that fill the definition, and payloads of control characters: 6 bytes each in JSON
        String action = "a".repeat(limits.maxDefinitionBytes() / n - 120);
        List<StepDefinition> steps = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            steps.add(new StepDefinition("step-" + i, "echo", action, i, Map.of()));
        }
        assertThat(Json.mapper().writeValueAsBytes(steps).length).isLessThanOrEqualTo(limits.maxDefinitionBytes());
        Payload worst = Payload.inline("\u0001".repeat(limits.inlinePayloadBytes()));
        RunDecider run = new RunDecider(limits);
        RunState state = run.evolve(run.initialState(), new RunStarted(RUN, "wf-1", "sess", worst, steps));
        for (int i = 1; i < n; i++) {
            state = run.evolve(state, new StepStarted(RUN, i, 1, "echo", worst, T0));
            state = run.evolve(state, new StepCompleted(RUN, i, 1, worst));
        }
        StepStarted last = new StepStarted(RUN, n, 1, "echo", worst, T0);
        state = run.evolve(state, last);
        AgentRequest request = run.react(state, last).get(0);

        assertThat(request.earlier().steps()).hasSize(limits.earlierStepsCarried());
        assertThat(request.earlier().first()).isEqualTo(n - limits.earlierStepsCarried());
        var requests = Topics.defaults().agentRequests();
        assertThat((long) requests.valueSerde().serializer().serialize(requests.name(), request).length)
                .isLessThanOrEqualTo(limits.largestRecordBytes());
        assertThat((long) JsonSerde.of(RunState.class).serializer().serialize("state", state).length)
                .isLessThanOrEqualTo(limits.largestRecordBytes());
    }

    @Test
    void aCompletedRunKeepsNoPayloadAndAFailedOrCancelledOneWhatARetryNeeds() {
        RunState completed = gwt.given(STARTED, STEP1, DONE1, STEP2, PAUSED, new RunResumed(RUN, 2,
                Payload.inline("ok")), new StepCompleted(RUN, 2, 1, Payload.inline("ok")),
                new StepStarted(RUN, 3, 1, "echo", Payload.inline("ok"), T0), new StepCompleted(RUN, 3, 1,
                        Payload.inline("done")), new RunCompleted(RUN, Payload.inline("done")));
        RunState cancelled = gwt.given(STARTED, STEP1, DONE1, STEP2, new RunCancelled(RUN, 2));
        RunState failed = gwt.given(STARTED, STEP1, DONE1, STEP2, new StepFailed(RUN, 2, 1, "e"),
                new RunFailed(RUN, 2, "e"));

        assertThat(completed.earlierOutputs()).isEmpty();
        assertThat(completed.earlierInput()).isNull();
        assertThat(completed.stepInput()).isNull();
        for (RunState stopped : List.of(cancelled, failed)) {
            assertThat(stopped.stepInput()).isEqualTo(Payload.inline("out1"));
            assertThat(stopped.earlierOutputs()).containsExactly(Payload.inline("out1"));
            assertThat(stopped.retryable()).isTrue();
        }
    }

    @Test
    void retryGoesOnFromTheStepThatFailedWithAFreshAttemptCount() {
        StepAttemptFailed attempt1 = new StepAttemptFailed(RUN, 2, 1, "e", T0);
        StepStarted attempt2 = new StepStarted(RUN, 2, 2, "human_approval", Payload.inline("out1"), T0);
        RunEvent[] failed = {STARTED, STEP1, DONE1, STEP2, attempt1, attempt2, new StepFailed(RUN, 2, 2, "e"),
                new RunFailed(RUN, 2, "e")};

        List<RunEvent> retried = gwt.accepted(new RetryRun(RUN), failed);

        assertThat(retried).containsExactly(new RunRetried(RUN, 2, 3),
                new StepStarted(RUN, 2, 3, "human_approval", Payload.inline("out1"), NOW.plusMillis(1000)));
        List<RunEvent> after = new ArrayList<>(Arrays.asList(failed));
        after.addAll(retried);
        RunState running = gwt.given(after.toArray(RunEvent[]::new));
        assertThat(running.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(running.error()).isNull();
        AgentRequest request = decider.react(running, retried.get(1)).get(0);
        assertThat(request.idempotencyKey()).as("a new attempt: not the key of an earlier one").isEqualTo("wr-1:2:3");
        assertThat(request.earlier().steps()).hasSize(1);
        // maxAttempts 2 counts again from attempt 3: a timeout of attempt 3 is retried once more
        assertThat(gwt.accepted(new FireTimer(RUN, TimerKind.STEP_TIMEOUT, 2, 3), after.toArray(RunEvent[]::new)))
                .singleElement().isInstanceOf(StepAttemptFailed.class);
    }

    @Test
    void aForkRecordsTheOutputsItTakesOverAndExecutesFromItsStep() {
        Fork fork = new Fork("wr-source", 3, null, List.of(
                new Fork.ReusedStep(1, Payload.inline("out1"), "wr-source", 2L),
                new Fork.ReusedStep(2, Payload.inline("out2"), "wr-source", 2L)));

        List<RunEvent> events = gwt.accepted(new StartRun(RUN, "wf-1", "sess", Payload.inline("in"), STEPS, 3L, fork));

        assertThat(events).containsExactly(
                new RunStarted(RUN, "wf-1", "sess", Payload.inline("in"), STEPS, 3L,
                        new RunEvent.ForkedFrom("wr-source", 3, null)),
                new StepReused(RUN, 1, Payload.inline("out1"), "wr-source", 2L),
                new StepReused(RUN, 2, Payload.inline("out2"), "wr-source", 2L),
                new StepStarted(RUN, 3, 1, "echo", Payload.inline("out2"), NOW.plus(FIVE_MIN)));
        RunState state = gwt.given(events.toArray(RunEvent[]::new));
        AgentRequest request = decider.react(state, events.get(3)).get(0);
        assertThat(request.earlier().steps()).extracting(EarlierSteps.EarlierStep::output)
                .containsExactly(Payload.inline("out1"), Payload.inline("out2"));
        assertThat(decider.react(state, events.get(1))).as("no agent for a step taken over").isEmpty();

        Fork replaced = new Fork("wr-source", 1, Payload.inline("new input"), List.of());
        assertThat(gwt.accepted(new StartRun(RUN, "wf-1", "sess", Payload.inline("in"), STEPS, 3L, replaced)).get(1))
                .isEqualTo(new StepStarted(RUN, 1, 1, "template", Payload.inline("new input"), NOW.plus(FIVE_MIN)));
        Fork gap = new Fork("wr-source", 3, null, List.of(new Fork.ReusedStep(1, Payload.inline("o"), "wr-source", 2L)));
        assertThat(gwt.accepted(new StartRun(RUN, "wf-1", "sess", Payload.inline("in"), STEPS, 3L, gap)))
                .extracting(e -> e.getClass().getSimpleName()).containsExactly("RunStarted", "RunFailed");
    }

    @Test
    void onlyAFailedOrCancelledRunCanBeRetried() {
        assertThat(gwt.rejected(new RetryRun(RUN), STARTED, STEP1).reason()).isEqualTo(Reason.CONFLICT);
        assertThat(gwt.rejected(new RetryRun(RUN), STARTED, STEP1, new StepCompleted(RUN, 1, 1,
                Payload.inline("x")), new RunCompleted(RUN, Payload.inline("x"))).reason()).isEqualTo(Reason.CONFLICT);
        assertThat(gwt.rejected(new RetryRun(RUN), STARTED, new RunFailed(RUN, 0, "too many steps")).reason())
                .isEqualTo(Reason.CONFLICT);
        assertThat(gwt.rejected(new RetryRun(RUN)).reason()).isEqualTo(Reason.NOT_FOUND);
        assertThat(gwt.accepted(new RetryRun(RUN), STARTED, STEP1, new RunCancelled(RUN, 1)))
                .extracting(e -> e.getClass().getSimpleName()).containsExactly("RunRetried", "StepStarted");
    }

    @Test
    void aRunStateWrittenBeforeOutputsWereKeptAsksTheStoreForEveryEarlierStep() {
        RunState old = gwt.given(STARTED, STEP1, DONE1);
        RunState written = new RunState(old.version(), old.status(), old.runId(), old.workflowId(), old.sessionId(),
                old.steps(), old.currentStep(), old.attempt(), old.stepInput(), old.timerAt(), old.timerKind(),
                old.error(), 0, null, null, null, null, null, null, null);
        RunState next = decider.evolve(written, STEP2);

        assertThat(decider.react(next, STEP2).get(0).earlier()).isNull();
        assertThat(decider.evolve(next, new StepCompleted(RUN, 2, 1, Payload.inline("x"))).earlierFrom()).isZero();
    }

    @Test
    void everyCommandAndEventTypeIsHandled() {
        RunEvent[] history = {STARTED, STEP1};
        // each command type, on a run at its first step, and what it must cause there
        Map<RunCommand, Object> outcomes = new LinkedHashMap<>();
        outcomes.put(new StartRun(RUN, "wf", "s", Payload.inline("i"), STEPS), List.of());
        outcomes.put(result(1, 1, AgentOutcome.output("x")), List.of(StepCompleted.class, StepStarted.class));
        outcomes.put(new ResumeRun(RUN, Payload.inline("x")), Reason.CONFLICT);
        outcomes.put(new CancelRun(RUN), List.of(RunCancelled.class));
        outcomes.put(new RetryRun(RUN), Reason.CONFLICT);
        outcomes.put(new FireTimer(RUN, TimerKind.STEP_TIMEOUT, 1, 1), List.of(StepAttemptFailed.class));
        for (Class<?> type : RunCommand.class.getPermittedSubclasses()) {
            RunCommand c = outcomes.keySet().stream().filter(type::isInstance).findFirst()
                    .orElseThrow(() -> new AssertionError("no sample of " + type));
            assertThat(gwt.outcome(c, gwt.given(history))).as(type.getSimpleName()).isEqualTo(outcomes.get(c));
        }
        List<RunEvent> events = new ArrayList<>(Arrays.asList(STARTED, STEP1, DONE1, STEP2, PAUSED,
                new RunResumed(RUN, 2, Payload.inline("x")), new StepAttemptFailed(RUN, 2, 1, "e", T0), new StepFailed(RUN, 2, 1, "e"),
                new RunFailed(RUN, 2, "e"), new RunCompleted(RUN, Payload.inline("x")), new RunCancelled(RUN, 2),
                new RunRetried(RUN, 2, 2), new StepReused(RUN, 2, Payload.inline("x"), "wr-0", 1L)));
        for (Class<?> type : RunEvent.class.getPermittedSubclasses()) {
            RunEvent e = events.stream().filter(type::isInstance).findFirst()
                    .orElseThrow(() -> new AssertionError("no sample of " + type));
            RunState before = gwt.given(STARTED, STEP1, DONE1, STEP2);
            assertThat(decider.evolve(before, e).version()).isEqualTo(before.version() + 1);
        }
    }
}
