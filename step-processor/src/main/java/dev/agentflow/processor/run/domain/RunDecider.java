package dev.agentflow.processor.run.domain;

import dev.agentflow.runtime.decider.Decider;
import dev.agentflow.runtime.decider.Decision;
import dev.agentflow.schemas.envelope.Rejection;
import dev.agentflow.schemas.limits.Limits;
import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.run.AgentOutcome;
import dev.agentflow.schemas.run.AgentRequest;
import dev.agentflow.schemas.run.Fork;
import dev.agentflow.schemas.run.RunCommand.CancelRun;
import dev.agentflow.schemas.run.RunCommand.FireTimer;
import dev.agentflow.schemas.run.RunCommand.RecordAgentResult;
import dev.agentflow.schemas.run.RunCommand.ResumeRun;
import dev.agentflow.schemas.run.RunCommand.RetryRun;
import dev.agentflow.schemas.run.RunCommand.StartRun;
import dev.agentflow.schemas.run.RunCommand.TimerKind;
import dev.agentflow.schemas.run.RunCommand;
import dev.agentflow.schemas.run.RunEvent.ForkedFrom;
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
import java.util.List;

/**
 * The run state machine (DESIGN §4), pure. {@code now} is passed in so timers are deterministic.
 * A result or timer for a step or attempt the run is not waiting for is accepted with no events.
 */
public final class RunDecider implements Decider<RunCommand, RunState, RunEvent, AgentRequest> {

    private final int earlierStepsCarried;
    private final int maxSteps;

    /** @param limits how many earlier steps' outputs a run keeps for its agent requests, and how many steps it may have */
    public RunDecider(Limits limits) {
        this.earlierStepsCarried = limits.earlierStepsCarried();
        this.maxSteps = limits.maxSteps();
    }

    @Override
    public RunState initialState() {
        return RunState.INITIAL;
    }

    @Override
    public Decision<RunEvent> decide(RunCommand command, RunState state, Instant now) {
        if (command instanceof StartRun c) {
            // nobody waits for an answer to a start (the API answered once it was written), so a start
            // this decider refuses still ends its run visibly; a start written twice starts it once
            if (state.started()) {
                return Decision.accept(List.of());
            }
            String refused = c.steps().isEmpty() ? "A run needs at least one step"
                    : c.steps().size() > maxSteps ? "A run has at most " + maxSteps
                            + " steps (agentflow.limits.max-steps); this one has " + c.steps().size() : null;
            if (refused != null) {
                return Decision.accept(new RunStarted(c.runId(), c.workflowId(), c.sessionId(), c.input(), c.steps(),
                        c.definitionVersion()), new RunFailed(c.runId(), 0, refused));
            }
            if (c.fork() != null) {
                return fork(c, now);
            }
            StepDefinition first = c.steps().get(0);
            return Decision.accept(
                    new RunStarted(c.runId(), c.workflowId(), c.sessionId(), c.input(), c.steps(),
                            c.definitionVersion()),
                    new StepStarted(c.runId(), 1, 1, first.agentId(), c.input(),
                            now.plus(StepPolicy.of(first).timeout())));
        }
        if (!state.started()) {
            return Decision.reject(Rejection.notFound("runId", "Run " + command.runId() + " not found"));
        }
        if (command instanceof RecordAgentResult c) {
            return recordResult(c, state, now);
        }
        if (command instanceof FireTimer c) {
            return fireTimer(c, state, now);
        }
        if (command instanceof ResumeRun c) {
            if (state.status() != RunStatus.PAUSED) {
                return Decision.reject(Rejection.conflict("status",
                        "Run " + c.runId() + " is " + state.status() + ", not PAUSED"));
            }
            List<RunEvent> events = new ArrayList<>();
            events.add(new RunResumed(c.runId(), state.currentStep(), c.output()));
            events.addAll(complete(state, c.output(), now));
            return Decision.accept(events);
        }
        if (command instanceof RetryRun c) {
            return retry(c, state, now);
        }
        if (command instanceof CancelRun c) {
            if (state.status().isFinal()) {
                return Decision.reject(Rejection.conflict("status",
                        "Run " + c.runId() + " is already " + state.status()));
            }
            return Decision.accept(new RunCancelled(c.runId(), state.currentStep(), c.reason()));
        }
        throw new IllegalStateException("Unhandled run command " + command.getClass());
    }

