package dev.agentflow.api.workflow.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.runtime.decider.Decision;
import dev.agentflow.runtime.decider.GivenWhenThen;
import dev.agentflow.schemas.envelope.Rejection.Reason;
import dev.agentflow.schemas.envelope.Rejection;
import dev.agentflow.schemas.limits.Limits;
import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.run.RunCommand;
import dev.agentflow.schemas.workflow.StepDefinition;
import dev.agentflow.schemas.workflow.WorkflowCommand.AddStep;
import dev.agentflow.schemas.workflow.WorkflowCommand.CloneWorkflow;
import dev.agentflow.schemas.workflow.WorkflowCommand.CreateWorkflow;
import dev.agentflow.schemas.workflow.WorkflowCommand.DeleteWorkflow;
import dev.agentflow.schemas.workflow.WorkflowCommand.RemoveStep;
import dev.agentflow.schemas.workflow.WorkflowCommand.RunWorkflow;
import dev.agentflow.schemas.workflow.WorkflowCommand.UpdateStep;
import dev.agentflow.schemas.workflow.WorkflowCommand.UpdateWorkflow;
import dev.agentflow.schemas.workflow.WorkflowCommand;
import dev.agentflow.schemas.workflow.WorkflowEvent.RunRequested;
import dev.agentflow.schemas.workflow.WorkflowEvent.StepAdded;
import dev.agentflow.schemas.workflow.WorkflowEvent.StepRemoved;
import dev.agentflow.schemas.workflow.WorkflowEvent.StepUpdated;
import dev.agentflow.schemas.workflow.WorkflowEvent.WorkflowCloned;
import dev.agentflow.schemas.workflow.WorkflowEvent.WorkflowCreated;
import dev.agentflow.schemas.workflow.WorkflowEvent.WorkflowDeleted;
import dev.agentflow.schemas.workflow.WorkflowEvent.WorkflowUpdated;
import dev.agentflow.schemas.workflow.WorkflowEvent;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** gwt.given(events) / when(command) / then(events or rejection). */
class WorkflowDeciderTest {

    private static final Payload IN = Payload.inline("in");

    private static final String WF = "wf-1";
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private final WorkflowDecider decider = new WorkflowDecider();
    private final GivenWhenThen<WorkflowCommand, WorkflowState, WorkflowEvent> gwt = new GivenWhenThen<>(decider,
            NOW);

    private static final WorkflowCreated CREATED = new WorkflowCreated(WF, "News", "desc", null, List.of());

    private static StepDefinition step(String id, int order) {
        return new StepDefinition(id, "echo", "do " + id, order, Map.of());
    }

    @Test
    void createsAWorkflow() {
        assertThat(gwt.accepted(new CreateWorkflow(WF, "News", "desc", null, List.of()))).containsExactly(CREATED);
    }

    @Test
    void createOfAnExistingIdConflicts() {
        assertThat(gwt.rejected(new CreateWorkflow(WF, "x", null, null, List.of()), CREATED).reason())
                .isEqualTo(Reason.CONFLICT);
    }

    @Test
    void createOfADeletedIdConflicts() {
        assertThat(gwt.rejected(new CreateWorkflow(WF, "x", null, null, List.of()), CREATED, new WorkflowDeleted(WF))
                .reason()).isEqualTo(Reason.CONFLICT);
    }

    @Test
    void createWithABlankNameIsUnprocessable() {
        Rejection r = gwt.rejected(new CreateWorkflow(WF, " ", null, null, List.of()));
        assertThat(r.reason()).isEqualTo(Reason.UNPROCESSABLE);
        assertThat(r.field()).isEqualTo("name");
    }

    @Test
    void createOfACloneRenumbersItsSteps() {
        var events = gwt.accepted(new CreateWorkflow(WF, "C", null, "wf-0", List.of(step("a", 7), step("b", 9))));
        assertThat(((WorkflowCreated) events.get(0)).steps()).containsExactly(step("a", 1), step("b", 2));
    }

    @Test
    void everyCommandOnAnUnknownWorkflowIsNotFound() {
        List<WorkflowCommand> commands = List.of(new UpdateWorkflow(WF, "n", false, null), new DeleteWorkflow(WF),
                new AddStep(WF, "s", "echo", "a", null, Map.of()), new RemoveStep(WF, "s"),
                new UpdateStep(WF, "s", 1, null, null, null), new CloneWorkflow(WF, "wf-2"), new RunWorkflow(WF, "wr-1", "s", IN));
        for (WorkflowCommand command : commands) {
            Rejection r = gwt.rejected(command);
            assertThat(r.reason()).as(command.toString()).isEqualTo(Reason.NOT_FOUND);
            assertThat(r.field()).isEqualTo("workflowId");
            assertThat(gwt.rejected(command, CREATED, new WorkflowDeleted(WF)).reason()).isEqualTo(Reason.NOT_FOUND);
        }
    }

    @Test
    void updateChangesOnlyThePresentFields() {
        assertThat(gwt.accepted(new UpdateWorkflow(WF, "Renamed", false, null), CREATED))
                .containsExactly(new WorkflowUpdated(WF, "Renamed", "desc"));
        assertThat(gwt.accepted(new UpdateWorkflow(WF, null, true, "new"), CREATED))
                .containsExactly(new WorkflowUpdated(WF, "News", "new"));
        assertThat(gwt.accepted(new UpdateWorkflow(WF, null, true, null), CREATED))
                .containsExactly(new WorkflowUpdated(WF, "News", null));
    }

    @Test
    void updateToABlankNameIsUnprocessable() {
        assertThat(gwt.rejected(new UpdateWorkflow(WF, "", false, null), CREATED).field()).isEqualTo("name");
    }

    @Test
    void deletes() {
        assertThat(gwt.accepted(new DeleteWorkflow(WF), CREATED)).containsExactly(new WorkflowDeleted(WF));
        assertThat(gwt.given(CREATED, new WorkflowDeleted(WF)).live()).isFalse();
    }

    @Test
    void addStepWithoutOrderAppends() {
        assertThat(gwt.accepted(new AddStep(WF, "c", "echo", "do c", null, Map.of()), CREATED,
                new StepAdded(WF, step("a", 1)), new StepAdded(WF, step("b", 2))))
                .containsExactly(new StepAdded(WF, step("c", 3)));
    }

    @Test
    void addStepAtAPositionInsertsAndShiftsLaterSteps() {
        WorkflowState state = gwt.given(CREATED, new StepAdded(WF, step("a", 1)), new StepAdded(WF, step("b", 2)),
                new StepAdded(WF, step("c", 1)));
        assertThat(state.steps()).containsExactly(step("c", 1), step("a", 2), step("b", 3));
    }

    @Test
    void addStepAtLastPlusOneAppends() {
        assertThat(gwt.accepted(new AddStep(WF, "b", "echo", "do b", 2, Map.of()), CREATED,
                new StepAdded(WF, step("a", 1)))).containsExactly(new StepAdded(WF, step("b", 2)));
    }

    @Test
    void addStepBeyondLastPlusOneIsUnprocessable() {
        Rejection r = gwt.rejected(new AddStep(WF, "b", "echo", "x", 3, Map.of()), CREATED,
                new StepAdded(WF, step("a", 1)));
        assertThat(r.reason()).isEqualTo(Reason.UNPROCESSABLE);
        assertThat(r.field()).isEqualTo("stepOrder");
        assertThat(r.detail()).contains("1..2");
    }

    @Test
    void addStepBelowOneIsUnprocessable() {
        assertThat(gwt.rejected(new AddStep(WF, "b", "echo", "x", 0, Map.of()), CREATED).field()).isEqualTo("stepOrder");
    }

    @Test
    void addStepWithAnExistingStepIdConflicts() {
        assertThat(gwt.rejected(new AddStep(WF, "a", "echo", "x", null, Map.of()), CREATED,
                new StepAdded(WF, step("a", 1))).reason()).isEqualTo(Reason.CONFLICT);
    }

    @Test
    void addStepKeepsItsConfig() {
        var events = gwt.accepted(new AddStep(WF, "a", "echo", "x", null, Map.of("maxAttempts", 5)), CREATED);
        assertThat(((StepAdded) events.get(0)).step().config()).containsEntry("maxAttempts", 5);
    }