    /**
     * A fork: it starts, records the outputs it takes over as its own steps (no agent is called for
     * them), and executes from {@code fromStep} with the replaced input or the last output taken over.
     */
    private static Decision<RunEvent> fork(StartRun c, Instant now) {
        Fork fork = c.fork();
        int from = fork.fromStep();
        RunStarted started = new RunStarted(c.runId(), c.workflowId(), c.sessionId(), c.input(), c.steps(),
                c.definitionVersion(), new ForkedFrom(fork.sourceRunId(), from, fork.input()));
        boolean inOrder = fork.reused().size() == from - 1;
        for (int i = 0; inOrder && i < fork.reused().size(); i++) {
            inOrder = fork.reused().get(i).stepOrder() == i + 1 && fork.reused().get(i).output() != null;
        }
        if (from < 1 || from > c.steps().size() || !inOrder) {
            return Decision.accept(started, new RunFailed(c.runId(), 0, "A fork from step " + from + " needs the outputs"
                    + " of steps 1 to " + (from - 1) + " and a step " + from + " to execute"));
        }
        List<RunEvent> events = new ArrayList<>();
        events.add(started);
        Payload input = c.input();
        for (Fork.ReusedStep reused : fork.reused()) {
            events.add(new StepReused(c.runId(), reused.stepOrder(), reused.output(), reused.sourceRunId(),
                    reused.sourceDefinitionVersion()));
            input = reused.output();
        }
        if (fork.input() != null) {
            input = fork.input();
        }
        StepDefinition step = c.steps().get(from - 1);
        events.add(new StepStarted(c.runId(), from, 1, step.agentId(), input, now.plus(StepPolicy.of(step).timeout())));
        return Decision.accept(events);
    }

    /** A FAILED or CANCELLED run goes on from the step it stopped at; the earlier steps are not run again. */
    private static Decision<RunEvent> retry(RetryRun c, RunState state, Instant now) {
        if (state.status() != RunStatus.FAILED && state.status() != RunStatus.CANCELLED) {
            return Decision.reject(Rejection.conflict("status", "Run " + c.runId() + " is " + state.status()
                    + "; only a FAILED or CANCELLED run can be retried"));
        }
        if (!state.retryable()) {
            return Decision.reject(Rejection.conflict("status", "Run " + c.runId() + " stopped "
                    + (state.currentStep() < 1 ? "before its first step" : "before agentflow kept what a retry needs")
                    + "; start it again, or fork it from a step"));
        }
        int n = state.currentStep();
        StepDefinition step = state.step(n);
        int next = state.attempt() + 1;
        return Decision.accept(new RunRetried(c.runId(), n, next),
                new StepStarted(c.runId(), n, next, step.agentId(), state.stepInput(), now.plus(StepPolicy.of(step).timeout())));
    }

    private Decision<RunEvent> recordResult(RecordAgentResult c, RunState state, Instant now) {
        boolean awaited = state.status() == RunStatus.RUNNING && state.timerKind() == TimerKind.STEP_TIMEOUT
                && c.stepOrder() == state.currentStep() && c.attempt() == state.attempt();
        if (!awaited || c.outcome() == null) {
            return Decision.accept(List.of());
        }
        AgentOutcome outcome = c.outcome();
        if (outcome.output() != null) {
            return Decision.accept(complete(state, outcome.output(), now));
        }
        if (outcome.approval() != null) {
            return Decision.accept(new RunPaused(state.runId(), state.currentStep(), outcome.approval()));
        }
        AgentOutcome.AgentError error = outcome.error() != null ? outcome.error()
                : new AgentOutcome.AgentError("agent " + currentAgent(state) + " returned nothing", false);
        Duration retryAfter = error.retryAfterMs() == null ? Duration.ZERO
                : Duration.ofMillis(Math.min(Math.max(0, error.retryAfterMs()), StepPolicy.MAX_BACKOFF.toMillis()));
        return Decision.accept(failAttempt(state, error.message(), error.retryable(), retryAfter, now));
    }

    private Decision<RunEvent> fireTimer(FireTimer c, RunState state, Instant now) {
        boolean pending = state.status() == RunStatus.RUNNING && c.kind() == state.timerKind()
                && c.stepOrder() == state.currentStep() && c.attempt() == state.attempt();
        if (!pending) {
            return Decision.accept(List.of());
        }
        StepDefinition step = state.step(state.currentStep());
        if (c.kind() == TimerKind.STEP_TIMEOUT) {
            return Decision.accept(failAttempt(state, "step " + step.stepOrder() + " (agent " + step.agentId()
                    + ") timed out after " + StepPolicy.of(step).timeout().toMillis() + " ms", true, Duration.ZERO, now));
        }
        return Decision.accept(new StepStarted(state.runId(), state.currentStep(), state.attempt() + 1,
                step.agentId(), state.stepInput(), now.plus(StepPolicy.of(step).timeout())));
    }