    @Test
    void removeStepRenumbersTheRest() {
        assertThat(gwt.accepted(new RemoveStep(WF, "a"), CREATED, new StepAdded(WF, step("a", 1))))
                .containsExactly(new StepRemoved(WF, "a"));
        WorkflowState state = gwt.given(CREATED, new StepAdded(WF, step("a", 1)), new StepAdded(WF, step("b", 2)),
                new StepAdded(WF, step("c", 3)), new StepRemoved(WF, "a"));
        assertThat(state.steps()).containsExactly(step("b", 1), step("c", 2));
    }

    @Test
    void removeOfAnUnknownStepIsNotFound() {
        Rejection r = gwt.rejected(new RemoveStep(WF, "zz"), CREATED);
        assertThat(r.reason()).isEqualTo(Reason.NOT_FOUND);
        assertThat(r.field()).isEqualTo("stepId");
    }

    private static final WorkflowEvent[] THREE_STEPS = {CREATED, new StepAdded(WF, step("a", 1)),
            new StepAdded(WF, step("b", 2)), new StepAdded(WF, step("c", 3))};

    @Test
    void updateStepMovesItAndTheRestAreNumberedAgain() {
        List<WorkflowEvent> events = gwt.accepted(new UpdateStep(WF, "a", 3, null, null, null), THREE_STEPS);
        assertThat(events).containsExactly(new StepUpdated(WF, step("a", 3)));
        WorkflowState state = gwt.given(CREATED, new StepAdded(WF, step("a", 1)), new StepAdded(WF, step("b", 2)),
                new StepAdded(WF, step("c", 3)), events.get(0));
        assertThat(state.steps()).containsExactly(step("b", 1), step("c", 2), step("a", 3));

        WorkflowState upward = decider.evolve(state, new StepUpdated(WF, step("c", 1)));
        assertThat(upward.steps()).containsExactly(step("c", 1), step("b", 2), step("a", 3));
    }

    @Test
    void updateStepChangesOnlyTheFieldsGiven() {
        StepDefinition changed = new StepDefinition("b", "template", "x {{input}}", 2, Map.of("maxAttempts", 1));
        assertThat(gwt.accepted(new UpdateStep(WF, "b", null, "template", "x {{input}}", Map.of("maxAttempts", 1)),
                THREE_STEPS)).containsExactly(new StepUpdated(WF, changed));
        assertThat(gwt.accepted(new UpdateStep(WF, "b", null, null, null, null), THREE_STEPS))
                .containsExactly(new StepUpdated(WF, step("b", 2)));
    }

    @Test
    void updateStepOutsideTheStepsIsRefused() {
        Rejection beyond = gwt.rejected(new UpdateStep(WF, "a", 4, null, null, null), THREE_STEPS);
        assertThat(beyond.reason()).isEqualTo(Reason.UNPROCESSABLE);
        assertThat(beyond.field()).isEqualTo("stepOrder");
        assertThat(beyond.detail()).contains("1..3");
        Rejection unknown = gwt.rejected(new UpdateStep(WF, "zz", 1, null, null, null), THREE_STEPS);
        assertThat(unknown.reason()).isEqualTo(Reason.NOT_FOUND);
        assertThat(unknown.field()).isEqualTo("stepId");
    }

    @Test
    void updateStepKeepsTheDefinitionWithinItsLimit() {
        WorkflowDecider small = new WorkflowDecider(new Limits(1 << 20, 1024, 64 * 1024, 100, 1024));
        WorkflowState one = small.evolve(small.evolve(small.initialState(), CREATED), new StepAdded(WF, step("a", 1)));

        Decision<WorkflowEvent> more = small.decide(new UpdateStep(WF, "a", null, null, "y".repeat(1024), null), one,
                NOW);
        Decision<WorkflowEvent> less = small.decide(new UpdateStep(WF, "a", null, null, "y".repeat(100), null), one,
                NOW);

        assertThat(more).isInstanceOf(Decision.Rejected.class);
        assertThat(((Decision.Rejected<WorkflowEvent>) more).rejection().field()).isEqualTo("action");
        assertThat(less).isInstanceOf(Decision.Accepted.class);
    }

    @Test
    void cloneIsRecordedOnTheSourceWhichStaysUnchanged() {
        WorkflowState before = gwt.given(CREATED, new StepAdded(WF, step("a", 1)));
        assertThat(gwt.accepted(new CloneWorkflow(WF, "wf-2"), CREATED, new StepAdded(WF, step("a", 1))))
                .containsExactly(new WorkflowCloned(WF, "wf-2"));
        WorkflowState after = decider.evolve(before, new WorkflowCloned(WF, "wf-2"));
        assertThat(after.steps()).isEqualTo(before.steps());
        assertThat(after.name()).isEqualTo(before.name());
        assertThat(after.version()).isEqualTo(before.version() + 1);
    }

    @Test
    void aCloneIsCreatedWithCopiedStepsUnderNewIds() {
        WorkflowState source = gwt.given(CREATED, new StepAdded(WF, step("a", 1)), new StepAdded(WF, step("b", 2)),
                new WorkflowCloned(WF, "wf-2"));

        List<FollowUp> followUps = decider.react(source, new WorkflowCloned(WF, "wf-2"));

        assertThat(followUps).hasSize(1);
        CreateWorkflow create = (CreateWorkflow) ((FollowUp.ToWorkflow) followUps.get(0)).command();
        assertThat(create.workflowId()).isEqualTo("wf-2");
        assertThat(create.name()).isEqualTo("News (Copy)");
        assertThat(create.description()).isEqualTo("desc");
        assertThat(create.clonedFrom()).isEqualTo(WF);
        assertThat(create.steps()).extracting(StepDefinition::action).containsExactly("do a", "do b");
        assertThat(create.steps()).extracting(StepDefinition::stepOrder).containsExactly(1, 2);
        assertThat(create.steps()).extracting(StepDefinition::id)
                .doesNotContain("a", "b").allMatch(id -> id.startsWith("step-")).doesNotHaveDuplicates();
        assertThat(decider.react(source, new WorkflowCloned(WF, "wf-2"))).isEqualTo(followUps);
    }

    @Test
    void aWorkflowHasAtMostMaxStepsSteps() {
        WorkflowDecider small = new WorkflowDecider(new Limits(1 << 20, 1024, 64 * 1024, 2, 64 * 1024));
        WorkflowState two = small.evolve(small.evolve(small.evolve(small.initialState(), CREATED),
                new StepAdded(WF, step("a", 1))), new StepAdded(WF, step("b", 2)));

        Decision<WorkflowEvent> third = small.decide(new AddStep(WF, "c", "echo", "x", null, Map.of()), two, NOW);

        assertThat(third).isInstanceOf(Decision.Rejected.class);
        Rejection rejection = ((Decision.Rejected<WorkflowEvent>) third).rejection();
        assertThat(rejection.reason()).isEqualTo(Reason.UNPROCESSABLE);
        assertThat(rejection.detail()).isEqualTo("A workflow has at most 2 steps (agentflow.limits.max-steps)");
    }

    @Test
    void aWorkflowsStepsAreBoundedInSizeSoEveryRecordCarryingThemIs() {
        WorkflowDecider small = new WorkflowDecider(new Limits(1 << 20, 1024, 64 * 1024, 100, 4096));
        WorkflowState one = small.evolve(small.evolve(small.initialState(), CREATED),
                new StepAdded(WF, new StepDefinition("a", "echo", "x".repeat(3000), 1, Map.of())));

        Decision<WorkflowEvent> more = small.decide(new AddStep(WF, "b", "echo", "y".repeat(1000), null, Map.of()), one,
                NOW);
        Decision<WorkflowEvent> less = small.decide(new AddStep(WF, "b", "echo", "y".repeat(100), null, Map.of()), one,
                NOW);

        assertThat(more).isInstanceOf(Decision.Rejected.class);
        Rejection rejection = ((Decision.Rejected<WorkflowEvent>) more).rejection();
        assertThat(rejection.field()).isEqualTo("action");
        assertThat(rejection.detail()).startsWith("The workflow's steps would take ")
                .endsWith(" bytes as JSON, over the limit of 4096 bytes (agentflow.limits.max-definition-bytes)");
        assertThat(less).isInstanceOf(Decision.Accepted.class);
    }