    /** The current step's output is known: complete it, then start the next step or complete the run. */
    private static List<RunEvent> complete(RunState state, Payload output, Instant now) {
        int n = state.currentStep();
        List<RunEvent> events = new ArrayList<>();
        events.add(new StepCompleted(state.runId(), n, state.attempt(), output));
        if (state.isLast(n)) {
            events.add(new RunCompleted(state.runId(), output));
        } else {
            StepDefinition next = state.step(n + 1);
            events.add(new StepStarted(state.runId(), n + 1, 1, next.agentId(), output,
                    now.plus(StepPolicy.of(next).timeout())));
        }
        return events;
    }

    /** Retries after the backoff, or after the agent's {@code retryAfter} when that is later. */
    private static List<RunEvent> failAttempt(RunState state, String error, boolean retryable, Duration retryAfter,
                                              Instant now) {
        int n = state.currentStep();
        StepPolicy policy = StepPolicy.of(state.step(n));
        if (retryable && state.attemptsMade() < policy.maxAttempts()) {
            Duration backoff = policy.backoffAfter(state.attemptsMade());
            return List.of(new StepAttemptFailed(state.runId(), n, state.attempt(), Limits.cutError(error),
                    now.plus(retryAfter.compareTo(backoff) > 0 ? retryAfter : backoff)));
        }
        String reason = Limits.cutError(retryable ? error + " (after " + state.attemptsMade() + " attempt(s))" : error);
        return List.of(new StepFailed(state.runId(), n, state.attempt(), reason),
                new RunFailed(state.runId(), n, reason));
    }

    private static String currentAgent(RunState state) {
        return state.step(state.currentStep()).agentId();
    }

    @Override
    public RunState evolve(RunState s, RunEvent event) {
        if (event instanceof RunStarted e) {
            return s.started(e.runId(), e.workflowId(), e.sessionId(), e.steps(), e.input());
        }
        if (event instanceof StepStarted e) {
            return s.stepStarted(e.stepOrder(), e.attempt(), e.input(), e.timeoutAt());
        }
        if (event instanceof StepAttemptFailed e) {
            return s.attemptFailed(e.error(), e.retryAt());
        }
        if (event instanceof StepCompleted e) {
            return s.stepCompleted(e.output(), earlierStepsCarried);
        }
        if (event instanceof StepFailed e) {
            return s.stepFailed(e.error());
        }
        if (event instanceof RunPaused) {
            return s.paused();
        }
        if (event instanceof RunResumed) {
            return s.resumed();
        }
        if (event instanceof RunCompleted) {
            return s.completed();
        }
        if (event instanceof RunFailed e) {
            return s.failed(e.error());
        }
        if (event instanceof RunCancelled) {
            return s.cancelled();
        }
        if (event instanceof RunRetried e) {
            return s.retried(e.attempt());
        }
        if (event instanceof StepReused e) {
            return s.stepReused(e.stepOrder(), e.output(), earlierStepsCarried);
        }
        throw new IllegalStateException("Unhandled run event " + event.getClass());
    }

    @Override
    public long version(RunState state) {
        return state.version();
    }

    /** The run goes on on behalf of whoever last started, resumed, cancelled or retried it. */
    @Override
    public String actor(RunState state) {
        return state.actor();
    }

    @Override
    public RunState actedBy(RunState state, String actor) {
        return state.actedBy(actor);
    }

    /** The agent invocation a started step asks for. */
    @Override
    public List<AgentRequest> react(RunState state, RunEvent event) {
        if (event instanceof StepStarted e) {
            StepDefinition step = state.step(e.stepOrder());
            return List.of(new AgentRequest(e.runId(), state.workflowId(), e.stepOrder(), e.attempt(),
                    step.agentId(), step.action(), e.input(), state.sessionId(), step.config(),
                    AgentRequest.idempotencyKey(e.runId(), e.stepOrder(), e.attempt()),
                    state.earlierBefore(e.stepOrder())));
        }
        return List.of();
    }
}