    @Test
    void aCloneOfACloneKeepsItsNameWithinTheLimit() {
        WorkflowState state = gwt.given(new WorkflowCreated(WF, "n".repeat(WorkflowDecider.MAX_NAME), null, null,
                List.of()), new WorkflowCloned(WF, "wf-2"));

        List<FollowUp> followUps = decider.react(state, new WorkflowCloned(WF, "wf-2"));

        assertThat(followUps).singleElement().satisfies(f -> assertThat(((FollowUp.ToWorkflow) f).command())
                .isInstanceOfSatisfying(CreateWorkflow.class, c -> assertThat(c.name()).hasSize(WorkflowDecider.MAX_NAME)));
    }

    @Test
    void runStartsWithASnapshotOfTheSteps() {
        var events = gwt.accepted(new RunWorkflow(WF, "wr-1", "s-1", IN), CREATED, new StepAdded(WF, step("a", 1)));
        assertThat(events).containsExactly(new RunRequested(WF, "wr-1", "s-1", IN, List.of(step("a", 1))));
        WorkflowState after = gwt.given(CREATED, new StepAdded(WF, step("a", 1)), events.get(0));
        assertThat(decider.react(after, events.get(0))).containsExactly(new FollowUp.ToRun(
                new RunCommand.StartRun("wr-1", WF, "s-1", IN, List.of(step("a", 1)))));
    }

    @Test
    void runOfAWorkflowWithoutStepsIsUnprocessable() {
        assertThat(gwt.rejected(new RunWorkflow(WF, "wr-1", "s", IN), CREATED).reason()).isEqualTo(Reason.UNPROCESSABLE);
    }

    @Test
    void otherEventsCauseNoFollowUps() {
        assertThat(decider.react(gwt.given(CREATED), CREATED)).isEmpty();
    }

    @Test
    void versionCountsEvents() {
        assertThat(gwt.given().version()).isZero();
        assertThat(gwt.given(CREATED, new WorkflowUpdated(WF, "a", null), new WorkflowDeleted(WF)).version()).isEqualTo(3);
    }

    @Test
    void everyCommandAndEventTypeIsHandled() {
        WorkflowState live = gwt.given(CREATED, new StepAdded(WF, step("a", 1)));
        // each command type, on a live workflow, and what it must cause there
        Map<WorkflowCommand, Object> outcomes = new LinkedHashMap<>();
        outcomes.put(new CreateWorkflow(WF, "n", null, null, List.of()), Reason.CONFLICT);
        outcomes.put(new UpdateWorkflow(WF, "n", false, null), List.of(WorkflowUpdated.class));
        outcomes.put(new DeleteWorkflow(WF), List.of(WorkflowDeleted.class));
        outcomes.put(new AddStep(WF, "b", "echo", "x", null, Map.of()), List.of(StepAdded.class));
        outcomes.put(new RemoveStep(WF, "a"), List.of(StepRemoved.class));
        outcomes.put(new UpdateStep(WF, "a", 1, "echo", null, null), List.of(StepUpdated.class));
        outcomes.put(new CloneWorkflow(WF, "wf-2"), List.of(WorkflowCloned.class));
        outcomes.put(new RunWorkflow(WF, "wr-1", "s", IN), List.of(RunRequested.class));
        for (Class<?> type : WorkflowCommand.class.getPermittedSubclasses()) {
            WorkflowCommand command = outcomes.keySet().stream().filter(type::isInstance).findFirst()
                    .orElseThrow(() -> new AssertionError("no sample of " + type));
            assertThat(gwt.outcome(command, live)).as(type.getSimpleName()).isEqualTo(outcomes.get(command));
        }
        for (Class<?> type : WorkflowEvent.class.getPermittedSubclasses()) {
            WorkflowEvent event = Arrays.stream(new WorkflowEvent[]{CREATED, new WorkflowUpdated(WF, "n", null),
                    new WorkflowDeleted(WF), new StepAdded(WF, step("b", 2)), new StepRemoved(WF, "a"),
                    new StepUpdated(WF, step("a", 1)), new WorkflowCloned(WF, "wf-2"), new RunRequested(WF, "wr-1", "s", IN, List.of())})
                    .filter(type::isInstance).findFirst().orElseThrow(() -> new AssertionError("no sample of " + type));
            assertThat(decider.evolve(live, event).version()).isEqualTo(live.version() + 1);
        }
    }
}
